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
 * The default mount point's name for remote, which winfsp@.service uses too:
 * "memfs" for //memfs, "memfs:share" for //memfs/share, "memfs:a:b" for
 * //memfs/a/b; a ':' or '%' of the instance is written "%3A" or "%25".
 * Different remote names get different names, all in one directory, so no
 * default mount point is inside another. -ENAMETOOLONG past NAME_MAX.
 */
int mount_point_name(const FspRemoteName *remote, char **ret);

/*
 * The canonical mount point for remote. given NULL or "" chooses (and
 * creates) the default one; create makes a missing given one (and its parents).
 * It must be a directory; a caller other than root must own it (the
 * launcher checks again: it is the authority). Failures are reported; a
 * missing one with mkdir_hint, what the caller would type to create it.
 */
int mount_point_resolve(const char *given, const FspRemoteName *remote, bool create, const char *mkdir_hint,
                        char **ret);

/* The canonical form of path for comparisons, even when it cannot be resolved (a dead mount). */
int mount_point_canonical(const char *path, char **ret);
