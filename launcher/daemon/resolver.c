/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "macro.h"
#include "fork-fds.h"
#include "resolver.h"

struct Resolver {
        sd_event *event;
        pid_t pid;
        int pidfd;
        int socket_fd;
        sd_event_source *io_source, *timer_source;
        ResolveFn fn;
        void *userdata;
};

/*
 * The child: become the caller, open, (probe: wait for the file system's
 * first answer), send the fd or the errno, leave. Async-signal-safe calls only.
 */
_Noreturn static void child(int sock, const char *path, const ResolveCredentials *c, bool probe)
{
        struct statfs sfs;
        int fd = -1, error = 0;
        union {
                struct cmsghdr h;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = { 0 };
        struct iovec iov = { .iov_base = &error, .iov_len = sizeof(error) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (c->change && (c->gid == (gid_t) -1 || c->uid == (uid_t) -1))
                error = EPERM; /* -1 would mean "keep root's" */
        else if (c->change && (setgroups(c->n_groups, c->groups) < 0 || setresgid(c->gid, c->gid, c->gid) < 0 ||
                               setresuid(c->uid, c->uid, c->uid) < 0))
                error = errno;
        else if ((fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                error = errno;
        /* Any answer counts, an error too; only a connection that is gone does not. */
        else if (probe && fstatfs(fd, &sfs) < 0 && errno == ENOTCONN)
                error = ENOTCONN;
        if (error != 0 && fd >= 0)
                fd = -1; /* not sent; it goes with the child */
        if (fd >= 0) {
                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
                cm->cmsg_level = SOL_SOCKET;
                cm->cmsg_type = SCM_RIGHTS;
                cm->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        }
        (void) sendmsg(sock, &mh, MSG_NOSIGNAL);
        _exit(0);
}

/*
 * The child is done or given up on: it goes (SIGKILL through its pidfd: its
 * pid may be another's by now), and the loop's SIGCHLD handler (children.c)
 * reaps it, as it reaps every child nobody watches.
 */
static void finish_child(Resolver *r)
{
        if (r->pid <= 0)
                return;
        (void) syscall(SYS_pidfd_send_signal, r->pidfd, SIGKILL, NULL, 0);
        r->pid = 0;
        r->pidfd = safe_close(r->pidfd);
}

static void answer(Resolver *r, int fd, int error)
{
        ResolveFn fn = r->fn;
        void *userdata = r->userdata;

        r->io_source = sd_event_source_disable_unref(r->io_source);
        r->timer_source = sd_event_source_disable_unref(r->timer_source);
        r->socket_fd = safe_close(r->socket_fd);
        finish_child(r);
        r->fn = NULL;
        if (fn)
                fn(fd, error, userdata); /* may free r */
        else
                safe_close(fd);
}

static int on_answer(sd_event_source *s, int sock, uint32_t revents, void *userdata)
{
        Resolver *r = userdata;
        int error = 0, fd = -1;
        union {
                struct cmsghdr h;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control;
        struct iovec iov = { .iov_base = &error, .iov_len = sizeof(error) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                             .msg_controllen = sizeof(control) };
        ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); n > 0 && cm; cm = CMSG_NXTHDR(&mh, cm))
                if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
                    cm->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        if (n != (ssize_t) sizeof(error))
                error = n < 0 ? errno : EIO; /* the child died without an answer */
        if (error != 0 || fd < 0) {
                safe_close(fd);
                answer(r, -1, -(error ? error : EIO));
        } else
                answer(r, fd, 0);
        return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        answer(userdata, -1, -ETIMEDOUT);
        return 0;
}

static int start(sd_event *e, const char *path, const ResolveCredentials *creds, bool probe, uint64_t timeout_usec,
                 ResolveFn fn, void *userdata, Resolver **ret)
{
        _cleanup_close_pair_ int sv[2] = { -1, -1 };
        Resolver *r;
        int k;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        *r = (Resolver){ .event = e, .pidfd = -1, .socket_fd = -1, .fn = fn, .userdata = userdata };
        int child_sock;
        r->pid = fork_fds(&sv[1], 1, &child_sock);
        if (r->pid < 0) {
                k = -errno;
                free(r);
                return k;
        }
        if (r->pid == 0) {
                child(child_sock, path, creds, probe);
        }
        r->socket_fd = TAKE_FD(sv[0]);
        r->pidfd = (int) syscall(SYS_pidfd_open, r->pid, 0);
        if (r->pidfd < 0) {
                k = -errno;
                (void) kill(r->pid, SIGKILL);
                (void) waitpid(r->pid, NULL, 0);
                r->pid = 0;
                resolver_free(r);
                return k;
        }
        if ((k = sd_event_add_io(e, &r->io_source, r->socket_fd, EPOLLIN, on_answer, r)) < 0 ||
            (k = sd_event_add_time_relative(e, &r->timer_source, CLOCK_MONOTONIC, timeout_usec, 0, on_timeout, r)) <
                    0) {
                resolver_free(r);
                return k;
        }
        *ret = r;
        return 0;
}

int resolver_start(sd_event *e, const char *path, const ResolveCredentials *creds, uint64_t timeout_usec,
                   ResolveFn fn, void *userdata, Resolver **ret)
{
        return start(e, path, creds, false, timeout_usec, fn, userdata, ret);
}

int resolver_probe(sd_event *e, const char *path, const ResolveCredentials *creds, uint64_t timeout_usec,
                   ResolveFn fn, void *userdata, Resolver **ret)
{
        return start(e, path, creds, true, timeout_usec, fn, userdata, ret);
}

Resolver *resolver_free(Resolver *r)
{
        if (!r)
                return NULL;
        r->io_source = sd_event_source_disable_unref(r->io_source);
        r->timer_source = sd_event_source_disable_unref(r->timer_source);
        r->socket_fd = safe_close(r->socket_fd);
        finish_child(r);
        free(r);
        return NULL;
}
