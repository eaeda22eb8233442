/* SPDX-License-Identifier: MIT */
/* The three timestamps: set with nanoseconds, UTIME_NOW/OMIT, and which
 * operations move mtime and ctime. */
#include <sys/xattr.h>

#include "fsconform.h"

static Result expect_ts(Ctx *c, const char *what, struct timespec got, struct timespec want)
{
        if (ts_cmp(got, want) != 0)
                FAIL("%s is %lld.%09ld, expected %lld.%09ld", what, (long long) got.tv_sec, got.tv_nsec,
                     (long long) want.tv_sec, want.tv_nsec);
        return RESULT_PASS;
}

static Result expect_between(Ctx *c, const char *what, struct timespec t, struct timespec lo, struct timespec hi)
{
        if (ts_cmp(t, lo) < 0 || ts_cmp(t, hi) > 0)
                FAIL("%s is %lld.%09ld, not within %lld.%09ld .. %lld.%09ld", what, (long long) t.tv_sec, t.tv_nsec,
                     (long long) lo.tv_sec, lo.tv_nsec, (long long) hi.tv_sec, hi.tv_nsec);
        return RESULT_PASS;
}

static Result times_create(Ctx *c)
{
        struct timespec lo, hi;
        struct stat st, dir;

        lo = now_coarse();
        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        hi = now_fine();
        EXPECT_OK(stat_at(c->dirfd, "f", &st));
        EXPECT_PASS(expect_between(c, "new file's atime", st.st_atim, lo, hi));
        EXPECT_PASS(expect_between(c, "new file's mtime", st.st_mtim, lo, hi));
        EXPECT_PASS(expect_between(c, "new file's ctime", st.st_ctim, lo, hi));
        EXPECT_OK(stat_at(c->dirfd, "d", &st));
        EXPECT_PASS(expect_between(c, "new directory's mtime", st.st_mtim, lo, hi));
        EXPECT_OK(fstat(c->dirfd, &dir));
        EXPECT_PASS(expect_between(c, "parent's mtime", dir.st_mtim, lo, hi));
        EXPECT_PASS(expect_between(c, "parent's ctime", dir.st_ctim, lo, hi));
        return RESULT_PASS;
}

/* Times are kept to the nanosecond, on files, directories and symlinks,
 * before 1970 and far after 2038. */
static Result times_set(Ctx *c)
{
        static const struct timespec cases[][2] = {
                {{1000000000, 123456789}, {1500000000, 987654321}},
                {{1, 1}, {0, 999999999}},
                {{-1000000, 500000000}, {-1, 0}},
                {{4102444800, 1}, {16725225600, 999999999}}, /* 2100 and 2500 */
        };
        static const char *const names[] = {"f", "d", "l"};
        struct stat st;

        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        EXPECT_OK(symlinkat("f", c->dirfd, "l"));
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                for (size_t n = 0; n < ELEMENTSOF(names); n++) {
                        EXPECT_OK(utimensat(c->dirfd, names[n], cases[i], AT_SYMLINK_NOFOLLOW));
                        EXPECT_OK(stat_at(c->dirfd, names[n], &st));
                        EXPECT_PASS(expect_ts(c, "atime", st.st_atim, cases[i][0]));
                        EXPECT_PASS(expect_ts(c, "mtime", st.st_mtim, cases[i][1]));
                }
        /* the symlink's own times were set, not its target's */
        EXPECT_OK(fstatat(c->dirfd, "l", &st, 0));
        EXPECT_PASS(expect_ts(c, "target's mtime", st.st_mtim, cases[ELEMENTSOF(cases) - 1][1]));
        EXPECT_OK(utimensat(c->dirfd, "l", cases[0], 0));
        EXPECT_OK(stat_at(c->dirfd, "f", &st));
        EXPECT_PASS(expect_ts(c, "mtime via symlink", st.st_mtim, cases[0][1]));
        EXPECT_ERRNO(utimensat(c->dirfd, "f", (struct timespec[2]){{0, 1000000000}, {0, 0}}, 0), EINVAL);
        return RESULT_PASS;
}

