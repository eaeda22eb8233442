/* SPDX-License-Identifier: MIT */
/* Directories: mkdir/rmdir rules, link counts, deep trees, readdir. */
#include <dirent.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "fsconform.h"

static Result dir_basic(Ctx *c)
{
        struct stat st, parent, dot, dotdot;

        EXPECT_OK(fstat(c->dirfd, &parent));
        EXPECT_EQ(parent.st_nlink, 2);
        EXPECT_OK(mkdirat(c->dirfd, "d", 0750));
        EXPECT_OK(stat_at(c->dirfd, "d", &st));
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        EXPECT_MODE(st.st_mode & 07777, 0750);
        EXPECT_EQ(st.st_nlink, 2);
        EXPECT_EQ(st.st_uid, geteuid());
        EXPECT_EQ(st.st_gid, getegid());
        EXPECT_OK(fstat(c->dirfd, &parent));
        EXPECT_EQ(parent.st_nlink, 3);
        EXPECT_OK(stat_at(c->dirfd, "d/.", &dot));
        EXPECT_EQ(dot.st_ino, st.st_ino);
        EXPECT_OK(stat_at(c->dirfd, "d/..", &dotdot));
        EXPECT_EQ(dotdot.st_ino, parent.st_ino);

        EXPECT_ERRNO(mkdirat(c->dirfd, "d", 0755), EEXIST);
        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_ERRNO(mkdirat(c->dirfd, "f", 0755), EEXIST);
        EXPECT_OK(create_file(c->dirfd, "d/inner", 0644));
        EXPECT_ERRNO(unlinkat(c->dirfd, "d", AT_REMOVEDIR), ENOTEMPTY);
        EXPECT_ERRNO(unlinkat(c->dirfd, "f", AT_REMOVEDIR), ENOTDIR);
        EXPECT_ERRNO(unlinkat(c->dirfd, "d", 0), EISDIR);
        EXPECT_ERRNO(unlinkat(c->dirfd, "d/.", AT_REMOVEDIR), EINVAL);
        EXPECT_ERRNO(unlinkat(c->dirfd, "missing", AT_REMOVEDIR), ENOENT);
        EXPECT_OK(unlinkat(c->dirfd, "d/inner", 0));
        EXPECT_OK(unlinkat(c->dirfd, "d", AT_REMOVEDIR));
        EXPECT_ERRNO(stat_at(c->dirfd, "d", &st), ENOENT);
        EXPECT_OK(fstat(c->dirfd, &parent));
        EXPECT_EQ(parent.st_nlink, 2);
        return RESULT_PASS;
}

/* A directory's link count is 2 plus its subdirectories; files don't count. */
static Result dir_nlink(Ctx *c)
{
        struct stat st;
        char name[16];

        for (int i = 0; i < 10; i++) {
                snprintf(name, sizeof(name), "sub%d", i);
                EXPECT_OK(mkdirat(c->dirfd, name, 0755));
                snprintf(name, sizeof(name), "file%d", i);
                EXPECT_OK(create_file(c->dirfd, name, 0644));
        }
        EXPECT_OK(fstat(c->dirfd, &st));
        EXPECT_EQ(st.st_nlink, 12);
        EXPECT_OK(unlinkat(c->dirfd, "sub3", AT_REMOVEDIR));
        EXPECT_OK(unlinkat(c->dirfd, "file3", 0));
        EXPECT_OK(fstat(c->dirfd, &st));
        EXPECT_EQ(st.st_nlink, 11);
        return RESULT_PASS;
}

/* 1000 levels, walked down with openat and back up with "..", then one
 * relative path through all of them (2,000+ bytes). */
static Result dir_deep(Ctx *c)
{
        enum { DEPTH = 1000 };
        _cleanup_free_ ino_t *inos = calloc(DEPTH + 1, sizeof(ino_t));
        _cleanup_free_ char *path = malloc(DEPTH * 2 + 16);
        _cleanup_close_ int cur = -1, fd = -1;
        struct stat st;
        char buf[8];

        EXPECT_TRUE(inos && path);
        EXPECT_OK(cur = dup(c->dirfd));
        EXPECT_OK(fstat(cur, &st));
        inos[0] = st.st_ino;
        for (int i = 1; i <= DEPTH; i++) {
                int next;
                if (mkdirat(cur, "d", 0700) < 0)
                        FAIL("mkdir at depth %d: %s", i, errname(errno));
                next = openat(cur, "d", O_RDONLY | O_DIRECTORY);
                if (next < 0)
                        FAIL("open at depth %d: %s", i, errname(errno));
                close(cur);
                cur = next;
                EXPECT_OK(fstat(cur, &st));
                inos[i] = st.st_ino;
        }
        EXPECT_OK(write_file(cur, "leaf", "deep", 4, 0644));

        path[0] = 0;
        for (int i = 0; i < DEPTH; i++)
                strcat(path, "d/");
        strcat(path, "leaf");
        EXPECT_EQ(read_file(c->dirfd, path, buf, sizeof(buf)), 4);
        EXPECT_TRUE(memcmp(buf, "deep", 4) == 0);

        EXPECT_OK(unlinkat(cur, "leaf", 0));
        for (int i = DEPTH; i > 0; i--) {
                int up = openat(cur, "..", O_RDONLY | O_DIRECTORY);
                if (up < 0)
                        FAIL("open .. at depth %d: %s", i, errname(errno));
                close(cur);
                cur = up;
                EXPECT_OK(fstat(cur, &st));
                if (st.st_ino != inos[i - 1])
                        FAIL(".. at depth %d is inode %llu, expected %llu", i, (unsigned long long) st.st_ino,
                             (unsigned long long) inos[i - 1]);
                if (unlinkat(cur, "d", AT_REMOVEDIR) < 0)
                        FAIL("rmdir at depth %d: %s", i, errname(errno));
        }
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 0);
        return RESULT_PASS;
}

