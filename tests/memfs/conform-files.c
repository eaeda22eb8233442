/* SPDX-License-Identifier: MIT */
/* Regular files and the open(2) flags; names: length and bytes. */
#include <dirent.h>
#include <stdlib.h>

#include "fsconform.h"

static Result file_create(Ctx *c)
{
        _cleanup_close_ int fd = -1;
        struct stat st, dst, byname;
        char buf[16] = {};

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_EXCL | O_RDWR, 0640));
        EXPECT_OK(fstat(fd, &st));
        EXPECT_TRUE(S_ISREG(st.st_mode));
        EXPECT_MODE(st.st_mode & 07777, 0640);
        EXPECT_EQ(st.st_size, 0);
        EXPECT_EQ(st.st_nlink, 1);
        EXPECT_EQ(st.st_uid, geteuid());
        EXPECT_EQ(st.st_gid, getegid());
        EXPECT_OK(fstat(c->dirfd, &dst));
        EXPECT_EQ(st.st_dev, dst.st_dev);
        EXPECT_TRUE(st.st_ino != dst.st_ino);

        EXPECT_EQ(write(fd, "hello", 5), 5);
        EXPECT_OK(fstat(fd, &st));
        EXPECT_EQ(st.st_size, 5);
        EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 5);
        EXPECT_TRUE(memcmp(buf, "hello", 5) == 0);
        EXPECT_EQ(pread(fd, buf, sizeof(buf), 5), 0);
        EXPECT_OK(close(TAKE_FD(fd)));

        EXPECT_OK(stat_at(c->dirfd, "f", &byname));
        EXPECT_EQ(byname.st_ino, st.st_ino);
        EXPECT_EQ(byname.st_size, 5);
        EXPECT_EQ(read_file(c->dirfd, "f", buf, sizeof(buf)), 5);
        EXPECT_OK(unlinkat(c->dirfd, "f", 0));
        EXPECT_ERRNO(stat_at(c->dirfd, "f", &byname), ENOENT);
        return RESULT_PASS;
}

/* Writes of odd sizes at odd offsets, across page and 64 KiB boundaries,
 * and a write past the end leaving a gap that must read as zeros. */
static Result file_write_read(Ctx *c)
{
        static const struct {
                off_t off;
                size_t len;
        } writes[] = {
                {0, 1},          {1, 4095},       {4096, 4097},     {8193, 65536 - 8193 + 7},
                {65543, 300000}, {365543, 1},     {365544, 683032},
        };
        const size_t total = 365544 + 683032;
        _cleanup_free_ char *buf = malloc(total), *back = malloc(total + 10);
        _cleanup_close_ int fd = -1;
        struct stat st;
        ssize_t bad;

        EXPECT_TRUE(buf && back);
        fill_pattern(buf, total, 7, 0);
        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        for (size_t i = 0; i < ELEMENTSOF(writes); i++)
                EXPECT_EQ(pwrite_all(fd, buf + writes[i].off, writes[i].len, writes[i].off), writes[i].len);
        EXPECT_EQ(pread_all(fd, back, total + 10, 0), total);
        bad = find_pattern_mismatch(back, total, 7, 0);
        if (bad >= 0)
                FAIL("byte %zd reads back wrong", bad);

        /* read in 7-byte pieces around a boundary */
        for (off_t off = 4090; off < 4110; off += 7) {
                EXPECT_EQ(pread(fd, back, 7, off), 7);
                EXPECT_TRUE(find_pattern_mismatch(back, 7, 7, off) < 0);
        }
        /* a short read at the end */
        EXPECT_EQ(pread(fd, back, 100, (off_t) total - 10), 10);

        /* write past the end: the gap reads as zeros */
        EXPECT_EQ(pwrite(fd, "x", 1, (off_t) total + 100000), 1);
        EXPECT_OK(fstat(fd, &st));
        EXPECT_EQ(st.st_size, (off_t) total + 100001);
        off_t nz = file_find_nonzero(fd, (off_t) total, 100000);
        if (nz >= 0)
                FAIL("gap after end not zero at offset %lld", (long long) nz);
        EXPECT_OK(fsync(fd));
        EXPECT_OK(fdatasync(fd));
        return RESULT_PASS;
}

