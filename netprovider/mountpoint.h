/* SPDX-License-Identifier: MIT */
/*
 * Where a remote is mounted: the directory the user named, made absolute
 * and canonical (that string is %2), or one chosen for it the way udisks
 * and GVfs do, under $XDG_RUNTIME_DIR/winfsp (root without one:
 * /run/winfsp, where winfsp@.service mounts too).
 */
#pragma once

#include <fsp/names.h>
#include <stdbool.h>

/*
 * systemd's path escaping of "class/instance" ("//memfs/share" gives
 * "memfs-share", "//memfs" gives "memfs"): the default mount point's name,
 * the same name winfsp@.service uses. -ENAMETOOLONG past NAME_MAX.
 */
int mount_point_escape(const FspRemoteName *remote, char **ret);

/*
 * The canonical mount point for remote. given NULL chooses (and creates)
 * the default one; create makes a missing given one (and its parents).
 * It must be a directory; a caller other than root must own it (the
 * launcher checks again: it is the authority). Failures are reported.
 */
int mount_point_resolve(const char *given, const FspRemoteName *remote, bool create, char **ret);

/* The canonical form of path for comparisons, even when it cannot be resolved (a dead mount). */
int mount_point_canonical(const char *path, char **ret);
