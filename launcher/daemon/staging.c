/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fsp/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "staging.h"

static int mount_id_of(const char *path, int *ret)
{
        _cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        FspMountIdentity mid;
        int r = fd < 0 ? -errno : fsp_mount_identify(fd, &mid);

        if (r >= 0)
                *ret = mid.id;
        return r;
}

/* Detach and remove what is left in dir from an earlier launcher. */
static void sweep(const char *dir)
{
        DIR *d = opendir(dir);

        for (struct dirent *de; d && (de = readdir(d));) {
                _cleanup_free_ char *path = NULL;
                if (de->d_name[0] == '.' || asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        continue;
                for (int k = 0; k < 16 && umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) >= 0; k++)
                        ;
                (void) rmdir(path);
        }
        if (d)
                closedir(d);
}

int staging_setup(const char *state_dir, char **ret_dir, int *ret_mount_id)
{
        _cleanup_free_ char *dir = NULL;
        struct stat st;
        int id, parent_id, r;

        if (asprintf(&dir, "%s/staging", state_dir) < 0)
                return -ENOMEM;
        (void) mkdir(state_dir, 0755);
        if (mkdir(dir, 0711) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create %s: %m", dir);
        if (lstat(dir, &st) < 0)
                return log_error_errno(errno, "Failed to look at %s: %m", dir);
        if (!S_ISDIR(st.st_mode) || st.st_uid != 0)
                return log_error_errno(-EPERM, "%s is not a directory owned by root", dir);
        if ((st.st_mode & 07777) != 0711 && chmod(dir, 0711) < 0)
                return log_error_errno(errno, "Failed to make %s mode 0711: %m", dir);
        /*
         * A mount of its own with private propagation: a mount under a shared
         * one (systemd makes / shared) cannot be moved, and what programs mount
         * here is nobody else's business until it is moved. A previous
         * launcher may have made it already.
         */
        r = mount_id_of(dir, &id);
        if (r >= 0 && mount_id_of(state_dir, &parent_id) >= 0 && id == parent_id &&
            mount(dir, dir, NULL, MS_BIND, NULL) < 0)
                r = -errno;
        if (r >= 0 && mount(NULL, dir, NULL, MS_PRIVATE, NULL) < 0)
                r = -errno;
        if (r >= 0)
                r = mount_id_of(dir, &id);
        if (r < 0)
                return log_error_errno(r, "Failed to make %s a private mount: %m", dir);
        sweep(dir);
        *ret_dir = TAKE_PTR(dir);
        *ret_mount_id = id;
        return 0;
}

void staging_teardown(const char *state_dir, const char *staging_dir)
{
        _cleanup_free_ char *mounts = NULL;

        if (!staging_dir)
                return;
        (void) umount2(staging_dir, MNT_DETACH | UMOUNT_NOFOLLOW);
        (void) rmdir(staging_dir);
        if (asprintf(&mounts, "%s/mounts", state_dir) >= 0)
                (void) rmdir(mounts); /* only when no mount record is left */
        (void) rmdir(state_dir);
}
