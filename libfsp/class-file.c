/* SPDX-License-Identifier: MIT */
/*
 * Reading a class file: bounded, never blocking on a FIFO, with masking
 * (an empty file or /dev/null) told apart from a class; for the system
 * launcher, only from files and directories that root alone can change,
 * checked as sshd's StrictModes does, on the descriptors that are read.
 */
#include <fcntl.h>
#include <fsp/class.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "macro.h"

#define CLASS_FILE_MAX (1024 * 1024)

_printf_(4, 5) static int file_error(FspError *err, const char *path, int code, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        code = fsp_error_setv(err, code, 0, 0, fmt, ap);
        va_end(ap);
        if (err)
                snprintf(err->file, sizeof(err->file), "%s", path);
        return code;
}

/* Read at most CLASS_FILE_MAX bytes; one more tells that the file is too large. */
static int read_bounded(int fd, char **ret_text, size_t *ret_size)
{
        _cleanup_free_ char *text = malloc(CLASS_FILE_MAX + 1);
        size_t size = 0;

        if (!text)
                return -ENOMEM;
        while (size <= CLASS_FILE_MAX) {
                ssize_t k = read(fd, text + size, CLASS_FILE_MAX + 1 - size);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                size += (size_t) k;
        }
        *ret_text = TAKE_PTR(text);
        *ret_size = size;
        return 0;
}

