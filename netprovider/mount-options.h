/* SPDX-License-Identifier: MIT */
/*
 * Options from the command line: mount(8)'s calling convention for
 * mount.winfsp,
 *   mount.winfsp SPEC DIR [-sfnvh] [-N NAMESPACE] [-o OPTIONS] [-t TYPE]
 * and the -o lists of mount.winfsp and "winfsp-net use". Pure parsers:
 * argv or text in, a struct or a message out.
 *
 * An -o list is split into our own options (user=, username=, remember,
 * password_stdin, x-mount.mkdir), options for mount(8) and systemd that are
 * never passed on (<fsp/mount-options.h> sorts them), and the rest, which
 * goes to the launcher as the start option MountOptions: generic flags
 * (ro, noexec, ...) it applies to the mount, and the file system's own
 * options, which the class must accept (AcceptOptions=).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct NetOptions {
        char *user;          /* user=NAME, username=NAME */
        char *remember;      /* remember[=never|session|forever]; bare means forever */
        bool password_stdin; /* password_stdin */
        bool mkdir;          /* x-mount.mkdir[=MODE]: create a missing mount point */
        char **passed;       /* for the launcher, in order: generic and program options */
        char **dropped;      /* for mount(8) and systemd: never passed on */
} NetOptions;

/*
 * Where a list comes from: mount(8) adds suid and dev for the permission
 * word user=NAME, which is also our user name option, and every launcher
 * mount is nosuid,nodev anyway: from mount(8) they are dropped; typed for
 * winfsp-net they reach the launcher, which refuses them.
 */
typedef enum NetOptionsFrom {
        NET_OPTIONS_FROM_MOUNT,
        NET_OPTIONS_FROM_NET,
} NetOptionsFrom;

/*
 * Add the options of one -o list (comma separated; a value in "…" may hold
 * a comma) to *o. -EINVAL with a message in error (n bytes).
 */
int net_options_parse(const char *text, NetOptionsFrom from, NetOptions *o, char *error, size_t n);

/* o->passed joined with commas, for MountOptions; NULL when there are none (or no memory: errno). */
char *net_options_passed(const NetOptions *o);

/* The same, only the generic ones (ro, noexec, ...): what mount -s keeps when the class refuses the rest. */
char *net_options_generic(const NetOptions *o);

void net_options_done(NetOptions *o);

typedef struct MountArgs {
        char *spec;           /* //class/instance */
        char *dir;            /* the mount point */
        char *type;           /* -t, or NULL */
        char *namespace;      /* -N, or NULL */
        bool sloppy;          /* -s: options the class refuses are left out */
        bool fake;            /* -f: everything but the mount */
        bool no_mtab;         /* -n: we never write mtab anyway */
        bool verbose;         /* -v */
        bool help;            /* -h, --help */
        NetOptions options;   /* from -o */
} MountArgs;

/* -EINVAL with a message in error (n bytes) for a bad command line. */
int mount_args_parse(int argc, char *const *argv, MountArgs *ret, char *error, size_t n);

void mount_args_done(MountArgs *args);
