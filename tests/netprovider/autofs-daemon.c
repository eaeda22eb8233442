/* SPDX-License-Identifier: MIT */
/*
 * fsp-autofs-daemon DIR LOG SECONDS CMD [ARGS...]: a direct autofs trigger at
 * DIR, answered the way systemd answers an x-systemd.automount: each mount
 * request (someone outside this process group opened DIR) runs CMD in this
 * process group (autofs's "oz mode": its lookups of DIR pass, everyone
 * else's wait), and the request is answered when CMD ends: ready if it
 * exited 0, failed otherwise. CMD is killed after SECONDS, so a lookup of
 * DIR by anyone CMD waits for cannot hang the test for good. Each request
 * adds one line to LOG. SIGTERM or SIGINT: detach DIR and exit 0.
 */
#include <fcntl.h>
#include <linux/auto_fs.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "macro.h"

static uint64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static void comm_of(pid_t pid, char *buf, size_t n)
{
        char path[64];
        _cleanup_fclose_ FILE *f = NULL;

        snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
        snprintf(buf, n, "?");
        f = fopen(path, "re");
        if (f && fgets(buf, (int) n, f))
                buf[strcspn(buf, "\n")] = 0;
}

/* Run argv in our process group; its exit status, or -1 when killed after seconds. */
static int run_bounded(char **argv, int seconds, sigset_t *blocked)
{
        int status, pidfd;
        pid_t pid = fork();

        if (pid < 0)
                return -1;
        if (pid == 0) {
                sigprocmask(SIG_UNBLOCK, blocked, NULL);
                execvp(argv[0], argv);
                _exit(127);
        }
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        if (pidfd < 0 || poll(&p, 1, seconds * 1000) == 0) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                safe_close(pidfd);
                return -1;
        }
        safe_close(pidfd);
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void answer(int ioctl_fd, const struct autofs_v5_packet *pkt, FILE *log, char **argv, int seconds,
                   sigset_t *blocked)
{
        char comm[64];
        uint64_t start = now_ms();
        int status;

        comm_of((pid_t) pkt->pid, comm, sizeof(comm));
        status = run_bounded(argv, seconds, blocked);
        if (ioctl(ioctl_fd, status == 0 ? AUTOFS_IOC_READY : AUTOFS_IOC_FAIL, pkt->wait_queue_token) < 0)
                fprintf(log, "cannot answer the request: %m\n");
        if (status < 0)
                fprintf(log, "request by pid %u (%s): killed after %d s, answered failed\n", pkt->pid, comm,
                        seconds);
        else
                fprintf(log, "request by pid %u (%s): exited with status %d after %llu ms, answered %s\n",
                        pkt->pid, comm, status, (unsigned long long) (now_ms() - start),
                        status == 0 ? "ready" : "failed");
        fflush(log);
}

static int serve(int pipe_fd, int ioctl_fd, int signal_fd, FILE *log, char **argv, int seconds,
                 sigset_t *blocked)
{
        for (;;) {
                struct pollfd p[2] = { { .fd = pipe_fd, .events = POLLIN },
                                       { .fd = signal_fd, .events = POLLIN } };
                union autofs_v5_packet_union pkt;

                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (p[1].revents)
                        return 0;
                if (read(pipe_fd, &pkt, sizeof(pkt)) < (ssize_t) sizeof(pkt.hdr))
                        return -EIO;
                if (pkt.hdr.type == autofs_ptype_missing_direct)
                        answer(ioctl_fd, &pkt.v5_packet, log, argv, seconds, blocked);
                else {
                        fprintf(log, "unexpected packet type %d\n", pkt.hdr.type);
                        fflush(log);
                }
        }
}

int main(int argc, char **argv)
{
        _cleanup_close_pair_ int pipe_fds[2] = { -1, -1 };
        _cleanup_close_ int ioctl_fd = -1, signal_fd = -1;
        _cleanup_fclose_ FILE *log = NULL;
        char opts[128];
        sigset_t blocked;
        int r;

        if (argc < 5) {
                fprintf(stderr, "usage: fsp-autofs-daemon DIR LOG SECONDS CMD [ARGS...]\n");
                return 2;
        }
        if (!(log = fopen(argv[2], "ae"))) {
                fprintf(stderr, "fsp-autofs-daemon: %s: %m\n", argv[2]);
                return 1;
        }
        sigemptyset(&blocked);
        sigaddset(&blocked, SIGTERM);
        sigaddset(&blocked, SIGINT);
        sigprocmask(SIG_BLOCK, &blocked, NULL);
        signal_fd = signalfd(-1, &blocked, SFD_CLOEXEC);
        if (setpgid(0, 0) < 0 || signal_fd < 0 || pipe2(pipe_fds, O_CLOEXEC) < 0) {
                fprintf(stderr, "fsp-autofs-daemon: setup: %m\n");
                return 1;
        }
        snprintf(opts, sizeof(opts), "fd=%d,pgrp=%d,minproto=5,maxproto=5,direct", pipe_fds[1],
                 (int) getpgrp());
        if (mount("fsp-autofs-daemon", argv[1], "autofs", 0, opts) < 0) {
                fprintf(stderr, "fsp-autofs-daemon: mount autofs on %s: %m\n", argv[1]);
                return 1;
        }
        pipe_fds[1] = safe_close(pipe_fds[1]);
        ioctl_fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ioctl_fd < 0) {
                fprintf(stderr, "fsp-autofs-daemon: %s: %m\n", argv[1]);
                umount2(argv[1], MNT_DETACH);
                return 1;
        }

        r = serve(pipe_fds[0], ioctl_fd, signal_fd, log, argv + 4, atoi(argv[3]), &blocked);
        ioctl_fd = safe_close(ioctl_fd);
        if (umount2(argv[1], MNT_DETACH) < 0)
                fprintf(stderr, "fsp-autofs-daemon: umount %s: %m\n", argv[1]);
        if (r < 0) {
                fprintf(stderr, "fsp-autofs-daemon: %s\n", strerror(-r));
                return 1;
        }
        return 0;
}
