/* SPDX-License-Identifier: MIT */
/* Symbolic links and hard links. */
#include <limits.h>
#include <stdlib.h>

#include "fsconform.h"

static Result expect_symlink(Ctx *c, const char *name, const char *target)
{
        char buf[4200];
        size_t len = strlen(target);
        struct stat st;
        ssize_t n;

        EXPECT_OK(stat_at(c->dirfd, name, &st));
        EXPECT_TRUE(S_ISLNK(st.st_mode));
        EXPECT_EQ(st.st_size, len);
        n = readlinkat(c->dirfd, name, buf, sizeof(buf));
        if (n != (ssize_t) len || memcmp(buf, target, len) != 0)
                FAIL("readlink(%.20s...) returned %zd bytes, expected %zu", name, n, len);
        if (len > 5) {
                /* a short buffer gets the start of the target, no NUL */
                EXPECT_EQ(readlinkat(c->dirfd, name, buf, 5), 5);
                EXPECT_TRUE(memcmp(buf, target, 5) == 0);
        }
        return RESULT_PASS;
}

static Result symlink_basic(Ctx *c)
{
        _cleanup_free_ char *long_target = malloc(1001);
        static const char *const targets[] = {
                "target", "/absolute/path/x", "../up/../and/down", "with space\nand newline", "\xff\x01",
        };
        char name[16];
        struct stat st;

        EXPECT_TRUE(long_target);
        for (size_t i = 0; i < ELEMENTSOF(targets); i++) {
                snprintf(name, sizeof(name), "l%zu", i);
                EXPECT_OK(symlinkat(targets[i], c->dirfd, name));
                EXPECT_PASS(expect_symlink(c, name, targets[i]));
        }
        memset(long_target, 'x', 1000);
        long_target[1000] = 0;
        EXPECT_OK(symlinkat(long_target, c->dirfd, "long"));
        EXPECT_PASS(expect_symlink(c, "long", long_target));

        EXPECT_OK(stat_at(c->dirfd, "l0", &st));
        EXPECT_MODE(st.st_mode & 07777, 0777);
        EXPECT_EQ(st.st_uid, geteuid());
        EXPECT_EQ(st.st_nlink, 1);
        EXPECT_ERRNO(symlinkat("other", c->dirfd, "l0"), EEXIST);
        EXPECT_ERRNO(symlinkat("", c->dirfd, "empty"), ENOENT);
        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_ERRNO(readlinkat(c->dirfd, "f", name, sizeof(name)), EINVAL);
        EXPECT_ERRNO(readlinkat(c->dirfd, "missing", name, sizeof(name)), ENOENT);
        EXPECT_OK(unlinkat(c->dirfd, "l0", 0));
        EXPECT_ERRNO(stat_at(c->dirfd, "l0", &st), ENOENT);
        return RESULT_PASS;
}

/* Targets up to PATH_MAX - 1 bytes are kept whole; PATH_MAX is refused. */
static Result symlink_max(Ctx *c)
{
        _cleanup_free_ char *t = malloc(PATH_MAX + 1);

        EXPECT_TRUE(t);
        memset(t, 'y', PATH_MAX);
        t[PATH_MAX - 1] = 0;
        EXPECT_OK(symlinkat(t, c->dirfd, "max"));
        EXPECT_PASS(expect_symlink(c, "max", t));
        t[PATH_MAX - 1] = 'y';
        t[PATH_MAX] = 0;
        EXPECT_ERRNO(symlinkat(t, c->dirfd, "toolong"), ENAMETOOLONG);
        return RESULT_PASS;
}

static Result symlink_follow(Ctx *c)
{
        struct stat st, via;
        char buf[8];

        EXPECT_OK(write_file(c->dirfd, "f", "content", 7, 0640));
        EXPECT_OK(symlinkat("f", c->dirfd, "l"));
        EXPECT_OK(fstatat(c->dirfd, "f", &st, 0));
        EXPECT_OK(fstatat(c->dirfd, "l", &via, 0));
        EXPECT_EQ(via.st_ino, st.st_ino);
        EXPECT_EQ(via.st_size, 7);
        EXPECT_EQ(read_file(c->dirfd, "l", buf, sizeof(buf)), 7);

        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        EXPECT_OK(symlinkat("d", c->dirfd, "ld"));
        EXPECT_OK(create_file(c->dirfd, "ld/through", 0644));
        EXPECT_OK(stat_at(c->dirfd, "d/through", &st));
        EXPECT_OK(symlinkat("../f", c->dirfd, "d/up"));
        EXPECT_EQ(read_file(c->dirfd, "ld/up", buf, sizeof(buf)), 7);

        EXPECT_OK(symlinkat("nowhere", c->dirfd, "dangling"));
        EXPECT_ERRNO(fstatat(c->dirfd, "dangling", &st, 0), ENOENT);
        EXPECT_OK(stat_at(c->dirfd, "dangling", &st));
        EXPECT_ERRNO(fstatat(c->dirfd, "f/x", &st, 0), ENOTDIR);
        return RESULT_PASS;
}

