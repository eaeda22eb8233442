/* SPDX-License-Identifier: MIT */
/*
 * What an instance writes on stdout and stderr: cut into lines, the last
 * few kept for error messages ("its last words"), each line passed on to
 * the journal (identifier = class) or, where there is no journal, to the
 * launcher's own stderr.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OUTPUT_LINE_MAX   2048
#define OUTPUT_LAST_LINES 10

/* A partial line; the buffer is allocated with its first byte (most instances say little). */
typedef struct LineBuffer {
        char *data; /* OUTPUT_LINE_MAX bytes, or NULL */
        size_t size;
} LineBuffer;

void line_buffer_done(LineBuffer *b);

typedef void (*LineFn)(void *userdata, const char *line);

/* Cut data into lines; a partial line stays in b. */
void output_feed(LineBuffer *b, const char *data, size_t n, LineFn fn, void *userdata);

/*
 * Read what fd has now and call fn per complete line (over-long lines are
 * cut into pieces). Returns 1 after reading something, 0 at end of file
 * (after flushing a last partial line), -EAGAIN when nothing is there yet,
 * other -errno on error.
 */
int output_read_lines(int fd, LineBuffer *b, LineFn fn, void *userdata);

typedef struct LastLines {
        char *lines[OUTPUT_LAST_LINES];
        unsigned next, count;
} LastLines;

void last_lines_add(LastLines *l, const char *line);
/* "\n  line1\n  line2…", or "" when there are none. Caller frees. */
char *last_lines_format(const LastLines *l);
void last_lines_clear(LastLines *l);

/* Where an instance's output goes. */
typedef struct OutputTarget {
        const char *identifier; /* SYSLOG_IDENTIFIER: the class */
        const char *class_name;
        const char *instance;
        pid_t pid;
        const char *unit; /* systemd unit the instance belongs to, or NULL */
        uid_t uid;        /* the program's user and group (as whom journald files the line) */
        gid_t gid;
} OutputTarget;

void output_forward_line(const OutputTarget *t, bool is_stderr, const char *line);

/* Whether journald's socket is there; decided once. */
bool output_journal_available(void);