static Result times_now(Ctx *c)
{
        static const struct timespec old[2] = {{1000, 0}, {2000, 0}};
        const struct timespec now2[2] = {{.tv_nsec = UTIME_NOW}, {.tv_nsec = UTIME_NOW}};
        _cleanup_close_ int fd = -1;
        struct timespec lo, hi;
        struct stat st;

        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_OK(utimensat(c->dirfd, "f", old, 0));
        lo = now_coarse();
        EXPECT_OK(utimensat(c->dirfd, "f", now2, 0));
        hi = now_fine();
        EXPECT_OK(stat_at(c->dirfd, "f", &st));
        EXPECT_PASS(expect_between(c, "atime", st.st_atim, lo, hi));
        EXPECT_PASS(expect_between(c, "mtime", st.st_mtim, lo, hi));
        EXPECT_PASS(expect_between(c, "ctime", st.st_ctim, lo, hi));

        EXPECT_OK(utimensat(c->dirfd, "f", old, 0));
        lo = now_coarse();
        EXPECT_OK(utimensat(c->dirfd, "f", NULL, 0));
        hi = now_fine();
        EXPECT_OK(stat_at(c->dirfd, "f", &st));
        EXPECT_PASS(expect_between(c, "atime after NULL", st.st_atim, lo, hi));
        EXPECT_PASS(expect_between(c, "mtime after NULL", st.st_mtim, lo, hi));

        EXPECT_OK(utimensat(c->dirfd, "f", old, 0));
        EXPECT_OK(fd = openat(c->dirfd, "f", O_RDONLY));
        lo = now_coarse();
        EXPECT_OK(futimens(fd, now2));
        hi = now_fine();
        EXPECT_OK(fstat(fd, &st));
        EXPECT_PASS(expect_between(c, "mtime after futimens", st.st_mtim, lo, hi));
        return RESULT_PASS;
}

static Result times_omit(Ctx *c)
{
        static const struct timespec t1[2] = {{1000, 100}, {2000, 200}};
        const struct timespec omit_a[2] = {{.tv_nsec = UTIME_OMIT}, {3000, 300}};
        const struct timespec omit_m[2] = {{4000, 400}, {.tv_nsec = UTIME_OMIT}};
        const struct timespec omit_both[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_nsec = UTIME_OMIT}};
        const struct timespec now_m[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_nsec = UTIME_NOW}};
        struct timespec lo, hi;
        struct stat st, before;

        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_OK(utimensat(c->dirfd, "f", t1, 0));
        EXPECT_OK(utimensat(c->dirfd, "f", omit_a, 0));
        EXPECT_OK(stat_at(c->dirfd, "f", &st));
        EXPECT_PASS(expect_ts(c, "atime", st.st_atim, t1[0]));
        EXPECT_PASS(expect_ts(c, "mtime", st.st_mtim, omit_a[1]));
        EXPECT_OK(utimensat(c->dirfd, "f", omit_m, 0));
        EXPECT_OK(stat_at(c->dirfd, "f", &st));
        EXPECT_PASS(expect_ts(c, "atime", st.st_atim, omit_m[0]));
        EXPECT_PASS(expect_ts(c, "mtime", st.st_mtim, omit_a[1]));

        /* both omitted: nothing changes, not even ctime */
        EXPECT_OK(stat_at(c->dirfd, "f", &before));
        EXPECT_OK(wait_clock_past(before.st_ctim));
        EXPECT_OK(utimensat(c->dirfd, "f", omit_both, 0));
        EXPECT_OK(stat_at(c->dirfd, "f", &st));
        EXPECT_PASS(expect_ts(c, "atime", st.st_atim, before.st_atim));
        EXPECT_PASS(expect_ts(c, "mtime", st.st_mtim, before.st_mtim));
        EXPECT_PASS(expect_ts(c, "ctime", st.st_ctim, before.st_ctim));

        lo = now_coarse();
        EXPECT_OK(utimensat(c->dirfd, "f", now_m, 0));
        hi = now_fine();
        EXPECT_OK(stat_at(c->dirfd, "f", &st));
        EXPECT_PASS(expect_ts(c, "atime", st.st_atim, omit_m[0]));
        EXPECT_PASS(expect_between(c, "mtime", st.st_mtim, lo, hi));
        return RESULT_PASS;
}

typedef enum Stamp {
        STAMP_NONE = 0,
        STAMP_M = 1,  /* mtime moves */
        STAMP_C = 2,  /* ctime moves */
} Stamp;