typedef struct Entry {
        char name[16];
        unsigned char type;
        ino_t ino;
        int seen;
} Entry;

static Entry *find_entry(Entry *v, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (streq(v[i].name, name))
                        return &v[i];
        return NULL;
}

static Result make_mixed_entries(Ctx *c, Entry *v, size_t n)
{
        static const unsigned char types[] = {DT_REG, DT_DIR, DT_LNK, DT_FIFO};
        struct stat st;

        for (size_t i = 0; i < n; i++) {
                v[i].type = types[i % ELEMENTSOF(types)];
                snprintf(v[i].name, sizeof(v[i].name), "e%03u", (unsigned) (i % 1000));
                switch (v[i].type) {
                case DT_REG:
                        EXPECT_OK(create_file(c->dirfd, v[i].name, 0644));
                        break;
                case DT_DIR:
                        EXPECT_OK(mkdirat(c->dirfd, v[i].name, 0755));
                        break;
                case DT_LNK:
                        EXPECT_OK(symlinkat("somewhere", c->dirfd, v[i].name));
                        break;
                default:
                        EXPECT_OK(mknodat(c->dirfd, v[i].name, S_IFIFO | 0644, 0));
                }
                EXPECT_OK(stat_at(c->dirfd, v[i].name, &st));
                v[i].ino = st.st_ino;
        }
        return RESULT_PASS;
}

/* readdir returns each entry exactly once, with its type and inode. */
static Result readdir_exact(Ctx *c)
{
        enum { N = 200 };
        Entry v[N] = {};
        _cleanup_close_ int fd = -1;
        struct dirent *de;
        int dots = 0;
        DIR *d;

        EXPECT_PASS(make_mixed_entries(c, v, N));
        EXPECT_OK(fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY));
        EXPECT_TRUE((d = fdopendir(TAKE_FD(fd))));
        while ((errno = 0, de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, "..")) {
                        dots++;
                        continue;
                }
                Entry *e = find_entry(v, N, de->d_name);
                if (!e || e->seen++) {
                        closedir(d);
                        FAIL("readdir returned %s \"%s\"", e ? "a repeated" : "an unknown", de->d_name);
                }
                if (de->d_type != e->type || de->d_ino != e->ino) {
                        closedir(d);
                        FAIL("\"%s\": d_type %d d_ino %llu, expected %d and %llu", de->d_name, de->d_type,
                             (unsigned long long) de->d_ino, e->type, (unsigned long long) e->ino);
                }
        }
        int e = errno;
        closedir(d);
        if (e)
                FAIL("readdir: %s", errname(e));
        EXPECT_EQ(dots, 2);
        for (size_t i = 0; i < N; i++)
                if (!v[i].seen)
                        FAIL("readdir did not return \"%s\"", v[i].name);
        return RESULT_PASS;
}

/* Reads the rest of a directory stream into names (joined by '/'). */
static int read_rest(DIR *d, char *out, size_t size)
{
        struct dirent *de;
        size_t used = 0;

        out[0] = 0;
        while ((errno = 0, de = readdir(d))) {
                int n = snprintf(out + used, size - used, "%s/", de->d_name);
                if (n < 0 || (size_t) n >= size - used) {
                        errno = ENOBUFS;
                        return -ENOBUFS;
                }
                used += (size_t) n;
        }
        return errno ? -errno : 0;
}

/* telldir/seekdir come back to the same place; rewinddir starts again. */
static Result readdir_seek(Ctx *c)
{
        enum { N = 300, SIZE = 16 * 1024 };
        Entry v[N] = {};
        _cleanup_free_ char *all = malloc(SIZE), *rest1 = malloc(SIZE), *rest2 = malloc(SIZE),
                            *again = malloc(SIZE);
        _cleanup_close_ int fd = -1;
        int r1, r2, r3;
        long pos;
        DIR *d;

        EXPECT_TRUE(all && rest1 && rest2 && again);
        EXPECT_PASS(make_mixed_entries(c, v, N));
        EXPECT_OK(fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY));
        EXPECT_TRUE((d = fdopendir(TAKE_FD(fd))));
        r1 = read_rest(d, all, SIZE);
        rewinddir(d);
        for (int i = 0; i < 137; i++)
                if (!readdir(d)) {
                        closedir(d);
                        FAIL("directory ended after %d entries", i);
                }
        pos = telldir(d);
        r2 = read_rest(d, rest1, SIZE);
        seekdir(d, pos);
        r3 = read_rest(d, rest2, SIZE);
        rewinddir(d);
        EXPECT_OK(read_rest(d, again, SIZE));
        closedir(d);
        EXPECT_OK(r1);
        EXPECT_OK(r2);
        EXPECT_OK(r3);
        if (!streq(rest1, rest2))
                FAIL("after seekdir(telldir()) the directory reads differently");
        if (!streq(again, all))
                FAIL("after rewinddir the directory reads differently");
        return RESULT_PASS;
}