static bool stat_is_dev_null(const struct stat *st)
{
        return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

/* ---- Trust: what the system launcher reads must be changeable by root only ---- */

/* Cut path at its last '/' and return it, "/" for the root, "." for a name without a slash. */
static const char *dirname_in_place(char *path)
{
        char *slash = strrchr(path, '/');

        if (!slash)
                return ".";
        *(slash == path ? slash + 1 : slash) = 0;
        return path;
}

/* Where fd really is, for messages; fallback when /proc cannot tell. */
static char *fd_path(int fd, const char *fallback)
{
        char proc[64], buf[PATH_MAX];
        ssize_t n;

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        n = readlink(proc, buf, sizeof(buf) - 1);
        if (n <= 0 || buf[0] != '/')
                return strdup(fallback);
        buf[n] = 0;
        return strdup(buf);
}

/* Only root may change st (of what, a path): root's, not group/other writable unless sticky is enough. */
static int check_root_only(const struct stat *st, const char *what, bool sticky_ok, FspError *err,
                           const char *path)
{
        unsigned mode = st->st_mode & 07777;
        bool sticky = sticky_ok && (mode & S_ISVTX);

        if (st->st_uid != 0)
                return file_error(err, path, -EPERM,
                                  "%s is owned by user %u, not root; the system launcher reads only class "
                                  "files and directories only root can change",
                                  what, (unsigned) st->st_uid);
        if ((mode & (S_IWGRP | S_IWOTH)) && !sticky) {
                char who[64];

                if ((mode & S_IWGRP) && (mode & S_IWOTH))
                        snprintf(who, sizeof(who), "group %u and others", (unsigned) st->st_gid);
                else if (mode & S_IWGRP)
                        snprintf(who, sizeof(who), "group %u", (unsigned) st->st_gid);
                else
                        snprintf(who, sizeof(who), "others");
                return file_error(err, path, -EPERM,
                                  "%s is writable by %s (mode %04o%s); the system launcher reads only class "
                                  "files and directories only root can change",
                                  what, who, mode, sticky_ok ? ", not sticky" : "");
        }
        return 0;
}

/* The directory dirfd (really at dir_path) and each one above it, up to /. */
static int check_directories(int dirfd, const char *dir_path, FspError *err, const char *path)
{
        _cleanup_free_ char *where = fd_path(dirfd, dir_path);
        _cleanup_close_ int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        struct stat st, parent;
        int r;

        if (fd < 0 || !where)
                return file_error(err, path, fd < 0 ? -errno : -ENOMEM, "cannot check its directories: %s",
                                  strerror(fd < 0 ? errno : ENOMEM));
        if (fstat(fd, &st) < 0)
                return file_error(err, path, -errno, "cannot stat %s: %s", where, strerror(errno));
        for (;;) {
                int up;

                r = check_root_only(&st, where, true, err, path);
                if (r < 0)
                        return r;
                up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (up < 0 || fstat(up, &parent) < 0) {
                        r = -errno;
                        safe_close(up);
                        return file_error(err, path, r, "cannot check the directory above %s: %s", where,
                                          strerror(-r));
                }
                safe_close(fd);
                fd = up;
                if (parent.st_dev == st.st_dev && parent.st_ino == st.st_ino)
                        return 0; /* "/" is its own parent */
                st = parent;
                dirname_in_place(where);
        }
}

/* Check the directories of the file fd was opened as, when a symbolic link led elsewhere. */
static int check_link_target(int fd, FspError *err, const char *path)
{
        _cleanup_free_ char *target = fd_path(fd, path);
        _cleanup_close_ int dirfd = -1;
        const char *dir;

        if (!target)
                return file_error(err, path, -ENOMEM, "out of memory");
        dir = dirname_in_place(target);
        dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return file_error(err, path, -errno, "cannot open %s: %s", dir, strerror(errno));
        return check_directories(dirfd, dir, err, path);
}

/*
 * Open path for reading. trusted: its directories are checked first (a
 * directory others can change could hold anything, masks included), then,
 * after the open, a link target's directories and the file itself.
 */
static int class_open(const char *path, bool trusted, int *ret_fd, struct stat *ret_st, FspError *err)
{
        _cleanup_free_ char *copy = strdup(path);
        _cleanup_close_ int dirfd = -1, fd = -1;
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path, *dir;
        struct stat link_st;
        int r;

        if (!copy)
                return file_error(err, path, -ENOMEM, "out of memory");
        dir = dirname_in_place(copy);
        dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return file_error(err, path, -errno, "cannot open: %s", strerror(errno));
        if (trusted) {
                r = check_directories(dirfd, dir, err, path);
                if (r < 0)
                        return r;
        }
        /* O_NONBLOCK: a FIFO planted in a class directory must not hang the launcher. */
        fd = openat(dirfd, base, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return file_error(err, path, -errno, "cannot open: %s", strerror(errno));
        if (fstat(fd, ret_st) < 0)
                return file_error(err, path, -errno, "cannot stat: %s", strerror(errno));
        if (trusted && !stat_is_dev_null(ret_st)) {
                if (fstatat(dirfd, base, &link_st, AT_SYMLINK_NOFOLLOW) < 0)
                        return file_error(err, path, -errno, "cannot stat: %s", strerror(errno));
                if (S_ISLNK(link_st.st_mode) && (r = check_link_target(fd, err, path)) < 0)
                        return r;
                _cleanup_free_ char *where = fd_path(fd, path);
                r = check_root_only(ret_st, where ? where : path, false, err, path);
                if (r < 0)
                        return r;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int class_load(const char *name, const char *path, bool trusted, FspClass **ret, FspError *err,
                      FspWarnFn warn, void *userdata)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t size = 0;
        int r;

        r = class_open(path, trusted, &fd, &st, err);
        if (r < 0)
                return r;
        if (stat_is_dev_null(&st))
                return file_error(err, path, -ESRCH, "class is masked (linked to /dev/null)");
        if (!S_ISREG(st.st_mode))
                return file_error(err, path, -EINVAL, "not a regular file");
        if (st.st_size > CLASS_FILE_MAX)
                return file_error(err, path, -EFBIG, "file is %lld bytes; a class file may have at most %d",
                                  (long long) st.st_size, CLASS_FILE_MAX);
        r = read_bounded(fd, &text, &size);
        if (r < 0)
                return file_error(err, path, r, "cannot read: %s", strerror(-r));
        if (size > CLASS_FILE_MAX)
                return file_error(err, path, -EFBIG,
                                  "file is larger than %d bytes, the limit for a class file",
                                  CLASS_FILE_MAX);
        if (size == 0)
                return file_error(err, path, -ESRCH, "class is masked (empty file)");
        return fsp_class_parse(name, path, text, size, ret, err, warn, userdata);
}

int fsp_class_load_file(const char *name, const char *path, FspClass **ret, FspError *err, FspWarnFn warn,
                        void *userdata)
{
        return class_load(name, path, false, ret, err, warn, userdata);
}

int fsp_class_load_file_trusted(const char *name, const char *path, FspClass **ret, FspError *err,
                                FspWarnFn warn, void *userdata)
{
        return class_load(name, path, true, ret, err, warn, userdata);
}
