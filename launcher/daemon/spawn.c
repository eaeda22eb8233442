/* SPDX-License-Identifier: MIT */
/*
 * An instance's process started: from the spawner when there is one (its
 * fork costs the same whatever the launcher's size), else from here with
 * fork_fds() (only the child's own descriptors copied). Either way the
 * child runs spawn_exec_child() and is the launcher's.
 */
#include <fcntl.h>
#include <unistd.h>

#include "fork-fds.h"
#include "macro.h"
#include "spawn.h"
#include "spawner.h"

int spawn_process(const SpawnParams *p, pid_t *ret_pid, int *ret_error_fd)
{
        _cleanup_close_pair_ int err[2] = { -1, -1 };
        int keep[FORK_FDS_MAX], child_fds[FORK_FDS_MAX];
        size_t n = 0;
        pid_t parent = getpid(), pid;

        if (pipe2(err, O_CLOEXEC) < 0)
                return -errno;
        /* From the spawner, whose fork costs the same at any size of the launcher; else from here. */
        int r = spawner_spawn(p, err[1], &pid);
        if (r == 0) {
                *ret_pid = pid;
                *ret_error_fd = TAKE_FD(err[0]);
                return 0;
        }
        if (r != -ENOTCONN)
                return r;
        /* What the child gets: 0-2, the extra ones, go_fd, the error pipe; in that order. */
        keep[n++] = p->stdin_fd;
        keep[n++] = p->stdout_fd;
        keep[n++] = p->stderr_fd;
        for (size_t k = 0; k < p->n_extra_fds; k++)
                keep[n++] = p->extra_fds[k];
        if (p->go_fd >= 0)
                keep[n++] = p->go_fd;
        keep[n++] = err[1];
        _Static_assert(3 + SPAWN_EXTRA_FDS_MAX + 2 <= FORK_FDS_MAX, "the block holds them all");

        pid = fork_fds(keep, n, child_fds);
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                SpawnParams c = *p;
                size_t k = 0;

                c.stdin_fd = child_fds[k++];
                c.stdout_fd = child_fds[k++];
                c.stderr_fd = child_fds[k++];
                for (size_t x = 0; x < c.n_extra_fds; x++)
                        c.extra_fds[x] = child_fds[k++];
                if (c.go_fd >= 0)
                        c.go_fd = child_fds[k++];
                spawn_exec_child(&c, parent, child_fds[k]);
        }
        *ret_pid = pid;
        *ret_error_fd = TAKE_FD(err[0]);
        return 0;
}
