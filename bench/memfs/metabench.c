/* SPDX-License-Identifier: MIT */
/*
 * fsp-metabench [-j JOBS] [-p PHASES] DIR [COUNT]: times metadata and
 * small-file phases on COUNT files (20,000 by default) in a fresh directory
 * under DIR, the scenarios Dokany benchmarks its memfs with. Prints one
 * line per phase: "PHASE OPS/S".
 *
 *   create     open(O_CREAT|O_EXCL) and close a new name
 *   list       readdir of the whole directory, again until COUNT entries
 *              were seen per job (OPS/S counts entries)
 *   stat       fstatat() of each name in the directory
 *   getattr    lstat() of each file by its full path from DIR
 *   chmod      fchmodat() of each name (0600 and 0644 in turn)
 *   utimens    utimensat() of each name to now
 *   write      open, write 4 KiB, close
 *   read       open, read 4 KiB, close
 *   openclose  open(O_RDONLY) and close of the files in a random order
 *   overwrite  open(O_WRONLY|O_TRUNC) and close
 *   unlink     unlinkat() of each name
 *
 * With -j JOBS, that many processes run each phase at once, each in its
 * own directory, starting together; OPS/S is the sum of all jobs' work
 * over the time the slowest job took. -p takes a comma list of phases to
 * run (create always runs first, and unlink last).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SMALL_IO 4096

typedef struct Job {
        int dirfd;
        const char *dirpath; /* full path of the job's directory */
        long count;
        long *order; /* a random permutation of 0..count-1 */
} Job;

typedef int (*PhaseFn)(Job *job, long i, char *name);

static char io_buf[SMALL_IO];

static void name_of(long i, char *name)
{
        snprintf(name, 32, "file-%06ld", i);
}

static int do_create(Job *job, long i, char *name)
{
        int fd = openat(job->dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);

        if (fd < 0)
                return -errno;
        return close(fd) < 0 ? -errno : 0;
}

