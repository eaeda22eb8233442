/* SPDX-License-Identifier: MIT */
/*
 * File data: truncate, fallocate and holes, SEEK_DATA/SEEK_HOLE, a huge
 * sparse size, open-unlinked files, mmap, O_APPEND from many writers,
 * O_DIRECT, copy_file_range, statfs.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include "fsconform.h"

static off_t size_of_fd(int fd)
{
        struct stat st;
        return fstat(fd, &st) < 0 ? -1 : st.st_size;
}

static blkcnt_t blocks_of_fd(int fd)
{
        struct stat st;
        return fstat(fd, &st) < 0 ? -1 : st.st_blocks;
}

/* [off, off+len) holds the pattern. */
static Result expect_pattern(Ctx *c, int fd, uint32_t seed, off_t off, size_t len)
{
        _cleanup_free_ char *buf = malloc(len);
        ssize_t bad;

        EXPECT_TRUE(buf);
        if (pread_all(fd, buf, len, off) != (ssize_t) len)
                FAIL("short read of %zu bytes at %lld", len, (long long) off);
        bad = find_pattern_mismatch(buf, len, seed, off);
        if (bad >= 0)
                FAIL("byte %lld does not hold the data written there", (long long) (off + bad));
        return RESULT_PASS;
}

static Result expect_zeros(Ctx *c, int fd, off_t off, off_t len)
{
        off_t bad = file_find_nonzero(fd, off, len);
        if (bad >= 0)
                FAIL("byte %lld is not zero", (long long) bad);
        return RESULT_PASS;
}

static Result write_pattern(Ctx *c, int fd, uint32_t seed, off_t off, size_t len)
{
        _cleanup_free_ char *buf = malloc(len);

        EXPECT_TRUE(buf);
        fill_pattern(buf, len, seed, off);
        EXPECT_EQ(pwrite_all(fd, buf, len, off), len);
        return RESULT_PASS;
}

/* Shrinking drops data; growing again shows zeros, never the old bytes. */
static Result truncate_updown(Ctx *c)
{
        static const off_t sizes[] = {100000, 65536, 65535, 4097, 4096, 4095, 1, 0};
        _cleanup_close_ int fd = -1;
        char path[64];

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        snprintf(path, sizeof(path), "/proc/self/fd/%d/f", c->dirfd);
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                EXPECT_PASS(write_pattern(c, fd, 3, 0, 200000));
                EXPECT_OK(truncate(path, sizes[i]));
                EXPECT_EQ(size_of_fd(fd), sizes[i]);
                EXPECT_PASS(expect_pattern(c, fd, 3, 0, (size_t) sizes[i]));
                EXPECT_OK(truncate(path, 300000));
                EXPECT_EQ(size_of_fd(fd), 300000);
                EXPECT_PASS(expect_pattern(c, fd, 3, 0, (size_t) sizes[i]));
                EXPECT_PASS(expect_zeros(c, fd, sizes[i], 300000 - sizes[i]));
        }
        EXPECT_ERRNO(truncate(path, -1), EINVAL);
        snprintf(path, sizeof(path), "/proc/self/fd/%d", c->dirfd);
        EXPECT_ERRNO(truncate(path, 0), EISDIR);
        return RESULT_PASS;
}

static Result ftruncate_check(Ctx *c)
{
        _cleanup_close_ int fd = -1, ro = -1;
        char buf[8192];

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        memset(buf, 'x', sizeof(buf));
        EXPECT_EQ(write(fd, buf, sizeof(buf)), sizeof(buf));
        EXPECT_OK(ftruncate(fd, 100));
        EXPECT_OK(ftruncate(fd, 8192));
        EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), sizeof(buf));
        EXPECT_EQ(find_nonzero(buf + 100, sizeof(buf) - 100), -1);
        EXPECT_EQ(buf[99], 'x');
        EXPECT_OK(ftruncate(fd, 1 << 20));
        EXPECT_EQ(size_of_fd(fd), 1 << 20);
        /* the file position is not moved by ftruncate */
        EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 8192);
        EXPECT_EQ(write(fd, "y", 1), 1);
        EXPECT_EQ(size_of_fd(fd), 1 << 20);
        EXPECT_ERRNO(ftruncate(fd, -1), EINVAL);
        EXPECT_OK(ro = openat(c->dirfd, "f", O_RDONLY));
        EXPECT_ERRNO(ftruncate(ro, 0), EINVAL);
        EXPECT_EQ(size_of_fd(fd), 1 << 20);
        return RESULT_PASS;
}