static Result symlink_loop(Ctx *c)
{
        struct stat st;
        char from[16], to[16];

        EXPECT_OK(symlinkat("b", c->dirfd, "a"));
        EXPECT_OK(symlinkat("a", c->dirfd, "b"));
        EXPECT_OK(symlinkat("self", c->dirfd, "self"));
        EXPECT_ERRNO(openat(c->dirfd, "a", O_RDONLY), ELOOP);
        EXPECT_ERRNO(fstatat(c->dirfd, "b", &st, 0), ELOOP);
        EXPECT_ERRNO(openat(c->dirfd, "self", O_RDONLY), ELOOP);
        EXPECT_ERRNO(openat(c->dirfd, "self/x", O_RDWR | O_CREAT, 0644), ELOOP);
        EXPECT_OK(stat_at(c->dirfd, "a", &st));

        /* 40 links in a chain resolve (MAXSYMLINKS), 41 do not */
        EXPECT_OK(create_file(c->dirfd, "end", 0644));
        EXPECT_OK(symlinkat("end", c->dirfd, "c1"));
        for (int i = 2; i <= 41; i++) {
                snprintf(from, sizeof(from), "c%d", i);
                snprintf(to, sizeof(to), "c%d", i - 1);
                EXPECT_OK(symlinkat(to, c->dirfd, from));
        }
        EXPECT_OK(fstatat(c->dirfd, "c40", &st, 0));
        EXPECT_ERRNO(fstatat(c->dirfd, "c41", &st, 0), ELOOP);
        return RESULT_PASS;
}

static Result expect_nlink(Ctx *c, const char *name, int fd, nlink_t want, ino_t ino)
{
        struct stat st;

        if (name) {
                if (stat_at(c->dirfd, name, &st) < 0)
                        FAIL("stat %s: %s", name, errname(errno));
                if (st.st_nlink != want || st.st_ino != ino)
                        FAIL("stat %s: nlink %lu inode %llu, expected nlink %lu inode %llu", name,
                             (unsigned long) st.st_nlink, (unsigned long long) st.st_ino, (unsigned long) want,
                             (unsigned long long) ino);
        }
        if (fd >= 0) {
                EXPECT_OK(fstat(fd, &st));
                if (st.st_nlink != want)
                        FAIL("fstat on an open fd (after %s): nlink %lu, expected %lu", name ? name : "all",
                             (unsigned long) st.st_nlink, (unsigned long) want);
        }
        return RESULT_PASS;
}

/* Link counts seen through every name and an open fd after each link and
 * unlink: a FUSE file system with attribute caching must invalidate the
 * other names' cached attributes. */
static Result hardlink_nlink(Ctx *c)
{
        _cleanup_close_ int fd = -1;
        struct stat st, before;
        char buf[8];

        EXPECT_OK(write_file(c->dirfd, "f", "data", 4, 0644));
        EXPECT_OK(mkdirat(c->dirfd, "sub", 0755));
        EXPECT_OK(stat_at(c->dirfd, "f", &st));
        ino_t ino = st.st_ino;
        EXPECT_OK(fd = openat(c->dirfd, "f", O_RDONLY));
        EXPECT_PASS(expect_nlink(c, "f", fd, 1, ino));

        EXPECT_OK(wait_clock_past(st.st_ctim));
        EXPECT_OK(linkat(c->dirfd, "f", c->dirfd, "g", 0));
        EXPECT_PASS(expect_nlink(c, "f", fd, 2, ino));
        EXPECT_PASS(expect_nlink(c, "g", -1, 2, ino));
        EXPECT_OK(stat_at(c->dirfd, "g", &before));
        EXPECT_TRUE(ts_cmp(before.st_ctim, st.st_ctim) > 0);

        EXPECT_OK(linkat(c->dirfd, "g", c->dirfd, "sub/h", 0));
        EXPECT_PASS(expect_nlink(c, "f", fd, 3, ino));
        EXPECT_PASS(expect_nlink(c, "g", -1, 3, ino));
        EXPECT_PASS(expect_nlink(c, "sub/h", -1, 3, ino));

        EXPECT_OK(unlinkat(c->dirfd, "f", 0));
        EXPECT_PASS(expect_nlink(c, "g", fd, 2, ino));
        EXPECT_PASS(expect_nlink(c, "sub/h", -1, 2, ino));
        EXPECT_ERRNO(stat_at(c->dirfd, "f", &st), ENOENT);

        EXPECT_OK(unlinkat(c->dirfd, "sub/h", 0));
        EXPECT_PASS(expect_nlink(c, "g", fd, 1, ino));
        EXPECT_EQ(read_file(c->dirfd, "g", buf, sizeof(buf)), 4);

        EXPECT_OK(linkat(c->dirfd, "g", c->dirfd, "f", 0));
        EXPECT_PASS(expect_nlink(c, "g", fd, 2, ino));
        EXPECT_PASS(expect_nlink(c, "f", -1, 2, ino));
        EXPECT_OK(unlinkat(c->dirfd, "g", 0));
        EXPECT_PASS(expect_nlink(c, "f", fd, 1, ino));
        EXPECT_OK(unlinkat(c->dirfd, "f", 0));
        EXPECT_PASS(expect_nlink(c, NULL, fd, 0, ino));
        EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 4);
        EXPECT_TRUE(memcmp(buf, "data", 4) == 0);
        return RESULT_PASS;
}