/* Run op on "f" and compare f's times before and after. */
static Result expect_stamps(Ctx *c, const char *what, int (*op)(Ctx *c), Stamp want)
{
        struct stat before, after;
        int r;

        if (stat_at(c->dirfd, "f", &before) < 0)
                FAIL("%s: stat f: %s", what, errname(errno));
        EXPECT_OK(wait_clock_past(before.st_ctim));
        EXPECT_OK(wait_clock_past(before.st_mtim));
        r = op(c);
        if (r < 0)
                FAIL("%s: %s", what, errname(-r));
        if (stat_at(c->dirfd, "f", &after) < 0)
                FAIL("%s: stat f: %s", what, errname(errno));
        if (!!(want & STAMP_C) != (ts_cmp(after.st_ctim, before.st_ctim) > 0))
                FAIL("%s: ctime %s", what, want & STAMP_C ? "did not move" : "moved");
        if (!!(want & STAMP_M) != (ts_cmp(after.st_mtim, before.st_mtim) > 0))
                FAIL("%s: mtime %s", what, want & STAMP_M ? "did not move" : "moved");
        return RESULT_PASS;
}

#define ERRNO_OR_0(expr) ((expr) < 0 ? -errno : 0)

static int op_write(Ctx *c)
{
        _cleanup_close_ int fd = openat(c->dirfd, "f", O_WRONLY);
        if (fd < 0)
                return -errno;
        if (pwrite(fd, "x", 1, 10) != 1)
                return -errno;
        return ERRNO_OR_0(fsync(fd));
}
static int op_truncate(Ctx *c)
{
        _cleanup_close_ int fd = openat(c->dirfd, "f", O_WRONLY);
        return fd < 0 ? -errno : ERRNO_OR_0(ftruncate(fd, 3));
}
static int op_chmod(Ctx *c)
{
        return ERRNO_OR_0(fchmodat(c->dirfd, "f", 0600, 0));
}
static int op_chown(Ctx *c)
{
        return ERRNO_OR_0(fchownat(c->dirfd, "f", geteuid(), getegid(), 0));
}
static int op_link(Ctx *c)
{
        return ERRNO_OR_0(linkat(c->dirfd, "f", c->dirfd, "g", 0));
}
static int op_unlink_other(Ctx *c)
{
        return ERRNO_OR_0(unlinkat(c->dirfd, "g", 0));
}
static int op_rename(Ctx *c)
{
        if (renameat(c->dirfd, "f", c->dirfd, "f2") < 0)
                return -errno;
        return ERRNO_OR_0(renameat(c->dirfd, "f2", c->dirfd, "f"));
}
static int op_setxattr(Ctx *c)
{
        _cleanup_close_ int fd = openat(c->dirfd, "f", O_RDONLY);
        return fd < 0 ? -errno : ERRNO_OR_0(fsetxattr(fd, "user.t", "v", 1, 0));
}
static int op_removexattr(Ctx *c)
{
        _cleanup_close_ int fd = openat(c->dirfd, "f", O_RDONLY);
        return fd < 0 ? -errno : ERRNO_OR_0(fremovexattr(fd, "user.t"));
}
static int op_read(Ctx *c)
{
        char buf[4];
        return read_file(c->dirfd, "f", buf, sizeof(buf)) < 0 ? -errno : 0;
}
static int op_utimes(Ctx *c)
{
        return ERRNO_OR_0(utimensat(c->dirfd, "f", (struct timespec[2]){{1, 0}, {2, 0}}, 0));
}

