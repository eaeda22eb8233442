/* SPDX-License-Identifier: MIT */
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "log.h"
#include "output.h"

void line_buffer_done(LineBuffer *b)
{
        free(b->data);
        *b = (LineBuffer){ 0 };
}

void output_feed(LineBuffer *b, const char *data, size_t n, LineFn fn, void *userdata)
{
        if (n > 0 && !b->data && !(b->data = malloc(OUTPUT_LINE_MAX)))
                return; /* out of memory: this output is lost, not the launcher */
        for (size_t i = 0; i < n; i++) {
                char c = data[i];
                if (c == '\n' || b->size == OUTPUT_LINE_MAX - 1) {
                        b->data[b->size] = 0;
                        fn(userdata, b->data);
                        b->size = 0;
                        if (c == '\n')
                                continue;
                }
                b->data[b->size++] = c == 0 ? ' ' : c;
        }
}

int output_read_lines(int fd, LineBuffer *b, LineFn fn, void *userdata)
{
        char chunk[16384];
        ssize_t k;

        k = read(fd, chunk, sizeof(chunk));
        if (k < 0)
                return errno == EINTR ? 1 : -errno;
        if (k == 0) {
                if (b->data && b->size > 0) {
                        b->data[b->size] = 0;
                        fn(userdata, b->data);
                        b->size = 0;
                }
                return 0;
        }
        output_feed(b, chunk, (size_t) k, fn, userdata);
        return 1;
}

void last_lines_add(LastLines *l, const char *line)
{
        char *copy = strdup(line);
        if (!copy)
                return;
        free(l->lines[l->next]);
        l->lines[l->next] = copy;
        l->next = (l->next + 1) % OUTPUT_LAST_LINES;
        if (l->count < OUTPUT_LAST_LINES)
                l->count++;
}

char *last_lines_format(const LastLines *l)
{
        size_t n = 1;
        unsigned first = (l->next + OUTPUT_LAST_LINES - l->count) % OUTPUT_LAST_LINES;
        char *s, *p;

        for (unsigned k = 0; k < l->count; k++)
                n += strlen(l->lines[(first + k) % OUTPUT_LAST_LINES]) + 3;
        s = p = malloc(n);
        if (!s)
                return NULL;
        *p = 0;
        for (unsigned k = 0; k < l->count; k++)
                p += sprintf(p, "\n  %s", l->lines[(first + k) % OUTPUT_LAST_LINES]);
        return s;
}

void last_lines_clear(LastLines *l)
{
        for (unsigned k = 0; k < OUTPUT_LAST_LINES; k++) {
                free(l->lines[k]);
                l->lines[k] = NULL;
        }
        l->next = l->count = 0;
}

bool output_journal_available(void)
{
        static int cached = -1;
        if (cached < 0)
                cached = access("/run/systemd/journal/socket", W_OK) == 0;
        return cached;
}

/* A "<N>" prefix sets the priority, as systemd does for services' output. */
static int line_priority(const char **line, bool is_stderr)
{
        const char *s = *line;
        if (s[0] == '<' && s[1] >= '0' && s[1] <= '7' && s[2] == '>') {
                *line = s + 3;
                return s[1] - '0';
        }
        return is_stderr ? LOG_NOTICE : LOG_INFO;
}

static int journal_socket = -1;

/*
 * journald's native protocol, sent as the program: a datagram to its socket
 * with SCM_CREDENTIALS naming the file system's pid, uid and gid (root may
 * name another process), so journald files the line under the program's
 * own pid and unit ("memfs[63]:", journalctl -u of its scope), not the
 * launcher's. The line passed the launcher first, to be screened.
 */
static int journal_send_as(const OutputTarget *t, int priority, const char *line)
{
        static const struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/run/systemd/journal/socket" };
        char head[512];
        struct ucred cred = { .pid = t->pid, .uid = t->uid, .gid = t->gid };
        union {
                struct cmsghdr h;
                uint8_t buf[CMSG_SPACE(sizeof(struct ucred))];
        } control = { 0 };
        struct iovec iov[3];
        struct msghdr mh = { .msg_name = (void *) &sa, .msg_namelen = sizeof(sa), .msg_iov = iov, .msg_iovlen = 3 };
        int n;

        if (journal_socket < 0 &&
            (journal_socket = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
                return -errno;
        n = snprintf(head, sizeof(head),
                     "PRIORITY=%d\nSYSLOG_IDENTIFIER=%s\nSYSLOG_PID=%d\nWINFSP_CLASS=%s\nWINFSP_INSTANCE=%s\n"
                     "OBJECT_PID=%d\n%s%s%sMESSAGE=",
                     priority, t->identifier, (int) t->pid, t->class_name, t->instance, (int) t->pid,
                     t->unit ? "OBJECT_SYSTEMD_UNIT=" : "", strempty(t->unit), t->unit ? "\n" : "");
        if (n < 0 || (size_t) n >= sizeof(head))
                return -ENAMETOOLONG;
        iov[0] = (struct iovec){ .iov_base = head, .iov_len = (size_t) n };
        iov[1] = (struct iovec){ .iov_base = (char *) line, .iov_len = strlen(line) };
        iov[2] = (struct iovec){ .iov_base = (char *) "\n", .iov_len = 1 };
        if (t->pid > 0) {
                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
                cm->cmsg_level = SOL_SOCKET;
                cm->cmsg_type = SCM_CREDENTIALS;
                cm->cmsg_len = CMSG_LEN(sizeof(cred));
                memcpy(CMSG_DATA(cm), &cred, sizeof(cred));
        }
        if (sendmsg(journal_socket, &mh, MSG_NOSIGNAL) >= 0)
                return 0;
        if (errno != EPERM || !mh.msg_control)
                return -errno;
        /* Not allowed to speak for it (the per-user launcher): as itself, then. */
        mh.msg_control = NULL;
        mh.msg_controllen = 0;
        return sendmsg(journal_socket, &mh, MSG_NOSIGNAL) >= 0 ? 0 : -errno;
}

void output_forward_line(const OutputTarget *t, bool is_stderr, const char *line)
{
        int priority = line_priority(&line, is_stderr);
        int r = -ENOENT;

        if (output_journal_available() && journal_send_as(t, priority, line) >= 0)
                return;
        if (output_journal_available()) {
                if (t->unit)
                        r = sd_journal_send("MESSAGE=%s", line, "PRIORITY=%d", priority,
                                            "SYSLOG_IDENTIFIER=%s", t->identifier, "WINFSP_CLASS=%s",
                                            t->class_name, "WINFSP_INSTANCE=%s", t->instance,
                                            "OBJECT_PID=%d", (int) t->pid, "OBJECT_SYSTEMD_UNIT=%s", t->unit,
                                            NULL);
                else
                        r = sd_journal_send("MESSAGE=%s", line, "PRIORITY=%d", priority,
                                            "SYSLOG_IDENTIFIER=%s", t->identifier, "WINFSP_CLASS=%s",
                                            t->class_name, "WINFSP_INSTANCE=%s", t->instance,
                                            "OBJECT_PID=%d", (int) t->pid, NULL);
        }
        if (r < 0)
                fprintf(stderr, "%s/%s[%d]: %s\n", t->class_name, t->instance, (int) t->pid, line);
}
