/* SPDX-License-Identifier: MIT */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HARNESS_MAX 8
#define EXIT_SKIPPED 77

const char *memfs_binary;

static MemfsProc *registered[HARNESS_MAX];
static size_t nregistered;

static long long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A short pause between two looks at a condition we poll for; never the synchronisation itself. */
static void poll_pause(void)
{
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
}

static void cleanup_all(void)
{
        while (nregistered > 0)
                harness_cleanup(registered[nregistered - 1]);
}

static void on_fatal_signal(int sig)
{
        cleanup_all();
        signal(sig, SIG_DFL);
        raise(sig);
}

void harness_require_root(void)
{
        if (geteuid() != 0) {
                fprintf(stderr, "skipped: needs root\n");
                exit(EXIT_SKIPPED);
        }
        if (access("/dev/fuse", R_OK | W_OK) < 0) {
                fprintf(stderr, "skipped: no /dev/fuse\n");
                exit(EXIT_SKIPPED);
        }
        if (!memfs_binary || access(memfs_binary, X_OK) < 0) {
                fprintf(stderr, "skipped: no memfs binary (%s)\n", memfs_binary ? memfs_binary : "none given");
                exit(EXIT_SKIPPED);
        }
        signal(SIGPIPE, SIG_IGN);
}

int harness_make_dir(MemfsProc *m)
{
        memset(m, 0, sizeof(*m));
        m->pid = -1;
        m->stdin_fd = m->stdout_fd = -1;
        snprintf(m->dir, sizeof(m->dir), "/tmp/fsp-fuse-test.XXXXXX");
        if (!mkdtemp(m->dir))
                return -errno;
        chmod(m->dir, 0755);
        snprintf(m->mnt, sizeof(m->mnt), "%s/mnt", m->dir);
        if (mkdir(m->mnt, 0755) < 0)
                return -errno;
        static bool handlers;
        if (!handlers) {
                handlers = true;
                atexit(cleanup_all);
                signal(SIGTERM, on_fatal_signal);
                signal(SIGINT, on_fatal_signal);
                signal(SIGALRM, on_fatal_signal);
        }
        if (nregistered < HARNESS_MAX)
                registered[nregistered++] = m;
        return 0;
}

static void child_exec(const MemfsProc *m, const SpawnOptions *opts, int in[2], int out[2])
{
        const char *argv[64] = { memfs_binary, "-m", m->mnt };
        size_t n = 3;

        for (const char *const *a = opts->args; a && *a && n < 62; a++)
                argv[n++] = *a;
        argv[n] = NULL;
        if (opts->pipe_stdin) {
                dup2(in[0], STDIN_FILENO);
                close(in[0]);
                close(in[1]);
        }
        if (opts->pipe_stdout) {
                dup2(out[1], STDOUT_FILENO);
                close(out[0]);
                close(out[1]);
        }
        if (opts->notify_socket)
                setenv("NOTIFY_SOCKET", opts->notify_socket, 1);
        else
                unsetenv("NOTIFY_SOCKET");
        signal(SIGPIPE, SIG_DFL);
        if (opts->uid && (setgroups(0, NULL) < 0 || setgid(opts->gid) < 0 || setuid(opts->uid) < 0))
                _exit(126);
        execv(memfs_binary, (char *const *) argv);
        _exit(127);
}

int harness_spawn(MemfsProc *m, const SpawnOptions *opts)
{
        int in[2] = { -1, -1 }, out[2] = { -1, -1 };

        if ((opts->pipe_stdin && pipe2(in, O_CLOEXEC) < 0) || (opts->pipe_stdout && pipe2(out, O_CLOEXEC) < 0))
                return -errno;
        m->pid = fork();
        if (m->pid < 0)
                return -errno;
        if (m->pid == 0)
                child_exec(m, opts, in, out);
        if (opts->pipe_stdin) {
                close(in[0]);
                m->stdin_fd = in[1];
        }
        if (opts->pipe_stdout) {
                close(out[1]);
                m->stdout_fd = out[0];
        }
        return 0;
}

/* mountinfo escapes blanks and backslashes in paths; ours have none, so a plain match is exact. */
char *harness_mountinfo(const char *mnt)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char *line = NULL, *found = NULL;
        size_t n = 0;

        if (!f)
                return NULL;
        while (getline(&line, &n, f) > 0) {
                char path[512];
                if (sscanf(line, "%*s %*s %*s %*s %511s", path) == 1 && strcmp(path, mnt) == 0) {
                        free(found);
                        found = strdup(line);
                }
        }
        free(line);
        fclose(f);
        return found;
}

static bool wait_mount_state(const char *mnt, bool mounted, int timeout_ms)
{
        long long deadline = now_ms() + timeout_ms;

        for (;;) {
                char *line = harness_mountinfo(mnt);
                bool is = line != NULL;
                free(line);
                if (is == mounted)
                        return true;
                if (now_ms() >= deadline)
                        return false;
                poll_pause();
        }
}

bool harness_wait_mounted(const char *mnt, int timeout_ms)
{
        return wait_mount_state(mnt, true, timeout_ms);
}

bool harness_wait_unmounted(const char *mnt, int timeout_ms)
{
        return wait_mount_state(mnt, false, timeout_ms);
}

int harness_wait_exit(MemfsProc *m, int timeout_ms)
{
        long long deadline = now_ms() + timeout_ms;
        int status;

        if (m->pid <= 0)
                return -1;
        for (;;) {
                pid_t r = waitpid(m->pid, &status, WNOHANG);
                if (r == m->pid) {
                        m->pid = -1;
                        return status;
                }
                if (r < 0 || now_ms() >= deadline)
                        return -1;
                poll_pause();
        }
}

bool harness_read_line(int fd, char *buf, size_t size, int timeout_ms)
{
        long long deadline = now_ms() + timeout_ms;
        size_t n = 0;

        while (n + 1 < size) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                long long left = deadline - now_ms();
                ssize_t k;

                if (left <= 0 || poll(&p, 1, (int) left) <= 0)
                        return false;
                k = read(fd, buf + n, 1);
                if (k <= 0)
                        return false;
                if (buf[n] == '\n')
                        break;
                n++;
        }
        buf[n] = 0;
        return true;
}

static void unregister(MemfsProc *m)
{
        for (size_t i = 0; i < nregistered; i++)
                if (registered[i] == m) {
                        registered[i] = registered[--nregistered];
                        return;
                }
}

void harness_cleanup(MemfsProc *m)
{
        unregister(m);
        if (m->pid > 0) {
                kill(m->pid, SIGKILL);
                waitpid(m->pid, NULL, 0);
                m->pid = -1;
        }
        if (m->stdin_fd >= 0)
                close(m->stdin_fd);
        if (m->stdout_fd >= 0)
                close(m->stdout_fd);
        m->stdin_fd = m->stdout_fd = -1;
        if (m->mnt[0]) {
                char *line;
                while ((line = harness_mountinfo(m->mnt))) {
                        free(line);
                        if (umount2(m->mnt, MNT_DETACH) < 0)
                                break;
                }
                rmdir(m->mnt);
        }
        if (m->dir[0]) {
                char cmd[300];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", m->dir);
                if (system(cmd) != 0)
                        fprintf(stderr, "could not remove %s\n", m->dir);
        }
        m->mnt[0] = m->dir[0] = 0;
}

int harness_write_file(const char *path, const char *contents)
{
        FILE *f = fopen(path, "we");
        int r = 0;

        if (!f)
                return -errno;
        if (fputs(contents, f) == EOF)
                r = -EIO;
        if (fclose(f) != 0 && r == 0)
                r = -errno;
        return r;
}