static Result times_ctime(Ctx *c)
{
        static const struct {
                const char *what;
                int (*op)(Ctx *c);
                Stamp want;
        } ops[] = {
                {"write", op_write, STAMP_M | STAMP_C},
                {"truncate", op_truncate, STAMP_M | STAMP_C},
                {"chmod", op_chmod, STAMP_C},
                {"chown", op_chown, STAMP_C},
                {"link", op_link, STAMP_C},
                {"unlink of another link", op_unlink_other, STAMP_C},
                {"rename", op_rename, STAMP_C},
                {"setxattr", op_setxattr, STAMP_C},
                {"removexattr", op_removexattr, STAMP_C},
                {"read", op_read, STAMP_NONE},
                {"utimensat", op_utimes, STAMP_C},
        };

        EXPECT_OK(write_file(c->dirfd, "f", "0123456789", 10, 0644));
        for (size_t i = 0; i < ELEMENTSOF(ops); i++) {
                if (ops[i].op == op_utimes) {
                        /* mtime is set back, so judge ctime alone */
                        struct stat before, after;
                        EXPECT_OK(stat_at(c->dirfd, "f", &before));
                        EXPECT_OK(wait_clock_past(before.st_ctim));
                        EXPECT_OK(op_utimes(c));
                        EXPECT_OK(stat_at(c->dirfd, "f", &after));
                        if (ts_cmp(after.st_ctim, before.st_ctim) <= 0)
                                FAIL("utimensat: ctime did not move");
                        continue;
                }
                EXPECT_PASS(expect_stamps(c, ops[i].what, ops[i].op, ops[i].want));
        }
        return RESULT_PASS;
}

/* Adding, removing and renaming entries moves the directories' mtime and ctime. */
static Result times_dir(Ctx *c)
{
        struct stat p0, q0, p1, q1;

        EXPECT_OK(mkdirat(c->dirfd, "p", 0755));
        EXPECT_OK(mkdirat(c->dirfd, "q", 0755));
        static const char *const steps[] = {"create", "rename", "unlink", "mkdir", "rmdir"};
        for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
                EXPECT_OK(stat_at(c->dirfd, "p", &p0));
                EXPECT_OK(stat_at(c->dirfd, "q", &q0));
                EXPECT_OK(wait_clock_past(p0.st_mtim));
                EXPECT_OK(wait_clock_past(q0.st_mtim));
                switch (i) {
                case 0:
                        EXPECT_OK(create_file(c->dirfd, "p/f", 0644));
                        break;
                case 1:
                        EXPECT_OK(renameat(c->dirfd, "p/f", c->dirfd, "q/f"));
                        break;
                case 2:
                        EXPECT_OK(unlinkat(c->dirfd, "q/f", 0));
                        break;
                case 3:
                        EXPECT_OK(mkdirat(c->dirfd, "p/sub", 0755));
                        break;
                default:
                        EXPECT_OK(unlinkat(c->dirfd, "p/sub", AT_REMOVEDIR));
                }
                EXPECT_OK(stat_at(c->dirfd, "p", &p1));
                EXPECT_OK(stat_at(c->dirfd, "q", &q1));
                bool p_changed = i != 2, q_changed = i == 1 || i == 2;
                if (p_changed && (ts_cmp(p1.st_mtim, p0.st_mtim) <= 0 || ts_cmp(p1.st_ctim, p0.st_ctim) <= 0))
                        FAIL("%s: the directory's mtime/ctime did not move", steps[i]);
                if (q_changed && (ts_cmp(q1.st_mtim, q0.st_mtim) <= 0 || ts_cmp(q1.st_ctim, q0.st_ctim) <= 0))
                        FAIL("%s: the target directory's mtime/ctime did not move", steps[i]);
                if (!q_changed && ts_cmp(q1.st_mtim, q0.st_mtim) != 0)
                        FAIL("%s: an uninvolved directory's mtime moved", steps[i]);
        }
        return RESULT_PASS;
}

/* relatime: a read updates an atime older than mtime. */
static Result times_atime(Ctx *c)
{
        static const struct timespec old[2] = {{1000, 0}, {2000, 0}};
        struct timespec lo, hi;
        struct stat st;
        char buf[4];

        EXPECT_OK(write_file(c->dirfd, "f", "abc", 3, 0644));
        EXPECT_OK(utimensat(c->dirfd, "f", old, 0));
        lo = now_coarse();
        EXPECT_EQ(read_file(c->dirfd, "f", buf, sizeof(buf)), 3);
        hi = now_fine();
        EXPECT_OK(stat_at(c->dirfd, "f", &st));
        EXPECT_PASS(expect_between(c, "atime after read", st.st_atim, lo, hi));
        EXPECT_PASS(expect_ts(c, "mtime after read", st.st_mtim, old[1]));
        return RESULT_PASS;
}

const Check times_checks[] = {
        {"times-create", times_create},
        {"times-set", times_set},
        {"times-now", times_now},
        {"times-omit", times_omit},
        {"times-ctime", times_ctime},
        {"times-dir", times_dir},
        {"times-atime", times_atime},
        {},
};
