/* SPDX-License-Identifier: MIT */
/*
 * The launcher as a whole, without its D-Bus face: its event loop, class
 * registry, instance table, notify socket and mount watcher, reload and
 * shutdown. It observes every instance (state records, STATUS=, systemd
 * placement) and passes what happened on to its own observer, the bus.
 */
#pragma once

#include <fsp/class.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "instance.h"

typedef struct Manager Manager;
typedef struct Placement Placement;
typedef struct StartQueue StartQueue;

typedef struct ClassEntry {
        char *name;
        FspClass *class; /* NULL when the file was refused */
        char *error;     /* why it was refused */
} ClassEntry;

typedef struct ManagerOptions {
        bool user_mode;
        const char *config_path; /* colon-separated class directories */
        const char *state_dir;
        char **admin_groups; /* NULL: libfsp's default */
        unsigned max_instances_per_user; /* for callers other than root; 0: no limit */
        uint64_t nofile_soft;            /* RLIMIT_NOFILE's soft limit for instances; 0: the launcher's */
} ManagerOptions;

#define MAX_INSTANCES_PER_USER_DEFAULT 64

struct Manager {
        sd_event *event;
        bool user_mode;
        uid_t uid; /* the launcher's own */
        unsigned max_instances_per_user;
        char *state_dir;
        char *staging_dir; /* root launcher: programs mount here first (instance-mount.c) */
        int staging_mount_id;

        char *config_path;
        ClassEntry *classes;
        size_t n_classes;

        Instance *instances; /* list head, in start order (List's) */
        Instance *instances_tail;
        unsigned n_instances;
        Instance **buckets; /* the same, indexed by class and name; n_buckets 0: look through the list */
        size_t n_buckets;
        uint64_t hash_key; /* instance names are the callers' to choose */
        InstanceEnv instance_env; /* what every instance sees; its observer is the manager */
        StartQueue *start_queue;  /* starts waiting their turn (start-queue.h) */

        /* Who hears about instances: the bus layer. */
        const InstanceObserver *observer;
        void *observer_data;

        int notify_fd;
        char *notify_socket; /* NOTIFY_SOCKET for instances */
        sd_event_source *notify_source;
        int mountinfo_fd;
        sd_event_source *mountinfo_source;

        sd_bus *systemd_bus; /* lazily opened, for scopes and unit attachment */
        bool under_systemd;
        Placement *placements; /* calls to systemd still waiting for an answer */

        bool shutting_down;
        sd_event_source *shutdown_timer;
};

int manager_new(const ManagerOptions *o, Manager **ret);
Manager *manager_free(Manager *m);
/* Who hears about instances (the bus). */
void manager_set_observer(Manager *m, const InstanceObserver *observer, void *userdata);
/* Adopt what a previous launcher left running (JobControl=0). */
void manager_adopt(Manager *m);
int manager_run(Manager *m);

/* Re-read every class file. Running instances keep what they started with. */
int manager_reload(Manager *m);

/* The entry for a class name, NULL when no file defines it. */
const ClassEntry *manager_find_class(Manager *m, const char *name);

Instance *manager_find_instance(Manager *m, const char *class_name, const char *name);
Instance *manager_find_instance_by_mount_point(Manager *m, const char *path);

/*
 * A new instance in the table, not started yet (instance_start() next). It
 * leaves the table, freed, after its observer's finished().
 */
int manager_add_instance(Manager *m, FspClass *c, const char *name, char *const *args,
                         InstanceIdentity *identity, const char *unit, Instance **ret);

/* manager-table.c: in and out of the list and the index (manager_add_instance(), manager_remove_instance()). */
void manager_table_link(Manager *m, Instance *i);
void manager_table_unlink(Manager *m, Instance *i);

/* How many instances uid started (and are not gone yet). */
unsigned manager_count_instances_of(Manager *m, uid_t uid);
unsigned manager_count_class_instances_of(Manager *m, const char *class_name, uid_t uid);

/* instance_start() in its turn (start-queue.h), after the calls already waiting on the bus. */
int manager_queue_start(Manager *m, Instance *i, const InstanceStartParams *p);

/* Out of the table and freed, without a word to anyone (an adoption that failed, the launcher's exit). */
void manager_remove_instance(Manager *m, Instance *i);

/* Called when the instance table changed: STATUS= to systemd, shutdown progress. */
void manager_instances_changed(Manager *m);
