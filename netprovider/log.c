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

static NetExit exit_from_launch_error(FspLaunchError e)
{
        switch (e) {
        case FSP_LAUNCH_NO_SUCH_CLASS:
                return NET_EXIT_NO_SUCH_CLASS;
        case FSP_LAUNCH_NO_SUCH_INSTANCE:
                return NET_EXIT_NO_SUCH_INSTANCE;
        case FSP_LAUNCH_INSTANCE_EXISTS:
                return NET_EXIT_INSTANCE_EXISTS;
        case FSP_LAUNCH_ACCESS_DENIED:
                return NET_EXIT_ACCESS_DENIED;
        case FSP_LAUNCH_AUTHENTICATION_FAILED:
                return NET_EXIT_AUTHENTICATION_FAILED;
        case FSP_LAUNCH_TIMEOUT:
                return NET_EXIT_TIMEOUT;
        case FSP_LAUNCH_INVALID_ARGUMENT:
                return NET_EXIT_INVALID_ARGUMENT;
        case FSP_LAUNCH_CONFIGURATION_ERROR:
                return NET_EXIT_CONFIGURATION_ERROR;
        case FSP_LAUNCH_START_FAILED:
                return NET_EXIT_START_FAILED;
        case FSP_LAUNCH_BUS_ERROR:
                return NET_EXIT_NO_LAUNCHER;
        default:
                return NET_EXIT_FAILURE;
        }
}

int net_fail_bus(int r, const sd_bus_error *error, const char *what)
{
        NetExit code = exit_from_launch_error(fsp_launch_error_from_bus(error));
        const char *why = error && error->message ? error->message : strerror(r < 0 ? -r : EIO);

        if (code == NET_EXIT_NO_LAUNCHER)
                return net_fail(r, code, "%s%scannot reach the launcher: %s", strempty(what), what ? ": " : "",
                                why);
        return net_fail(r, code, "%s%s%s", strempty(what), what ? ": " : "", why);
}

NetExit net_exit_status(void)
{
        return exit_status == NET_EXIT_OK ? NET_EXIT_FAILURE : exit_status;
}
