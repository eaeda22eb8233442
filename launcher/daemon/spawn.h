/* SPDX-License-Identifier: MIT */
/*
 * Starting an instance's process: no shell, its own session and process
 * group, the target user and groups, only fds 0-2, a clean environment.
 * Failures before exec come back through a close-on-exec pipe, so "exec
 * failed" and "the program exited" are told apart.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>


#define SPAWN_EXTRA_FDS_MAX 2
#define SPAWN_FDS_MAX (3 + SPAWN_EXTRA_FDS_MAX + 2) /* and go_fd, and the error pipe */

typedef struct SpawnParams {
        const char *path;
        char **argv;
        char **envp;
        bool change_user; /* set groups, gid, uid below */
        uid_t uid;
        gid_t gid;
        const gid_t *groups;
        size_t n_groups;
        const char *work_directory;
        int stdin_fd, stdout_fd, stderr_fd; /* become 0, 1, 2 */
        int extra_fds[SPAWN_EXTRA_FDS_MAX]; /* become 3, 4, ...: a /dev/fuse connection, the secret's memfd */
        size_t n_extra_fds;
        bool die_with_parent;               /* PR_SET_PDEATHSIG */
        int go_fd;                          /* >= 0: wait for a byte (or EOF: give up) before exec */
        uint64_t nofile_soft;               /* > 0: RLIMIT_NOFILE's soft limit for the program */
} SpawnParams;

/* The stages a child reports a failure from. */
typedef enum SpawnStage {
        SPAWN_STAGE_SETUP,
        SPAWN_STAGE_WAIT,
        SPAWN_STAGE_FDS,
        SPAWN_STAGE_USER,
        SPAWN_STAGE_CHDIR,
        SPAWN_STAGE_EXEC,
        _SPAWN_STAGE_MAX,
} SpawnStage;

typedef struct SpawnFailure {
        int stage; /* SpawnStage */
        int error; /* errno */
} SpawnFailure;

/*
 * ret_error_fd: read end of the exec-error pipe (EOF alone: exec succeeded).
 * The child is the caller's to reap (children.c). A failure leaves no child.
 */
int spawn_process(const SpawnParams *p, pid_t *ret_pid, int *ret_error_fd);

const char *spawn_stage_to_string(int stage);

/*
 * The descriptors a child is handed, in the order every side agrees on:
 * 0-2, the extra ones, go_fd if any, the error pipe. Returns how many.
 */
size_t spawn_fds_list(const SpawnParams *p, int error_fd, int fds[SPAWN_FDS_MAX]);

/* The other way: p's descriptors set from such a list (numbers as the child has them); returns the error pipe. */
int spawn_fds_apply(SpawnParams *p, const int *fds);

/*
 * In a new child: become p and exec, or report the stage that failed on
 * error_fd and _exit(127). parent: whose death ends it (die_with_parent).
 */
_Noreturn void spawn_exec_child(const SpawnParams *p, pid_t parent, int error_fd);
