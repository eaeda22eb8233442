/* SPDX-License-Identifier: MIT */
/*
 * What the class tests share: parse a text as "test.conf" and check that
 * it loads, or is refused with a given message, collecting the warnings.
 */
#pragma once

#include <fsp/class.h>

#include "macro.h"
#include "test.h"

typedef struct Warnings {
        size_t n;
        unsigned line[16];
        char text[16][512];
} Warnings;

_unused_ static void collect_warning(const FspError *w, void *userdata)
{
        Warnings *ws = userdata;

        if (ws->n < ELEMENTSOF(ws->text)) {
                ws->line[ws->n] = w->line;
                fsp_error_format(w, ws->text[ws->n], sizeof(ws->text[0]));
        }
        ws->n++;
}

_unused_ static int parse_n(const char *text, size_t size, FspClass **ret, FspError *err, Warnings *w)
{
        if (w)
                *w = (Warnings){};
        return fsp_class_parse("test", "test.conf", text, size, ret, err, w ? collect_warning : NULL, w);
}

_unused_ static int parse(const char *text, FspClass **ret, FspError *err, Warnings *w)
{
        return parse_n(text, strlen(text), ret, err, w);
}

_unused_ static char *format(const FspError *e)
{
        static char buf[4096];
        return (char *) fsp_error_format(e, buf, sizeof(buf));
}

/* Parse must succeed; the class is returned. */
_unused_ static FspClass *parse_ok_(const char *file, int line, const char *text, Warnings *w)
{
        FspClass *c = NULL;
        FspError err;

        test_checks++;
        if (parse(text, &c, &err, w) < 0) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: parse: %s\n", file, line, format(&err));
                return NULL;
        }
        return c;
}
#define parse_ok(text, w) parse_ok_(__FILE__, __LINE__, text, w)

/* Parse must fail with this formatted message (prefix match when the expectation ends in '*'). */
_unused_ static void check_refused_(const char *file, int line, const char *text, const char *expected)
{
        FspClass *c = NULL;
        FspError err;
        size_t n = strlen(expected);
        bool prefix = n > 0 && expected[n - 1] == '*';
        int r = parse(text, &c, &err, NULL);

        test_checks++;
        if (r >= 0) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: parse succeeded, expected \"%s\"\n", file, line, expected);
                fsp_class_unref(c);
                return;
        }
        const char *got = format(&err);
        if (r != err.code || (prefix ? strncmp(got, expected, n - 1) != 0 : strcmp(got, expected) != 0)) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: error \"%s\" (%d), expected \"%s\"\n", file, line, got, r,
                        expected);
        }
}
#define check_refused(text, expected) check_refused_(__FILE__, __LINE__, text, expected)

#define HEAD "[Service]\nExecutable=/usr/bin/winfsp-memfs\n"

_unused_ static FspClass *parse_value(const char *key, const char *value)
{
        char text[1024];
        FspClass *c = NULL;
        FspError err;

        snprintf(text, sizeof(text), HEAD "%s=%s\n", key, value);
        if (parse(text, &c, &err, NULL) < 0) {
                fprintf(stderr, "%s=%s: %s\n", key, value, format(&err));
                return NULL;
        }
        return c;
}

/* One key's value: refused, with line 3, the key, the column and the message. */
_unused_ static void check_bad_value_(const char *file, int line, const char *key, const char *value,
                                      unsigned column, const char *msg)
{
        char text[1024];
        FspClass *c = NULL;
        FspError err;
        int r;

        snprintf(text, sizeof(text), HEAD "%s=%s\n", key, value);
        r = parse(text, &c, &err, NULL);
        test_checks++;
        if (r != -EINVAL || err.line != 3 || err.column != column || strcmp(err.key, key) != 0 ||
            strcmp(err.file, "test.conf") != 0 || !strstr(err.text, msg)) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: %s=%s: %d \"%s\", expected 3:%u %s: ...%s...\n", file, line,
                        key, value, r, r < 0 ? format(&err) : "accepted", column, key, msg);
        }
        if (r >= 0)
                fsp_class_unref(c);
}
#define check_bad_value(key, value, column, msg) \
        check_bad_value_(__FILE__, __LINE__, key, value, column, msg)
