/* SPDX-License-Identifier: MIT */
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "log.h"
#include "output.h"

void output_feed(LineBuffer *b, const char *data, size_t n, LineFn fn, void *userdata)
{
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
                if (b->size > 0) {
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

void output_forward_line(const OutputTarget *t, bool is_stderr, const char *line)
{
        int priority = line_priority(&line, is_stderr);
        int r = -ENOENT;

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
