/* SPDX-License-Identifier: MIT */
/*
 * Mounts handled by file descriptor, never by a path looked up twice: a
 * FUSE connection mounted detached with the kernel's mount API (fsopen,
 * fsconfig, fsmount), moved onto a directory that was opened and checked
 * before (move_mount), given attributes (mount_setattr) and detached again
 * through the fd that names it. Root (CAP_SYS_ADMIN) only. What the
 * launcher and mount.winfsp share.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct FspFuseMountParams {
        const char *source;  /* the mount's source, e.g. "//memfs/share" */
        const char *subtype; /* type "fuse.<subtype>"; NULL: "fuse" */
        uid_t user_id;       /* who may use it without allow_other: the file system's user */
        gid_t group_id;
        bool allow_other;
        bool default_permissions;
        unsigned max_read; /* 0: the kernel's default */
        unsigned blksize;  /* 0: the kernel's default */
        uint64_t attr_set; /* MOUNT_ATTR_* for fsmount(); MOUNT_ATTR_NOSUID|NODEV are always set */
} FspFuseMountParams;

/*
 * Open /dev/fuse and mount it nowhere yet. On success *ret_fuse_fd is the
 * connection (for the file system) and *ret_mount_fd the detached mount
 * (closing it before it is moved anywhere makes the mount go away). On
 * failure a sentence saying what failed is in error (n bytes).
 */
int fsp_fuse_mount_detached(const FspFuseMountParams *p, int *ret_fuse_fd, int *ret_mount_fd, char *error,
                            size_t n);

/* Put the mount from_fd names (a detached mount, or the root of an attached one) on the directory to_fd names. */
int fsp_mount_move(int from_fd, int to_fd);

/* Put the mount from_fd names on path, on top of what is there (an automount trigger). */
int fsp_mount_move_to_path(int from_fd, const char *path);

/* Change the attributes (MOUNT_ATTR_RDONLY, _NOEXEC, ...) of the mount fd names. */
int fsp_mount_setattr(int fd, uint64_t attr_set, uint64_t attr_clr);

/*
 * Detach (lazily) the mount whose root fd names, and what is mounted on
 * it: found through the fd, never through a path. -EINVAL when fd does
 * not name the root of an attached mount (already gone).
 */
int fsp_mount_detach(int fd);

/*
 * The mount an fd is on, from /proc/self/fdinfo and /proc/self/mountinfo:
 * nothing is asked of the file system (a FUSE mount without allow_other
 * refuses even root a stat). id is mountinfo's mount ID; found is false for
 * a mount that is not attached (fsmount) or not in this namespace.
 */
typedef struct FspMountIdentity {
        int id;
        int parent_id;
        bool found;
        bool fuse; /* fuse, fuse.*, fuseblk */
} FspMountIdentity;

int fsp_mount_identify(int fd, FspMountIdentity *ret);

/*
 * Detach the mount numbered id that sits at path, after checking on the fd
 * that path now leads to it (mounts stacked on it, which would go with it,
 * are detached first). path is looked up from the dentry cache only, without
 * following symlinks and without asking a file system anything, so it can
 * neither block nor be steered: 1 detached, 0 it is not there (gone
 * already, or path leads elsewhere), -EAGAIN when path is not all in the
 * cache (open it another way and use fsp_mount_detach_id_at()).
 */
int fsp_mount_detach_id(const char *path, int id);

/* The same, path already opened (O_PATH) as fd. */
int fsp_mount_detach_id_at(int fd, int id);

#ifdef __cplusplus
}
#endif
