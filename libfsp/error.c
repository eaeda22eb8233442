/* SPDX-License-Identifier: MIT */
/*
 * Positioned errors: every parser reports where (file, line, column, key)
 * and what, and one formatter renders that the same way everywhere.
 */
#include <fsp/error.h>
#include <stdio.h>

#include "macro.h"

void fsp_error_clear(FspError *e)
{
        if (e)
                *e = (FspError){};
}

int fsp_error_setv(FspError *e, int code, unsigned line, unsigned column, const char *fmt, va_list ap)
{
        if (code > 0)
                code = -code;
        if (!e)
                return code;

        fsp_error_clear(e);
        e->code = code;
        e->line = line;
        e->column = column;
        if (fmt)
                (void) vsnprintf(e->text, sizeof(e->text), fmt, ap);
        return code;
}

int fsp_error_set(FspError *e, int code, unsigned line, unsigned column, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = fsp_error_setv(e, code, line, column, fmt, ap);
        va_end(ap);
        return r;
}

/* "file:12:7: ", "file: column 7: ", "line 12, column 7: ", "column 7: " or "". */
static void format_location(const FspError *e, char *buf, size_t n)
{
        if (e->file[0] && e->line && e->column)
                snprintf(buf, n, "%s:%u:%u: ", e->file, e->line, e->column);
        else if (e->file[0] && e->line)
                snprintf(buf, n, "%s:%u: ", e->file, e->line);
        else if (e->file[0] && e->column)
                snprintf(buf, n, "%s: column %u: ", e->file, e->column);
        else if (e->file[0])
                snprintf(buf, n, "%s: ", e->file);
        else if (e->line && e->column)
                snprintf(buf, n, "line %u, column %u: ", e->line, e->column);
        else if (e->line)
                snprintf(buf, n, "line %u: ", e->line);
        else if (e->column)
                snprintf(buf, n, "column %u: ", e->column);
        else if (n > 0)
                buf[0] = 0;
}

const char *fsp_error_format(const FspError *e, char *buf, size_t n)
{
        char location[PATH_MAX + 64];
        const char *text;

        if (!buf || n == 0)
                return buf;
        if (!e) {
                buf[0] = 0;
                return buf;
        }

        format_location(e, location, sizeof(location));
        text = e->text[0] ? e->text : e->code < 0 ? strerror(-e->code) : "";
        snprintf(buf, n, "%s%s%s%s", location, e->key, e->key[0] ? ": " : "", text);
        return buf;
}
