/* SPDX-License-Identifier: MIT */
/*
 * Messages of winfsp-net and mount.winfsp. Every error reads
 * "winfsp-net: use //memfs/x: why", and the first one decides the exit
 * status, so a function deep down can say what went wrong where it knows,
 * and main() only has to return the code.
 */
#include <fsp/launch.h>
#include <stdarg.h>

#include "macro.h"
#include "net.h"

static const char *program = "winfsp-net";
static char context[512];
static bool verbose;
static NetExit exit_status = NET_EXIT_OK;

void net_log_set_program(const char *name)
{
        program = name;
}

/* The context quotes what the user typed, hostile names included: no control bytes reach the terminal. */
void net_log_set_context(const char *fmt, ...)
{
        char raw[sizeof(context)];
        size_t n = 0;
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(raw, sizeof(raw), fmt, ap);
        va_end(ap);
        for (const unsigned char *p = (const unsigned char *) raw; *p && n + 5 < sizeof(context); p++) {
                if (*p < 0x20 || *p == 0x7f)
                        n += (size_t) snprintf(context + n, sizeof(context) - n, "\\x%02x", *p);
                else
                        context[n++] = (char) *p;
        }
        context[n] = 0;
}

void net_log_set_verbose(bool v)
{
        verbose = v;
}

static void log_line(const char *fmt, va_list ap)
{
        fprintf(stderr, "%s: ", program);
        if (context[0])
                fprintf(stderr, "%s: ", context);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
}

void net_log_verbose(const char *fmt, ...)
{
        va_list ap;

        if (!verbose)
                return;
        va_start(ap, fmt);
        log_line(fmt, ap);
        va_end(ap);
}

void net_log_warning(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_line(fmt, ap);
        va_end(ap);
}

int net_fail(int r, NetExit code, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_line(fmt, ap);
        va_end(ap);
        if (exit_status == NET_EXIT_OK)
                exit_status = code;
        return r < 0 ? r : -EIO;
}

int net_fail_bus(int r, const sd_bus_error *error, const char *what)
{
        NetExit code = (NetExit) fsp_launch_exit_status(r, error);
        const char *why = error && error->message ? error->message : strerror(r < 0 ? -r : EIO);

        if (code == NET_EXIT_NO_LAUNCHER)
                return net_fail(r, code, "%s%scannot reach the launcher: %s", strempty(what), what ? ": " : "",
                                why);
        return net_fail(r, code, "%s%s%s", strempty(what), what ? ": " : "", why);
}

int net_fail_remote_name(int r, const FspError *err)
{
        char buf[1200];

        return net_fail(r, NET_EXIT_INVALID_ARGUMENT, "invalid remote name: %s",
                        fsp_error_format(err, buf, sizeof(buf)));
}

NetExit net_exit_status(void)
{
        return exit_status == NET_EXIT_OK ? NET_EXIT_FAILURE : exit_status;
}
