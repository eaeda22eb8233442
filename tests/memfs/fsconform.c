/* SPDX-License-Identifier: MIT */
/*
 * fsconform DIR [--user UID:GID] [--only NAME,...] [--limits NODES:SIZE]
 *                [--case-insensitive]
 *
 * Runs the catalogue of file-system checks inside DIR and prints one line per
 * check: "PASS name", "FAIL name: detail" or "SKIP name: reason". Exits 1 if
 * any check failed. Each check gets a fresh subdirectory of DIR named after
 * it, runs in a forked process with umask 0 and a time limit, and its
 * directory is removed afterwards.
 */
#include <dirent.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <grp.h>

#include "fsconform.h"

static const Check *const catalogue[] = {
        files_checks, dirs_checks, links_checks, rename_checks, perms_checks, access_checks,
        times_checks, data_checks, xattr_checks, threads_checks,
};

typedef struct Options {
        const char *dir;
        char **only;
        unsigned timeout_sec;
        bool list;
        bool limits;
        bool icase;
        uid_t user_uid;
        gid_t user_gid;
        uint64_t max_nodes;
        uint64_t max_size;
} Options;

static Result vset_detail(Ctx *c, Result r, const char *prefix, const char *fmt, va_list ap)
{
        size_t n = (size_t) snprintf(c->detail, sizeof(c->detail), "%s", prefix);
        if (n < sizeof(c->detail))
                vsnprintf(c->detail + n, sizeof(c->detail) - n, fmt, ap);
        return r;
}

Result check_fail(Ctx *c, const char *file, int line, const char *fmt, ...)
{
        char prefix[64];
        const char *base = strrchr(file, '/');
        va_list ap;

        snprintf(prefix, sizeof(prefix), "%s:%d: ", base ? base + 1 : file, line);
        va_start(ap, fmt);
        vset_detail(c, RESULT_FAIL, prefix, fmt, ap);
        va_end(ap);
        return RESULT_FAIL;
}

Result check_skip(Ctx *c, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vset_detail(c, RESULT_SKIP, "", fmt, ap);
        va_end(ap);
        return RESULT_SKIP;
}

Result check_note(Ctx *c, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vset_detail(c, RESULT_PASS, "", fmt, ap);
        va_end(ap);
        return RESULT_PASS;
}

const char *errname(int e)
{
        static char buf[32];
        const char *name = e ? strerrorname_np(e) : "no error";

        if (name)
                return name;
        snprintf(buf, sizeof(buf), "errno %d", e);
        return buf;
}

/* Reads up to size bytes from fd until EOF; with timeout_ms >= 0, gives up
 * (returning -ETIMEDOUT) when nothing has come for that long. */
static ssize_t read_until_eof(int fd, void *buf, size_t size, int timeout_ms)
{
        size_t got = 0;

        for (;;) {
                struct pollfd pfd = {.fd = fd, .events = POLLIN};
                int k = poll(&pfd, 1, timeout_ms);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k == 0)
                        return -ETIMEDOUT;
                char scratch[256];
                ssize_t n = read(fd, got < size ? (char *) buf + got : scratch,
                                 got < size ? size - got : sizeof(scratch));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return (ssize_t) got;
                if (got < size)
                        got += (size_t) n;
        }
}

/* A child reports its Result and detail over a pipe; read them back. With
 * timeout_ms >= 0, the child's process group is killed when it takes longer. */
