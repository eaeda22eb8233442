/* SPDX-License-Identifier: MIT */
/*
 * Asking through systemd-ask-password. Its answer comes back on a pipe
 * straight into a secret buffer; its stdin is /dev/null so it never
 * falls back to our (absent) terminal.
 */
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>

#include "agent.h"
#include "macro.h"

extern char **environ;

bool agent_available(void)
{
        return sd_booted() > 0;
}

static int wait_child(pid_t pid, int *ret_status)
{
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        *ret_status = status;
        return 0;
}

int agent_ask(const char *id, const char *credential, const char *question, bool echo, FspSecret **ret)
{
        _cleanup_free_ char *id_arg = NULL, *credential_arg = NULL;
        _cleanup_close_pair_ int out[2] = { -1, -1 };
        posix_spawn_file_actions_t actions;
        char *argv[8];
        size_t n = 0;
        FspSecret *answer = NULL;
        pid_t pid;
        int r, status;

        if (asprintf(&id_arg, "--id=%s", id) < 0 || asprintf(&credential_arg, "--credential=%s", credential) < 0)
                return -ENOMEM;
        argv[n++] = (char *) "systemd-ask-password";
        argv[n++] = id_arg;
        argv[n++] = credential_arg;
        argv[n++] = (char *) (echo ? "--echo=yes" : "--echo=no");
        argv[n++] = (char *) "--";
        argv[n++] = (char *) question;
        argv[n] = NULL;

        if (pipe2(out, O_CLOEXEC) < 0)
                return -errno;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
        r = -posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        if (r < 0)
                return r;
        out[1] = safe_close(out[1]);

        r = fsp_secret_read_fd(out[0], FSP_SECRET_MAX, 0, &answer);
        status = 0;
        if (wait_child(pid, &status) < 0 && r >= 0)
                r = -ECHILD;
        if (r >= 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                r = -ECANCELED;
        if (r < 0) {
                fsp_secret_free(answer);
                return r;
        }
        fsp_secret_chomp(answer);
        *ret = answer;
        return 0;
}
