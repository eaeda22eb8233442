/* SPDX-License-Identifier: MIT */
/*
 * libfsp-fuse: what turns a libfuse3 low-level file system into a service
 * the winfsp launcher (or systemd, Type=notify) can supervise.
 *
 * It gives every such file system the same WinFsp-style options
 * (-u PREFIX, -m MOUNTPOINT, -d, -o OPT, -h, -V), mounts, reports
 * READY=1 and STATUS= on $NOTIFY_SOCKET once the mount is in place, runs
 * the multi-threaded loop, unmounts cleanly on SIGTERM, SIGINT or SIGHUP,
 * and speaks the launcher's credentials handshake on stdin/stdout.
 *
 * The usual shape of a file system's main():
 *
 *     fsp_fuse_options_parse(argc, argv, my_opts, &my_conf, my_proc, NULL, &o);
 *     if (o->show_help) ...print usage and fsp_fuse_print_help()...
 *     (optional) fsp_credentials_read(), check, fsp_credentials_accept()
 *     fsp_fuse_mount(o, &my_ops, sizeof(my_ops), &my_fs, &se);
 *     return fsp_fuse_run(o, se) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
 *
 * Functions return 0 (or a positive value) on success and a negative
 * errno on failure; they print nothing unless said so.
 */
#pragma once

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 312
#endif

#include <fuse_lowlevel.h>
#include <fuse_opt.h>
#include <stdbool.h>
#include <stdio.h>

#include <fsp/secret.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Option keys from this value up belong to the library; a file system's own keys stay below. */
#define FSP_FUSE_OPT_KEY_RESERVED 0x46535000

typedef struct FspFuseOptions {
        char *volume_prefix; /* -u PREFIX: the mount source (fsname), e.g. "//memfs/share"; NULL if absent */
        char *mountpoint;    /* -m MOUNTPOINT, or the single positional argument; NULL if absent */
        bool debug;          /* -d: libfuse's request trace on stderr */
        bool show_help;      /* -h, --help: the caller prints its usage and fsp_fuse_print_help() */
        bool show_version;   /* -V, --version: the caller prints its version */
        /* The loop's threads: 0 keeps libfuse's default. A file system may preset them before
         * parsing; -o max_threads=N, -o max_idle_threads=N and -o clone_fd override. */
        unsigned max_threads;
        unsigned max_idle_threads;
        bool clone_fd;
        struct fuse_args args; /* what fuse_session_new() receives: argv[0] and the -o options */
        /* -o no_follow_caller: do not move a thread serving a metadata request to the caller's CPU
         * (see fsp_fuse_run()); -o follow_caller (the default) undoes it. */
        bool no_follow_caller;
} FspFuseOptions;

/*
 * Parse argv: the standard options above together with the file system's
 * own fuse_opt table (fs_opts, may be NULL) that stores into fs_data.
 * fs_proc, if not NULL, receives only the keys of fs_opts. An unknown
 * option or a stray argument prints "PROG: ..." on stderr and returns
 * -EINVAL. defaults, if not NULL, presets max_threads, max_idle_threads
 * and clone_fd.
 */
int fsp_fuse_options_parse(int argc, char *argv[], const struct fuse_opt *fs_opts, void *fs_data,
                           fuse_opt_proc_t fs_proc, const FspFuseOptions *defaults, FspFuseOptions **ret);

/* Add a FUSE mount option such as "allow_other" or "subtype=memfs" (commas escaped). */
int fsp_fuse_options_add(FspFuseOptions *o, const char *option);

FspFuseOptions *fsp_fuse_options_free(FspFuseOptions *o);

/* The standard options, one per line, for a file system's --help. */
void fsp_fuse_print_help(FILE *f);

/*
 * Whether a mount point is "/dev/fd/N": a FUSE connection already mounted by
 * whoever started the file system (mount.winfsp answering an automount, via
 * the launcher). There is no directory to look at then.
 */
bool fsp_fuse_mountpoint_is_fd(const char *mountpoint);

