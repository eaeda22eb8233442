/* SPDX-License-Identifier: MIT */
/*
 * fsp-testfs: a file system program that behaves as a test tells it to, so
 * the launcher can be checked against every kind of instance: one that
 * notifies, mounts, fails at start, hangs, ignores SIGTERM, checks a
 * password, dies on request. It records what it was given (argv, ids, fds,
 * environment) for the test to compare.
 *
 * Actions run in the order given on the command line; after the last one it
 * waits for SIGTERM (exit 0) unless told otherwise.
 */
#define FUSE_USE_VERSION 314
#include <dirent.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "macro.h"

static void closedirp_(DIR **d)
{
        if (*d)
                closedir(*d);
}

static volatile sig_atomic_t got_term;
static bool ignore_term;
static struct fuse_session *session;

static void on_term(int sig)
{
        if (ignore_term)
                return;
        got_term = 1;
        if (session)
                fuse_session_exit(session);
}

/* SIGTERM blocked between the test and the wait: one that comes in between is not lost. */
static void wait_for_term(void)
{
        sigset_t term, old;

        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        sigaddset(&term, SIGINT);
        sigprocmask(SIG_BLOCK, &term, &old);
        while (!got_term)
                sigsuspend(&old);
        sigprocmask(SIG_SETMASK, &old, NULL);
}

