/* SPDX-License-Identifier: MIT */
/*
 * bench-launcher: what the launcher costs. The same file system is started
 * and stopped N times through the launcher (Start returns once mounted,
 * Stop once it has exited) and N times by hand (fork, exec, wait for the
 * mount in /proc/self/mountinfo; SIGTERM, waitpid), interleaved so both see
 * the same machine; then List is timed with M instances running.
 *
 *   bench-launcher --bus ADDRESS --class C --mount-dir DIR --raw EXE [ARGS…] \
 *                  [--runs 200] [--list-class C2 --list-count 1000]
 *
 * In --raw's arguments, @MNT@ stands for the mount point. The other modes
 * (bench/launcher/scale.c): --scale, --clients, --burst.
 */
#include <fcntl.h>
#include <fsp/launch.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "bench-launcher.h"
#include "macro.h"

uint64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

int time_list(sd_bus *bus, int expected, uint64_t *t, size_t runs)
{
        for (size_t k = 0; k < runs; k++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                FspInstanceId *ids = NULL;
                size_t n = 0;
                uint64_t t0 = now_ns();
                int r = fsp_launch_list(bus, &ids, &n, &e);

                t[k] = now_ns() - t0;
                fsp_instance_ids_free(ids, n);
                if (r < 0 || n != (size_t) expected) {
                        fprintf(stderr, "bench-launcher: List gave %zu of %d instances%s%s\n", n, expected,
                                e.message ? ": " : "", e.message ? e.message : "");
                        sd_bus_error_free(&e);
                        return -1;
                }
                sd_bus_error_free(&e);
        }
        return 0;
}

void summarize(const char *what, uint64_t *v, size_t n, double *ret_median)
{
        qsort(v, n, sizeof(*v), cmp_u64);
        double median = (double) v[n / 2] / 1e6;
        double p99 = (double) v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1e6;
        printf("  %-34s median %7.2f ms   p99 %7.2f ms   (n=%zu)\n", what, median, p99, n);
        if (ret_median)
                *ret_median = median;
}

/* Is there a mount at path? (mountinfo escapes spaces; our paths have none) */
static bool mounted_at(const char *path)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096];
        size_t n = strlen(path);

        while (f && fgets(line, sizeof(line), f)) {
                char *p = line;
                for (int k = 0; k < 4 && p; k++)
                        p = strchr(p + 1, ' ');
                if (p && strneq(p + 1, path, n) && p[1 + n] == ' ')
                        return true;
        }
        return false;
}

/* Wait for a mount change (POLLPRI on mountinfo) until path is (or is not) a mount. */
static int wait_mount(const char *path, bool want, int timeout_ms)
{
        _cleanup_close_ int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        uint64_t deadline = now_ns() + (uint64_t) timeout_ms * 1000000ULL;

        while (mounted_at(path) != want) {
                struct pollfd p = { .fd = fd, .events = POLLPRI };
                if (now_ns() > deadline)
                        return -ETIMEDOUT;
                (void) poll(&p, 1, 100);
        }
        return 0;
}

static char **raw_argv(char **tmpl, int n, const char *mnt)
{
        char **argv = calloc((size_t) n + 1, sizeof(char *));
        for (int k = 0; argv && k < n; k++)
                argv[k] = streq(tmpl[k], "@MNT@") ? (char *) mnt : tmpl[k];
        return argv;
}

/* One cycle by hand: fork+exec, mounted, SIGTERM, reaped. */
static int raw_cycle(char **tmpl, int n, const char *mnt, uint64_t *ret_start, uint64_t *ret_stop)
{
        _cleanup_free_ char **argv = raw_argv(tmpl, n, mnt);
        uint64_t t0 = now_ns(), t1;
        int status;
        pid_t pid = fork();

        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);
                dup2(null, 0);
                dup2(null, 1);
                dup2(null, 2); /* its "Mounted" line: the launcher reads the same from a pipe */
                setsid();
                execv(argv[0], argv);
                _exit(127);
        }
        if (pid < 0 || wait_mount(mnt, true, 10000) < 0) {
                fprintf(stderr, "bench-launcher: raw start did not mount %s\n", mnt);
                return -1;
        }
        t1 = now_ns();
        kill(pid, SIGTERM);
        waitpid(pid, &status, 0);
        *ret_start = t1 - t0;
        *ret_stop = now_ns() - t1;
        return mounted_at(mnt) ? -1 : 0;
}

static int launcher_cycle(sd_bus *bus, const char *cls, const char *name, const char *mnt, uint64_t *ret_start,
                          uint64_t *ret_stop)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char *args[] = { (char *) mnt, NULL };
        uint64_t t0 = now_ns(), t1;
        int status, r;

        r = fsp_launch_start(bus, cls, name, args, &e);
        if (r < 0) {
                fprintf(stderr, "bench-launcher: start: %s\n", e.message ? e.message : strerror(-r));
                sd_bus_error_free(&e);
                return r;
        }
        t1 = now_ns();
        r = fsp_launch_stop(bus, cls, name, &status, &e);
        if (r < 0) {
                fprintf(stderr, "bench-launcher: stop: %s\n", e.message ? e.message : strerror(-r));
                sd_bus_error_free(&e);
                return r;
        }
        *ret_start = t1 - t0;
        *ret_stop = now_ns() - t1;
        return 0;
}

