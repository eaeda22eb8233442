/* SPDX-License-Identifier: MIT */
/*
 * A case-insensitive, case-preserving file system (memfs -i), with
 * fsconform --case-insensitive: any spelling finds an entry, the entry keeps
 * the spelling it was made with, and two spellings never make two entries.
 * ASCII letters only; how other scripts fold is the file system's choice.
 */
#include <dirent.h>

#include "fsconform.h"

/* The only entry of the check's directory is named exactly want. */
static Result expect_only_entry(Ctx *c, const char *want)
{
        _cleanup_close_ int fd = -1;
        struct dirent *de;
        char got[256] = "";
        int n = 0;
        DIR *d;

        EXPECT_OK(fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY));
        EXPECT_TRUE((d = fdopendir(TAKE_FD(fd))));
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        snprintf(got, sizeof(got), "%s", de->d_name);
                        n++;
                }
        closedir(d);
        if (n != 1 || !streq(got, want))
                FAIL("the directory lists %d entries (last \"%s\"), expected only \"%s\"", n, got, want);
        return RESULT_PASS;
}

static Result icase_lookup(Ctx *c)
{
        struct stat a, b;
        char buf[8];

        EXPECT_OK(write_file(c->dirfd, "MixedCase.txt", "data", 4, 0644));
        EXPECT_OK(stat_at(c->dirfd, "MixedCase.txt", &a));
        EXPECT_OK(stat_at(c->dirfd, "mixedcase.TXT", &b));
        EXPECT_EQ(b.st_ino, a.st_ino);
        EXPECT_EQ(read_file(c->dirfd, "MIXEDCASE.TXT", buf, sizeof(buf)), 4);
        EXPECT_PASS(expect_only_entry(c, "MixedCase.txt"));
        EXPECT_ERRNO(openat(c->dirfd, "MIXEDCASE.txt", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
        EXPECT_ERRNO(mkdirat(c->dirfd, "mixedcase.txt", 0755), EEXIST);
        EXPECT_ERRNO(linkat(c->dirfd, "MixedCase.txt", c->dirfd, "MIXEDCASE.TXT", 0), EEXIST);
        EXPECT_PASS(expect_only_entry(c, "MixedCase.txt"));
        return RESULT_PASS;
}

/* A name looked up before it existed is found once it does, in any spelling. */
static Result icase_negative(Ctx *c)
{
        struct stat st;

        EXPECT_ERRNO(stat_at(c->dirfd, "later", &st), ENOENT);
        EXPECT_ERRNO(stat_at(c->dirfd, "LATER", &st), ENOENT);
        EXPECT_OK(create_file(c->dirfd, "Later", 0644));
        EXPECT_OK(stat_at(c->dirfd, "later", &st));
        EXPECT_OK(stat_at(c->dirfd, "LATER", &st));
        EXPECT_OK(unlinkat(c->dirfd, "lAtEr", 0));
        EXPECT_ERRNO(stat_at(c->dirfd, "Later", &st), ENOENT);
        EXPECT_ERRNO(stat_at(c->dirfd, "later", &st), ENOENT);
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 0);
        return RESULT_PASS;
}

/* Renaming onto another spelling of an existing name replaces that entry:
 * one entry remains, with the renamed file's data. (A rename to another
 * spelling of the same file never reaches a FUSE file system: the kernel
 * sees one inode on both sides and does nothing.) */
static Result icase_rename(Ctx *c)
{
        char buf[4];

        EXPECT_OK(write_file(c->dirfd, "readme", "x", 1, 0644));
        EXPECT_OK(write_file(c->dirfd, "other", "y", 1, 0644));
        EXPECT_OK(renameat(c->dirfd, "other", c->dirfd, "README"));
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 1);
        EXPECT_EQ(read_file(c->dirfd, "Readme", buf, sizeof(buf)), 1);
        EXPECT_EQ(buf[0], 'y');
        EXPECT_OK(write_file(c->dirfd, "third", "z", 1, 0644));
        EXPECT_ERRNO(renameat2(c->dirfd, "third", c->dirfd, "ReadMe", RENAME_NOREPLACE), EEXIST);
        EXPECT_OK(renameat2(c->dirfd, "third", c->dirfd, "rEADME", RENAME_EXCHANGE));
        EXPECT_EQ(read_file(c->dirfd, "readme", buf, sizeof(buf)), 1);
        EXPECT_EQ(buf[0], 'z');
        EXPECT_EQ(read_file(c->dirfd, "THIRD", buf, sizeof(buf)), 1);
        EXPECT_EQ(buf[0], 'y');
        return RESULT_PASS;
}

static Result icase_dirs(Ctx *c)
{
        struct stat st;

        EXPECT_OK(mkdirat(c->dirfd, "Dir", 0755));
        EXPECT_OK(create_file(c->dirfd, "dir/File", 0644));
        EXPECT_OK(stat_at(c->dirfd, "DIR/FILE", &st));
        EXPECT_OK(mkdirat(c->dirfd, "DIR/Sub", 0755));
        EXPECT_OK(create_file(c->dirfd, "dIr/sUb/deep", 0644));
        EXPECT_OK(stat_at(c->dirfd, "Dir/Sub/DEEP", &st));
        EXPECT_ERRNO(unlinkat(c->dirfd, "dir", AT_REMOVEDIR), ENOTEMPTY);
        EXPECT_PASS(expect_only_entry(c, "Dir"));
        return RESULT_PASS;
}

const Check icase_checks[] = {
        {"icase-lookup", icase_lookup},
        {"icase-negative", icase_negative},
        {"icase-rename", icase_rename},
        {"icase-dirs", icase_dirs},
        {},
};
