/* SPDX-License-Identifier: MIT */
/*
 * One running (or starting, stopping, restarting) instance of a class and
 * its life: spawn, credentials handshake, readiness, output, stop with
 * escalation, reaping, recovery with back-off. Every step is an event
 * source on the loop of its InstanceEnv; nothing here blocks, and nothing
 * here knows D-Bus: what happens is told to an InstanceObserver.
 *
 * Life of an Instance: instance_new() puts it in no table (the owner does);
 * instance_start() or instance_adopt() gives it a process; it ends with
 * exactly one observer->finished() call, after which the owner frees it
 * with instance_free() (the observer may do so inside that callback).
 */
#pragma once

#include <errno.h>
#include <fsp/class.h>
#include <fsp/secret.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "mounts.h"
#include "output.h"
#include "resolver.h"
#include "screen.h"

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

/* How an instance's mount point is handled (instance-mount.c). */
typedef enum MountMode {
        MOUNT_NONE,       /* the class has no MountPoint= */
        MOUNT_PINNED,     /* opened as the caller, checked and mounted on by fd (the system launcher) */
        MOUNT_PATH,       /* the program mounts the path itself (the per-user launcher: nothing to guard) */
        MOUNT_PREMOUNTED, /* FuseFd: root mounted the connection at the path itself */
} MountMode;

/* What an instance tells its owner. Every callback is optional. */
typedef struct InstanceObserver {
        /* Ready (the start succeeded); again after each restart. */
        void (*ready)(Instance *i, void *userdata);
        /*
         * The start failed and nothing of it runs any more. error_name is one
         * of FSP_ERROR_*; message says why, with the last lines the program
         * wrote. finished() follows.
         */
        void (*start_failed)(Instance *i, const char *error_name, const char *message, void *userdata);
        /* A process that had been ready ended: status is its exit code, 128+signal, or -1 (unknown). */
        void (*ended)(Instance *i, int status, void *userdata);
        /* The instance is over (stopped, exited, gave up, failed to start); status as for ended(). */
        void (*finished)(Instance *i, int status, void *userdata);
        /* Its state changed. */
        void (*changed)(Instance *i, void *userdata);
        /* The process is forked but held before exec (hold_until_released): call instance_release(). */
        void (*spawned)(Instance *i, void *userdata);
        /* Its mount is on its mount point now (i->mnt_id); and gone again (or left to a detach in the background). */
        void (*mounted)(Instance *i, void *userdata);
        void (*unmounted)(Instance *i, int mnt_id, void *userdata);
} InstanceObserver;

/* What every instance of one launcher shares. */
typedef struct InstanceEnv {
        sd_event *event;
        const char *notify_socket; /* NOTIFY_SOCKET for instances */
        bool user_mode;            /* the per-user launcher: pass the session's bus and runtime dir */
        bool shutting_down;        /* no restarts any more */
        const char *staging_dir;   /* where programs mount before their mount is moved (root only) */
        int staging_mount_id;      /* the mount staging_dir is on */
        uint64_t nofile_soft;      /* RLIMIT_NOFILE soft limit for programs; 0: the launcher's own */
        const InstanceObserver *observer;
        void *observer_data;
        /* Whether another instance has its mount point on the directory i pinned (pin_dev, pin_ino). */
        bool (*mount_point_taken)(const Instance *i, void *userdata);
} InstanceEnv;