static int bench_list(sd_bus *bus, const char *cls, int count)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        uint64_t t[50], t0;
        char name[32];
        int r;

        t0 = now_ns();
        for (int k = 0; k < count; k++) {
                snprintf(name, sizeof(name), "i%d", k);
                r = fsp_launch_start(bus, cls, name, NULL, &e);
                if (r < 0) {
                        fprintf(stderr, "bench-launcher: start %s: %s\n", name, e.message);
                        return r;
                }
        }
        printf("  started %d instances in %.0f ms\n", count, (double) (now_ns() - t0) / 1e6);
        if (time_list(bus, count, t, ELEMENTSOF(t)) < 0)
                return -1;
        char what[64];
        snprintf(what, sizeof(what), "List with %d instances", count);
        double median;
        summarize(what, t, ELEMENTSOF(t), &median);
        printf("  target: under 50 ms: %s\n", median < 50 ? "met" : "NOT met");
        for (int k = 0; k < count; k++) {
                snprintf(name, sizeof(name), "i%d", k);
                (void) fsp_launch_stop(bus, cls, name, NULL, &e);
                sd_bus_error_free(&e);
        }
        return 0;
}

int main(int argc, char **argv)
{
        if (argc > 1 && (streq(argv[1], "--scale") || streq(argv[1], "--clients") || streq(argv[1], "--burst")))
                return bench_scale_main(argc, argv);
        const char *address = NULL, *cls = NULL, *mount_dir = NULL, *list_class = NULL;
        int runs = 200, list_count = 1000, raw_at = -1;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;

        for (int k = 1; k < argc; k++) {
                const char *v = k + 1 < argc ? argv[k + 1] : "";
                if (streq(argv[k], "--bus")) address = v, k++;
                else if (streq(argv[k], "--class")) cls = v, k++;
                else if (streq(argv[k], "--mount-dir")) mount_dir = v, k++;
                else if (streq(argv[k], "--runs")) runs = atoi(v), k++;
                else if (streq(argv[k], "--list-class")) list_class = v, k++;
                else if (streq(argv[k], "--list-count")) list_count = atoi(v), k++;
                else if (streq(argv[k], "--raw")) {
                        raw_at = k + 1;
                        break;
                } else {
                        fprintf(stderr, "bench-launcher: unknown option %s\n", argv[k]);
                        return 2;
                }
        }
        if (!address || !cls || !mount_dir || raw_at < 0 || raw_at >= argc || runs < 1) {
                fprintf(stderr, "usage: bench-launcher --bus ADDR --class C --mount-dir DIR [--runs N] "
                                "[--list-class C --list-count N] --raw EXE [ARGS...]\n");
                return 2;
        }
        if (fsp_launch_open(false, address, &bus) < 0) {
                fprintf(stderr, "bench-launcher: cannot connect to %s\n", address);
                return 1;
        }

        uint64_t *ls = calloc((size_t) runs, 8), *lt = calloc((size_t) runs, 8);
        uint64_t *rs = calloc((size_t) runs, 8), *rt = calloc((size_t) runs, 8);
        char mnt[4096];
        snprintf(mnt, sizeof(mnt), "%s/m", mount_dir);
        mkdir(mnt, 0755);

        /* Warm up both paths (page cache, the launcher's first fork). */
        for (int k = 0; k < 5; k++) {
                uint64_t a, b;
                if (raw_cycle(argv + raw_at, argc - raw_at, mnt, &a, &b) < 0 ||
                    launcher_cycle(bus, cls, "warm", mnt, &a, &b) < 0)
                        return 1;
        }
        for (int k = 0; k < runs; k++) {
                if (raw_cycle(argv + raw_at, argc - raw_at, mnt, &rs[k], &rt[k]) < 0 ||
                    launcher_cycle(bus, cls, "bench", mnt, &ls[k], &lt[k]) < 0)
                        return 1;
        }
        double l_start, r_start, l_stop, r_stop;
        printf("Start to ready, stop to exited (%d runs each, interleaved):\n", runs);
        summarize("raw fork+exec+mount: start", rs, (size_t) runs, &r_start);
        summarize("through the launcher: start", ls, (size_t) runs, &l_start);
        summarize("raw: stop (SIGTERM, waitpid)", rt, (size_t) runs, &r_stop);
        summarize("through the launcher: stop", lt, (size_t) runs, &l_stop);
        printf("  launcher/raw: start %.2fx, stop %.2fx (target: within 2x: %s)\n", l_start / r_start,
               l_stop / r_stop, l_start <= 2 * r_start && l_stop <= 2 * r_stop ? "met" : "NOT met");
        if (list_class && bench_list(bus, list_class, list_count) < 0)
                return 1;
        return 0;
}
