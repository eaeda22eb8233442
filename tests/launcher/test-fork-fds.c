/* SPDX-License-Identifier: MIT */
/*
 * fork_fds() (launcher/daemon/fork-fds.c): with thousands of descriptors
 * open, the child holds only the ones it was given (at the numbers it was
 * told) and the parent's lowest ones; it is the caller's child; the parent's
 * descriptors are as before.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "fork-fds.h"
#include "macro.h"
#include "test.h"

#define MANY 3000 /* pipes: 6,000 descriptors */

static int count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        int n = 0;

        if (!d)
                return -1;
        for (struct dirent *e; (e = readdir(d));)
                if (e->d_name[0] != '.')
                        n++;
        closedir(d);
        return n - 1; /* the directory's own */
}

int main(void)
{
        struct rlimit rl;
        int a[2], b[2], keep[2], child_fds[2], status;
        char c;
        pid_t pid;

        CHECK(fork_fds_init() == 0);
        CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
        if (rl.rlim_max < 2 * MANY + 64) {
                fprintf(stderr, "SKIP: the open-file limit (%llu) is below %d\n", (unsigned long long) rl.rlim_max,
                        2 * MANY + 64);
                return TEST_SKIP;
        }
        rl.rlim_cur = rl.rlim_max;
        CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
        for (int k = 0; k < MANY; k++) {
                int p[2];
                CHECK(pipe2(p, O_CLOEXEC) == 0);
        }
        CHECK(pipe2(a, O_CLOEXEC) == 0);
        CHECK(pipe2(b, O_CLOEXEC) == 0);
        keep[0] = a[1];
        keep[1] = b[1];

        pid = fork_fds(keep, 2, child_fds);
        CHECK(pid >= 0);
        if (pid == 0) {
                int n = count_fds();
                if (write(child_fds[0], "A", 1) != 1 || write(child_fds[1], "B", 1) != 1)
                        _exit(254);
                _exit(n < 0 || n > 200 ? 255 : n);
        }
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status));
        /* 0-2, the reserved block, what the test harness opened: far from 6,000. */
        CHECK(WEXITSTATUS(status) < 32);
        fprintf(stderr, "the child held %d descriptors; the parent holds %d\n", WEXITSTATUS(status), count_fds());
        CHECK(read(a[0], &c, 1) == 1 && c == 'A');
        CHECK(read(b[0], &c, 1) == 1 && c == 'B');
        /* The parent's own ends are where they were. */
        CHECK(fcntl(a[1], F_GETFD) == FD_CLOEXEC);
        CHECK(fcntl(b[1], F_GETFD) == FD_CLOEXEC);
        CHECK(count_fds() >= 2 * MANY);

        /* A child that ends at once is reaped by its parent like any other. */
        pid = fork_fds(NULL, 0, NULL);
        CHECK(pid >= 0);
        if (pid == 0)
                _exit(7);
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
        return test_result();
}
