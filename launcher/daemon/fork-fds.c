/* SPDX-License-Identifier: MIT */
/*
 * How: a block of low descriptor numbers is reserved at start, /dev/null on
 * each. For a fork, the descriptors the child needs are duplicated onto the
 * block, and the child is cloned sharing the parent's file table
 * (CLONE_FILES: nothing copied). Its first act is
 * close_range(limit, ~0U, CLOSE_RANGE_UNSHARE), which gives it a table of
 * its own holding only the numbers below the block's end; then it writes a
 * byte on a pipe in the block. The parent waits for that byte (or for the
 * child's end, through its pidfd) and puts /dev/null back on the block.
 * Until then it touches no descriptor, so the child sees the block as set.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fork-fds.h"
#include "macro.h"

#define BLOCK_SIZE (FORK_FDS_MAX + 1) /* the last one carries the child's "unshared" byte */
#define BLOCK_LIMIT_MAX 64            /* copying this many table slots is free */

static int block[BLOCK_SIZE];
static unsigned block_limit; /* 0: not reserved, plain fork() */
static int devnull = -1;

int fork_fds_init(void)
{
        unsigned limit = 0;

        if (block_limit > 0)
                return 0;
        devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (devnull < 0)
                return -errno;
        for (size_t k = 0; k < BLOCK_SIZE; k++) {
                block[k] = fcntl(devnull, F_DUPFD_CLOEXEC, 3);
                if (block[k] < 0)
                        return -errno;
                if ((unsigned) block[k] + 1 > limit)
                        limit = (unsigned) block[k] + 1;
        }
        if (limit > BLOCK_LIMIT_MAX)
                return -EMFILE; /* too late to be cheap; fork_fds() stays a plain fork() */
        /* Linux 5.9's CLOSE_RANGE_UNSHARE: on an unshared table, over no descriptor, it does nothing. */
        if (syscall(SYS_close_range, ~0U - 1, ~0U, CLOSE_RANGE_UNSHARE) < 0)
                return -errno;
        block_limit = limit;
        return 0;
}

static void restore_block(size_t n)
{
        for (size_t k = 0; k < n; k++)
                (void) dup3(devnull, block[k], O_CLOEXEC);
}

static pid_t plain_fork(const int *keep, size_t n, int *child_fds)
{
        pid_t pid = fork();

        if (pid == 0)
                for (size_t k = 0; k < n; k++)
                        child_fds[k] = keep[k];
        return pid;
}

_Noreturn static void child_unshare_failed(void)
{
        _exit(127);
}

pid_t fork_fds(const int *keep, size_t n, int *child_fds)
{
        _cleanup_close_pair_ int sync[2] = { -1, -1 };
        _cleanup_close_ int pidfd = -1;
        int sync_w = block[BLOCK_SIZE - 1];
        pid_t pid;

        if (block_limit == 0 || n > FORK_FDS_MAX)
                return plain_fork(keep, n, child_fds);
        if (pipe2(sync, O_CLOEXEC) < 0)
                return -1;
        for (size_t k = 0; k < n; k++)
                if (dup3(keep[k], block[k], O_CLOEXEC) < 0) {
                        int e = errno;
                        restore_block(k);
                        errno = e;
                        return -1;
                }
        if (dup3(sync[1], sync_w, O_CLOEXEC) < 0) {
                int e = errno;
                restore_block(n);
                errno = e;
                return -1;
        }
        closep(&sync[1]);

        struct clone_args args = {
                .flags = CLONE_FILES | CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) &pidfd,
                .exit_signal = SIGCHLD,
        };
        pid = (pid_t) syscall(SYS_clone3, &args, sizeof(args));
        if (pid == 0) {
                /* Shares the parent's table until this returns; it owns a small copy after. */
                if (syscall(SYS_close_range, block_limit, ~0U, CLOSE_RANGE_UNSHARE) < 0)
                        child_unshare_failed();
                (void) !write(sync_w, "", 1);
                (void) close(sync_w);
                (void) close(sync[0]);
                sync[0] = -1;
                for (size_t k = 0; k < n; k++)
                        child_fds[k] = block[k];
                return 0;
        }
        if (pid < 0) {
                int e = errno;
                restore_block(BLOCK_SIZE);
                if (e == ENOSYS || e == EPERM) { /* an old kernel, or a seccomp filter that wants clone() */
                        block_limit = 0;
                        return plain_fork(keep, n, child_fds);
                }
                errno = e;
                return -1;
        }
        /* Wait until the child has its own table (or is gone): the block must stay as it saw it. */
        struct pollfd p[2] = { { .fd = sync[0], .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
        while (poll(p, 2, -1) < 0 && errno == EINTR)
                ;
        restore_block(BLOCK_SIZE);
        return pid;
}
