/* SPDX-License-Identifier: MIT */
/*
 * Answering an automount. While systemd's automount at a path waits for its
 * mount, every lookup of that path by a process outside systemd's process
 * group (autofs's "oz mode") waits in the kernel until the mount is done.
 * mount.winfsp runs in that group, the launcher and the file system do not:
 * so mount.winfsp makes the FUSE mount itself and hands the connection over
 * (the launcher's FuseFd start option); nobody else looks at the path.
 *
 * The mount is made detached (fsopen, fsmount) and put at the path
 * (move_mount) only once the file system is ready. A start that fails leaves
 * nothing at the path, and the launcher, which detaches by path any FUSE
 * mount a failed instance left at its mount point, finds none there: by
 * path it would wait on the very automount this start answers.
 */
#pragma once

#include <stdint.h>

/* 1 when the topmost mount at path (canonical) is autofs, an automount trigger; 0 if not; -errno. */
int automount_is_trigger(const char *path);

typedef struct FuseMount {
        int fuse_fd;  /* /dev/fuse, the connection */
        int mount_fd; /* the detached mount (fsmount), until it is attached */
} FuseMount;

#define FUSE_MOUNT_INIT ((FuseMount){ .fuse_fd = -1, .mount_fd = -1 })

/*
 * Open /dev/fuse and mount it nowhere yet: file system type fuse.<subtype>,
 * the given source, allow_other and default_permissions, nosuid and nodev
 * and the caller's generic flags (attr_set, MOUNT_ATTR_*), owned by the
 * calling user. Root only. On failure, a sentence saying what failed is in
 * error (n bytes).
 */
int fuse_mount_new_detached(const char *source, const char *subtype, uint64_t attr_set, FuseMount *ret,
                            char *error, size_t n);

/* Put the mount at path, on top of what is there (the autofs trigger). */
int fuse_mount_attach(FuseMount *m, const char *path);

/* Close both fds; a mount never attached goes away with its fd. */
void fuse_mount_done(FuseMount *m);
