/* SPDX-License-Identifier: MIT */
/*
 * The launcher as a whole: its event loop, bus connection, class registry,
 * instance table, notify socket and mount watcher, reload and shutdown.
 */
#pragma once

#include <fsp/class.h>
#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "launcher-instance.h"

typedef struct ClassEntry {
        char *name;
        FspClass *class; /* NULL when the file was refused */
        char *error;     /* why it was refused */
} ClassEntry;

typedef struct ManagerOptions {
        bool user_mode;
        const char *bus_address;
        const char *config_path; /* colon-separated class directories */
        const char *state_dir;
        char **admin_groups; /* NULL: libfsp's default */
} ManagerOptions;

struct Manager {
        sd_event *event;
        sd_bus *bus;
        bool user_mode;
        uid_t uid; /* the launcher's own */
        char *state_dir;

        char *config_path;
        ClassEntry *classes;
        size_t n_classes;

        Instance *instances; /* list head */
        Instance *instances_tail;
        unsigned n_instances;

        int notify_fd;
        char *notify_socket; /* NOTIFY_SOCKET for instances */
        sd_event_source *notify_source;
        int mountinfo_fd;
        sd_event_source *mountinfo_source;

        sd_bus *systemd_bus; /* lazily opened, for scopes and unit attachment */
        bool under_systemd;

        bool shutting_down;
        sd_event_source *shutdown_timer;
};

int manager_new(const ManagerOptions *o, Manager **ret);
Manager *manager_free(Manager *m);
int manager_run(Manager *m);

/* Re-read every class file. Running instances keep what they started with. */
int manager_reload(Manager *m);

/* The entry for a class name, NULL when no file defines it. */
const ClassEntry *manager_find_class(Manager *m, const char *name);

Instance *manager_find_instance(Manager *m, const char *class_name, const char *name);
Instance *manager_find_instance_by_mount_point(Manager *m, const char *path);

void manager_link_instance(Manager *m, Instance *i);
void manager_unlink_instance(Manager *m, Instance *i);

/* Called when the instance table changed: STATUS= to systemd, shutdown progress. */
void manager_instances_changed(Manager *m);

/* Signals on the bus. */
void manager_emit_instance_started(Manager *m, Instance *i);
void manager_emit_instance_stopped(Manager *m, Instance *i, int status);