static void record(const char *path, int argc, char **argv)
{
        _cleanup_fclose_ FILE *f = fopen(path, "we");
        gid_t groups[256];
        char cwd[4096];
        int n;

        if (!f) {
                fprintf(stderr, "testfs: cannot write %s: %m\n", path);
                exit(70);
        }
        for (int i = 0; i < argc; i++)
                fprintf(f, "argv[%d]=%s\n", i, argv[i]);
        fprintf(f, "argc=%d\n", argc);
        fprintf(f, "uid=%u\ngid=%u\neuid=%u\n", getuid(), getgid(), geteuid());
        n = getgroups(ELEMENTSOF(groups), groups);
        fprintf(f, "groups=");
        for (int i = 0; i < n; i++)
                fprintf(f, "%s%u", i ? "," : "", groups[i]);
        fprintf(f, "\npid=%d\npgid=%d\nsid=%d\n", getpid(), getpgid(0), getsid(0));
        fprintf(f, "cwd=%s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
        fprintf(f, "WINFSP_CLASS=%s\n", strempty(getenv("WINFSP_CLASS")));
        fprintf(f, "WINFSP_INSTANCE=%s\n", strempty(getenv("WINFSP_INSTANCE")));
        fprintf(f, "NOTIFY_SOCKET=%s\n", strempty(getenv("NOTIFY_SOCKET")));
        fprintf(f, "PATH=%s\n", strempty(getenv("PATH")));

        /* Open descriptors, other than the one listing them and the record itself. */
        _cleanup_(closedirp_) DIR *d = opendir("/proc/self/fd");
        fprintf(f, "fds=");
        bool first = true;
        for (struct dirent *de; d && (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                int fd = atoi(de->d_name);
                if (fd == dirfd(d) || fd == fileno(f))
                        continue;
                fprintf(f, "%s%d", first ? "" : ",", fd);
                first = false;
        }
        fprintf(f, "\n");
        struct stat st;
        if (fstat(0, &st) == 0)
                fprintf(f, "stdin=%s\n", S_ISCHR(st.st_mode) ? "chr" : S_ISFIFO(st.st_mode) ? "fifo" : "other");
        fprintf(f, "end\n");
}

static char *read_file_line(const char *path)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char *line = NULL;
        size_t n = 0;

        if (!f || getline(&line, &n, f) < 0) {
                fprintf(stderr, "testfs: cannot read %s\n", path);
                exit(70);
        }
        line[strcspn(line, "\n")] = 0;
        return line;
}

/* stdin holds "expected\n" (CredentialsStdin=password-line): say nothing on stdout either way. */
static int check_password_line(const char *expected)
{
        char buf[8192];
        size_t n = 0;
        ssize_t k;

        while (n < sizeof(buf) - 1 && ((k = read(0, buf + n, sizeof(buf) - 1 - n)) > 0 || (k < 0 && errno == EINTR)))
                if (k > 0)
                        n += (size_t) k;
        buf[n] = 0;
        if (n > 0 && buf[n - 1] == '\n' && strlen(expected) == n - 1 && strneq(buf, expected, n - 1))
                return 0;
        fprintf(stderr, "Permission denied, please try again.\n");
        explicit_bzero(buf, sizeof(buf));
        return -1;
}

/* Read stdin to EOF and compare with the expected password. */
static int check_password(const char *expected, bool answer, bool newline)
{
        char buf[8192];
        size_t n = 0;

        for (;;) {
                ssize_t k = read(0, buf + n, sizeof(buf) - 1 - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                n += (size_t) k;
                if (n == sizeof(buf) - 1)
                        break;
        }
        buf[n] = 0;
        if (!answer) {
                wait_for_term();
                return 0;
        }
        if (streq(buf, expected)) {
                fputs(newline ? "OK\n" : "OK", stdout);
                fflush(stdout);
                return 0;
        }
        fputs("NO wrong password\n", stdout);
        fflush(stdout);
        explicit_bzero(buf, sizeof(buf));
        return -1;
}

/* A one-directory FUSE file system, enough for a mount to appear and answer. */
static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        struct stat st = { .st_ino = ino, .st_mode = S_IFDIR | 0755, .st_nlink = 2 };
        if (ino != FUSE_ROOT_ID) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        fuse_reply_attr(req, &st, 1.0);
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        fuse_reply_err(req, ENOENT);
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
        fuse_reply_buf(req, NULL, 0);
}

static const struct fuse_lowlevel_ops fs_ops = {
        .getattr = fs_getattr,
        .lookup = fs_lookup,
        .readdir = fs_readdir,
};

static int serve_mount(const char *mountpoint, const char *source, bool notify)
{
        char fsname[512];
        snprintf(fsname, sizeof(fsname), "-ofsname=%s,subtype=testfs", source ? source : "testfs");
        char *args_v[] = { "fsp-testfs", fsname, NULL };
        struct fuse_args args = FUSE_ARGS_INIT(2, args_v);
        int r = 0;

        session = fuse_session_new(&args, &fs_ops, sizeof(fs_ops), NULL);
        fuse_opt_free_args(&args);
        if (!session)
                return 71;
        if (fuse_session_mount(session, mountpoint) != 0) {
                fuse_session_destroy(session);
                return 72;
        }
        if (notify)
                sd_notify(0, "READY=1\nSTATUS=Mounted");
        if (!got_term)
                r = fuse_session_loop(session);
        fuse_session_unmount(session);
        fuse_session_destroy(session);
        session = NULL;
        return r < 0 ? 73 : 0;
}

/* Wait until path exists (created by the test), without polling. */
static void wait_for_file(const char *path)
{
        _cleanup_close_ int fd = inotify_init1(IN_CLOEXEC);
        _cleanup_free_ char *dir = strdup(path);
        char *slash = strrchr(dir, '/');
        char buf[4096];

        if (slash)
                *slash = 0;
        inotify_add_watch(fd, slash ? dir : ".", IN_CREATE | IN_MOVED_TO | IN_ATTRIB);
        while (access(path, F_OK) < 0 && !got_term)
                if (read(fd, buf, sizeof(buf)) < 0 && errno != EINTR)
                        break;
}

static void usage(void)
{
        fputs("usage: fsp-testfs ACTION...\n"
              "  --record FILE         write argv, ids, cwd, fds and environment to FILE\n"
              "  --stderr TEXT         write a line to stderr\n"
              "  --stdout TEXT         write a line to stdout\n"
              "  --password PW         read stdin to EOF; answer OK if it is PW, else refuse and exit 1\n"
              "  --password-nonl PW    the same, answering OK without a newline\n"
              "  --password-file FILE  as --password, the password being FILE's first line\n"
              "  --stdout-file FILE    write FILE's first line to stdout\n"
              "  --stderr-file FILE    write FILE's first line to stderr\n"
              "  --stderr-partial FILE write FILE's first line to stderr without its newline\n"
              "  --arg VALUE, -o VALUE ignore VALUE (a template's argument or options under test)\n"
              "  --password-silent     read stdin to EOF, never answer\n"
              "  --password-line PW    read stdin to EOF; go on quietly if it is PW and a newline,\n"
              "                        else say \"Permission denied\" on stderr and exit 1\n"
              "  --notify              send READY=1\n"
              "  --mount DIR [SOURCE]  mount an empty FUSE file system at DIR and serve it\n"
              "  --ignore-term         ignore SIGTERM from now on\n"
              "  --fork-child          start a child in the same process group that waits forever\n"
              "  --wait-file PATH      wait until PATH exists\n"
              "  --wait-file-once PATH wait until PATH exists, then remove it\n"
              "  --stamp FILE          append CLOCK_MONOTONIC in ns to FILE\n"
              "  --exit N              exit with N now\n"
              "  --kill-self SIG       die by signal SIG now\n"
              "  --hang                never exit, whatever the signal (with --ignore-term)\n",
              stderr);
}

int main(int argc, char **argv)
{
        struct sigaction sa = { .sa_handler = on_term };
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        setvbuf(stdout, NULL, _IOLBF, 0);

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                const char *v = i + 1 < argc ? argv[i + 1] : NULL;

                if (!*a)
                        continue; /* a template's missing %N */
                if (streq(a, "--record") && v) {
                        record(v, argc, argv);
                        i++;
                } else if (streq(a, "--stderr") && v) {
                        fprintf(stderr, "%s\n", v);
                        i++;
                } else if (streq(a, "--stdout") && v) {
                        printf("%s\n", v);
                        i++;
                } else if ((streq(a, "--password") || streq(a, "--password-nonl")) && v) {
                        if (check_password(v, true, streq(a, "--password")) < 0)
                                return 1;
                        i++;
                } else if (streq(a, "--password-file") && v) {
                        _cleanup_free_ char *pw = read_file_line(v);
                        if (check_password(pw, true, true) < 0)
                                return 1;
                        i++;
                } else if ((streq(a, "--stdout-file") || streq(a, "--stderr-file")) && v) {
                        _cleanup_free_ char *line = read_file_line(v);
                        fprintf(streq(a, "--stdout-file") ? stdout : stderr, "%s\n", line);
                        i++;
                } else if (streq(a, "--stderr-partial") && v) {
                        _cleanup_free_ char *line = read_file_line(v);
                        fputs(line, stderr);
                        i++;
                } else if ((streq(a, "--arg") || streq(a, "-o")) && v) {
                        i++;
                } else if (streq(a, "--password-line") && v) {
                        /* Like sshfs -o password_stdin: a line, no answer; a wrong one ends it. */
                        if (check_password_line(v) < 0)
                                return 1;
                        i++;
                } else if (streq(a, "--password-silent")) {
                        check_password("", false, true);
                } else if (streq(a, "--notify")) {
                        sd_notify(0, "READY=1");
                } else if (streq(a, "--mount") && v) {
                        const char *source = i + 2 < argc && argv[i + 2][0] && argv[i + 2][0] != '-' ? argv[i + 2] : NULL;
                        int r = serve_mount(v, source, true);
                        return r;
                } else if (streq(a, "--ignore-term")) {
                        ignore_term = true;
                } else if (streq(a, "--fork-child")) {
                        pid_t pid = fork();
                        if (pid == 0) {
                                signal(SIGTERM, SIG_IGN);
                                for (;;)
                                        pause();
                        }
                } else if (streq(a, "--wait-file") && v) {
                        wait_for_file(v);
                        i++;
                } else if (streq(a, "--wait-file-once") && v) {
                        wait_for_file(v);
                        (void) unlink(v);
                        i++;
                } else if (streq(a, "--stamp") && v) {
                        struct timespec ts;
                        FILE *f = fopen(v, "ae");
                        clock_gettime(CLOCK_MONOTONIC, &ts);
                        if (f) {
                                fprintf(f, "%lld\n", (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec);
                                fclose(f);
                        }
                        i++;
                } else if (streq(a, "--exit") && v) {
                        return atoi(v);
                } else if (streq(a, "--kill-self") && v) {
                        signal(atoi(v), SIG_DFL);
                        raise(atoi(v));
                        i++;
                } else if (streq(a, "--hang")) {
                        for (;;)
                                pause();
                } else {
                        fprintf(stderr, "fsp-testfs: unknown action '%s'\n", a);
                        usage();
                        return 64;
                }
        }
        wait_for_term();
        return 0;
}