static int do_stat(Job *job, long i, char *name)
{
        struct stat st;
        return fstatat(job->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int do_getattr(Job *job, long i, char *name)
{
        char path[4096];
        struct stat st;

        snprintf(path, sizeof(path), "%s/%s", job->dirpath, name);
        return lstat(path, &st) < 0 ? -errno : 0;
}

static int do_chmod(Job *job, long i, char *name)
{
        return fchmodat(job->dirfd, name, (i & 1) ? 0644 : 0600, 0) < 0 ? -errno : 0;
}

static int do_utimens(Job *job, long i, char *name)
{
        return utimensat(job->dirfd, name, NULL, 0) < 0 ? -errno : 0;
}

static int open_io_close(Job *job, const char *name, int flags, bool writing)
{
        int fd = openat(job->dirfd, name, flags | O_CLOEXEC);
        ssize_t n;
        int r = 0;

        if (fd < 0)
                return -errno;
        n = writing ? pwrite(fd, io_buf, SMALL_IO, 0) : pread(fd, io_buf, SMALL_IO, 0);
        if (n != SMALL_IO)
                r = n < 0 ? -errno : -EIO;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        return r;
}

static int do_write(Job *job, long i, char *name)
{
        return open_io_close(job, name, O_WRONLY, true);
}

static int do_read(Job *job, long i, char *name)
{
        return open_io_close(job, name, O_RDONLY, false);
}

static int do_openclose(Job *job, long i, char *name)
{
        int fd;

        name_of(job->order[i], name);
        fd = openat(job->dirfd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return close(fd) < 0 ? -errno : 0;
}

static int do_overwrite(Job *job, long i, char *name)
{
        int fd = openat(job->dirfd, name, O_WRONLY | O_TRUNC | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return close(fd) < 0 ? -errno : 0;
}

static int do_unlink(Job *job, long i, char *name)
{
        return unlinkat(job->dirfd, name, 0) < 0 ? -errno : 0;
}

/* One listing of the whole directory; returns the entries seen (files and dot entries). */
static long list_once(Job *job)
{
        int fd = openat(job->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        long n = 0;

        if (!d) {
                if (fd >= 0)
                        close(fd);
                return -errno;
        }
        errno = 0;
        while (readdir(d))
                n++;
        if (errno) {
                int r = -errno;
                closedir(d);
                return r;
        }
        closedir(d);
        return n;
}

static int run_list(Job *job, long *ret_ops)
{
        long seen = 0;

        while (seen < job->count) {
                long n = list_once(job);
                if (n < 0)
                        return (int) n;
                if (n < job->count) /* the files and "." and "..": something is missing */
                        return -EIO;
                seen += n;
        }
        *ret_ops = seen;
        return 0;
}

static const struct {
        const char *name;
        PhaseFn fn; /* NULL: list */
} phases[] = {
        { "create", do_create },   { "list", NULL },          { "stat", do_stat },
        { "getattr", do_getattr }, { "chmod", do_chmod },     { "utimens", do_utimens },
        { "write", do_write },     { "read", do_read },       { "openclose", do_openclose },
        { "overwrite", do_overwrite }, { "unlink", do_unlink },
};
#define NPHASES (sizeof(phases) / sizeof(phases[0]))

static double now_sec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Run phase p over the job's files; the work done goes to *ret_ops. */
static int run_phase(Job *job, size_t p, long *ret_ops)
{
        char name[32];

        if (!phases[p].fn)
                return run_list(job, ret_ops);
        for (long i = 0; i < job->count; i++) {
                name_of(i, name);
                int r = phases[p].fn(job, i, name);
                if (r < 0) {
                        fprintf(stderr, "fsp-metabench: %s %s/%s: %s\n", phases[p].name, job->dirpath, name,
                                strerror(-r));
                        return r;
                }
        }
        *ret_ops = job->count;
        return 0;
}

static bool phase_wanted(const char *list, const char *phase)
{
        size_t n = strlen(phase);

        if (!list || strcmp(phase, "create") == 0 || strcmp(phase, "unlink") == 0)
                return true;
        for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
                if (strncmp(p, phase, n) == 0 && (p[n] == ',' || p[n] == 0))
                        return true;
        return false;
}

/*
 * A job: wait for "go" on its pipe before each phase, run it, report
 * "OPS SECONDS" on the result pipe. Exit status 1 on any failure.
 */
static int job_main(Job *job, const char *wanted, int go_fd, int result_fd)
{
        for (size_t p = 0; p < NPHASES; p++) {
                char go, line[64];
                long ops = 0;
                double t0, elapsed;
                int r;

                if (!phase_wanted(wanted, phases[p].name))
                        continue;
                if (read(go_fd, &go, 1) != 1)
                        return 1;
                t0 = now_sec();
                r = run_phase(job, p, &ops);
                elapsed = now_sec() - t0;
                snprintf(line, sizeof(line), "%ld %.9f\n", r < 0 ? -1L : ops, elapsed);
                if (write(result_fd, line, strlen(line)) < 0 || r < 0)
                        return 1;
        }
        return 0;
}

static int job_setup(Job *job, int parent, const char *dir, int index, long count)
{
        static char paths[64][4096];
        char sub[64];

        snprintf(sub, sizeof(sub), "metabench.%ld.%d", (long) getpid(), index);
        snprintf(paths[index], sizeof(paths[index]), "%s/%s", dir, sub);
        if (mkdirat(parent, sub, 0755) < 0 ||
            (job->dirfd = openat(parent, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
                fprintf(stderr, "fsp-metabench: %s: %s\n", paths[index], strerror(errno));
                return -1;
        }
        job->dirpath = paths[index];
        job->count = count;
        job->order = malloc((size_t) count * sizeof(long));
        if (!job->order)
                return -1;
        for (long i = 0; i < count; i++)
                job->order[i] = i;
        srand48(1234 + index);
        for (long i = count - 1; i > 0; i--) {
                long k = lrand48() % (i + 1), t = job->order[i];
                job->order[i] = job->order[k];
                job->order[k] = t;
        }
        return 0;
}

int main(int argc, char **argv)
{
        const char *wanted = NULL;
        int jobs = 1, opt, parent, go[2], results[2];
        long count;
        Job job[64];
        pid_t pids[64];
        FILE *in;
        int status = 0;

        while ((opt = getopt(argc, argv, "j:p:")) != -1) {
                if (opt == 'j')
                        jobs = atoi(optarg);
                else if (opt == 'p')
                        wanted = optarg;
                else
                        return 2;
        }
        count = argc > optind + 1 ? strtol(argv[optind + 1], NULL, 10) : 20000;
        if (optind >= argc || count <= 0 || jobs < 1 || jobs > 64) {
                fprintf(stderr, "Usage: fsp-metabench [-j JOBS] [-p PHASE,...] DIR [COUNT]\n");
                return 2;
        }
        parent = open(argv[optind], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (parent < 0) {
                fprintf(stderr, "fsp-metabench: %s: %s\n", argv[optind], strerror(errno));
                return 1;
        }
        memset(io_buf, 'x', sizeof(io_buf));
        if (pipe(go) < 0 || pipe(results) < 0)
                return 1;
        for (int j = 0; j < jobs; j++) {
                if (job_setup(&job[j], parent, argv[optind], j, count) < 0)
                        return 1;
                pids[j] = fork();
                if (pids[j] < 0)
                        return 1;
                if (pids[j] == 0) {
                        close(go[1]);
                        close(results[0]);
                        _exit(job_main(&job[j], wanted, go[0], results[1]));
                }
        }
        close(go[0]);
        close(results[1]);
        in = fdopen(results[0], "r");
        for (size_t p = 0; p < NPHASES && status == 0; p++) {
                double slowest = 0;
                long total = 0;

                if (!phase_wanted(wanted, phases[p].name))
                        continue;
                /* All jobs start the phase together: one byte each on the shared pipe. */
                for (int j = 0; j < jobs; j++)
                        if (write(go[1], "g", 1) != 1)
                                status = 1;
                for (int j = 0; j < jobs && status == 0; j++) {
                        long ops;
                        double elapsed;
                        if (fscanf(in, "%ld %lf", &ops, &elapsed) != 2 || ops < 0)
                                status = 1;
                        total += ops;
                        slowest = elapsed > slowest ? elapsed : slowest;
                }
                if (status == 0)
                        printf("%s %.0f\n", phases[p].name, (double) total / slowest);
                fflush(stdout);
        }
        close(go[1]);
        for (int j = 0; j < jobs; j++) {
                int st;
                if (waitpid(pids[j], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
                        status = 1;
                close(job[j].dirfd);
                if (unlinkat(parent, strrchr(job[j].dirpath, '/') + 1, AT_REMOVEDIR) < 0 && status == 0) {
                        fprintf(stderr, "fsp-metabench: rmdir %s: %s\n", job[j].dirpath, strerror(errno));
                        status = 1;
                }
        }
        return status;
}
