/* SPDX-License-Identifier: MIT */
/*
 * A request is one SOCK_SEQPACKET message: a Request header, the groups,
 * then the strings (path, argv, envp, the work directory), each ending in
 * NUL, and the descriptors as SCM_RIGHTS in a fixed order (stdin, stdout,
 * stderr, the extra ones, go_fd if any, the exec-error pipe). The answer is
 * an Answer: the pid, or the errno of a fork that failed. The spawner forks
 * with CLONE_PARENT, so the child is the launcher's: its SIGCHLD, its
 * waitid(), its PR_SET_PDEATHSIG; the spawner keeps nothing of it.
 *
 * The spawner runs nothing but this loop. It ends when the launcher closes
 * its end, or dies (PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fork-fds.h"
#include "log.h"
#include "macro.h"
#include "spawner.h"

#define REQUEST_MAX (128 * 1024) /* argv and environment beyond this: the launcher forks itself */
#define ANSWER_TIMEOUT_MS 5000

typedef struct Request {
        uint32_t n_argv, n_envp, n_groups, n_extra_fds;
        uint32_t uid, gid;
        uint64_t nofile_soft;
        uint8_t change_user, die_with_parent, has_go, has_work_directory;
} Request;

typedef struct Answer {
        int32_t pid;
        int32_t error;
} Answer;

static int spawner_fd = -1;
static pid_t spawner;

pid_t spawner_pid(void)
{
        return spawner_fd >= 0 ? spawner : 0;
}

/* ------------------------------------------------------------ the spawner's side */

/* The strings from *s on, n of them, into v (NULL-terminated); -1 if they run past end. */
static int take_strings(char **s, const char *end, uint32_t n, char **v)
{
        for (uint32_t k = 0; k < n; k++) {
                char *z = memchr(*s, 0, (size_t) (end - *s));
                if (!z)
                        return -1;
                v[k] = *s;
                *s = z + 1;
        }
        v[n] = NULL;
        return 0;
}

static int parse(uint8_t *buf, size_t size, const int *fds, size_t n_fds, SpawnParams *p, char ***ret_argv,
                 char ***ret_envp)
{
        Request q;
        size_t at = sizeof(q), want_fds;
        char *s, *end = (char *) buf + size, *path[2], *work_directory[2];

        if (size < sizeof(q))
                return -EBADMSG;
        memcpy(&q, buf, sizeof(q));
        want_fds = 3 + (size_t) q.n_extra_fds + q.has_go + 1;
        if (q.n_extra_fds > SPAWN_EXTRA_FDS_MAX || n_fds != want_fds || q.n_groups > NGROUPS_MAX ||
            q.n_argv > REQUEST_MAX || q.n_envp > REQUEST_MAX || size - at < (size_t) q.n_groups * sizeof(gid_t))
                return -EBADMSG;
        *p = (SpawnParams){
                .change_user = q.change_user,
                .uid = q.uid,
                .gid = q.gid,
                .groups = q.n_groups ? (const gid_t *) (buf + at) : NULL, /* at is a multiple of 8 */
                .n_groups = q.n_groups,
                .n_extra_fds = q.n_extra_fds,
                .die_with_parent = q.die_with_parent,
                .go_fd = q.has_go ? 0 : -1, /* spawn_fds_apply() below */
                .nofile_soft = q.nofile_soft,
        };
        (void) spawn_fds_apply(p, fds); /* and the error pipe last, which serve() takes */
        s = (char *) buf + at + (size_t) q.n_groups * sizeof(gid_t);
        *ret_argv = calloc((size_t) q.n_argv + 1, sizeof(char *));
        *ret_envp = calloc((size_t) q.n_envp + 1, sizeof(char *));
        if (!*ret_argv || !*ret_envp)
                return -ENOMEM;
        if (take_strings(&s, end, 1, path) < 0 || take_strings(&s, end, q.n_argv, *ret_argv) < 0 ||
            take_strings(&s, end, q.n_envp, *ret_envp) < 0 ||
            (q.has_work_directory && take_strings(&s, end, 1, work_directory) < 0))
                return -EBADMSG;
        p->path = path[0];
        p->argv = *ret_argv;
        p->envp = *ret_envp;
        p->work_directory = q.has_work_directory ? work_directory[0] : NULL;
        return 0;
}

_Noreturn static void serve(int sock, pid_t launcher)
{
        static uint64_t buf[REQUEST_MAX / sizeof(uint64_t)];

        for (;;) {
                union {
                        struct cmsghdr h;
                        uint8_t space[CMSG_SPACE(sizeof(int) * SPAWN_FDS_MAX)];
                } control;
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                                     .msg_controllen = sizeof(control) };
                int fds[SPAWN_FDS_MAX];
                size_t n_fds = 0;
                char **argv = NULL, **envp = NULL;
                Answer a = { .pid = -1 };
                SpawnParams p;
                ssize_t n;

                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        _exit(0);
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                                for (size_t k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
                                        int fd;
                                        memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
                                        if (n_fds < SPAWN_FDS_MAX)
                                                fds[n_fds++] = fd;
                                        else
                                                close(fd);
                                }
                a.error = (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ? EBADMSG : 0;
                if (a.error == 0)
                        a.error = -parse((uint8_t *) buf, (size_t) n, fds, n_fds, &p, &argv, &envp);
                if (a.error == 0) {
                        /* CLONE_PARENT: the launcher's child. exit_signal: ours (SIGCHLD), as clone3 wants. */
                        struct clone_args args = { .flags = CLONE_PARENT };
                        pid_t pid = (pid_t) syscall(SYS_clone3, &args, sizeof(args));
                        if (pid == 0)
                                spawn_exec_child(&p, launcher, fds[n_fds - 1]);
                        if (pid < 0)
                                a.error = errno;
                        else
                                a.pid = pid;
                }
                for (size_t k = 0; k < n_fds; k++)
                        close(fds[k]);
                free(argv);
                free(envp);
                while (send(sock, &a, sizeof(a), MSG_NOSIGNAL) < 0 && errno == EINTR)
                        ;
        }
}

