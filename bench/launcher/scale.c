/* SPDX-License-Identifier: MIT */
/*
 * The launcher under numbers (bench-launcher's other modes):
 *
 *   --scale N --bus A --class IDLE --launcher-pid P
 *        N idle instances started one after the other: the first and the last
 *        hundred starts (their ratio), List with N running, the launcher's RSS.
 *   --clients N --bus A --class IDLE --cycles K --raw EXE [ARGS...]
 *        N client processes at once, each starting and stopping K instances:
 *        pairs per second, against N processes each doing K fork+exec+kill of
 *        the same program by hand.
 *   --burst N --bus A --class IDLE --uid U --gid G
 *        a user (U:G) fires N Starts at once on one connection while another
 *        client asks List every 2 ms: List's median and p99 meanwhile, and how
 *        many of the user's starts the launcher took before LimitExceeded.
 */
#include <fcntl.h>
#include <fsp/launch.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "bench-launcher.h"
#include "macro.h"

typedef struct Options {
        const char *address, *cls;
        int count, cycles;
        pid_t launcher_pid;
        uid_t uid;
        gid_t gid;
        char **raw;
        int n_raw;
} Options;

static long rss_kib(pid_t pid)
{
        char path[64], line[256];
        long kib = -1;
        _cleanup_fclose_ FILE *f = NULL;

        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        f = fopen(path, "re");
        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
                        break;
        return kib;
}

/* CPU time (ns) of pid from /proc/PID/schedstat; 0 if unknown. */
static uint64_t cpu_ns(pid_t pid)
{
        char path[64];
        unsigned long long ns = 0;
        _cleanup_fclose_ FILE *f = NULL;

        snprintf(path, sizeof(path), "/proc/%d/schedstat", (int) pid);
        f = fopen(path, "re");
        if (!f || fscanf(f, "%llu", &ns) != 1)
                return 0;
        return ns;
}

/* The launcher's spawner (a child named winfsp-spawner), 0 if none. */
static pid_t spawner_of(pid_t launcher)
{
        char path[96], comm[32];
        int child;
        _cleanup_fclose_ FILE *f = NULL;

        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int) launcher, (int) launcher);
        f = fopen(path, "re");
        while (f && fscanf(f, "%d", &child) == 1) {
                _cleanup_fclose_ FILE *c = NULL;
                snprintf(path, sizeof(path), "/proc/%d/comm", child);
                c = fopen(path, "re");
                if (c && fgets(comm, sizeof(comm), c) && streq(comm, "winfsp-spawner\n"))
                        return child;
        }
        return 0;
}

/* What the launcher's side of a start costs in CPU, whatever else the machine is doing. */
static uint64_t launcher_cpu_ns(pid_t launcher, pid_t spawner)
{
        return cpu_ns(launcher) + (spawner > 0 ? cpu_ns(spawner) : 0);
}

static int start_one(sd_bus *bus, const char *cls, const char *name, uint64_t *ret_ns)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        uint64_t t0 = now_ns();
        int r = fsp_launch_start(bus, cls, name, NULL, &e);

        if (r < 0)
                fprintf(stderr, "bench-launcher: start %s: %s\n", name, e.message ? e.message : strerror(-r));
        sd_bus_error_free(&e);
        *ret_ns = now_ns() - t0;
        return r;
}

static int scale(const Options *o)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ uint64_t *t = calloc((size_t) o->count, sizeof(uint64_t));
        uint64_t list[50], t0;
        long rss0 = rss_kib(o->launcher_pid);
        double first, last, list_median;
        char name[32];
        int n = o->count, window = MIN(100, n / 2), r;
        pid_t spawner = spawner_of(o->launcher_pid);
        uint64_t cpu_first = 0, cpu_last = 0, c0 = 0;

        if (!t || n < 2 || fsp_launch_open(false, o->address, &bus) < 0)
                return 1;
        t0 = now_ns();
        for (int k = 0; k < n; k++) {
                snprintf(name, sizeof(name), "s%d", k);
                if (k == 0 || k == n - window)
                        c0 = launcher_cpu_ns(o->launcher_pid, spawner);
                if ((r = start_one(bus, o->cls, name, &t[k])) < 0)
                        return 1;
                if (k == window - 1)
                        cpu_first = launcher_cpu_ns(o->launcher_pid, spawner) - c0;
                if (k == n - 1)
                        cpu_last = launcher_cpu_ns(o->launcher_pid, spawner) - c0;
        }
        printf("%d idle instances started in %.1f s; the launcher's RSS %ld KiB before, %ld KiB after\n", n,
               (double) (now_ns() - t0) / 1e9, rss0, rss_kib(o->launcher_pid));
        summarize("the first starts", t, (size_t) window, &first);
        summarize("the last starts", t + n - window, (size_t) window, &last);
        printf("  last/first: %.2fx (target: as fast: %s)\n", last / first, last <= 1.5 * first ? "met" : "NOT met");
        if (cpu_first > 0)
                printf("  the launcher's CPU per start%s: first %.0f us, last %.0f us: %.2fx\n",
                       spawner > 0 ? " (its spawner's included)" : "", (double) cpu_first / window / 1e3,
                       (double) cpu_last / window / 1e3, (double) cpu_last / (double) cpu_first);
        if (time_list(bus, n, list, ELEMENTSOF(list)) < 0)
                return 1;
        snprintf(name, sizeof(name), "List with %d", n);
        summarize(name, list, ELEMENTSOF(list), &list_median);
        printf("  targets: List under 50 ms: %s; RSS under 32 MiB: %s\n", list_median < 50 ? "met" : "NOT met",
               rss_kib(o->launcher_pid) < 32 * 1024 ? "met" : "NOT met");
        t0 = now_ns();
        for (int k = 0; k < n; k++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                snprintf(name, sizeof(name), "s%d", k);
                (void) fsp_launch_stop(bus, o->cls, name, NULL, &e);
                sd_bus_error_free(&e);
        }
        printf("  stopped them in %.1f s\n", (double) (now_ns() - t0) / 1e9);
        return 0;
}

