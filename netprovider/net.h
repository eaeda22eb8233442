/* SPDX-License-Identifier: MIT */
/*
 * winfsp-net and mount.winfsp: the network provider. One program, two ways
 * in (the winfsp-net verbs and mount(8)'s helper convention), one code path
 * for mounting (net_use()).
 */
#pragma once

#include <fsp/keyring.h>
#include <fsp/launch.h>
#include <fsp/names.h>
#include <fsp/secret.h>
#include <stdbool.h>
#include <systemd/sd-bus.h>

/*
 * Exit codes of winfsp-net, one per failure family: 0..12 are the table the
 * command-line clients share (FSP_EXIT_* in <fsp/launch.h>, as launchctl),
 * 13 and 14 its own. mount.winfsp maps them to mount(8)'s codes (mount.c).
 */
typedef enum NetExit {
        NET_EXIT_OK = FSP_EXIT_OK,
        NET_EXIT_FAILURE = FSP_EXIT_FAILURE,
        NET_EXIT_USAGE = FSP_EXIT_USAGE,
        NET_EXIT_NO_SUCH_CLASS = FSP_EXIT_NO_SUCH_CLASS,
        NET_EXIT_NO_SUCH_INSTANCE = FSP_EXIT_NO_SUCH_INSTANCE,
        NET_EXIT_INSTANCE_EXISTS = FSP_EXIT_INSTANCE_EXISTS,
        NET_EXIT_ACCESS_DENIED = FSP_EXIT_ACCESS_DENIED,
        NET_EXIT_AUTHENTICATION_FAILED = FSP_EXIT_AUTHENTICATION_FAILED,
        NET_EXIT_TIMEOUT = FSP_EXIT_TIMEOUT,
        NET_EXIT_INVALID_ARGUMENT = FSP_EXIT_INVALID_ARGUMENT,
        NET_EXIT_CONFIGURATION_ERROR = FSP_EXIT_CONFIGURATION_ERROR,
        NET_EXIT_START_FAILED = FSP_EXIT_START_FAILED,
        NET_EXIT_NO_LAUNCHER = FSP_EXIT_UNREACHABLE,
        NET_EXIT_NO_PASSWORD = 13,  /* a password was needed and none could be had */
        NET_EXIT_FS_FAILED = 14,    /* --foreground: the file system ended with a failure */
} NetExit;

/* ---- messages (log.c) */

/* "winfsp-net" or "mount.winfsp": the first word of every message. */
void net_log_set_program(const char *name);

/* What is being done, e.g. "use //memfs/x": the second part of every error. */
void net_log_set_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* -v: net_log_verbose() prints; otherwise it is silent. */
void net_log_set_verbose(bool verbose);
void net_log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "program: context: message" on stderr; the run still goes on. */
void net_log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "program: context: message" on stderr, and remember code as the exit
 * status. Returns r (a negative errno) for "return net_fail(r, ...)".
 */
int net_fail(int r, NetExit code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Same, for a failed launcher call: the family and message come from the D-Bus error. */
int net_fail_bus(int r, const sd_bus_error *error, const char *what);

/* Same, for a remote name fsp_remote_name_parse() refused: "invalid remote name: …". */
int net_fail_remote_name(int r, const FspError *err);

/* The exit status for the first failure reported (NET_EXIT_FAILURE if none was). */
NetExit net_exit_status(void);

/* ---- mounting: winfsp-net use and mount.winfsp (use.c) */

typedef struct UseRequest {
        const char *remote;       /* "//class/instance[/more]" as typed */
        const char *mount_point;  /* NULL: choose one under $XDG_RUNTIME_DIR/winfsp */
        char **extra_args;        /* %4 and up; may be NULL */
        const char *user;         /* --username / -o username=; NULL when not given */
        const char *remember;     /* --remember / -o remember=; NULL when not given */
        const char *bus_address;  /* NULL: the system bus */
        const char *mount_options; /* for the launcher (MountOptions): generic and program options; or NULL */
        const char *generic_mount_options; /* with sloppy: only the generic ones of those; or NULL */
        bool password_stdin;
        bool mkdir;               /* create a missing mount point */
        bool foreground;          /* stay until the instance ends (winfsp@.service) */
        bool fake;                /* mount.winfsp -f: everything but the start */
        bool sloppy;              /* mount.winfsp -s: start again without options the class refuses */
        bool mount_helper;        /* mount.winfsp: say nothing on success, hint mount(8)'s options */
} UseRequest;

int net_use(const UseRequest *req);

/* ---- the other verbs (list.c, forget.c) */

int net_list(const char *bus_address, bool json);
int net_delete(const char *target, const char *bus_address);
int net_forget(const char *remote);

/* ---- mount(8)'s way in (mount.c) */

int mount_winfsp_main(int argc, char **argv);

/* ---- small helpers shared by the files here */

static inline void secret_freep(FspSecret **s)
{
        fsp_secret_free(*s);
}
#define _cleanup_secret_ __attribute__((cleanup(secret_freep)))

/* "//…" or "\\…" (as WinFsp users type it): a remote name rather than a path. */
static inline bool net_looks_like_remote(const char *s)
{
        return (s[0] == '/' || s[0] == '\\') && (s[1] == '/' || s[1] == '\\');
}