/* Who asked for the instance, and as whom it runs. Resolved before spawning. */
typedef struct InstanceIdentity {
        uid_t started_by;
        gid_t caller_gid; /* the caller's own groups: its mount point is opened as the caller */
        gid_t *caller_groups;
        size_t n_caller_groups;
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


struct Instance {
        const InstanceEnv *env;
        Instance *prev, *next; /* in the owner's table */
        Instance *hash_next;   /* in the owner's index by class and name */

        FspClass *class; /* the definition it was started with, kept across reloads */
        char *class_name;
        char *name;
        char **args;       /* the caller's %1..%9 */
        char **argv;       /* as executed, argv[0] = Executable */
        char *mount_point; /* canonical (once checked), or NULL */
        char *unit;        /* systemd unit the process is attached to, or NULL */
        InstanceIdentity id;
        char *status_text; /* last STATUS= */

        InstanceState state;
        pid_t pid;
        uint64_t start_time_usec; /* CLOCK_REALTIME */
        unsigned restarts;
        int last_exit_status; /* -1: none yet */
        bool ever_ready;      /* ready was told for the current process */
        bool adopted;         /* not our child: a previous launcher started it; exit status unknown */
        bool stop_requested;
        bool hold_until_released; /* the child waits before exec until instance_release() */
        pid_t recorded_pid;       /* the pid its state record is named after (JobControl=0) */

        /* The mount point (instance-mount.c). */
        MountMode mount_mode;
        char *mount_word; /* MountPoint= expanded: the argv word that names it, before it is checked */
        Resolver *resolver;
        int pin_fd;       /* the checked directory (O_PATH): its mount goes on top of it */
        dev_t pin_dev;
        ino_t pin_ino;
        char *staging;    /* the program's private mount point while it exists */
        bool in_place;    /* the program runs as the caller and mounts the checked directory itself */
        Resolver *probe;  /* waiting for the new mount's first answer (probe_id) */
        int probe_id;
        int mnt_id;       /* its mount, once on the checked directory: what is detached at the end */
        int conn_mnt_fd;  /* MountBy=launcher: the detached FUSE mount, until it is moved onto pin_fd */
        uint64_t attr_set, attr_clear; /* mount attributes the class and the caller asked for */
        char **fuse_options;           /* MountBy=launcher: the class's FUSE options (MountOptions=) */
        char *program_options;         /* %O: the caller's options the class accepts */
        MountSnapshot mounts_before; /* MOUNT_PATH, and MOUNT_PINNED in place */

        /* Start phase. */
        FspSecret *secret;
        int secret_source_fd; /* the client's fd, while reading it */
        int pending_secret_fd; /* the client's fd, until the mount point is checked */
        bool exec_done, notified, mounted, answered_ok;
        char *answer; /* credentials answer read so far */
        size_t answer_size;
        int go_fd;   /* write end that releases the child, -1 when released */
        int fuse_fd; /* the FUSE connection the program gets as fd 3 (FuseFd, MountBy=launcher), or -1 */
        char *start_error_name; /* a failed start, reported once the process is gone */
        char *start_error_message;

        /* Recovery. */
        uint64_t *restart_times; /* CLOCK_MONOTONIC µs of the restarts within RecoveryInterval= */
        unsigned n_restart_times;

        /* Process I/O. */
        int stdout_fd, stderr_fd, error_fd;
        int log_fd; /* Stderr= file, or -1 for the journal */
        LineBuffer stdout_buf, stderr_buf;
        SecretScreen screen; /* a keyed hash of the secret, for its whole life */
        ScreenStream stdout_screen, stderr_screen;
        sd_event_source *hold_source; /* lets held lines go when they have waited long enough */
        LastLines last_lines;
        sd_event_source *child_source, *stdout_source, *stderr_source, *error_source, *secret_source;
        sd_event_source *timer_source;       /* start timeout, stop escalation, restart back-off */
        sd_event_source *credentials_source; /* credentials timeout */
};

/* A new instance, not started. Takes over identity (zeroed on return) and copies args. */
int instance_new(const InstanceEnv *env, FspClass *c, const char *name, char *const *args,
                 InstanceIdentity *identity, Instance **ret);

/* Free (no callbacks); a process still running is left alone. */
void instance_free(Instance *i);

/* What instance_start() is given beyond the instance itself. */
typedef struct InstanceStartParams {
        int secret_fd;    /* read to EOF (≤ FSP_SECRET_MAX) before spawning, or -1 */
        int fuse_fd;   /* a /dev/fuse the caller mounted at the mount point itself (becomes fd 3), or -1 */
} InstanceStartParams;

#define INSTANCE_START_PARAMS_INIT ((InstanceStartParams){ .secret_fd = -1, .fuse_fd = -1 })

/*
 * Begin starting. ready() or start_failed() follows, possibly before this
 * returns; either way finished() ends a failed start.
 */
void instance_start(Instance *i, const InstanceStartParams *p);

/* Stop (SIGTERM, SIGKILL after StopTimeout); finished() follows with the exit status. */
void instance_stop(Instance *i);

/*
 * Take over a running process a previous launcher started (JobControl=0):
 * watched through pidfd (taken over); its output pipes when systemd kept
 * them (or -1). On failure the fds are closed and the instance is unchanged.
 */
int instance_adopt(Instance *i, pid_t pid, int pidfd, int stdout_fd, int stderr_fd);

/*
 * Before instance_start(): how its mount point is handled. word: MountPoint=
 * expanded, the command line's word that names it (NULL: none); path: the
 * checked path (MOUNT_PATH, MOUNT_PREMOUNTED; for MOUNT_PINNED it is known
 * once the word is resolved as the caller).
 */
int instance_set_mount_point(Instance *i, MountMode mode, const char *word, const char *path);

/*
 * Before instance_start(): the caller's mount options (mount -o, NULL: none)
 * with the class's MountOptions=. 0, or -EINVAL with a message saying which
 * option and why in *ret_error (the caller frees it).
 */
int instance_set_mount_options(Instance *i, const char *caller_options, char **ret_error);

/* Where its mount point is now (the checked directory may have been renamed since). Caller frees. */
char *instance_mount_point_now(const Instance *i);

/* Events from the owner. */
void instance_notify(Instance *i, const char *message); /* a NOTIFY_SOCKET datagram from its session */
void instance_mounts_changed(Instance *i);              /* /proc/self/mountinfo changed */

/* After spawned(): the process may go on (r >= 0), or could not be placed (message says why). */
void instance_release(Instance *i, int r, const char *message);