/* Run fn(k) in n processes at once; the wall time for all of them. */
static double in_parallel(int n, int (*fn)(const Options *o, int k), const Options *o)
{
        pid_t *pids = calloc((size_t) n, sizeof(pid_t));
        uint64_t t0 = now_ns();
        int failed = 0, status;

        for (int k = 0; pids && k < n; k++) {
                pids[k] = fork();
                if (pids[k] == 0)
                        _exit(fn(o, k) < 0 ? 1 : 0);
        }
        for (int k = 0; pids && k < n; k++)
                if (pids[k] > 0 && (waitpid(pids[k], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)))
                        failed++;
        free(pids);
        if (failed)
                fprintf(stderr, "bench-launcher: %d of %d processes failed\n", failed, n);
        return failed ? -1 : (double) (now_ns() - t0) / 1e9;
}

static int client_cycles(const Options *o, int k)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        char name[32];

        if (fsp_launch_open(false, o->address, &bus) < 0)
                return -1;
        for (int c = 0; c < o->cycles; c++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                uint64_t t;
                snprintf(name, sizeof(name), "c%d-%d", k, c);
                if (start_one(bus, o->cls, name, &t) < 0 || fsp_launch_stop(bus, o->cls, name, NULL, &e) < 0) {
                        sd_bus_error_free(&e);
                        return -1;
                }
        }
        return 0;
}

/* By hand: fork, exec (known done when the close-on-exec pipe reads EOF), SIGTERM, reap. */
static int raw_cycles(const Options *o, int k)
{
        for (int c = 0; c < o->cycles; c++) {
                int status, p[2];
                char byte;
                pid_t pid;

                if (pipe2(p, O_CLOEXEC) < 0)
                        return -1;
                pid = fork();
                if (pid == 0) {
                        close(p[0]);
                        setsid();
                        execv(o->raw[0], o->raw);
                        _exit(127);
                }
                close(p[1]);
                if (pid < 0 || read(p[0], &byte, 1) != 0) {
                        close(p[0]);
                        return -1;
                }
                close(p[0]);
                kill(pid, SIGTERM);
                waitpid(pid, &status, 0);
        }
        return 0;
}

static int clients(const Options *o)
{
        int pairs = o->count * o->cycles;
        double raw = in_parallel(o->count, raw_cycles, o), launcher = in_parallel(o->count, client_cycles, o);

        if (raw < 0 || launcher < 0)
                return 1;
        printf("%d clients at once, %d start+stop pairs each (%d in all):\n", o->count, o->cycles, pairs);
        printf("  through the launcher: %.0f pairs/s; raw fork+exec+kill in as many processes: %.0f/s\n",
               pairs / launcher, pairs / raw);
        printf("  raw/launcher: %.2fx (target: within 2x: %s)\n", launcher / raw,
               launcher <= 2 * raw ? "met" : "NOT met");
        return 0;
}

static int on_start_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        int *counts = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        counts[!e ? 0 : sd_bus_error_has_name(e, FSP_ERROR_LIMIT_EXCEEDED) ? 1 : 2]++;
        if (e && !sd_bus_error_has_name(e, FSP_ERROR_LIMIT_EXCEEDED) && counts[2] <= 3)
                fprintf(stderr, "bench-launcher: a start failed: %s: %s\n", e->name, strempty(e->message));
        return 0;
}

/*
 * The user's burst: N Starts sent at once over 10 connections (the bus lets
 * one connection wait for 128 replies at most), their answers counted (ok,
 * LimitExceeded, other).
 */
