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
        int keep[SPAWN_FDS_MAX], child_fds[SPAWN_FDS_MAX];
        size_t n;
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
        n = spawn_fds_list(p, err[1], keep);
        _Static_assert(SPAWN_FDS_MAX <= FORK_FDS_MAX, "the block holds them all");

        pid = fork_fds(keep, n, child_fds);
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                SpawnParams c = *p;
                int error_fd = spawn_fds_apply(&c, child_fds);
                spawn_exec_child(&c, parent, error_fd);
        }
        *ret_pid = pid;
        *ret_error_fd = TAKE_FD(err[0]);
        return 0;
}
