/* SPDX-License-Identifier: MIT */
/*
 * test.h judges itself. Run without arguments, this program runs itself
 * three times: with "pass" (one passing check) it must exit 0, with "fail"
 * (one failing check) and with "none" (no check at all) it must exit 1 and
 * say why. The verdict on those runs is plain code, not test.h.
 */
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

static int run_mode(const char *mode)
{
        if (strcmp(mode, "pass") == 0)
                CHECK_INT(1 + 1, 2);
        else if (strcmp(mode, "fail") == 0)
                CHECK_STR("left", "right");
        else if (strcmp(mode, "none") != 0)
                return 2;
        return test_result();
}

/* Runs "self MODE", its stderr into out; returns its exit status (or -1). */
static int run_self(const char *self, const char *mode, char *out, size_t size)
{
        int p[2], status;
        size_t n = 0;
        ssize_t k;
        pid_t pid;

        if (pipe(p) < 0)
                return -1;
        pid = fork();
        if (pid == 0) {
                dup2(p[1], STDERR_FILENO);
                execl(self, self, mode, (char *) NULL);
                _exit(127);
        }
        close(p[1]);
        while (n + 1 < size && (k = read(p[0], out + n, size - 1 - n)) > 0)
                n += (size_t) k;
        out[n] = 0;
        close(p[0]);
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
                return -1;
        return WEXITSTATUS(status);
}

int main(int argc, char *argv[])
{
        static const struct {
                const char *mode, *says;
                int status;
        } cases[] = {
                { "pass", "all 1 checks passed", 0 },
                { "fail", "1 of 1 checks failed", 1 },
                { "none", "FAIL: no check ran", 1 },
        };
        char out[4096];
        int bad = 0;

        if (argc > 1)
                return run_mode(argv[1]);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int status = run_self("/proc/self/exe", cases[i].mode, out, sizeof(out));
                bool ok = status == cases[i].status && strstr(out, cases[i].says);
                printf("%s: %s exited %d, said: %s", ok ? "ok" : "FAIL", cases[i].mode, status, out);
                bad += !ok;
        }
        return bad ? EXIT_FAILURE : EXIT_SUCCESS;
}
