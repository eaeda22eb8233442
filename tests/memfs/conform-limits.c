/* SPDX-License-Identifier: MIT */
/*
 * The limits of a file system started with at most NODES nodes and SIZE
 * bytes per file (fsconform --limits NODES:SIZE): ENOSPC exactly when the
 * nodes run out, EFBIG exactly past SIZE, and statfs saying so
 * (f_files = NODES, capacity = NODES x SIZE, as WinFsp's memfs reports).
 */
#include <stdlib.h>
#include <sys/statfs.h>

#include "fsconform.h"

static unsigned long long frsize(const struct statfs *s)
{
        return s->f_frsize ? (unsigned long long) s->f_frsize : (unsigned long long) s->f_bsize;
}

/* Wait (bounded) until statfs reports want free nodes: the file system may
 * hear of the last reference to a deleted file a little after unlink. */
static int wait_ffree(int dirfd, unsigned long long want, struct statfs *ret)
{
        struct timespec deadline = now_fine();

        deadline.tv_sec += 5;
        for (;;) {
                if (fstatfs(dirfd, ret) < 0)
                        return -errno;
                if (ret->f_ffree == want)
                        return 0;
                if (ts_cmp(now_fine(), deadline) > 0)
                        return errno = ETIMEDOUT, -ETIMEDOUT;
                nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
        }
}

static Result limits_statfs(Ctx *c)
{
        struct statfs s;
        unsigned long long capacity, expected = c->max_nodes * c->max_size, diff;

        EXPECT_OK(fstatfs(c->dirfd, &s));
        EXPECT_EQ(s.f_files, c->max_nodes);
        /* the root and this check's directory exist */
        EXPECT_TRUE(s.f_ffree <= c->max_nodes - 2);
        capacity = (unsigned long long) s.f_blocks * frsize(&s);
        diff = capacity > expected ? capacity - expected : expected - capacity;
        if (diff >= frsize(&s))
                FAIL("capacity is %llu bytes (f_blocks %llu x %llu), expected %llu x %llu", capacity,
                     (unsigned long long) s.f_blocks, frsize(&s), (unsigned long long) c->max_nodes,
                     (unsigned long long) c->max_size);
        EXPECT_TRUE(s.f_bfree <= s.f_blocks && s.f_bavail <= s.f_bfree);
        EXPECT_EQ(s.f_namelen, 255);
        return RESULT_PASS;
}

/* Fill every free node with a file; returns how many. */
static Result fill_nodes(Ctx *c, unsigned long long *ret_count)
{
        struct statfs s;
        char name[32];

        EXPECT_OK(fstatfs(c->dirfd, &s));
        EXPECT_TRUE(s.f_ffree > 0);
        if (s.f_ffree >= c->max_nodes)
                FAIL("statfs says %llu nodes are free, not fewer than the %llu the file system may have",
                     (unsigned long long) s.f_ffree, (unsigned long long) c->max_nodes);
        for (unsigned long long i = 0; i < s.f_ffree; i++) {
                snprintf(name, sizeof(name), "n%llu", i);
                if (create_file(c->dirfd, name, 0644) < 0)
                        FAIL("creating file %llu of the %llu statfs called free: %s", i + 1,
                             (unsigned long long) s.f_ffree, errname(errno));
        }
        *ret_count = s.f_ffree;
        return RESULT_PASS;
}

static Result limits_nodes(Ctx *c)
{
        unsigned long long count;
        struct statfs s;

        EXPECT_PASS(fill_nodes(c, &count));
        EXPECT_OK(fstatfs(c->dirfd, &s));
        EXPECT_EQ(s.f_ffree, 0);
        EXPECT_ERRNO(create_file(c->dirfd, "extra", 0644), ENOSPC);
        EXPECT_ERRNO(mkdirat(c->dirfd, "extra-dir", 0755), ENOSPC);
        EXPECT_ERRNO(symlinkat("x", c->dirfd, "extra-link"), ENOSPC);
        EXPECT_ERRNO(mknodat(c->dirfd, "extra-fifo", S_IFIFO | 0644, 0), ENOSPC);
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), count);

        /* one freed node can be used again */
        EXPECT_OK(unlinkat(c->dirfd, "n0", 0));
        if (wait_ffree(c->dirfd, 1, &s) < 0)
                FAIL("after unlinking one file f_ffree is %llu, expected 1", (unsigned long long) s.f_ffree);
        EXPECT_OK(create_file(c->dirfd, "again", 0644));
        EXPECT_ERRNO(create_file(c->dirfd, "again2", 0644), ENOSPC);
        return RESULT_PASS;
}

