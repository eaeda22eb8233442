/* SPDX-License-Identifier: MIT */
/*
 * The spawner (launcher/daemon/spawner.c) through spawn_process(): the
 * program runs with its argv, environment, directory and descriptors; it is
 * the caller's child (its parent is the caller, waitpid() reaps it), not
 * the spawner's; an exec failure comes back with its stage; a spawner that
 * is gone is noticed and the caller starts programs itself.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "macro.h"
#include "spawn.h"
#include "spawner.h"
#include "test.h"

static char out[4096];

/* Run sh -c script, its stdout into out[]; returns the exit status, or -1. */
static int run(const char *path, const char *script, SpawnFailure *ret_failure)
{
        int o[2], devnull = open("/dev/null", O_RDWR | O_CLOEXEC), error_fd = -1, status;
        char *argv[] = { (char *) "sh", (char *) "-c", (char *) script, NULL };
        char *envp[] = { (char *) "WHO=spawned", NULL };
        ssize_t n, k = 0;
        pid_t pid;

        if (devnull < 0 || pipe2(o, O_CLOEXEC) < 0)
                return -1;
        SpawnParams p = {
                .path = path,
                .argv = argv,
                .envp = envp,
                .work_directory = "/tmp",
                .stdin_fd = devnull,
                .stdout_fd = o[1],
                .stderr_fd = devnull,
                .go_fd = -1,
        };
        if (spawn_process(&p, &pid, &error_fd) < 0)
                return -1;
        close(o[1]);
        close(devnull);
        while ((n = read(o[0], out + k, sizeof(out) - 1 - (size_t) k)) > 0)
                k += n;
        out[k] = 0;
        close(o[0]);
        *ret_failure = (SpawnFailure){ .stage = -1 };
        (void) !read(error_fd, ret_failure, sizeof(*ret_failure));
        close(error_fd);
        if (waitpid(pid, &status, 0) != pid)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
        SpawnFailure f;
        char want[64];
        pid_t spawner;
        int status;

        CHECK(spawner_start() == 0);
        spawner = spawner_pid();
        CHECK(spawner > 0);

        snprintf(want, sizeof(want), "%d spawned /tmp\n", (int) getpid());
        CHECK_INT(run("/bin/sh", "echo $PPID $WHO $(pwd); exit 3", &f), 3);
        CHECK_STR(out, want);
        CHECK_INT(f.stage, -1); /* exec'd: the error pipe only closed */

        CHECK_INT(run("/nonexistent/program", "", &f), 127);
        CHECK_INT(f.stage, SPAWN_STAGE_EXEC);
        CHECK_INT(f.error, ENOENT);

        /* Gone: noticed at the next start, which the caller makes itself; the spawner is its child to reap. */
        CHECK(kill(spawner, SIGKILL) == 0);
        CHECK(waitpid(spawner, &status, 0) == spawner);
        CHECK_INT(run("/bin/sh", "echo $PPID $WHO $(pwd)", &f), 0);
        CHECK_STR(out, want);
        CHECK_INT(spawner_pid(), 0);
        return test_result();
}
