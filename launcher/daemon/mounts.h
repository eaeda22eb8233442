/* SPDX-License-Identifier: MIT */
/*
 * Mounts, as /proc/self/mountinfo shows them: readiness ("a new mount
 * appeared at the instance's MountPoint") and clean-up ("a FUSE mount was
 * left behind there").
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define MOUNT_IDS_MAX 8

/* The mounts stacked at one path, remembered before an instance starts. */
typedef struct MountSnapshot {
        int ids[MOUNT_IDS_MAX];
        size_t count;
} MountSnapshot;

int mount_snapshot(const char *path, MountSnapshot *ret);

/* A mount at path that is not in before. ret_fstype may be NULL. 1 found, 0 not, -errno. */
int mount_find_new(const char *path, const MountSnapshot *before, char **ret_fstype);

/*
 * A FUSE mount at path that is not in before, mounted on parent_id (-1:
 * on anything): 1 and *ret_id, 0 none, -errno.
 */
int mount_find_new_fuse(const char *path, const MountSnapshot *before, int parent_id, int *ret_id);

/* Whether any mount sits exactly at path. */
int mount_is_mountpoint(const char *path);

/*
 * Detach FUSE mounts from the top of the stack at path while they are not in
 * before (NULL: any); a mount of another type stops it. Returns how many.
 */
int mount_detach_fuse(const char *path, const MountSnapshot *before);
