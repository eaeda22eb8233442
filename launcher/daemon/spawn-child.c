/* SPDX-License-Identifier: MIT */
/*
 * What a new process does between fork and exec to become an instance's
 * program: signals reset, its own session, the descriptors in place, the
 * user, the directory, exec; a failure goes back on the error pipe with the
 * stage it happened in. Used by spawn.c (in process) and spawner.c.
 * Nothing but async-signal-safe calls.
 */
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "spawn.h"
#include "macro.h"

static const char *const stage_names[_SPAWN_STAGE_MAX] = {
        [SPAWN_STAGE_SETUP] = "set up the process",
        [SPAWN_STAGE_WAIT] = "wait for the launcher",
        [SPAWN_STAGE_FDS] = "set up standard input and output",
        [SPAWN_STAGE_USER] = "change to the RunAs user",
        [SPAWN_STAGE_CHDIR] = "enter the WorkDirectory",
        [SPAWN_STAGE_EXEC] = "execute",
};

size_t spawn_fds_list(const SpawnParams *p, int error_fd, int fds[SPAWN_FDS_MAX])
{
        size_t n = 0;

        fds[n++] = p->stdin_fd;
        fds[n++] = p->stdout_fd;
        fds[n++] = p->stderr_fd;
        for (size_t k = 0; k < p->n_extra_fds && k < SPAWN_EXTRA_FDS_MAX; k++)
                fds[n++] = p->extra_fds[k];
        if (p->go_fd >= 0)
                fds[n++] = p->go_fd;
        fds[n++] = error_fd;
        return n;
}

int spawn_fds_apply(SpawnParams *p, const int *fds)
{
        size_t n = 0;

        p->stdin_fd = fds[n++];
        p->stdout_fd = fds[n++];
        p->stderr_fd = fds[n++];
        for (size_t k = 0; k < p->n_extra_fds; k++)
                p->extra_fds[k] = fds[n++];
        if (p->go_fd >= 0)
                p->go_fd = fds[n++];
        return fds[n];
}

const char *spawn_stage_to_string(int stage)
{
        return stage >= 0 && stage < _SPAWN_STAGE_MAX ? stage_names[stage] : "start";
}

_Noreturn static void child_fail(int error_fd, SpawnStage stage, int error)
{
        SpawnFailure f = { .stage = stage, .error = error };
        (void) !write(error_fd, &f, sizeof(f));
        _exit(127);
}

static void reset_signals(void)
{
        struct sigaction sa = { .sa_handler = SIG_DFL };
        sigset_t all;

        for (int sig = 1; sig < _NSIG; sig++)
                (void) sigaction(sig, &sa, NULL);
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
}

/* Move fds 0-2 (and the extra ones, 3...) into place; sources may themselves be low, so lift them first. */
static int setup_stdio(const SpawnParams *p)
{
        int want[3 + SPAWN_EXTRA_FDS_MAX] = { p->stdin_fd, p->stdout_fd, p->stderr_fd };
        int n = 3 + (int) p->n_extra_fds, lifted[3 + SPAWN_EXTRA_FDS_MAX];

        for (size_t i = 0; i < p->n_extra_fds; i++)
                want[3 + i] = p->extra_fds[i];
        for (int i = 0; i < n; i++) {
                lifted[i] = fcntl(want[i], F_DUPFD_CLOEXEC, 3 + SPAWN_EXTRA_FDS_MAX);
                if (lifted[i] < 0)
                        return -errno;
        }
        for (int i = 0; i < n; i++)
                if (dup2(lifted[i], i) < 0)
                        return -errno;
        return 0;
}

void spawn_exec_child(const SpawnParams *p, pid_t parent, int error_fd)
{
        reset_signals();
        if (setsid() < 0)
                child_fail(error_fd, SPAWN_STAGE_SETUP, errno);
        if (p->die_with_parent) {
                if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
                        child_fail(error_fd, SPAWN_STAGE_SETUP, errno);
                if (getppid() != parent)
                        _exit(127);
        }
        if (p->go_fd >= 0) {
                char c;
                ssize_t k;
                do
                        k = read(p->go_fd, &c, 1);
                while (k < 0 && errno == EINTR);
                if (k != 1)
                        child_fail(error_fd, SPAWN_STAGE_WAIT, k < 0 ? errno : ECANCELED);
        }
        if (setup_stdio(p) < 0)
                child_fail(error_fd, SPAWN_STAGE_FDS, errno);
        /* Everything above 2 (and the extra ones) closes at exec, the error pipe included: EOF means "exec'd". */
        if (close_range(3 + (unsigned) p->n_extra_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                child_fail(error_fd, SPAWN_STAGE_FDS, errno);
        if (p->nofile_soft > 0) {
                struct rlimit rl;
                if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > p->nofile_soft) {
                        rl.rlim_cur = p->nofile_soft;
                        (void) setrlimit(RLIMIT_NOFILE, &rl);
                }
        }
        if (p->change_user) {
                if (setgroups(p->n_groups, p->groups) < 0 || setresgid(p->gid, p->gid, p->gid) < 0 ||
                    setresuid(p->uid, p->uid, p->uid) < 0)
                        child_fail(error_fd, SPAWN_STAGE_USER, errno);
        }
        if (chdir(p->work_directory ? p->work_directory : "/") < 0)
                child_fail(error_fd, SPAWN_STAGE_CHDIR, errno);
        execve(p->path, p->argv, p->envp);
        child_fail(error_fd, SPAWN_STAGE_EXEC, errno);
}
