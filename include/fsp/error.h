/* SPDX-License-Identifier: MIT */
/*
 * Where a parser found a problem: the file, line and column, and a sentence a
 * person understands. Every libfsp parser fills one of these on failure, so
 * callers can print "memfs.conf:4:10: Security: unknown right 'XX'".
 */
#pragma once

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct FspError {
        int code;            /* negative errno of the failure, 0 when unset */
        unsigned line;       /* 1-based; 0 when not tied to a line */
        unsigned column;     /* 1-based byte column; 0 when not tied to a column */
        char file[PATH_MAX]; /* file name, or "" */
        char key[64];        /* INI key concerned, or "" */
        char text[1024];     /* what was wrong, without the location */
} FspError;

/* Reset to "no error". */
void fsp_error_clear(FspError *e);

/* Fill e (if not NULL) and return code (a negative errno) for "return fsp_error_set(...)". */
int fsp_error_set(FspError *e, int code, unsigned line, unsigned column, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
int fsp_error_setv(FspError *e, int code, unsigned line, unsigned column, const char *fmt, va_list ap)
        __attribute__((format(printf, 5, 0)));

/*
 * "file:line:column: key: text", leaving out the parts that are unset.
 * Writes at most n bytes including the NUL and returns buf.
 */
const char *fsp_error_format(const FspError *e, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
