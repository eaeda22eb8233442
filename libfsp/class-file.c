/* SPDX-License-Identifier: MIT */
/*
 * Reading a class file: bounded, never blocking on a FIFO, with masking
 * (an empty file or /dev/null) told apart from a class.
 */
#include <fcntl.h>
#include <fsp/class.h>
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

int fsp_class_load_file(const char *name, const char *path, FspClass **ret, FspError *err, FspWarnFn warn,
                        void *userdata)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t size = 0;
        int r;

        /* O_NONBLOCK: a FIFO planted in a class directory must not hang the launcher. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return file_error(err, path, -errno, "cannot open: %s", strerror(errno));
        if (fstat(fd, &st) < 0)
                return file_error(err, path, -errno, "cannot stat: %s", strerror(errno));
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