#define BURST_CONNECTIONS 10

static int flood(const Options *o, int *counts)
{
        sd_bus *bus[BURST_CONNECTIONS] = { NULL };
        char name[32];
        int r = 0;

        if (setgroups(0, NULL) < 0 || setresgid(o->gid, o->gid, o->gid) < 0 || setresuid(o->uid, o->uid, o->uid) < 0)
                return -1;
        for (int c = 0; c < BURST_CONNECTIONS && r >= 0; c++)
                r = fsp_launch_open(false, o->address, &bus[c]);
        for (int k = 0; k < o->count && r >= 0; k++) {
                snprintf(name, sizeof(name), "b%d", k);
                r = sd_bus_call_method_async(bus[k % BURST_CONNECTIONS], NULL, FSP_LAUNCHER_BUS_NAME, FSP_LAUNCHER_PATH,
                                             FSP_LAUNCHER_INTERFACE, "Start", on_start_reply, counts, "ssas", o->cls,
                                             name, 0);
        }
        while (r >= 0 && counts[0] + counts[1] + counts[2] < o->count) {
                bool progress = false;
                for (int c = 0; c < BURST_CONNECTIONS && r >= 0; c++)
                        while ((r = sd_bus_process(bus[c], NULL)) > 0)
                                progress = true;
                if (r >= 0 && !progress)
                        (void) sd_bus_wait(bus[0], 1000); /* 1 ms: the answers come on all ten */
        }
        for (int c = 0; c < BURST_CONNECTIONS; c++)
                sd_bus_flush_close_unref(bus[c]);
        return r < 0 ? -1 : 0;
}

static int burst(const Options *o)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        uint64_t *t = calloc(100000, sizeof(uint64_t));
        int pipefd[2], counts[3] = { 0 }, status;
        size_t n = 0;
        pid_t pid;

        if (!t || pipe(pipefd) < 0 || fsp_launch_open(false, o->address, &bus) < 0)
                return 1;
        pid = fork();
        if (pid == 0) {
                close(pipefd[0]);
                int r = flood(o, counts);
                (void) !write(pipefd[1], counts, sizeof(counts));
                _exit(r < 0 ? 1 : 0);
        }
        close(pipefd[1]);
        /* The bystander (root here: it sees every instance, so its List is the longest). */
        while (waitpid(pid, &status, WNOHANG) == 0 && n < 100000) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                FspInstanceId *ids = NULL;
                size_t got = 0;
                uint64_t t0 = now_ns();
                (void) fsp_launch_list(bus, &ids, &got, &e);
                t[n++] = now_ns() - t0;
                fsp_instance_ids_free(ids, got);
                sd_bus_error_free(&e);
                struct timespec ts = { .tv_nsec = 2000000 };
                nanosleep(&ts, NULL);
        }
        if (read(pipefd[0], counts, sizeof(counts)) != (ssize_t) sizeof(counts) || n == 0) {
                fprintf(stderr, "bench-launcher: the burst failed\n");
                return 1;
        }
        printf("a user fires %d Starts at once: %d started, %d refused with LimitExceeded, %d other errors\n",
               o->count, counts[0], counts[1], counts[2]);
        summarize("another client's List meanwhile", t, n, NULL);
        printf("  target: p99 under 50 ms: %s\n", t[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] < 50000000ULL
                                                         ? "met"
                                                         : "NOT met");
        free(t);
        return 0;
}

int bench_scale_main(int argc, char **argv)
{
        Options o = { .cycles = 10, .count = 0 };
        const char *mode = argv[1];

        o.count = argc > 2 ? atoi(argv[2]) : 0;
        for (int k = 3; k < argc; k++) {
                const char *v = k + 1 < argc ? argv[k + 1] : "";
                if (streq(argv[k], "--bus")) o.address = v, k++;
                else if (streq(argv[k], "--class")) o.cls = v, k++;
                else if (streq(argv[k], "--cycles")) o.cycles = atoi(v), k++;
                else if (streq(argv[k], "--launcher-pid")) o.launcher_pid = atoi(v), k++;
                else if (streq(argv[k], "--uid")) o.uid = (uid_t) atoi(v), k++;
                else if (streq(argv[k], "--gid")) o.gid = (gid_t) atoi(v), k++;
                else if (streq(argv[k], "--raw")) {
                        o.raw = argv + k + 1;
                        o.n_raw = argc - k - 1;
                        break;
                } else {
                        fprintf(stderr, "bench-launcher: unknown option %s\n", argv[k]);
                        return 2;
                }
        }
        if (!o.address || !o.cls || o.count < 1)
                return 2;
        if (streq(mode, "--scale"))
                return scale(&o);
        if (streq(mode, "--clients"))
                return o.n_raw > 0 ? clients(&o) : 2;
        return o.uid > 0 ? burst(&o) : 2;
}
