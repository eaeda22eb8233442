/* SPDX-License-Identifier: MIT */
/*
 * mount(8)'s calling convention for mount.winfsp:
 *   mount.winfsp SPEC DIR [-sfnvh] [-N NAMESPACE] [-o OPTIONS] [-t TYPE]
 * and its -o list. A pure parser: argv in, a struct or a message out.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct MountArgs {
        char *spec;           /* //class/instance */
        char *dir;            /* the mount point */
        char *type;           /* -t, or NULL */
        char *namespace;      /* -N, or NULL */
        bool sloppy;          /* -s: unknown options are ignored */
        bool fake;            /* -f: everything but the mount */
        bool no_mtab;         /* -n: we never write mtab anyway */
        bool verbose;         /* -v */
        bool help;            /* -h, --help */
        /* from -o */
        char *user;           /* user=NAME */
        char *remember;       /* remember[=never|session|forever]; bare means forever */
        bool password_stdin;  /* password_stdin */
        char **ignored;       /* accepted and without effect (mount(8) and fstab words) */
        char **unknown;       /* not understood: an error unless -s */
} MountArgs;

/* -EINVAL with a message in error (n bytes) for a bad command line. */
int mount_args_parse(int argc, char *const *argv, MountArgs *ret, char *error, size_t n);

/* Add the options of one -o list (comma separated, "…" quotes a comma) to args. */
int mount_options_parse(const char *text, MountArgs *args, char *error, size_t n);

void mount_args_done(MountArgs *args);
