/* SPDX-License-Identifier: MIT */
/*
 * Opening a caller's path with the caller's own permissions: a short-lived
 * child takes the caller's uid, gid and groups, opens the path
 * (O_PATH|O_DIRECTORY, following symlinks as the caller would) and hands
 * the fd back over a socket. So a caller cannot name a directory it could
 * not reach itself, and a path that hangs (a stuck network or FUSE mount
 * on the way) holds up a child that is killed after a time-out, never the
 * launcher's loop. The child is reaped by the loop's SIGCHLD handler
 * (children.c), which must be set up. What the launcher checks and mounts on afterwards is
 * that fd, never the path again.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

typedef struct Resolver Resolver;

typedef struct ResolveCredentials {
        bool change; /* false: open as the launcher itself */
        uid_t uid;
        gid_t gid;
        const gid_t *groups;
        size_t n_groups;
} ResolveCredentials;

/* The answer: fd >= 0 (the callee owns it), or error < 0 (-errno of the open, or -ETIMEDOUT). */
typedef void (*ResolveFn)(int fd, int error, void *userdata);

/*
 * Begin opening path. fn is called exactly once, from the loop (never
 * before this returns), unless the resolver is freed first.
 */
int resolver_start(sd_event *e, const char *path, const ResolveCredentials *creds, uint64_t timeout_usec,
                   ResolveFn fn, void *userdata, Resolver **ret);

/*
 * The same, and then the child waits for the file system at path to answer
 * (fstatfs). A FUSE file system answers nothing before its program has
 * answered the kernel's INIT, which programs such as sshfs do only once
 * they have logged in: so the answer means the mount serves. -ENOTCONN: its
 * connection is gone. The fd is the mount's root, as the child saw it.
 */
int resolver_probe(sd_event *e, const char *path, const ResolveCredentials *creds, uint64_t timeout_usec,
                   ResolveFn fn, void *userdata, Resolver **ret);

/* Cancel (the child is killed and reaped in the background) and free. */
Resolver *resolver_free(Resolver *r);