static Result fallocate_default(Ctx *c)
{
        _cleanup_close_ int fd = -1;

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_OK(fallocate(fd, 0, 0, 1 << 20));
        EXPECT_EQ(size_of_fd(fd), 1 << 20);
        EXPECT_TRUE(blocks_of_fd(fd) >= (1 << 20) / 512);
        EXPECT_PASS(expect_zeros(c, fd, 0, 1 << 20));
        EXPECT_OK(fallocate(fd, 0, 2 << 20, 4096));
        EXPECT_EQ(size_of_fd(fd), (2 << 20) + 4096);
        /* inside the file: size and data stay */
        EXPECT_PASS(write_pattern(c, fd, 5, 0, 8192));
        EXPECT_OK(fallocate(fd, 0, 0, 65536));
        EXPECT_PASS(expect_pattern(c, fd, 5, 0, 8192));
        EXPECT_EQ(size_of_fd(fd), (2 << 20) + 4096);
        EXPECT_ERRNO(fallocate(fd, 0, 0, 0), EINVAL);
        EXPECT_ERRNO(fallocate(fd, 0, -1, 10), EINVAL);
        return RESULT_PASS;
}

static Result fallocate_keep_size(Ctx *c)
{
        _cleanup_close_ int fd = -1;

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 1 << 20));
        EXPECT_EQ(size_of_fd(fd), 0);
        EXPECT_TRUE(blocks_of_fd(fd) >= (1 << 20) / 512);
        EXPECT_PASS(write_pattern(c, fd, 6, 0, 1000));
        EXPECT_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 500, 1 << 20));
        EXPECT_EQ(size_of_fd(fd), 1000);
        EXPECT_PASS(expect_pattern(c, fd, 6, 0, 1000));
        /* extending later shows zeros over the preallocated part */
        EXPECT_OK(ftruncate(fd, 1 << 20));
        EXPECT_PASS(expect_zeros(c, fd, 1000, (1 << 20) - 1000));
        return RESULT_PASS;
}

/* st_blocks counts written data as soon as it is on the file system (fsync),
 * through the open fd and through the name. */
static Result blocks_after_write(Ctx *c)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_PASS(write_pattern(c, fd, 7, 0, 1 << 20));
        EXPECT_OK(fsync(fd));
        EXPECT_OK(fstat(fd, &st));
        if (st.st_blocks < (1 << 20) / 512)
                FAIL("fstat after writing 1 MiB and fsync: st_blocks %lld", (long long) st.st_blocks);
        EXPECT_OK(stat_at(c->dirfd, "f", &st));
        if (st.st_blocks < (1 << 20) / 512)
                FAIL("stat after writing 1 MiB and fsync: st_blocks %lld", (long long) st.st_blocks);
        return RESULT_PASS;
}

/* Punching frees the blocks and reads as zeros; the neighbours stay. */
static Result fallocate_punch(Ctx *c)
{
        const off_t MiB = 1 << 20;
        _cleanup_close_ int fd = -1;
        blkcnt_t before, after;

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_PASS(write_pattern(c, fd, 8, 0, 4 * MiB));
        /* reopened, so a stale st_blocks (see blocks-after-write) does not count here */
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_OK(fd = openat(c->dirfd, "f", O_RDWR));
        before = blocks_of_fd(fd);
        EXPECT_TRUE(before >= 4 * MiB / 512);
        EXPECT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, MiB, MiB));
        EXPECT_EQ(size_of_fd(fd), 4 * MiB);
        EXPECT_PASS(expect_pattern(c, fd, 8, 0, MiB));
        EXPECT_PASS(expect_zeros(c, fd, MiB, MiB));
        EXPECT_PASS(expect_pattern(c, fd, 8, 2 * MiB, 2 * MiB));
        after = blocks_of_fd(fd);
        if (after > before - MiB / 512)
                FAIL("st_blocks went from %lld to %lld after punching 1 MiB", (long long) before,
                     (long long) after);

        /* unaligned: exactly the range turns to zeros */
        EXPECT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 5000));
        EXPECT_PASS(expect_pattern(c, fd, 8, 0, 100));
        EXPECT_PASS(expect_zeros(c, fd, 100, 5000));
        EXPECT_PASS(expect_pattern(c, fd, 8, 5100, 10000));
        /* past the end: the size stays */
        EXPECT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 3 * MiB, 4 * MiB));
        EXPECT_EQ(size_of_fd(fd), 4 * MiB);
        EXPECT_PASS(expect_zeros(c, fd, 3 * MiB, MiB));
        EXPECT_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP);
        return RESULT_PASS;
}