static Result open_excl(Ctx *c)
{
        struct stat st;

        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_ERRNO(openat(c->dirfd, "f", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        EXPECT_ERRNO(openat(c->dirfd, "d", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
        /* O_EXCL never follows a symlink, not even a dangling one */
        EXPECT_OK(symlinkat("target", c->dirfd, "dangling"));
        EXPECT_ERRNO(openat(c->dirfd, "dangling", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
        EXPECT_ERRNO(stat_at(c->dirfd, "target", &st), ENOENT);
        /* without O_EXCL, creating through a dangling symlink creates its target */
        int fd;
        EXPECT_OK(fd = openat(c->dirfd, "dangling", O_CREAT | O_RDWR, 0600));
        close(fd);
        EXPECT_OK(stat_at(c->dirfd, "target", &st));
        EXPECT_TRUE(S_ISREG(st.st_mode));
        EXPECT_MODE(st.st_mode & 07777, 0600);
        return RESULT_PASS;
}

static Result open_trunc(Ctx *c)
{
        char buf[100];
        struct stat before, after;
        int fd;

        fill_pattern(buf, sizeof(buf), 1, 0);
        EXPECT_OK(write_file(c->dirfd, "f", buf, sizeof(buf), 0644));
        EXPECT_OK(stat_at(c->dirfd, "f", &before));
        EXPECT_OK(wait_clock_past(before.st_ctim));
        EXPECT_OK(fd = openat(c->dirfd, "f", O_WRONLY | O_TRUNC));
        EXPECT_OK(fstat(fd, &after));
        close(fd);
        EXPECT_EQ(after.st_size, 0);
        EXPECT_OK(stat_at(c->dirfd, "f", &after));
        EXPECT_EQ(after.st_size, 0);
        EXPECT_EQ(after.st_ino, before.st_ino);
        EXPECT_TRUE(ts_cmp(after.st_mtim, before.st_mtim) > 0);
        EXPECT_TRUE(ts_cmp(after.st_ctim, before.st_ctim) > 0);
        EXPECT_EQ(read_file(c->dirfd, "f", buf, sizeof(buf)), 0);
        return RESULT_PASS;
}

static Result open_nofollow(Ctx *c)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        EXPECT_OK(write_file(c->dirfd, "f", "abc", 3, 0644));
        EXPECT_OK(symlinkat("f", c->dirfd, "l"));
        EXPECT_ERRNO(openat(c->dirfd, "l", O_RDONLY | O_NOFOLLOW), ELOOP);
        EXPECT_ERRNO(openat(c->dirfd, "l", O_WRONLY | O_CREAT | O_NOFOLLOW, 0644), ELOOP);
        EXPECT_OK(fd = openat(c->dirfd, "l", O_PATH | O_NOFOLLOW));
        EXPECT_OK(fstatat(fd, "", &st, AT_EMPTY_PATH));
        EXPECT_TRUE(S_ISLNK(st.st_mode));
        EXPECT_OK(close(TAKE_FD(fd)));
        /* O_NOFOLLOW is about the last component only */
        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        EXPECT_OK(write_file(c->dirfd, "d/g", "x", 1, 0644));
        EXPECT_OK(symlinkat("d", c->dirfd, "ld"));
        EXPECT_OK(fd = openat(c->dirfd, "ld/g", O_RDONLY | O_NOFOLLOW));
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_OK(fd = openat(c->dirfd, "f", O_RDONLY | O_NOFOLLOW));
        return RESULT_PASS;
}

static Result open_errors(Ctx *c)
{
        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        EXPECT_ERRNO(openat(c->dirfd, "f", O_RDONLY | O_DIRECTORY), ENOTDIR);
        EXPECT_ERRNO(openat(c->dirfd, "d", O_WRONLY), EISDIR);
        EXPECT_ERRNO(openat(c->dirfd, "d", O_RDWR), EISDIR);
        EXPECT_ERRNO(openat(c->dirfd, "d", O_RDWR | O_CREAT, 0644), EISDIR);
        EXPECT_ERRNO(openat(c->dirfd, "f/x", O_RDONLY), ENOTDIR);
        EXPECT_ERRNO(openat(c->dirfd, "f/x", O_RDWR | O_CREAT, 0644), ENOTDIR);
        EXPECT_ERRNO(openat(c->dirfd, "missing", O_RDONLY), ENOENT);
        EXPECT_ERRNO(openat(c->dirfd, "missing/x", O_RDWR | O_CREAT, 0644), ENOENT);
        EXPECT_ERRNO(openat(c->dirfd, "", O_RDONLY), ENOENT);
        return RESULT_PASS;
}

static void make_name(char *buf, size_t len, char ch)
{
        memset(buf, ch, len);
        buf[len] = 0;
}

static Result name_max(Ctx *c)
{
        char n255[256], m255[256], n256[257], path[600];
        _cleanup_close_ int fd = -1;
        struct dirent *de;
        struct stat st;
        bool found = false;
        DIR *d;

        make_name(n255, 255, 'a');
        make_name(m255, 255, 'b');
        make_name(n256, 256, 'c');
        EXPECT_OK(create_file(c->dirfd, n255, 0644));
        EXPECT_OK(stat_at(c->dirfd, n255, &st));
        EXPECT_OK(fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY));
        EXPECT_TRUE((d = fdopendir(TAKE_FD(fd))));
        while ((de = readdir(d)))
                found |= streq(de->d_name, n255);
        closedir(d);
        EXPECT_TRUE(found);
        EXPECT_OK(renameat(c->dirfd, n255, c->dirfd, m255));
        EXPECT_OK(linkat(c->dirfd, m255, c->dirfd, n255, 0));
        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        snprintf(path, sizeof(path), "d/%s", n255);
        EXPECT_OK(mkdirat(c->dirfd, path, 0755));
        EXPECT_OK(symlinkat(n255, c->dirfd, "d/l"));

        EXPECT_ERRNO(openat(c->dirfd, n256, O_CREAT | O_RDWR, 0644), ENAMETOOLONG);
        EXPECT_ERRNO(stat_at(c->dirfd, n256, &st), ENAMETOOLONG);
        EXPECT_ERRNO(mkdirat(c->dirfd, n256, 0755), ENAMETOOLONG);
        EXPECT_ERRNO(symlinkat("x", c->dirfd, n256), ENAMETOOLONG);
        EXPECT_ERRNO(mknodat(c->dirfd, n256, S_IFIFO | 0644, 0), ENAMETOOLONG);
        EXPECT_ERRNO(linkat(c->dirfd, m255, c->dirfd, n256, 0), ENAMETOOLONG);
        EXPECT_ERRNO(renameat(c->dirfd, m255, c->dirfd, n256), ENAMETOOLONG);
        EXPECT_OK(unlinkat(c->dirfd, m255, 0));
        EXPECT_OK(unlinkat(c->dirfd, n255, 0));
        return RESULT_PASS;
}

/* Every byte but '/' and NUL may be part of a name. */
static const char *const odd_names[] = {
        "\n", "\xff", "\xff\xfe\x80", " ", "  two  spaces  ", "\t", "\x01\x02\x1f\x7f", "*?[]{}", "-",
        "\\", "\xc3\xbc\xc3\xb1\xc3\xaf", ".hidden", "...", "a\nb", "'\"$`", "%s%n", "~",
};

static Result name_bytes(Ctx *c)
{
        bool seen[ELEMENTSOF(odd_names)] = {};
        _cleanup_close_ int fd = -1;
        struct dirent *de;
        char buf[8];
        DIR *d;

        for (size_t i = 0; i < ELEMENTSOF(odd_names); i++) {
                char content[8];
                int n = snprintf(content, sizeof(content), "%zu", i);
                if (write_file(c->dirfd, odd_names[i], content, (size_t) n, 0644) < 0)
                        FAIL("creating name #%zu: %s", i, errname(errno));
        }
        EXPECT_OK(fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY));
        EXPECT_TRUE((d = fdopendir(TAKE_FD(fd))));
        while ((de = readdir(d))) {
                size_t i;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                for (i = 0; i < ELEMENTSOF(odd_names); i++)
                        if (streq(de->d_name, odd_names[i]))
                                break;
                if (i == ELEMENTSOF(odd_names) || seen[i]) {
                        closedir(d);
                        FAIL("readdir returned an unexpected or repeated name (%zu bytes)", strlen(de->d_name));
                }
                seen[i] = true;
        }
        closedir(d);
        for (size_t i = 0; i < ELEMENTSOF(odd_names); i++) {
                char want[8];
                int n = snprintf(want, sizeof(want), "%zu", i);
                if (!seen[i])
                        FAIL("readdir did not return name #%zu", i);
                ssize_t got = read_file(c->dirfd, odd_names[i], buf, sizeof(buf));
                if (got != n || memcmp(buf, want, (size_t) n) != 0)
                        FAIL("name #%zu reads back wrong content", i);
                EXPECT_OK(unlinkat(c->dirfd, odd_names[i], 0));
        }
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 0);
        return RESULT_PASS;
}

static Result name_case(Ctx *c)
{
        char buf[4];
        struct stat st;

        EXPECT_OK(write_file(c->dirfd, "Name", "1", 1, 0644));
        EXPECT_ERRNO(stat_at(c->dirfd, "name", &st), ENOENT);
        EXPECT_OK(write_file(c->dirfd, "name", "2", 1, 0644));
        EXPECT_OK(write_file(c->dirfd, "NAME", "3", 1, 0644));
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 3);
        EXPECT_EQ(read_file(c->dirfd, "Name", buf, sizeof(buf)), 1);
        EXPECT_EQ(buf[0], '1');
        EXPECT_EQ(read_file(c->dirfd, "name", buf, sizeof(buf)), 1);
        EXPECT_EQ(buf[0], '2');
        return RESULT_PASS;
}

/* Larger than any single FUSE request, read back in odd pieces. */
static Result file_large(Ctx *c)
{
        const size_t size = 24 << 20, chunk = 1 << 20;
        _cleanup_free_ char *buf = malloc(chunk + 4096);
        _cleanup_close_ int fd = -1;
        struct stat st;

        EXPECT_TRUE(buf);
        EXPECT_OK(fd = openat(c->dirfd, "big", O_CREAT | O_RDWR, 0644));
        for (size_t off = 0; off < size; off += chunk) {
                fill_pattern(buf, chunk, 99, (off_t) off);
                EXPECT_EQ(write(fd, buf, chunk), chunk);
        }
        EXPECT_OK(fsync(fd));
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_OK(fd = openat(c->dirfd, "big", O_RDONLY));
        EXPECT_OK(fstat(fd, &st));
        EXPECT_EQ(st.st_size, size);
        for (size_t off = 0; off < size;) {
                size_t want = MIN(chunk + 4093, size - off);
                ssize_t n = read(fd, buf, want);
                if (n <= 0)
                        FAIL("read at %zu returned %zd (%s)", off, n, errname(errno));
                ssize_t bad = find_pattern_mismatch(buf, (size_t) n, 99, (off_t) off);
                if (bad >= 0)
                        FAIL("byte %zu reads back wrong", off + (size_t) bad);
                off += (size_t) n;
        }
        EXPECT_EQ(read(fd, buf, 1), 0);
        return RESULT_PASS;
}

static Result fsync_all(Ctx *c)
{
        _cleanup_close_ int fd = -1, dfd = -1;

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_EQ(write(fd, "data", 4), 4);
        EXPECT_OK(fsync(fd));
        EXPECT_OK(fdatasync(fd));
        EXPECT_OK(dfd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY));
        EXPECT_OK(fsync(dfd));
        EXPECT_OK(syncfs(fd));
        EXPECT_OK(sync_file_range(fd, 0, 4, SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER));
        return RESULT_PASS;
}

const Check files_checks[] = {
        {"file-create", file_create},
        {"file-write-read", file_write_read},
        {"file-large", file_large},
        {"file-fsync", fsync_all},
        {"open-excl", open_excl},
        {"open-trunc", open_trunc},
        {"open-nofollow", open_nofollow},
        {"open-errors", open_errors},
        {"name-max", name_max},
        {"name-bytes", name_bytes},
        {"name-case", name_case},
        {},
};
