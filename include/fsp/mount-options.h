/* SPDX-License-Identifier: MIT */
/*
 * Mount options: a comma list as "mount -o", an fstab line, "winfsp-net use
 * -o" or a class's MountOptions= give it, split and sorted by what becomes
 * of each option:
 *
 *   generic  ro rw nosuid nodev noexec exec noatime relatime strictatime
 *            nodiratime: attributes of the mount itself (MOUNT_ATTR_*),
 *            applied by the launcher
 *   fuse     allow_other default_permissions max_read=N blksize=N: options
 *            of the FUSE connection, for mounts the launcher makes
 *   dropped  _netdev nofail auto noauto defaults user users owner group
 *            comment x-* X-*: for mount(8) and systemd, never passed on
 *   program  anything else: the file system's own, allowed only when the
 *            class's AcceptOptions= lists it; it reaches the program as %O
 *
 * suid and dev are refused for everyone: the launcher's mounts are always
 * nosuid,nodev. An option is NAME or NAME=VALUE; no option may be empty or
 * hold a control character or invalid UTF-8, and a value cannot hold a
 * comma (a comma always separates). Blanks right after a comma are
 * skipped, so a class can continue a list on an indented line.
 */
#pragma once

#include <fsp/error.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FSP_MOUNT_OPTIONS_MAX 4096 /* bytes in one list */

typedef enum FspMountOptionKind {
        FSP_MOUNT_OPTION_GENERIC,
        FSP_MOUNT_OPTION_FUSE,
        FSP_MOUNT_OPTION_DROPPED,
        FSP_MOUNT_OPTION_PROGRAM,
        FSP_MOUNT_OPTION_REFUSED, /* suid, dev */
        _FSP_MOUNT_OPTION_KIND_MAX,
        _FSP_MOUNT_OPTION_KIND_INVALID = -22,
} FspMountOptionKind;

/* Where an option is taken from decides what it may be. */
typedef enum FspMountOptionsSource {
        FSP_MOUNT_OPTIONS_CALLER,   /* mount -o, winfsp-net use -o: program options need AcceptOptions= */
        FSP_MOUNT_OPTIONS_LAUNCHER, /* a class's MountOptions=: generic and fuse options only */
} FspMountOptionsSource;

typedef enum FspMountAtime {
        FSP_MOUNT_ATIME_UNSET, /* none given: the kernel's default (relatime) */
        FSP_MOUNT_ATIME_RELATIME,
        FSP_MOUNT_ATIME_NOATIME,
        FSP_MOUNT_ATIME_STRICTATIME,
} FspMountAtime;

/*
 * What a list means. attr_set and attr_clear are MOUNT_ATTR_* bits of
 * <linux/mount.h>: attr_set is fsmount(2)'s attr_flags, (attr_set,
 * attr_clear) is what mount_setattr(2) takes. attr_set always has
 * MOUNT_ATTR_NOSUID and MOUNT_ATTR_NODEV. The atime mode is folded in
 * (its MOUNT_ATTR_NOATIME/STRICTATIME value in attr_set, MOUNT_ATTR__ATIME
 * in attr_clear) and also given as atime.
 */
typedef struct FspMountOptions {
        uint64_t attr_set;
        uint64_t attr_clear;
        FspMountAtime atime;
        char **fuse;    /* FUSE connection options as given ("allow_other", "max_read=131072") */
        char **program; /* accepted program options, in order: %O */
        char **dropped; /* options left out, for a note in a log */
} FspMountOptions;

/* The kind of one option ("ro", "max_read=4096", "x-systemd.automount", ...). */
FspMountOptionKind fsp_mount_option_classify(const char *option);

/*
 * Add the options of text (NULL or "" for none) to *o: start from
 * "FspMountOptions o = {}" and call again to add a caller's list after a
 * class's MountOptions= (a later ro/rw, exec/noexec or atime mode wins).
 * accept is the class's AcceptOptions= (NULL: none). -EINVAL names the
 * offending option, with its column in text; *o is then as it was.
 */
int fsp_mount_options_add(FspMountOptions *o, const char *text, char *const *accept,
                          FspMountOptionsSource source, FspError *err);
void fsp_mount_options_done(FspMountOptions *o);

/* The options joined with commas, as %O gives them to a program; "" for none. NULL: no memory. */
char *fsp_mount_options_join(char *const *options);

/*
 * AcceptOptions=: a comma list of program options a caller may pass, NAME
 * (any value, or none) or NAME=VALUE (that value only). Generic, fuse,
 * dropped and refused options are not program options and are refused.
 */
int fsp_accept_options_parse(const char *text, char ***ret, FspError *err);

/* Whether accept (an AcceptOptions= list) lets option through. */
bool fsp_accept_options_match(char *const *accept, const char *option);

#ifdef __cplusplus
}
#endif
