/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <fsp/mount.h>
#include <stdarg.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include "macro.h"

_printf_(3, 4) static void say(char *error, size_t n, const char *fmt, ...)
{
        va_list ap;

        if (n == 0)
                return;
        va_start(ap, fmt);
        vsnprintf(error, n, fmt, ap);
        va_end(ap);
}

/* The messages a file-system context logged ("e fuse: ..."), for an error that says more than errno. */
static void context_message(int fsfd, char *buf, size_t n)
{
        ssize_t k = read(fsfd, buf, n - 1);

        buf[k > 0 ? k : 0] = 0;
        if (k > 0 && buf[k - 1] == '\n')
                buf[k - 1] = 0;
}

/* Set one parameter; value NULL sets a flag. */
static int set_param(int fsfd, const char *key, const char *value, char *error, size_t n)
{
        char why[256];
        int r;

        if (fsconfig(fsfd, value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, key, value, 0) == 0)
                return 0;
        r = -errno;
        context_message(fsfd, why, sizeof(why));
        say(error, n, "the FUSE mount refused %s%s%s: %s%s%s", key, value ? "=" : "", strempty(value),
            strerror(-r), why[0] ? ": " : "", why);
        return r;
}

static int configure(int fsfd, int fuse_fd, const FspFuseMountParams *p, char *error, size_t n)
{
        char fd[16], uid[16], gid[16], max_read[16], blksize[16];
        const struct {
                const char *key, *value; /* value NULL: a flag */
                bool wanted;
        } params[] = {
                { "source", p->source, p->source },
                { "subtype", p->subtype, p->subtype },
                { "fd", fd, true },
                { "rootmode", "40000", true }, /* octal S_IFDIR: the root is a directory */
                { "user_id", uid, true },
                { "group_id", gid, true },
                { "allow_other", NULL, p->allow_other },
                { "default_permissions", NULL, p->default_permissions },
                { "max_read", max_read, p->max_read > 0 },
                { "blksize", blksize, p->blksize > 0 },
        };
        int r;

        snprintf(fd, sizeof(fd), "%d", fuse_fd);
        snprintf(uid, sizeof(uid), "%u", (unsigned) p->user_id);
        snprintf(gid, sizeof(gid), "%u", (unsigned) p->group_id);
        snprintf(max_read, sizeof(max_read), "%u", p->max_read);
        snprintf(blksize, sizeof(blksize), "%u", p->blksize);
        for (size_t i = 0; i < ELEMENTSOF(params); i++) {
                if (!params[i].wanted)
                        continue;
                r = set_param(fsfd, params[i].key, params[i].value, error, n);
                if (r < 0)
                        return r;
        }
        return 0;
}

int fsp_fuse_mount_detached(const FspFuseMountParams *p, int *ret_fuse_fd, int *ret_mount_fd, char *error,
                            size_t n)
{
        _cleanup_close_ int fuse_fd = -1, fsfd = -1, mount_fd = -1;
        char why[256];
        int r;

        fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fuse_fd < 0) {
                r = -errno;
                say(error, n, "cannot open /dev/fuse: %s", strerror(-r));
                return r;
        }
        fsfd = fsopen("fuse", FSOPEN_CLOEXEC);
        if (fsfd < 0) {
                r = -errno;
                say(error, n, "cannot create a FUSE mount (fsopen): %s", strerror(-r));
                return r;
        }
        r = configure(fsfd, fuse_fd, p, error, n);
        if (r < 0)
                return r;
        if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
                r = -errno;
                context_message(fsfd, why, sizeof(why));
                say(error, n, "cannot create the FUSE file system: %s%s%s", strerror(-r), why[0] ? ": " : "",
                    why);
                return r;
        }
        mount_fd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned) p->attr_set | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (mount_fd < 0) {
                r = -errno;
                say(error, n, "cannot make the FUSE mount (fsmount): %s", strerror(-r));
                return r;
        }
        *ret_fuse_fd = TAKE_FD(fuse_fd);
        *ret_mount_fd = TAKE_FD(mount_fd);
        return 0;
}

int fsp_mount_move(int from_fd, int to_fd)
{
        if (move_mount(from_fd, "", to_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

int fsp_mount_move_to_path(int from_fd, const char *path)
{
        if (move_mount(from_fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

int fsp_mount_setattr(int fd, uint64_t attr_set, uint64_t attr_clr)
{
        struct mount_attr a = { .attr_set = attr_set, .attr_clr = attr_clr };

        if (attr_set == 0 && attr_clr == 0)
                return 0;
        if (mount_setattr(fd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
                return -errno;
        return 0;
}

int fsp_mount_detach(int fd)
{
        char path[64];

        /* The magic link resolves to the fd's own mount and dentry, whatever the names around it are now. */
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        if (umount2(path, MNT_DETACH) < 0)
                return -errno;
        return 0;
}

static int fdinfo_mount_id(int fd, int *ret)
{
        _cleanup_fclose_ FILE *f = NULL;
        char path[64], line[256];

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "mnt_id: %d", ret) == 1)
                        return 0;
        return -ENODATA;
}

int fsp_mount_identify(int fd, FspMountIdentity *ret)
{
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        FspMountIdentity m = { 0 };
        size_t size = 0;
        int r;

        r = fdinfo_mount_id(fd, &m.id);
        if (r < 0)
                return r;
        f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return -errno;
        while (getline(&line, &size, f) > 0) {
                int id, parent;
                char *dash;

                if (sscanf(line, "%d %d", &id, &parent) != 2 || id != m.id)
                        continue;
                dash = strstr(line, " - ");
                m.parent_id = parent;
                m.found = true;
                m.fuse = dash && (strneq(dash + 3, "fuse ", 5) || strneq(dash + 3, "fuse.", 5) ||
                                  strneq(dash + 3, "fuseblk ", 8));
                break;
        }
        *ret = m;
        return 0;
}

/* The parent of mount id in mountinfo, or -1. */
static int mount_parent(int id)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        int k, parent;

        while (f && getline(&line, &size, f) > 0)
                if (sscanf(line, "%d %d", &k, &parent) == 2 && k == id)
                        return parent;
        return -1;
}

int fsp_mount_detach_id_at(int fd, int id)
{
        FspMountIdentity top;
        int r;

        r = fsp_mount_identify(fd, &top);
        if (r < 0)
                return r;
        if (top.id == id)
                return fsp_mount_detach(fd) < 0 ? -errno : 1;
        /* Mounted on ours (the caller stacked its own there)? Those go first, as they would with ours. */
        for (int p = top.parent_id, depth = 0; p > 0 && depth < 16; p = mount_parent(p), depth++)
                if (p == id) {
                        r = fsp_mount_detach(fd);
                        return r < 0 ? r : 2; /* go again: the next one down is at the same path */
                }
        return 0;
}

int fsp_mount_detach_id(const char *path, int id)
{
        struct open_how how = {
                .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_CACHED,
        };

        for (int round = 0; round < 16; round++) {
                _cleanup_close_ int fd = (int) syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
                int r;

                if (fd < 0)
                        return errno == ENOENT || errno == ELOOP || errno == ENOTDIR ? 0 : -errno;
                r = fsp_mount_detach_id_at(fd, id);
                if (r != 2)
                        return r;
        }
        return -ELOOP;
}