static Result fallocate_zero_range(Ctx *c)
{
        const off_t MiB = 1 << 20;
        _cleanup_close_ int fd = -1;

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_PASS(write_pattern(c, fd, 9, 0, MiB));
        EXPECT_OK(fallocate(fd, FALLOC_FL_ZERO_RANGE, 4106, 10000));
        EXPECT_EQ(size_of_fd(fd), MiB);
        EXPECT_PASS(expect_pattern(c, fd, 9, 0, 4106));
        EXPECT_PASS(expect_zeros(c, fd, 4106, 10000));
        EXPECT_PASS(expect_pattern(c, fd, 9, 14106, 20000));
        EXPECT_OK(fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, MiB - 10, MiB));
        EXPECT_EQ(size_of_fd(fd), MiB);
        EXPECT_PASS(expect_zeros(c, fd, MiB - 10, 10));
        EXPECT_OK(fallocate(fd, FALLOC_FL_ZERO_RANGE, MiB, MiB));
        EXPECT_EQ(size_of_fd(fd), 2 * MiB);
        EXPECT_PASS(expect_zeros(c, fd, MiB, MiB));
        return RESULT_PASS;
}

/* Two 4 KiB islands 16 MiB apart: the gap costs nothing and reads as zeros. */
static Result make_sparse(Ctx *c, int fd)
{
        EXPECT_PASS(write_pattern(c, fd, 10, 0, 4096));
        EXPECT_PASS(write_pattern(c, fd, 10, 16 << 20, 4096));
        EXPECT_OK(fsync(fd));
        return RESULT_PASS;
}

static Result sparse_holes(Ctx *c)
{
        _cleanup_close_ int fd = -1;

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_PASS(make_sparse(c, fd));
        EXPECT_EQ(size_of_fd(fd), (16 << 20) + 4096);
        if (blocks_of_fd(fd) * 512 >= 2 << 20)
                FAIL("st_blocks is %lld for 8 KiB of data in a 16 MiB file", (long long) blocks_of_fd(fd));
        EXPECT_PASS(expect_zeros(c, fd, 4096, (16 << 20) - 4096));
        EXPECT_PASS(expect_pattern(c, fd, 10, 16 << 20, 4096));
        return RESULT_PASS;
}

/* What any file system must do: data where data is, the end is a hole,
 * ENXIO past the end. A file system may call a hole data. */
static Result seek_data_hole(Ctx *c)
{
        _cleanup_close_ int fd = -1, empty = -1;
        off_t size = (16 << 20) + 4096, h, d;

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_PASS(make_sparse(c, fd));
        EXPECT_EQ(lseek(fd, 0, SEEK_DATA), 0);
        EXPECT_OK(h = lseek(fd, 0, SEEK_HOLE));
        EXPECT_TRUE(h >= 4096 && h <= size);
        EXPECT_EQ(lseek(fd, 16 << 20, SEEK_DATA), 16 << 20);
        EXPECT_EQ(lseek(fd, 16 << 20, SEEK_HOLE), size);
        EXPECT_EQ(lseek(fd, size - 1, SEEK_DATA), size - 1);
        EXPECT_OK(d = lseek(fd, 8 << 20, SEEK_DATA));
        EXPECT_TRUE(d >= 8 << 20 && d <= 16 << 20);
        EXPECT_ERRNO(lseek(fd, size, SEEK_DATA), ENXIO);
        EXPECT_ERRNO(lseek(fd, size, SEEK_HOLE), ENXIO);
        EXPECT_ERRNO(lseek(fd, size + 100, SEEK_DATA), ENXIO);
        EXPECT_OK(empty = openat(c->dirfd, "empty", O_CREAT | O_RDWR, 0644));
        EXPECT_ERRNO(lseek(empty, 0, SEEK_DATA), ENXIO);
        EXPECT_ERRNO(lseek(empty, 0, SEEK_HOLE), ENXIO);
        return RESULT_PASS;
}

