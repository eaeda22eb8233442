/* SPDX-License-Identifier: MIT */
/*
 * Running winfsp-memfs from a test: a private temporary directory with a
 * mount point in it, the process with optional pipes on stdin/stdout and
 * an optional NOTIFY_SOCKET, waiting for its mount to come and go (by
 * polling /proc/self/mountinfo against a deadline), and a clean-up that
 * also runs when the test fails or is killed.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

typedef struct MemfsProc {
        pid_t pid;
        int stdin_fd;  /* our end of its stdin, or -1 */
        int stdout_fd; /* our end of its stdout, or -1 */
        char dir[256]; /* the temporary directory, removed at clean-up */
        char mnt[300]; /* dir/mnt */
} MemfsProc;

typedef struct SpawnOptions {
        const char *const *args;   /* extra arguments after "-m MNT", NULL-terminated; may be NULL */
        bool pipe_stdin, pipe_stdout;
        const char *notify_socket; /* NOTIFY_SOCKET for the child, or NULL to unset it */
        uid_t uid;                 /* run as this user when non-zero */
        gid_t gid;
} SpawnOptions;

/* Exit 77 (skipped) unless we are root and /dev/fuse is there. */
void harness_require_root(void);

/* The memfs binary, from argv[1] of every test. */
extern const char *memfs_binary;

/* A temporary directory with an empty "mnt" inside; registered for clean-up. */
int harness_make_dir(MemfsProc *m);

/* Start memfs with -m m->mnt and the extra arguments. */
int harness_spawn(MemfsProc *m, const SpawnOptions *opts);

/* Poll /proc/self/mountinfo until the mount appears (or is gone), at most timeout_ms. */
bool harness_wait_mounted(const char *mnt, int timeout_ms);
bool harness_wait_unmounted(const char *mnt, int timeout_ms);

/* The mountinfo line of the mount at mnt, or NULL (free it). */
char *harness_mountinfo(const char *mnt);

/* Wait for the child to exit, at most timeout_ms; returns its wait status, or -1 on timeout. */
int harness_wait_exit(MemfsProc *m, int timeout_ms);

/* Read one line (without the newline) from fd within timeout_ms; false on timeout or end of file. */
bool harness_read_line(int fd, char *buf, size_t size, int timeout_ms);

/* Kill, reap, unmount anything left and remove the directory. Safe to call twice. */
void harness_cleanup(MemfsProc *m);

/* Write a file with the given contents; returns 0 or -errno. */
int harness_write_file(const char *path, const char *contents);