/* rm -r's pattern: delete every entry as soon as it is read, with small
 * getdents buffers. Entries not yet deleted must each come exactly once. */
static Result readdir_delete(Ctx *c)
{
        enum { N = 500 };
        _cleanup_close_ int fd = -1;
        static char seen[N];
        char buf[1024], name[16];
        int total = 0;

        for (int i = 0; i < N; i++) {
                snprintf(name, sizeof(name), "f%d", i);
                EXPECT_OK(create_file(c->dirfd, name, 0644));
        }
        EXPECT_OK(fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY));
        for (;;) {
                long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
                if (n < 0)
                        FAIL("getdents64: %s", errname(errno));
                if (n == 0)
                        break;
                for (long pos = 0; pos < n;) {
                        struct dirent64 *de = (struct dirent64 *) (buf + pos);
                        int i;
                        pos += de->d_reclen;
                        if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                                continue;
                        if (sscanf(de->d_name, "f%d", &i) != 1 || i < 0 || i >= N)
                                FAIL("unexpected entry \"%s\"", de->d_name);
                        if (seen[i]++)
                                FAIL("\"%s\" returned twice", de->d_name);
                        EXPECT_OK(unlinkat(c->dirfd, de->d_name, 0));
                        total++;
                }
        }
        EXPECT_EQ(total, N);
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 0);
        return RESULT_PASS;
}

static Result readdir_large(Ctx *c)
{
        enum { N = 10000 };
        _cleanup_free_ char *seen = calloc(N, 1);
        _cleanup_close_ int fd = -1;
        struct dirent *de;
        struct timespec t0 = now_fine(), t1;
        char name[32];
        struct stat st;
        int total = 0;
        DIR *d;

        EXPECT_TRUE(seen);
        for (int i = 0; i < N; i++) {
                snprintf(name, sizeof(name), "entry-%05d", i);
                if (create_file(c->dirfd, name, 0644) < 0)
                        FAIL("creating %s: %s", name, errname(errno));
        }
        EXPECT_OK(fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY));
        EXPECT_TRUE((d = fdopendir(TAKE_FD(fd))));
        while ((de = readdir(d))) {
                int i;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (sscanf(de->d_name, "entry-%d", &i) != 1 || i < 0 || i >= N || seen[i]++) {
                        closedir(d);
                        FAIL("unexpected or repeated entry \"%s\"", de->d_name);
                }
                total++;
        }
        closedir(d);
        EXPECT_EQ(total, N);
        for (int i = 0; i < N; i += 997) {
                snprintf(name, sizeof(name), "entry-%05d", i);
                EXPECT_OK(stat_at(c->dirfd, name, &st));
        }
        for (int i = 0; i < N; i++) {
                snprintf(name, sizeof(name), "entry-%05d", i);
                if (unlinkat(c->dirfd, name, 0) < 0)
                        FAIL("unlink %s: %s", name, errname(errno));
        }
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 0);
        t1 = now_fine();
        return check_note(c, "%d entries in %.2f s", N,
                          (double) (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
}

/* A removed directory that is still open is empty and takes no new entries. */
static Result rmdir_open(Ctx *c)
{
        _cleanup_close_ int fd = -1;
        char buf[4096];
        long n;

        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        EXPECT_OK(fd = openat(c->dirfd, "d", O_RDONLY | O_DIRECTORY));
        EXPECT_OK(unlinkat(c->dirfd, "d", AT_REMOVEDIR));
        EXPECT_ERRNO(openat(fd, "new", O_CREAT | O_RDWR, 0644), ENOENT);
        EXPECT_ERRNO(mkdirat(fd, "newdir", 0755), ENOENT);
        n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
        if (n < 0 && errno != ENOENT)
                FAIL("getdents64 on a removed directory: %s", errname(errno));
        for (long pos = 0; pos < n;) {
                struct dirent64 *de = (struct dirent64 *) (buf + pos);
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        FAIL("a removed directory lists \"%s\"", de->d_name);
                pos += de->d_reclen;
        }
        return RESULT_PASS;
}

const Check dirs_checks[] = {
        {"dir-basic", dir_basic},
        {"dir-nlink", dir_nlink},
        {"dir-deep", dir_deep},
        {"readdir-exact", readdir_exact},
        {"readdir-seek", readdir_seek},
        {"readdir-delete", readdir_delete},
        {"readdir-large", readdir_large},
        {"rmdir-open", rmdir_open},
        {},
};