static Result hardlink_rules(Ctx *c)
{
        struct stat a, b;

        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        EXPECT_ERRNO(linkat(c->dirfd, "d", c->dirfd, "d2", 0), EPERM);
        EXPECT_ERRNO(linkat(c->dirfd, "f", c->dirfd, "d", 0), EEXIST);
        EXPECT_ERRNO(linkat(c->dirfd, "f", c->dirfd, "f", 0), EEXIST);
        EXPECT_ERRNO(linkat(c->dirfd, "missing", c->dirfd, "x", 0), ENOENT);
        EXPECT_ERRNO(linkat(c->dirfd, "f", c->dirfd, "missing/x", 0), ENOENT);

        /* linkat links the symlink itself, or with AT_SYMLINK_FOLLOW its target */
        EXPECT_OK(symlinkat("f", c->dirfd, "l"));
        EXPECT_OK(linkat(c->dirfd, "l", c->dirfd, "l2", 0));
        EXPECT_OK(stat_at(c->dirfd, "l", &a));
        EXPECT_OK(stat_at(c->dirfd, "l2", &b));
        EXPECT_TRUE(S_ISLNK(b.st_mode));
        EXPECT_EQ(b.st_ino, a.st_ino);
        EXPECT_EQ(b.st_nlink, 2);
        EXPECT_OK(linkat(c->dirfd, "l", c->dirfd, "f2", AT_SYMLINK_FOLLOW));
        EXPECT_OK(stat_at(c->dirfd, "f", &a));
        EXPECT_OK(stat_at(c->dirfd, "f2", &b));
        EXPECT_TRUE(S_ISREG(b.st_mode));
        EXPECT_EQ(b.st_ino, a.st_ino);
        EXPECT_EQ(a.st_nlink, 2);

        /* a fifo links like a file */
        EXPECT_OK(mknodat(c->dirfd, "p", S_IFIFO | 0644, 0));
        EXPECT_OK(linkat(c->dirfd, "p", c->dirfd, "p2", 0));
        EXPECT_OK(stat_at(c->dirfd, "p2", &b));
        EXPECT_TRUE(S_ISFIFO(b.st_mode));
        EXPECT_EQ(b.st_nlink, 2);
        return RESULT_PASS;
}

/* Both names are one file: data and size changes show through the other. */
static Result hardlink_data(Ctx *c)
{
        _cleanup_close_ int fd = -1;
        char buf[16];
        struct stat st;

        EXPECT_OK(write_file(c->dirfd, "a", "first", 5, 0644));
        EXPECT_OK(linkat(c->dirfd, "a", c->dirfd, "b", 0));
        EXPECT_OK(fd = openat(c->dirfd, "b", O_WRONLY | O_APPEND));
        EXPECT_EQ(write(fd, "+more", 5), 5);
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_EQ(read_file(c->dirfd, "a", buf, sizeof(buf)), 10);
        EXPECT_TRUE(memcmp(buf, "first+more", 10) == 0);
        EXPECT_OK(fd = openat(c->dirfd, "a", O_WRONLY));
        EXPECT_OK(ftruncate(fd, 3));
        EXPECT_OK(stat_at(c->dirfd, "b", &st));
        EXPECT_EQ(st.st_size, 3);
        EXPECT_OK(fchmod(fd, 0600));
        EXPECT_OK(stat_at(c->dirfd, "b", &st));
        EXPECT_MODE(st.st_mode & 07777, 0600);
        return RESULT_PASS;
}

const Check links_checks[] = {
        {"symlink-basic", symlink_basic},
        {"symlink-max", symlink_max},
        {"symlink-follow", symlink_follow},
        {"symlink-loop", symlink_loop},
        {"hardlink-nlink", hardlink_nlink},
        {"hardlink-rules", hardlink_rules},
        {"hardlink-data", hardlink_data},
        {},
};