/* A file system that stores sparsely reports its holes. */
static Result seek_hole_found(Ctx *c)
{
        const off_t MiB = 1 << 20;
        _cleanup_close_ int fd = -1;
        off_t h, d;

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_PASS(make_sparse(c, fd));
        EXPECT_OK(h = lseek(fd, 0, SEEK_HOLE));
        if (h >= 16 * MiB)
                FAIL("SEEK_HOLE from 0 found %lld: the 16 MiB gap is not reported as a hole", (long long) h);
        EXPECT_OK(d = lseek(fd, h, SEEK_DATA));
        if (d <= h || d > 16 * MiB)
                FAIL("SEEK_DATA from the hole at %lld returned %lld", (long long) h, (long long) d);
        EXPECT_EQ(lseek(fd, 8 * MiB, SEEK_HOLE), 8 * MiB);

        /* a punched hole in data is found too */
        EXPECT_PASS(write_pattern(c, fd, 11, 0, 4 * MiB));
        EXPECT_OK(fsync(fd));
        EXPECT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, MiB, MiB));
        EXPECT_OK(h = lseek(fd, 0, SEEK_HOLE));
        if (h < 1 || h > MiB)
                FAIL("SEEK_HOLE did not find the hole punched at 1 MiB (got %lld)", (long long) h);
        EXPECT_OK(d = lseek(fd, MiB, SEEK_DATA));
        if (d < MiB || d > 2 * MiB)
                FAIL("SEEK_DATA after the punched hole returned %lld", (long long) d);
        return RESULT_PASS;
}

/* 999,999,999,999,999 bytes: sparse, or EFBIG. Never allocated, never a crash. */
static Result sparse_huge(Ctx *c)
{
        const off_t huge = 999999999999999LL;
        _cleanup_close_ int fd = -1;
        struct statfs before, after;
        char buf[4096];
        int r;

        EXPECT_OK(fstatfs(c->dirfd, &before));
        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        r = ftruncate(fd, huge);
        if (r < 0 && errno == EFBIG) {
                EXPECT_EQ(size_of_fd(fd), 0);
                EXPECT_OK(fstat(c->dirfd, &(struct stat){}));
                return check_note(c, "EFBIG");
        }
        EXPECT_OK(r);
        EXPECT_EQ(size_of_fd(fd), huge);
        if (blocks_of_fd(fd) > 2048)
                FAIL("a sparse %lld-byte file has %lld blocks", (long long) huge, (long long) blocks_of_fd(fd));
        EXPECT_EQ(pread(fd, buf, sizeof(buf), huge - 4096), 4096);
        EXPECT_EQ(find_nonzero(buf, sizeof(buf)), -1);
        EXPECT_EQ(pread(fd, buf, sizeof(buf), huge / 2), 4096);
        EXPECT_EQ(find_nonzero(buf, sizeof(buf)), -1);
        EXPECT_EQ(pread(fd, buf, sizeof(buf), huge), 0);
        r = pwrite(fd, "end", 3, huge - 3);
        if (r < 0 && errno != EFBIG)
                FAIL("pwrite at the end: %s", errname(errno));
        if (r >= 0) {
                EXPECT_EQ(r, 3);
                EXPECT_EQ(pread(fd, buf, 3, huge - 3), 3);
                EXPECT_TRUE(memcmp(buf, "end", 3) == 0);
        }
        EXPECT_OK(fsync(fd));
        EXPECT_OK(fstatfs(c->dirfd, &after));
        if ((before.f_bfree - after.f_bfree) * (unsigned long long) after.f_bsize > 16 << 20)
                FAIL("free space dropped by %llu blocks", (unsigned long long) (before.f_bfree - after.f_bfree));
        EXPECT_OK(ftruncate(fd, 0));
        EXPECT_EQ(size_of_fd(fd), 0);
        return check_note(c, "sparse");
}

