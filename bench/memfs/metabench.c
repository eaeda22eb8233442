/* SPDX-License-Identifier: MIT */
/*
 * fsp-metabench DIR [COUNT]: times the metadata phases of COUNT files (20,000
 * by default) in a fresh directory under DIR: create (open O_CREAT|O_EXCL and
 * close), stat (fstatat), unlink. Prints one line per phase: "PHASE OPS/S".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef int (*PhaseFn)(int dirfd, const char *name);

static int phase_create(int dirfd, const char *name)
{
        int fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);

        if (fd < 0)
                return -errno;
        return close(fd) < 0 ? -errno : 0;
}

static int phase_stat(int dirfd, const char *name)
{
        struct stat st;
        return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int phase_unlink(int dirfd, const char *name)
{
        return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
}

static double now_sec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int run_phase(int dirfd, const char *phase, PhaseFn fn, long count)
{
        char name[32];
        double t0 = now_sec(), elapsed;

        for (long i = 0; i < count; i++) {
                snprintf(name, sizeof(name), "file-%06ld", i);
                int r = fn(dirfd, name);
                if (r < 0) {
                        fprintf(stderr, "fsp-metabench: %s %s: %s\n", phase, name, strerror(-r));
                        return r;
                }
        }
        elapsed = now_sec() - t0;
        printf("%s %.0f\n", phase, (double) count / elapsed);
        return 0;
}

int main(int argc, char **argv)
{
        static const struct {
                const char *name;
                PhaseFn fn;
        } phases[] = {{"create", phase_create}, {"stat", phase_stat}, {"unlink", phase_unlink}};
        long count = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
        char sub[64];
        int parent, dirfd;

        if (argc < 2 || count <= 0) {
                fprintf(stderr, "Usage: fsp-metabench DIR [COUNT]\n");
                return 2;
        }
        parent = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (parent < 0) {
                fprintf(stderr, "fsp-metabench: %s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        snprintf(sub, sizeof(sub), "metabench.%ld", (long) getpid());
        if (mkdirat(parent, sub, 0755) < 0 ||
            (dirfd = openat(parent, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
                fprintf(stderr, "fsp-metabench: %s/%s: %s\n", argv[1], sub, strerror(errno));
                return 1;
        }
        for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
                if (run_phase(dirfd, phases[i].name, phases[i].fn, count) < 0)
                        return 1;
        close(dirfd);
        if (unlinkat(parent, sub, AT_REMOVEDIR) < 0) {
                fprintf(stderr, "fsp-metabench: rmdir %s/%s: %s\n", argv[1], sub, strerror(errno));
                return 1;
        }
        return 0;
}