/* A hard link is a name, not a node: it still works when the nodes are gone. */
static Result limits_link_when_full(Ctx *c)
{
        unsigned long long count;
        struct stat st;

        EXPECT_PASS(fill_nodes(c, &count));
        EXPECT_OK(linkat(c->dirfd, "n0", c->dirfd, "hard", 0));
        EXPECT_OK(stat_at(c->dirfd, "hard", &st));
        EXPECT_EQ(st.st_nlink, 2);
        return RESULT_PASS;
}

static Result limits_size(Ctx *c)
{
        const off_t max = (off_t) c->max_size;
        _cleanup_close_ int fd = -1;
        struct stat st;
        ssize_t n;

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_OK(ftruncate(fd, max));
        EXPECT_ERRNO(ftruncate(fd, max + 1), EFBIG);
        EXPECT_OK(fstat(fd, &st));
        EXPECT_EQ(st.st_size, max);
        EXPECT_OK(ftruncate(fd, 0));
        EXPECT_ERRNO(fallocate(fd, 0, 0, max + 1), EFBIG);
        EXPECT_ERRNO(fallocate(fd, 0, max, 1), EFBIG);
        EXPECT_OK(fallocate(fd, 0, 0, max));
        EXPECT_OK(ftruncate(fd, 0));

        EXPECT_EQ(pwrite(fd, "x", 1, max - 1), 1);
        EXPECT_ERRNO(pwrite(fd, "x", 1, max), EFBIG);
        n = pwrite(fd, "yz", 2, max - 1);
        if (n != 1 && !(n < 0 && errno == EFBIG))
                FAIL("a 2-byte write across the limit returned %zd (%s), expected 1 or EFBIG", n,
                     n < 0 ? errname(errno) : "no error");
        EXPECT_OK(fsync(fd));
        EXPECT_OK(fstat(fd, &st));
        EXPECT_EQ(st.st_size, max);
        return RESULT_PASS;
}

/* Writing data takes free space, deleting it gives it back. */
static Result limits_space(Ctx *c)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = malloc(c->max_size);
        struct statfs s0, s1, s2;
        unsigned long long used;

        EXPECT_TRUE(buf);
        EXPECT_OK(fstatfs(c->dirfd, &s0));
        fill_pattern(buf, c->max_size, 21, 0);
        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_EQ(pwrite_all(fd, buf, c->max_size, 0), c->max_size);
        EXPECT_OK(fsync(fd));
        EXPECT_OK(fstatfs(c->dirfd, &s1));
        used = (unsigned long long) (s0.f_bfree - s1.f_bfree) * frsize(&s1);
        if (used + frsize(&s1) <= c->max_size)
                FAIL("writing %llu bytes took %llu bytes of free space", (unsigned long long) c->max_size, used);
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_OK(unlinkat(c->dirfd, "f", 0));
        struct timespec deadline = now_fine();
        deadline.tv_sec += 5;
        for (;;) {
                EXPECT_OK(fstatfs(c->dirfd, &s2));
                if (s2.f_bfree == s0.f_bfree)
                        break;
                if (ts_cmp(now_fine(), deadline) > 0)
                        FAIL("after deleting the file f_bfree is %llu, expected %llu",
                             (unsigned long long) s2.f_bfree, (unsigned long long) s0.f_bfree);
                nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
        }
        return RESULT_PASS;
}

const Check limits_checks[] = {
        {"limits-statfs", limits_statfs},
        {"limits-nodes", limits_nodes},
        {"limits-link-when-full", limits_link_when_full},
        {"limits-size", limits_size},
        {"limits-space", limits_space},
        {},
};
