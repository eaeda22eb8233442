/* SPDX-License-Identifier: MIT */
/* rename(2) and renameat2(2): files, directories, NOREPLACE and EXCHANGE. */
#include <stdio.h>

#include "fsconform.h"

static ino_t ino_of(int dirfd, const char *name)
{
        struct stat st;
        return stat_at(dirfd, name, &st) < 0 ? 0 : st.st_ino;
}

static nlink_t nlink_of(int dirfd, const char *name)
{
        struct stat st;
        return stat_at(dirfd, name, &st) < 0 ? 0 : st.st_nlink;
}

static Result expect_content(Ctx *c, const char *name, const char *want)
{
        char buf[64];
        ssize_t n = read_file(c->dirfd, name, buf, sizeof(buf) - 1);

        if (n < 0)
                FAIL("reading %s: %s", name, errname(errno));
        buf[n] = 0;
        if (!streq(buf, want))
                FAIL("%s holds \"%s\", expected \"%s\"", name, buf, want);
        return RESULT_PASS;
}

static Result rename_file(Ctx *c)
{
        struct stat st;
        ino_t ino;

        EXPECT_OK(write_file(c->dirfd, "a", "A", 1, 0644));
        ino = ino_of(c->dirfd, "a");
        EXPECT_OK(renameat(c->dirfd, "a", c->dirfd, "b"));
        EXPECT_ERRNO(stat_at(c->dirfd, "a", &st), ENOENT);
        EXPECT_EQ(ino_of(c->dirfd, "b"), ino);
        EXPECT_PASS(expect_content(c, "b", "A"));

        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        EXPECT_OK(renameat(c->dirfd, "b", c->dirfd, "d/c"));
        EXPECT_EQ(ino_of(c->dirfd, "d/c"), ino);
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 1);

        /* to itself, or between two links of one file: nothing happens */
        EXPECT_OK(renameat(c->dirfd, "d/c", c->dirfd, "d/c"));
        EXPECT_OK(linkat(c->dirfd, "d/c", c->dirfd, "d/c2", 0));
        EXPECT_OK(renameat(c->dirfd, "d/c", c->dirfd, "d/c2"));
        EXPECT_EQ(ino_of(c->dirfd, "d/c"), ino);
        EXPECT_EQ(ino_of(c->dirfd, "d/c2"), ino);
        EXPECT_EQ(nlink_of(c->dirfd, "d/c"), 2);

        EXPECT_ERRNO(renameat(c->dirfd, "missing", c->dirfd, "x"), ENOENT);
        EXPECT_ERRNO(renameat(c->dirfd, "d/c", c->dirfd, "missing/x"), ENOENT);
        EXPECT_ERRNO(renameat(c->dirfd, "d/c/", c->dirfd, "x"), ENOTDIR);

        /* a symlink is renamed, not its target */
        EXPECT_OK(symlinkat("d/c", c->dirfd, "l"));
        EXPECT_OK(renameat(c->dirfd, "l", c->dirfd, "l2"));
        EXPECT_OK(stat_at(c->dirfd, "l2", &st));
        EXPECT_TRUE(S_ISLNK(st.st_mode));
        EXPECT_EQ(ino_of(c->dirfd, "d/c"), ino);
        return RESULT_PASS;
}

/* Rename over an existing file replaces it; the replaced file lives on
 * while open, with its link count 0. */
static Result rename_over(Ctx *c)
{
        _cleanup_close_ int fd = -1;
        struct stat st;
        char buf[8];
        ino_t a;

        EXPECT_OK(write_file(c->dirfd, "a", "new", 3, 0644));
        EXPECT_OK(write_file(c->dirfd, "b", "old", 3, 0644));
        a = ino_of(c->dirfd, "a");
        EXPECT_OK(fd = openat(c->dirfd, "b", O_RDONLY));
        EXPECT_OK(renameat(c->dirfd, "a", c->dirfd, "b"));
        EXPECT_EQ(ino_of(c->dirfd, "b"), a);
        EXPECT_PASS(expect_content(c, "b", "new"));
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 1);
        EXPECT_OK(fstat(fd, &st));
        EXPECT_EQ(st.st_nlink, 0);
        EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 3);
        EXPECT_TRUE(memcmp(buf, "old", 3) == 0);

        /* over a file with another link: that link keeps it */
        EXPECT_OK(write_file(c->dirfd, "x", "X", 1, 0644));
        EXPECT_OK(linkat(c->dirfd, "b", c->dirfd, "b2", 0));
        EXPECT_OK(renameat(c->dirfd, "x", c->dirfd, "b"));
        EXPECT_EQ(nlink_of(c->dirfd, "b2"), 1);
        EXPECT_PASS(expect_content(c, "b2", "new"));
        EXPECT_PASS(expect_content(c, "b", "X"));
        return RESULT_PASS;
}

