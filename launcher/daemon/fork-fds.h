/* SPDX-License-Identifier: MIT */
/*
 * fork() for a process that holds thousands of descriptors: the child gets
 * a copy of only the few the caller names, so forking costs the same with
 * ten instances running as with ten thousand. (fork() copies the whole file
 * table, one reference per descriptor, and exec then closes them again.)
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#define FORK_FDS_MAX 7

/*
 * Reserve the low descriptor numbers the children are handed their
 * descriptors on. Call once, early, while few descriptors are open. Without
 * it (or where the kernel refuses clone3), fork_fds() is a plain fork().
 */
int fork_fds_init(void);

/*
 * Like fork(). In the child, child_fds[k] is the number keep[k] has there;
 * besides those it holds only the parent's lowest numbers (0-2 and what was
 * open before fork_fds_init()). The child must not use libc state that
 * fork() would have reset (atfork handlers do not run): it makes system
 * calls and then execs or _exits, as a child of a one-threaded process may.
 */
pid_t fork_fds(const int *keep, size_t n, int *child_fds);