/* An open file lives on after its last name is gone. */
static Result unlinked_open(Ctx *c)
{
        _cleanup_close_ int fd = -1, fd2 = -1, fresh = -1;
        struct stat st, st2;
        char buf[8];

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_OK(fd2 = openat(c->dirfd, "f", O_RDONLY));
        EXPECT_EQ(write(fd, "abc", 3), 3);
        EXPECT_OK(unlinkat(c->dirfd, "f", 0));
        EXPECT_OK(fstat(fd, &st));
        EXPECT_EQ(st.st_nlink, 0);
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 0);
        EXPECT_PASS(write_pattern(c, fd, 12, 1 << 20, 100000));
        EXPECT_EQ(size_of_fd(fd), (1 << 20) + 100000);
        EXPECT_PASS(expect_pattern(c, fd, 12, 1 << 20, 100000));
        EXPECT_EQ(pread(fd, buf, 3, 0), 3);
        EXPECT_TRUE(memcmp(buf, "abc", 3) == 0);
        EXPECT_OK(ftruncate(fd, 10));
        EXPECT_EQ(size_of_fd(fd2), 10);
        EXPECT_OK(fchmod(fd, 0600));

        /* a new file of the same name is another file */
        EXPECT_OK(fresh = openat(c->dirfd, "f", O_CREAT | O_EXCL | O_RDWR, 0644));
        EXPECT_OK(fstat(fresh, &st2));
        EXPECT_TRUE(st2.st_ino != st.st_ino);
        EXPECT_EQ(st2.st_size, 0);

        /* the last close, not the first, ends it */
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_EQ(pread(fd2, buf, 3, 0), 3);
        EXPECT_TRUE(memcmp(buf, "abc", 3) == 0);
        EXPECT_OK(fstat(fd2, &st));
        EXPECT_EQ(st.st_size, 10);
        return RESULT_PASS;
}

static Result mmap_shared(Ctx *c)
{
        const size_t len = 256 << 10;
        _cleanup_close_ int fd = -1, other = -1;
        _cleanup_free_ char *buf = malloc(len);
        char *map;

        EXPECT_TRUE(buf);
        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_PASS(write_pattern(c, fd, 13, 0, len));
        map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED)
                FAIL("mmap: %s", errname(errno));
        if (find_pattern_mismatch(map, len, 13, 0) >= 0)
                FAIL("the mapping does not show the file's data");
        fill_pattern(buf, len, 14, 0);
        memcpy(map, buf, len);
        if (msync(map, len, MS_SYNC) < 0)
                FAIL("msync: %s", errname(errno));
        EXPECT_OK(other = openat(c->dirfd, "f", O_RDONLY));
        EXPECT_PASS(expect_pattern(c, other, 14, 0, len));

        /* write(2) shows in the mapping */
        EXPECT_PASS(write_pattern(c, fd, 15, 65536, 65536));
        if (find_pattern_mismatch(map + 65536, 65536, 15, 65536) >= 0)
                FAIL("a write(2) does not show in the shared mapping");
        munmap(map, len);
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_OK(close(TAKE_FD(other)));

        /* and all of it was kept */
        EXPECT_OK(fd = openat(c->dirfd, "f", O_RDONLY));
        EXPECT_PASS(expect_pattern(c, fd, 14, 0, 65536));
        EXPECT_PASS(expect_pattern(c, fd, 15, 65536, 65536));
        EXPECT_PASS(expect_pattern(c, fd, 14, 131072, len - 131072));

        /* a private mapping's writes stay private */
        map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED)
                FAIL("mmap MAP_PRIVATE: %s", errname(errno));
        memset(map, 0, 4096);
        munmap(map, 4096);
        EXPECT_PASS(expect_pattern(c, fd, 14, 0, 4096));
        return RESULT_PASS;
}