static Result collect_child(Ctx *c, pid_t pid, int fd, const char *what, int timeout_ms)
{
        struct {
                Result r;
                char detail[sizeof(c->detail)];
        } msg = {.r = RESULT_FAIL};
        ssize_t n = read_until_eof(fd, &msg, sizeof(msg) - 1, timeout_ms);
        int status = 0;

        if (n == -ETIMEDOUT)
                (void) kill(-pid, SIGKILL);
        /* While the child is an unreaped zombie its pid cannot be reused, so
         * its process group (a check's) can be killed safely: nothing it
         * started outlives it. */
        while (waitid(P_PID, (id_t) pid, &(siginfo_t){}, WEXITED | WNOWAIT) < 0 && errno == EINTR)
                ;
        (void) kill(-pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (n == -ETIMEDOUT)
                return check_fail(c, __FILE__, __LINE__, "%s timed out after %d s", what, timeout_ms / 1000);
        if (WIFSIGNALED(status))
                return check_fail(c, __FILE__, __LINE__, "%s killed by signal %s", what,
                                  sigabbrev_np(WTERMSIG(status)));
        if (n < (ssize_t) sizeof(msg.r) || (msg.r != RESULT_PASS && msg.r != RESULT_FAIL && msg.r != RESULT_SKIP))
                return check_fail(c, __FILE__, __LINE__, "%s exited (status %d) without a result", what,
                                  WEXITSTATUS(status));
        ((char *) &msg)[n] = 0;
        snprintf(c->detail, sizeof(c->detail), "%s", msg.detail);
        return msg.r;
}

static void report_to_parent(int fd, Result r, const Ctx *c)
{
        if (write(fd, &r, sizeof(r)) == sizeof(r))
                (void) !write(fd, c->detail, strlen(c->detail));
        close(fd);
}

Result as_actor(Ctx *c, ActorFn fn, void *arg)
{
        _cleanup_close_pair_ int p[2] = {-1, -1};
        Result r;
        pid_t pid;

        if (!c->root)
                return fn(c, arg);

        if (pipe2(p, O_CLOEXEC) < 0)
                FAIL("pipe2: %s", errname(errno));
        pid = fork();
        if (pid < 0)
                FAIL("fork: %s", errname(errno));
        if (pid == 0) {
                Ctx child = *c;

                child.root = false;
                child.detail[0] = 0;
                if (setgroups(0, NULL) < 0 || setresgid(c->actor_gid, c->actor_gid, c->actor_gid) < 0 ||
                    setresuid(c->actor_uid, c->actor_uid, c->actor_uid) < 0)
                        r = check_fail(&child, __FILE__, __LINE__, "dropping to %u:%u: %s",
                                       (unsigned) c->actor_uid, (unsigned) c->actor_gid, errname(errno));
                else {
                        /* Keep /proc/self usable after the uid change. */
                        (void) prctl(PR_SET_DUMPABLE, 1);
                        r = fn(&child, arg);
                }
                report_to_parent(p[1], r, &child);
                _exit(0);
        }
        p[1] = safe_close(p[1]);
        r = collect_child(c, pid, p[0], "actor", -1);
        if (r == RESULT_FAIL) {
                char tmp[sizeof(c->detail)];
                int n = snprintf(tmp, sizeof(tmp), "as uid %u: ", (unsigned) c->actor_uid);
                memcpy(tmp + n, c->detail, sizeof(tmp) - (size_t) n - 1);
                tmp[sizeof(tmp) - 1] = 0;
                memcpy(c->detail, tmp, sizeof(tmp));
        }
        return r;
}

int chown_to_actor(Ctx *c, int dirfd, const char *name)
{
        if (!c->root)
                return 0;
        if (fchownat(dirfd, name, c->actor_uid, c->actor_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}

static int collect_names(int fd, char ***ret)
{
        _cleanup_strv_free_ char **names = NULL;
        size_t n = 0, allocated = 0;
        DIR *d;
        struct dirent *de;
        int dfd = dup(fd);

        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                int r = -errno;
                close(dfd);
                return r;
        }
        while ((errno = 0, de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (n + 2 > allocated) {
                        size_t want = MAX(allocated * 2, (size_t) 64);
                        char **grown = realloc(names, want * sizeof(char *));
                        if (!grown)
                                break;
                        names = grown;
                        allocated = want;
                }
                names[n] = strdup(de->d_name);
                names[++n] = NULL;
                if (!names[n - 1])
                        break;
        }
        int r = -errno;
        closedir(d);
        if (r < 0)
                return r;
        *ret = names ? TAKE_PTR(names) : calloc(1, sizeof(char *));
        return *ret ? 0 : -ENOMEM;
}

int rm_rf_at(int dirfd, const char *name)
{
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r = 0;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;

        (void) fchmodat(dirfd, name, 0700, 0);
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = collect_names(fd, &names);
        if (r < 0)
                return r;
        STRV_FOREACH(n, names) {
                int k = rm_rf_at(fd, *n);
                if (k < 0 && r == 0)
                        r = k;
        }
        if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && r == 0)
                r = -errno;
        return r;
}

static bool selected(const Options *o, const char *name)
{
        if (!o->only)
                return true;
        STRV_FOREACH(s, o->only)
                if (strneq(name, *s, strlen(*s)))
                        return true;
        return false;
}

static Result run_one(const Options *o, int rootfd, const Check *check, Ctx *c)
{
        _cleanup_close_pair_ int p[2] = {-1, -1};
        _cleanup_close_ int dfd = -1;
        pid_t pid;

        (void) rm_rf_at(rootfd, check->name);
        if (mkdirat(rootfd, check->name, 0755) < 0)
                FAIL("mkdir %s: %s", check->name, errname(errno));
        if (chown_to_actor(c, rootfd, check->name) < 0)
                FAIL("chown %s: %s", check->name, errname(errno));
        dfd = openat(rootfd, check->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                FAIL("open %s: %s", check->name, errname(errno));
        if (pipe2(p, O_CLOEXEC) < 0)
                FAIL("pipe2: %s", errname(errno));

        fflush(stdout);
        pid = fork();
        if (pid < 0)
                FAIL("fork: %s", errname(errno));
        if (pid == 0) {
                Result r;

                p[0] = safe_close(p[0]);
                /* its own process group: on a timeout, everything it started goes too */
                (void) setpgid(0, 0);
                umask(0);
                c->dirfd = dfd;
                r = check->run(c);
                report_to_parent(p[1], r, c);
                _exit(0);
        }
        (void) setpgid(pid, pid);
        p[1] = safe_close(p[1]);
        return collect_child(c, pid, p[0], "check", (int) o->timeout_sec * 1000);
}

static int run_catalogue(const Options *o, const Check *const *tables, size_t n_tables)
{
        _cleanup_close_ int rootfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        unsigned counts[3] = {};
        static const char *const words[] = {"PASS", "FAIL", "SKIP"};

        if (rootfd < 0) {
                fprintf(stderr, "fsconform: %s: %s\n", o->dir, strerror(errno));
                return 2;
        }
        for (size_t t = 0; t < n_tables; t++)
                for (const Check *check = tables[t]; check->name; check++) {
                        Ctx c = {
                                .root = geteuid() == 0,
                                .actor_uid = geteuid() == 0 ? o->user_uid : geteuid(),
                                .actor_gid = geteuid() == 0 ? o->user_gid : getegid(),
                                .max_nodes = o->max_nodes,
                                .max_size = o->max_size,
                        };
                        Result r;
                        int k;

                        if (!selected(o, check->name))
                                continue;
                        r = run_one(o, rootfd, check, &c);
                        k = rm_rf_at(rootfd, check->name);
                        if (k < 0 && r == RESULT_PASS) {
                                r = RESULT_FAIL;
                                snprintf(c.detail, sizeof(c.detail), "removing its directory: %s", errname(-k));
                        }
                        counts[r]++;
                        printf("%s %s%s%s\n", words[r], check->name, c.detail[0] ? ": " : "", c.detail);
                        fflush(stdout);
                }
        printf("# %u passed, %u failed, %u skipped\n", counts[RESULT_PASS], counts[RESULT_FAIL],
               counts[RESULT_SKIP]);
        return counts[RESULT_FAIL] ? 1 : 0;
}

static void list_catalogue(const Check *const *tables, size_t n_tables)
{
        for (size_t t = 0; t < n_tables; t++)
                for (const Check *check = tables[t]; check->name; check++)
                        printf("%s\n", check->name);
}

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: fsconform DIR [OPTIONS]\n"
                "Run named file-system conformance checks inside DIR.\n\n"
                "  --user UID:GID       the unprivileged identity used by checks that need one\n"
                "                       when running as root (default 65534:65534)\n"
                "  --only NAME[,NAME]   run only checks whose names start with one of these\n"
                "  --limits NODES:SIZE  run the limit checks instead, for a file system started\n"
                "                       with at most NODES nodes and SIZE bytes per file\n"
                "  --case-insensitive   run the checks of a case-insensitive, case-preserving\n"
                "                       file system instead\n"
                "  --timeout SEC        time limit of each check (default 120)\n"
                "  --list               print the names of the checks and exit\n"
                "  -h, --help           show this help\n");
}

static char **split_commas(const char *s)
{
        size_t n = 1;
        char **v;
        char *copy = strdup(s), *save = NULL;

        for (const char *p = s; *p; p++)
                n += *p == ',';
        v = calloc(n + 1, sizeof(char *));
        if (!v || !copy) {
                free(v);
                free(copy);
                return NULL;
        }
        n = 0;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
                v[n++] = strdup(tok);
        free(copy);
        return v;
}

static int parse_pair(const char *s, unsigned long long *a, unsigned long long *b)
{
        char *end;

        errno = 0;
        *a = strtoull(s, &end, 0);
        if (errno || end == s || *end != ':')
                return -EINVAL;
        s = end + 1;
        *b = strtoull(s, &end, 0);
        if (errno || end == s || *end)
                return -EINVAL;
        return 0;
}

static int parse_options(int argc, char **argv, Options *o)
{
        enum { OPT_USER = 256, OPT_ONLY, OPT_LIMITS, OPT_ICASE, OPT_TIMEOUT, OPT_LIST };
        static const struct option longopts[] = {
                {"user", required_argument, NULL, OPT_USER},
                {"only", required_argument, NULL, OPT_ONLY},
                {"limits", required_argument, NULL, OPT_LIMITS},
                {"case-insensitive", no_argument, NULL, OPT_ICASE},
                {"timeout", required_argument, NULL, OPT_TIMEOUT},
                {"list", no_argument, NULL, OPT_LIST},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        unsigned long long a, b;
        int opt;

        while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) >= 0)
                switch (opt) {
                case OPT_USER:
                        if (parse_pair(optarg, &a, &b) < 0)
                                return fprintf(stderr, "fsconform: --user %s: expected UID:GID\n", optarg), -EINVAL;
                        o->user_uid = (uid_t) a;
                        o->user_gid = (gid_t) b;
                        break;
                case OPT_ONLY:
                        o->only = split_commas(optarg);
                        break;
                case OPT_LIMITS:
                        if (parse_pair(optarg, &a, &b) < 0 || a == 0 || b == 0)
                                return fprintf(stderr, "fsconform: --limits %s: expected NODES:SIZE\n", optarg),
                                       -EINVAL;
                        o->limits = true;
                        o->max_nodes = a;
                        o->max_size = b;
                        break;
                case OPT_ICASE:
                        o->icase = true;
                        break;
                case OPT_TIMEOUT:
                        o->timeout_sec = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case OPT_LIST:
                        o->list = true;
                        break;
                case 'h':
                        usage(stdout);
                        exit(EXIT_SUCCESS);
                default:
                        return -EINVAL;
                }
        if (o->list)
                return 0;
        if (optind != argc - 1) {
                usage(stderr);
                return -EINVAL;
        }
        o->dir = argv[optind];
        return 0;
}

int main(int argc, char **argv)
{
        Options o = {.timeout_sec = 120, .user_uid = 65534, .user_gid = 65534};
        static const Check *const limits_catalogue[] = {limits_checks};
        static const Check *const icase_catalogue[] = {icase_checks};
        const Check *const *tables = catalogue;
        size_t n_tables = ELEMENTSOF(catalogue);
        int r;

        if (parse_options(argc, argv, &o) < 0)
                return 2;
        if (o.limits) {
                tables = limits_catalogue;
                n_tables = 1;
        } else if (o.icase) {
                tables = icase_catalogue;
                n_tables = 1;
        }
        if (o.list) {
                list_catalogue(tables, n_tables);
                return 0;
        }
        /* A check that dies must not take the runner with it; and writes to
         * a fifo or socket without a reader must fail, not kill. */
        signal(SIGPIPE, SIG_IGN);
        setvbuf(stdout, NULL, _IOLBF, 0);
        r = run_catalogue(&o, tables, n_tables);
        strv_free(o.only);
        return r;
}
