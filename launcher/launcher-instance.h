/* SPDX-License-Identifier: MIT */
/*
 * One running (or starting, stopping, restarting) instance of a class and
 * its life: spawn, credentials handshake, readiness, output, stop with
 * escalation, reaping, recovery with back-off. Every step is an event
 * source on the manager's loop; nothing here blocks.
 */
#pragma once

#include <errno.h>
#include <fsp/class.h>
#include <fsp/secret.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "launcher-mounts.h"
#include "launcher-output.h"

typedef struct Manager Manager;
typedef struct Instance Instance;

typedef enum InstanceState {
        INSTANCE_STARTING,   /* spawned (or reading the secret), not ready yet */
        INSTANCE_RUNNING,    /* ready */
        INSTANCE_STOPPING,   /* SIGTERM sent (stop, or a failed start being cleaned up) */
        INSTANCE_RESTARTING, /* exited with a failure, waiting out the back-off (Recovery=1) */
        _INSTANCE_STATE_MAX,
        _INSTANCE_STATE_INVALID = -EINVAL,
} InstanceState;

const char *instance_state_to_string(InstanceState s);

/* Who asked for the instance, and as whom it runs. Resolved before spawning. */
typedef struct InstanceIdentity {
        uid_t started_by;
        char *caller_name; /* %U */
        char *caller_home; /* %P */
        bool change_user;  /* false: run as the launcher itself */
        uid_t uid;
        gid_t gid;
        gid_t *groups;
        size_t n_groups;
        char *user_name;
        char *home;
} InstanceIdentity;

void instance_identity_done(InstanceIdentity *id);

#define RECOVERY_HISTORY_MAX 1000

struct Instance {
        Manager *manager;
        Instance *prev, *next;

        FspClass *class; /* the definition it was started with, kept across reloads */
        char *class_name;
        char *name;
        char **args;       /* the caller's %1..%9 */
        char **argv;       /* as executed, argv[0] = Executable */
        char *mount_point; /* canonical, or NULL */
        char *unit;        /* systemd unit the process is attached to, or NULL */
        InstanceIdentity id;
        char *status_text; /* last STATUS= */

        InstanceState state;
        pid_t pid;
        uint64_t start_time_usec; /* CLOCK_REALTIME */
        unsigned restarts;
        int last_exit_status; /* -1: none yet */
        bool ever_ready;      /* InstanceStarted was sent for the current process */
        bool adopted;         /* not our child: a previous launcher started it; exit status unknown */
        pid_t recorded_pid;   /* the pid its state record is named after (JobControl=0) */

        /* Start phase. */
        FspSecret *secret;
        int secret_source_fd; /* the client's fd, while reading it */
        bool exec_done, notified, mounted, answered_ok;
        MountSnapshot mounts_before;
        char *answer; /* credentials answer read so far */
        size_t answer_size;
        int go_fd;       /* write end that releases the child, -1 when released */
        int fuse_fd;     /* a /dev/fuse the caller already mounted at mount_point, or -1 */
        bool premounted; /* so: no mount to wait for, READY=1 is the sign */

        /* Pending replies. */
        sd_bus_message *start_call;
        sd_bus_message **stop_calls;
        size_t n_stop_calls;
        char *start_error_name; /* a failed start, reported once the process is gone */
        char *start_error_message;

        /* Recovery. */
        uint64_t restart_times[RECOVERY_HISTORY_MAX]; /* CLOCK_MONOTONIC µs */
        unsigned n_restart_times;

        /* Process I/O. */
        int stdout_fd, stderr_fd, error_fd;
        int log_fd; /* Stderr= file, or -1 for the journal */
        LineBuffer stdout_buf, stderr_buf;
        LastLines last_lines;
        sd_event_source *child_source, *stdout_source, *stderr_source, *error_source, *secret_source;
        sd_event_source *timer_source;       /* start timeout, stop escalation, restart back-off */
        sd_event_source *credentials_source; /* credentials timeout */
        sd_bus_slot *attach_slot;            /* pending call to systemd */
};

/*
 * Create an instance (not yet started) in the manager's table. Takes over
 * identity (zeroed on return) and copies args.
 */
int instance_new(Manager *m, FspClass *c, const char *name, char *const *args, const char *mount_point,
                 InstanceIdentity *identity, Instance **ret);

/*
 * Begin starting: read the secret from secret_fd (or not, -1), spawn, and
 * reply to call (may be NULL) when ready or failed. On a synchronous
 * failure the instance is already forgotten and call already answered.
 */
void instance_start(Instance *i, sd_bus_message *call, int secret_fd, const char *unit);

/* Before instance_start(): the caller mounted /dev/fuse at the mount point itself (automount). */
int instance_set_fuse_fd(Instance *i, int fd);

/* Stop (SIGTERM, SIGKILL after StopTimeout); call (may be NULL) gets the exit status. */
void instance_stop(Instance *i, sd_bus_message *call);

/*
 * Take over a running process a previous launcher started (JobControl=0):
 * watched through pidfd; its output pipes when systemd kept them (or -1).
 */
void instance_adopt(Instance *i, pid_t pid, int pidfd, int stdout_fd, int stderr_fd);

/* Remove from the table and free; pending callers get an error first. */
void instance_free(Instance *i);

/* Manager events. */
void instance_notify(Instance *i, const char *message);
void instance_mounts_changed(Instance *i);

/* The process has been moved to its systemd unit or scope (r >= 0), or could not be. */
void instance_placed(Instance *i, int r, const char *message);