static Result rename_noreplace(Ctx *c)
{
        EXPECT_OK(write_file(c->dirfd, "a", "A", 1, 0644));
        EXPECT_OK(write_file(c->dirfd, "b", "B", 1, 0644));
        EXPECT_ERRNO(renameat2(c->dirfd, "a", c->dirfd, "b", RENAME_NOREPLACE), EEXIST);
        EXPECT_PASS(expect_content(c, "a", "A"));
        EXPECT_PASS(expect_content(c, "b", "B"));
        EXPECT_OK(renameat2(c->dirfd, "a", c->dirfd, "c", RENAME_NOREPLACE));
        EXPECT_PASS(expect_content(c, "c", "A"));
        EXPECT_OK(mkdirat(c->dirfd, "d1", 0755));
        EXPECT_OK(mkdirat(c->dirfd, "d2", 0755));
        EXPECT_ERRNO(renameat2(c->dirfd, "d1", c->dirfd, "d2", RENAME_NOREPLACE), EEXIST);
        EXPECT_ERRNO(renameat2(c->dirfd, "c", c->dirfd, "d2", RENAME_NOREPLACE), EEXIST);
        EXPECT_ERRNO(renameat2(c->dirfd, "c", c->dirfd, "x", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
        return RESULT_PASS;
}

static Result rename_exchange_files(Ctx *c)
{
        ino_t a, b;

        EXPECT_OK(write_file(c->dirfd, "a", "A", 1, 0644));
        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        EXPECT_OK(write_file(c->dirfd, "d/b", "B", 1, 0600));
        a = ino_of(c->dirfd, "a");
        b = ino_of(c->dirfd, "d/b");
        EXPECT_OK(renameat2(c->dirfd, "a", c->dirfd, "d/b", RENAME_EXCHANGE));
        EXPECT_EQ(ino_of(c->dirfd, "a"), b);
        EXPECT_EQ(ino_of(c->dirfd, "d/b"), a);
        EXPECT_PASS(expect_content(c, "a", "B"));
        EXPECT_PASS(expect_content(c, "d/b", "A"));
        EXPECT_ERRNO(renameat2(c->dirfd, "a", c->dirfd, "missing", RENAME_EXCHANGE), ENOENT);
        EXPECT_ERRNO(renameat2(c->dirfd, "missing", c->dirfd, "a", RENAME_EXCHANGE), ENOENT);
        EXPECT_PASS(expect_content(c, "a", "B"));
        /* with itself: nothing happens */
        EXPECT_OK(renameat2(c->dirfd, "a", c->dirfd, "a", RENAME_EXCHANGE));
        EXPECT_EQ(ino_of(c->dirfd, "a"), b);
        return RESULT_PASS;
}

/* Two directories in different parents trade places: their ".." follow
 * and the parents' link counts stay. */
static Result rename_exchange_dirs(Ctx *c)
{
        ino_t x, y, p, q;

        EXPECT_OK(mkdirat(c->dirfd, "p", 0755));
        EXPECT_OK(mkdirat(c->dirfd, "q", 0755));
        EXPECT_OK(mkdirat(c->dirfd, "p/x", 0755));
        EXPECT_OK(mkdirat(c->dirfd, "q/y", 0700));
        EXPECT_OK(create_file(c->dirfd, "p/x/in-x", 0644));
        EXPECT_OK(create_file(c->dirfd, "q/y/in-y", 0644));
        x = ino_of(c->dirfd, "p/x");
        y = ino_of(c->dirfd, "q/y");
        p = ino_of(c->dirfd, "p");
        q = ino_of(c->dirfd, "q");
        EXPECT_OK(renameat2(c->dirfd, "p/x", c->dirfd, "q/y", RENAME_EXCHANGE));
        EXPECT_EQ(ino_of(c->dirfd, "p/x"), y);
        EXPECT_EQ(ino_of(c->dirfd, "q/y"), x);
        EXPECT_EQ(ino_of(c->dirfd, "p/x/.."), p);
        EXPECT_EQ(ino_of(c->dirfd, "q/y/.."), q);
        EXPECT_TRUE(ino_of(c->dirfd, "p/x/in-y") != 0);
        EXPECT_TRUE(ino_of(c->dirfd, "q/y/in-x") != 0);
        EXPECT_EQ(nlink_of(c->dirfd, "p"), 3);
        EXPECT_EQ(nlink_of(c->dirfd, "q"), 3);
        return RESULT_PASS;
}

/* A directory and a file trade places across parents: the parents' link
 * counts move with the directory. */
static Result rename_exchange_dir_file(Ctx *c)
{
        struct stat st;

        EXPECT_OK(mkdirat(c->dirfd, "p", 0755));
        EXPECT_OK(mkdirat(c->dirfd, "q", 0755));
        EXPECT_OK(mkdirat(c->dirfd, "p/d", 0755));
        EXPECT_OK(create_file(c->dirfd, "p/d/child", 0644));
        EXPECT_OK(write_file(c->dirfd, "q/f", "F", 1, 0644));
        EXPECT_OK(renameat2(c->dirfd, "p/d", c->dirfd, "q/f", RENAME_EXCHANGE));
        EXPECT_OK(stat_at(c->dirfd, "p/d", &st));
        EXPECT_TRUE(S_ISREG(st.st_mode));
        EXPECT_OK(stat_at(c->dirfd, "q/f", &st));
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        EXPECT_OK(stat_at(c->dirfd, "q/f/child", &st));
        EXPECT_PASS(expect_content(c, "p/d", "F"));
        EXPECT_EQ(ino_of(c->dirfd, "q/f/.."), ino_of(c->dirfd, "q"));
        EXPECT_EQ(nlink_of(c->dirfd, "p"), 2);
        EXPECT_EQ(nlink_of(c->dirfd, "q"), 3);
        /* exchanging a directory into its own subtree */
        EXPECT_OK(mkdirat(c->dirfd, "q/f/sub", 0755));
        EXPECT_ERRNO(renameat2(c->dirfd, "q/f", c->dirfd, "q/f/sub", RENAME_EXCHANGE), EINVAL);
        return RESULT_PASS;
}

static Result rename_dir_rules(Ctx *c)
{
        EXPECT_OK(mkdirat(c->dirfd, "a", 0755));
        EXPECT_OK(mkdirat(c->dirfd, "a/b", 0755));
        EXPECT_OK(mkdirat(c->dirfd, "a/b/c", 0755));
        EXPECT_OK(mkdirat(c->dirfd, "full", 0755));
        EXPECT_OK(create_file(c->dirfd, "full/x", 0644));
        EXPECT_OK(create_file(c->dirfd, "f", 0644));

        EXPECT_ERRNO(renameat(c->dirfd, "a", c->dirfd, "a/b/c/a"), EINVAL);
        EXPECT_ERRNO(renameat(c->dirfd, "a", c->dirfd, "a/new"), EINVAL);
        EXPECT_ERRNO(renameat(c->dirfd, "a", c->dirfd, "a/b/c"), EINVAL);
        EXPECT_ERRNO(renameat(c->dirfd, "a", c->dirfd, "full"), ENOTEMPTY);
        EXPECT_ERRNO(renameat(c->dirfd, "a", c->dirfd, "f"), ENOTDIR);
        EXPECT_ERRNO(renameat(c->dirfd, "f", c->dirfd, "a"), EISDIR);
        EXPECT_ERRNO(renameat(c->dirfd, "a/b/c/..", c->dirfd, "x"), EBUSY);
        EXPECT_EQ(dir_count_entries(c->dirfd, "a/b/c"), 0);
        EXPECT_EQ(nlink_of(c->dirfd, "."), 4);
        return RESULT_PASS;
}

/* Moving directories: over an empty one, and across parents. */
static Result rename_dir_move(Ctx *c)
{
        ino_t a;

        EXPECT_OK(mkdirat(c->dirfd, "a", 0755));
        EXPECT_OK(create_file(c->dirfd, "a/inside", 0644));
        EXPECT_OK(mkdirat(c->dirfd, "empty", 0755));
        a = ino_of(c->dirfd, "a");
        EXPECT_EQ(nlink_of(c->dirfd, "."), 4);
        EXPECT_OK(renameat(c->dirfd, "a", c->dirfd, "empty"));
        EXPECT_EQ(ino_of(c->dirfd, "empty"), a);
        EXPECT_EQ(nlink_of(c->dirfd, "."), 3);
        EXPECT_TRUE(ino_of(c->dirfd, "empty/inside") != 0);

        EXPECT_OK(mkdirat(c->dirfd, "p", 0755));
        EXPECT_OK(mkdirat(c->dirfd, "q", 0755));
        EXPECT_OK(renameat(c->dirfd, "empty", c->dirfd, "p/moved"));
        EXPECT_EQ(nlink_of(c->dirfd, "p"), 3);
        EXPECT_OK(renameat(c->dirfd, "p/moved", c->dirfd, "q/moved"));
        EXPECT_EQ(nlink_of(c->dirfd, "p"), 2);
        EXPECT_EQ(nlink_of(c->dirfd, "q"), 3);
        EXPECT_EQ(ino_of(c->dirfd, "q/moved/.."), ino_of(c->dirfd, "q"));
        EXPECT_EQ(ino_of(c->dirfd, "q/moved"), a);
        EXPECT_OK(create_file(c->dirfd, "q/moved/more", 0644));
        EXPECT_EQ(dir_count_entries(c->dirfd, "q/moved"), 2);
        EXPECT_EQ(dir_count_entries(c->dirfd, "p"), 0);
        return RESULT_PASS;
}

const Check rename_checks[] = {
        {"rename-file", rename_file},
        {"rename-over", rename_over},
        {"rename-noreplace", rename_noreplace},
        {"rename-exchange-files", rename_exchange_files},
        {"rename-exchange-dirs", rename_exchange_dirs},
        {"rename-exchange-dir-file", rename_exchange_dir_file},
        {"rename-dir-rules", rename_dir_rules},
        {"rename-dir-move", rename_dir_move},
        {},
};
