/* SPDX-License-Identifier: MIT */
/* Small helpers the checks share: files, patterns, directory counts, clocks. */
#include <dirent.h>

#include "fsconform.h"

static int fail_errno(int e)
{
        errno = e;
        return -e;
}

int create_file(int dirfd, const char *name, mode_t mode)
{
        int fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);

        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

int write_file(int dirfd, const char *name, const void *buf, size_t len, mode_t mode)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, mode);

        if (fd < 0)
                return -errno;
        if (pwrite_all(fd, buf, len, 0) < 0)
                return -errno;
        if (close(TAKE_FD(fd)) < 0)
                return -errno;
        return 0;
}

ssize_t read_file(int dirfd, const char *name, void *buf, size_t size)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return pread_all(fd, buf, size, 0);
}

ssize_t pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
        size_t done = 0;

        while (done < len) {
                ssize_t n = pwrite(fd, (const char *) buf + done, len - done, off + (off_t) done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return fail_errno(EIO);
                done += (size_t) n;
        }
        return (ssize_t) done;
}

/* Reads until len bytes or end of file; returns the count read. */
ssize_t pread_all(int fd, void *buf, size_t len, off_t off)
{
        size_t done = 0;

        while (done < len) {
                ssize_t n = pread(fd, (char *) buf + done, len - done, off + (off_t) done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                done += (size_t) n;
        }
        return (ssize_t) done;
}

/* A byte that depends on the seed and the absolute file offset, so any
 * range of a file can be checked on its own. Never zero, so holes show. */
static uint8_t pattern_byte(uint32_t seed, uint64_t off)
{
        uint64_t x = (off >> 3) * 0x9E3779B97F4A7C15ULL ^ ((uint64_t) seed << 32 | seed);

        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9ULL;
        x ^= x >> 32;
        uint8_t b = (uint8_t) (x >> ((off & 7) * 8));
        return b ? b : 0x5a;
}

void fill_pattern(void *buf, size_t len, uint32_t seed, off_t off)
{
        uint8_t *p = buf;

        for (size_t i = 0; i < len; i++)
                p[i] = pattern_byte(seed, (uint64_t) off + i);
}

ssize_t find_pattern_mismatch(const void *buf, size_t len, uint32_t seed, off_t off)
{
        const uint8_t *p = buf;

        for (size_t i = 0; i < len; i++)
                if (p[i] != pattern_byte(seed, (uint64_t) off + i))
                        return (ssize_t) i;
        return -1;
}

ssize_t find_nonzero(const void *buf, size_t len)
{
        const uint8_t *p = buf;

        for (size_t i = 0; i < len; i++)
                if (p[i])
                        return (ssize_t) i;
        return -1;
}

off_t file_find_nonzero(int fd, off_t off, off_t len)
{
        static char buf[1 << 16];

        while (len > 0) {
                size_t want = (size_t) MIN(len, (off_t) sizeof(buf));
                ssize_t n = pread_all(fd, buf, want, off);
                if (n < 0)
                        return off;
                ssize_t bad = find_nonzero(buf, (size_t) n);
                if (bad >= 0)
                        return off + bad;
                if ((size_t) n < want) /* the file ends: what is past it reads as nothing */
                        return -1;
                off += n;
                len -= n;
        }
        return -1;
}

int stat_at(int dirfd, const char *name, struct stat *ret)
{
        return fstatat(dirfd, name, ret, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int dir_count_entries(int dirfd, const char *name)
{
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        int n = 0;
        DIR *d;

        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return fail_errno(-r);
        }
        while ((errno = 0, de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        int r = errno;
        closedir(d);
        return r ? fail_errno(r) : n;
}

struct timespec now_coarse(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME_COARSE, &ts);
        return ts;
}

struct timespec now_fine(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return ts;
}

int ts_cmp(struct timespec a, struct timespec b)
{
        if (a.tv_sec != b.tv_sec)
                return a.tv_sec < b.tv_sec ? -1 : 1;
        if (a.tv_nsec != b.tv_nsec)
                return a.tv_nsec < b.tv_nsec ? -1 : 1;
        return 0;
}

int wait_clock_past(struct timespec t)
{
        struct timespec deadline = now_fine();
        deadline.tv_sec += 2;

        while (ts_cmp(now_coarse(), t) <= 0) {
                if (ts_cmp(now_fine(), deadline) > 0)
                        return fail_errno(ETIMEDOUT);
                nanosleep(&(struct timespec){.tv_nsec = 500000}, NULL);
        }
        return 0;
}