/* Writers with O_APPEND never overwrite each other. */
static Result append_concurrent(Ctx *c)
{
        enum { WRITERS = 4, RECORDS = 500, RECLEN = 64 };
        _cleanup_free_ char *all = malloc(WRITERS * RECORDS * RECLEN + 1);
        int counts[WRITERS] = {}, last[WRITERS];
        pid_t pids[WRITERS];
        int status;

        EXPECT_TRUE(all);
        EXPECT_OK(create_file(c->dirfd, "log", 0644));
        for (int w = 0; w < WRITERS; w++) {
                pids[w] = fork();
                EXPECT_OK(pids[w]);
                if (pids[w] == 0) {
                        int fd = openat(c->dirfd, "log", O_WRONLY | O_APPEND);
                        char rec[RECLEN + 1];
                        for (int i = 0; fd >= 0 && i < RECORDS; i++) {
                                memset(rec, ' ', RECLEN);
                                rec[snprintf(rec, sizeof(rec), "writer %d record %05d", w, i)] = ' ';
                                rec[RECLEN - 1] = '\n';
                                if (write(fd, rec, RECLEN) != RECLEN)
                                        _exit(1);
                        }
                        _exit(fd < 0 ? 2 : 0);
                }
        }
        for (int w = 0; w < WRITERS; w++) {
                EXPECT_OK(waitpid(pids[w], &status, 0));
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        FAIL("writer %d failed (status 0x%x)", w, status);
        }
        EXPECT_EQ(read_file(c->dirfd, "log", all, WRITERS * RECORDS * RECLEN + 1), WRITERS * RECORDS * RECLEN);
        for (int w = 0; w < WRITERS; w++)
                last[w] = -1;
        for (int r = 0; r < WRITERS * RECORDS; r++) {
                int w, i;
                char *rec = all + (size_t) r * RECLEN;
                if (sscanf(rec, "writer %d record %d", &w, &i) != 2 || w < 0 || w >= WRITERS ||
                    rec[RECLEN - 1] != '\n')
                        FAIL("record %d at offset %d is damaged", r, r * RECLEN);
                if (i <= last[w])
                        FAIL("writer %d's records are out of order at offset %d", w, r * RECLEN);
                last[w] = i;
                counts[w]++;
        }
        for (int w = 0; w < WRITERS; w++)
                EXPECT_EQ(counts[w], RECORDS);
        return RESULT_PASS;
}

static Result o_direct(Ctx *c)
{
        const size_t len = 1 << 20;
        _cleanup_close_ int fd = -1, buffered = -1;
        void *buf = NULL;

        fd = openat(c->dirfd, "f", O_CREAT | O_RDWR | O_DIRECT, 0644);
        if (fd < 0)
                FAIL("open with O_DIRECT: %s", errname(errno));
        if (posix_memalign(&buf, 4096, len) != 0)
                FAIL("posix_memalign failed");
        fill_pattern(buf, len, 16, 0);
        Result r = RESULT_PASS;
        if (pwrite(fd, buf, len, 0) != (ssize_t) len)
                r = check_fail(c, __FILE__, __LINE__, "aligned O_DIRECT write: %s", errname(errno));
        else if (pwrite(fd, (char *) buf + 3 * 4096, 4096, 3 * 4096) != 4096)
                r = check_fail(c, __FILE__, __LINE__, "aligned O_DIRECT write: %s", errname(errno));
        else if (pread(fd, buf, len, 0) != (ssize_t) len)
                r = check_fail(c, __FILE__, __LINE__, "aligned O_DIRECT read: %s", errname(errno));
        else if (find_pattern_mismatch(buf, len, 16, 0) >= 0)
                r = check_fail(c, __FILE__, __LINE__, "O_DIRECT read returned wrong data");
        free(buf);
        if (r != RESULT_PASS)
                return r;
        /* buffered and direct I/O see each other's data */
        EXPECT_OK(buffered = openat(c->dirfd, "f", O_RDWR));
        EXPECT_PASS(expect_pattern(c, buffered, 16, 0, 3 * 4096));
        EXPECT_PASS(expect_pattern(c, buffered, 16, 3 * 4096, 4096));
        EXPECT_PASS(write_pattern(c, buffered, 17, 0, 8192));
        EXPECT_PASS(expect_pattern(c, fd, 17, 0, 8192));
        EXPECT_OK(fcntl(buffered, F_SETFL, O_DIRECT));
        return RESULT_PASS;
}