/*
 * Create the low-level session and mount it at o->mountpoint. The
 * -o options that tune the connection (max_write=, writeback_cache,
 * no_writeback_cache, splice_read, readdirplus=, ...: see libfuse's
 * fuse_parse_conn_info_opts) are applied after ops->init, so a user can
 * override what the file system asks for. SIGTERM, SIGINT and SIGHUP stop
 * the loop from now on. Errors are printed on stderr.
 */
int fsp_fuse_mount(FspFuseOptions *o, const struct fuse_lowlevel_ops *ops, size_t ops_size, void *userdata,
                   struct fuse_session **ret);

/*
 * Tell $NOTIFY_SOCKET "READY=1" and "STATUS=Mounted SOURCE on MOUNTPOINT",
 * serve requests on several threads until a stop signal or an unmount,
 * send "STOPPING=1", unmount (lazily, so open files do not keep a stale
 * mount) and destroy the session. Returns 0 after a clean stop.
 *
 * A thread that serves a caller's metadata requests (or its small reads)
 * moves to the CPU that caller last ran on, unless -o no_follow_caller:
 * a round trip between two threads on one CPU costs a fraction of two
 * wake-ups of an idle CPU (see libfsp-fuse(3)).
 */
int fsp_fuse_run(FspFuseOptions *o, struct fuse_session *se);

/*
 * FUSE_HANDLE_KILLPRIV_V2, which the kernel offers but libfuse 3.14 can
 * neither ask for nor pass on (libfsp-fuse does both on the device). With
 * it, the file system clears set-user-ID, and set-group-ID when the group
 * may execute, itself: on a write, a truncate or an open(O_TRUNC) by a
 * caller without CAP_FSETID, and on chown. In return the kernel no longer
 * asks for security.capability (one GETXATTR round trip) before every
 * write(2); it still removes that attribute itself, with REMOVEXATTR.
 *
 * fsp_fuse_want_killpriv_v2(): call from the init() operation. True if the
 * kernel offers it; it is then asked for in the reply, and the file system
 * must keep its side of the bargain.
 *
 * fsp_fuse_req_kill_suidgid(): in a write, open or create handler, on the
 * handler's own thread before it returns: 1 if the kernel asks this
 * request to clear the bits (FUSE_WRITE_KILL_SUIDGID,
 * FUSE_OPEN_KILL_SUIDGID: the caller lacks CAP_FSETID), 0 if not, and
 * -ENODATA if the request is not one of those or cannot be seen.
 */
bool fsp_fuse_want_killpriv_v2(struct fuse_conn_info *conn);
int fsp_fuse_req_kill_suidgid(fuse_req_t req);

/*
 * Whether the caller of req holds capability cap (CAP_FSETID, ...) in its
 * effective set, read from /proc while it waits for the reply: 1 or 0, or
 * a negative errno if it cannot be told (-ESRCH: the caller is outside
 * our pid namespace, or /proc does not show the file-system uid and gid
 * the request carries, as when the kernel lent the call other
 * credentials). A caller in another user namespace counts as not holding
 * it, as the kernel's capable() would. For the requests that carry no
 * flag of their own (fallocate, copy_file_range); it costs a few system
 * calls, so ask only when the answer matters.
 */
int fsp_fuse_req_capable(fuse_req_t req, int cap);

/*
 * The credentials handshake (WinFsp's protocol): the launcher writes the
 * password, UTF-8 without a newline, to stdin and closes it, then waits
 * for one line on stdout: "OK" to go on, anything else is a refusal.
 *
 * fsp_credentials_read() reads stdin to end of file into locked memory.
 * More than FSP_SECRET_MAX (4 KiB) is -EMSGSIZE, never truncated; no end
 * of file within timeout_usec (0 = wait forever) is -ETIMEDOUT.
 */
int fsp_credentials_read(unsigned long long timeout_usec, FspSecret **ret);

/* Wipe and free a secret from fsp_credentials_read(); returns NULL. */
FspSecret *fsp_credentials_free(FspSecret *s);

/* Write "OK\n" on stdout and flush it. Mount only after this. */
int fsp_credentials_accept(void);

/* Write "NO <reason>\n" on stdout. The reason is one line for people; never put the secret in it. */
int fsp_credentials_refuse(const char *reason);

#ifdef __cplusplus
}
#endif