int spawner_start(void)
{
        int sv[2];
        pid_t launcher = getpid(), pid;

        if (spawner_fd >= 0)
                return 0;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                int e = errno;
                close(sv[0]);
                close(sv[1]);
                return -e;
        }
        if (pid == 0) {
                /* Nothing of the launcher's but 0-2 and its end of the socket, on 3. */
                if (dup3(sv[1], 3, O_CLOEXEC) < 0 && sv[1] != 3)
                        _exit(1);
                (void) close_range(4, ~0U, 0);
                (void) prctl(PR_SET_NAME, "winfsp-spawner");
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != launcher)
                        _exit(1);
                serve(3, launcher);
        }
        close(sv[1]);
        spawner_fd = sv[0];
        spawner = pid;
        return 0;
}

/* ------------------------------------------------------------ the launcher's side */

static void spawner_gone(const char *why)
{
        log_warning("the spawner (pid %d) %s; starting programs from the launcher itself from now on",
                    (int) spawner, why);
        spawner_fd = safe_close(spawner_fd);
        (void) kill(spawner, SIGKILL); /* the launcher's child: children.c reaps it */
}

static size_t strings_size(char *const *v, uint32_t *ret_n)
{
        size_t size = 0;
        uint32_t n = 0;

        for (; v && v[n]; n++)
                size += strlen(v[n]) + 1;
        *ret_n = n;
        return size;
}

static char *put_string(char *s, const char *v)
{
        size_t n = strlen(v) + 1;
        memcpy(s, v, n);
        return s + n;
}

int spawner_spawn(const SpawnParams *p, int error_fd, pid_t *ret_pid)
{
        Request q = {
                .n_groups = p->change_user ? (uint32_t) p->n_groups : 0,
                .n_extra_fds = (uint32_t) p->n_extra_fds,
                .uid = p->uid,
                .gid = p->gid,
                .nofile_soft = p->nofile_soft,
                .change_user = p->change_user,
                .die_with_parent = p->die_with_parent,
                .has_go = p->go_fd >= 0,
                .has_work_directory = !!p->work_directory,
        };
        int fds[SPAWN_FDS_MAX];
        size_t n_fds, size;
        union {
                struct cmsghdr h;
                uint8_t space[CMSG_SPACE(sizeof(int) * SPAWN_FDS_MAX)];
        } control = { 0 };
        _cleanup_free_ uint8_t *buf = NULL;
        Answer a;
        char *s;
        ssize_t n;

        if (spawner_fd < 0)
                return -ENOTCONN;
        size = sizeof(q) + q.n_groups * sizeof(gid_t) + strlen(p->path) + 1 + strings_size(p->argv, &q.n_argv) +
               strings_size(p->envp, &q.n_envp) + (p->work_directory ? strlen(p->work_directory) + 1 : 0);
        if (size > REQUEST_MAX || p->n_extra_fds > SPAWN_EXTRA_FDS_MAX)
                return -ENOTCONN;
        buf = malloc(size);
        if (!buf)
                return -ENOMEM;
        memcpy(buf, &q, sizeof(q));
        if (q.n_groups)
                memcpy(buf + sizeof(q), p->groups, q.n_groups * sizeof(gid_t));
        s = put_string((char *) buf + sizeof(q) + q.n_groups * sizeof(gid_t), p->path);
        for (uint32_t k = 0; k < q.n_argv; k++)
                s = put_string(s, p->argv[k]);
        for (uint32_t k = 0; k < q.n_envp; k++)
                s = put_string(s, p->envp[k]);
        if (p->work_directory)
                (void) put_string(s, p->work_directory);

        n_fds = spawn_fds_list(p, error_fd, fds);

        struct iovec iov = { .iov_base = buf, .iov_len = size };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                             .msg_controllen = CMSG_SPACE(sizeof(int) * n_fds) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);

        do
                n = sendmsg(spawner_fd, &mh, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
                if (errno == EMSGSIZE || errno == ENOBUFS)
                        return -ENOTCONN; /* this one is too big for the socket: fork in process */
                spawner_gone("cannot be reached");
                return -ENOTCONN; /* nothing was started */
        }
        /* It answers at once; one that does not is broken, and what it did is unknown: this start fails. */
        struct pollfd pfd = { .fd = spawner_fd, .events = POLLIN };
        int k;
        while ((k = poll(&pfd, 1, ANSWER_TIMEOUT_MS)) < 0 && errno == EINTR)
                ;
        if (k <= 0) {
                spawner_gone("did not answer");
                return -ETIMEDOUT;
        }
        do
                n = recv(spawner_fd, &a, sizeof(a), 0);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t) sizeof(a)) {
                spawner_gone("ended");
                return -ECONNRESET; /* it may have forked before it ended: do not start a second one */
        }
        if (a.pid <= 0 && (a.error == ENOSYS || a.error == EPERM)) {
                /* clone3() refused (an old kernel, a seccomp filter): it never will do. */
                spawner_gone("cannot fork with CLONE_PARENT here");
                return -ENOTCONN;
        }
        if (a.pid <= 0)
                return a.error == EBADMSG ? -ENOTCONN : -(a.error > 0 ? a.error : EIO);
        *ret_pid = a.pid;
        return 0;
}