static Result copy_range_data(Ctx *c)
{
        const size_t len = 1 << 20;
        _cleanup_close_ int in = -1, out = -1;
        _cleanup_free_ char *a = malloc(len), *b = malloc(len);
        loff_t off_in = 1000, off_out = 4096;

        EXPECT_TRUE(a && b);
        EXPECT_OK(in = openat(c->dirfd, "in", O_CREAT | O_RDWR, 0644));
        EXPECT_OK(out = openat(c->dirfd, "out", O_CREAT | O_RDWR, 0644));
        EXPECT_PASS(write_pattern(c, in, 19, 0, len + 1000));
        EXPECT_EQ(copy_file_range(in, &off_in, out, &off_out, len, 0), len);
        EXPECT_EQ(pread_all(in, a, len, 1000), len);
        EXPECT_EQ(pread_all(out, b, len, 4096), len);
        EXPECT_TRUE(memcmp(a, b, len) == 0);
        EXPECT_PASS(expect_zeros(c, out, 0, 4096));
        return RESULT_PASS;
}

/* statfs tells the truth: counts move as files and data come and go. */
static Result statfs_check(Ctx *c)
{
        const size_t data = 8 << 20;
        _cleanup_close_ int fd = -1;
        struct statfs s0, s1, s2;
        char name[16];

        EXPECT_OK(fstatfs(c->dirfd, &s0));
        EXPECT_TRUE(s0.f_bsize > 0);
        EXPECT_TRUE(s0.f_blocks >= s0.f_bfree && s0.f_bfree >= s0.f_bavail);
        EXPECT_TRUE(s0.f_files >= s0.f_ffree);
        EXPECT_EQ(s0.f_namelen, 255);
        for (int i = 0; i < 100; i++) {
                snprintf(name, sizeof(name), "f%d", i);
                EXPECT_OK(create_file(c->dirfd, name, 0644));
        }
        EXPECT_OK(fd = openat(c->dirfd, "data", O_CREAT | O_RDWR, 0644));
        EXPECT_PASS(write_pattern(c, fd, 20, 0, data));
        EXPECT_OK(fsync(fd));
        EXPECT_OK(fstatfs(c->dirfd, &s1));
        if (s1.f_files == 0)
                return check_note(c, "no inode counts (f_files 0)");
        if (s0.f_ffree - s1.f_ffree != 101)
                FAIL("f_ffree went from %llu to %llu after creating 101 files", (unsigned long long) s0.f_ffree,
                     (unsigned long long) s1.f_ffree);
        if ((s0.f_bfree - s1.f_bfree) * (unsigned long long) s1.f_bsize < data)
                FAIL("free space dropped by %llu bytes after writing %zu",
                     (unsigned long long) ((s0.f_bfree - s1.f_bfree) * s1.f_bsize), data);

        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_OK(unlinkat(c->dirfd, "data", 0));
        for (int i = 0; i < 100; i++) {
                snprintf(name, sizeof(name), "f%d", i);
                EXPECT_OK(unlinkat(c->dirfd, name, 0));
        }
        /* the file system may learn of the last reference a little later */
        struct timespec deadline = now_fine();
        deadline.tv_sec += 5;
        for (;;) {
                EXPECT_OK(fstatfs(c->dirfd, &s2));
                if (s2.f_ffree == s0.f_ffree && s2.f_bfree == s0.f_bfree)
                        break;
                if (ts_cmp(now_fine(), deadline) > 0)
                        FAIL("after deleting everything f_ffree %llu f_bfree %llu, expected %llu and %llu",
                             (unsigned long long) s2.f_ffree, (unsigned long long) s2.f_bfree,
                             (unsigned long long) s0.f_ffree, (unsigned long long) s0.f_bfree);
                nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
        }
        return RESULT_PASS;
}

const Check data_checks[] = {
        {"truncate-updown", truncate_updown},
        {"ftruncate", ftruncate_check},
        {"blocks-after-write", blocks_after_write},
        {"fallocate-default", fallocate_default},
        {"fallocate-keep-size", fallocate_keep_size},
        {"fallocate-punch", fallocate_punch},
        {"fallocate-zero-range", fallocate_zero_range},
        {"sparse-holes", sparse_holes},
        {"seek-data-hole", seek_data_hole},
        {"seek-hole-found", seek_hole_found},
        {"sparse-huge", sparse_huge},
        {"unlinked-open", unlinked_open},
        {"mmap-shared", mmap_shared},
        {"append-concurrent", append_concurrent},
        {"o-direct", o_direct},
        {"copy-file-range", copy_range_data},
        {"statfs", statfs_check},
        {},
};
