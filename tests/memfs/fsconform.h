/* SPDX-License-Identifier: MIT */
/*
 * fsconform: a catalogue of named POSIX/Linux file-system checks, run inside
 * a directory of the file system under test. Each check runs in its own
 * process and its own fresh subdirectory (Ctx.dirfd), and ends at its first
 * broken expectation with a detail naming the source line, the call and the
 * errno it got. The catalogue lives in conform-*.c, one file per area.
 *
 * Helpers here return -errno on failure AND leave errno set, so the EXPECT
 * macros treat them exactly like system calls.
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"

typedef enum Result {
        RESULT_PASS,
        RESULT_FAIL,
        RESULT_SKIP,
} Result;

typedef struct Ctx {
        int dirfd;           /* the check's private directory */
        bool root;           /* running with euid 0 (may become the actor) */
        uid_t actor_uid;     /* the unprivileged identity: --user as root, ourselves otherwise */
        gid_t actor_gid;
        uint64_t max_nodes;  /* --limits: the -n and -s the file system was started with */
        uint64_t max_size;
        char detail[1024];   /* why it failed or was skipped, or a note on a pass */
} Ctx;

typedef struct Check {
        const char *name;
        Result (*run)(Ctx *c);
} Check;

/* The catalogue, one table per area, each ending with an empty entry. */
extern const Check files_checks[];
extern const Check dirs_checks[];
extern const Check links_checks[];
extern const Check rename_checks[];
extern const Check perms_checks[];
extern const Check access_checks[];
extern const Check times_checks[];
extern const Check data_checks[];
extern const Check xattr_checks[];
extern const Check threads_checks[];
extern const Check limits_checks[];
extern const Check icase_checks[];

Result check_fail(Ctx *c, const char *file, int line, const char *fmt, ...) _printf_(4, 5);
Result check_skip(Ctx *c, const char *fmt, ...) _printf_(2, 3);
Result check_note(Ctx *c, const char *fmt, ...) _printf_(2, 3);
const char *errname(int e);

/* The macros assume the check's context is a variable named c. */
#define FAIL(...) return check_fail(c, __FILE__, __LINE__, __VA_ARGS__)
#define SKIP(...) return check_skip(c, __VA_ARGS__)

#define EXPECT_OK(expr)                                                                                    \
        do {                                                                                               \
                errno = 0;                                                                                 \
                if ((long long) (expr) < 0)                                                                \
                        FAIL("%s: %s", #expr, errname(errno));                                            \
        } while (0)

#define EXPECT_ERRNO(expr, e)                                                                              \
        do {                                                                                               \
                errno = 0;                                                                                 \
                long long r_ = (long long) (expr);                                                         \
                if (r_ >= 0)                                                                               \
                        FAIL("%s succeeded (%lld), expected %s", #expr, r_, #e);                          \
                if (errno != (e))                                                                          \
                        FAIL("%s: %s, expected %s", #expr, errname(errno), #e);                           \
        } while (0)

#define EXPECT_EQ(a, b)                                                                                    \
        do {                                                                                               \
                long long a_ = (long long) (a), b_ = (long long) (b);                                      \
                if (a_ != b_)                                                                              \
                        FAIL("%s == %lld, expected %s == %lld", #a, a_, #b, b_);                          \
        } while (0)

#define EXPECT_MODE(a, b)                                                                                  \
        do {                                                                                               \
                unsigned a_ = (unsigned) (a), b_ = (unsigned) (b);                                         \
                if (a_ != b_)                                                                              \
                        FAIL("%s == 0%o, expected 0%o", #a, a_, b_);                                      \
        } while (0)

#define EXPECT_TRUE(cond)                                                                                  \
        do {                                                                                               \
                if (!(cond))                                                                               \
                        FAIL("expected %s", #cond);                                                        \
        } while (0)

/* Propagate a failed sub-step (a helper returning Result). */
#define EXPECT_PASS(expr)                                                                                  \
        do {                                                                                               \
                Result r_ = (expr);                                                                        \
                if (r_ != RESULT_PASS)                                                                     \
                        return r_;                                                                         \
        } while (0)

/* Run fn as the unprivileged actor: a forked child with the actor's uid/gid
 * and no supplementary groups when we are root, ourselves otherwise. */
typedef Result (*ActorFn)(Ctx *c, void *arg);
Result as_actor(Ctx *c, ActorFn fn, void *arg);

/* Give a name in dirfd to the actor (a no-op when not root). */
int chown_to_actor(Ctx *c, int dirfd, const char *name);

/* Files and data. */
int create_file(int dirfd, const char *name, mode_t mode);
int write_file(int dirfd, const char *name, const void *buf, size_t len, mode_t mode);
ssize_t read_file(int dirfd, const char *name, void *buf, size_t size);
ssize_t pwrite_all(int fd, const void *buf, size_t len, off_t off);
ssize_t pread_all(int fd, void *buf, size_t len, off_t off);
void fill_pattern(void *buf, size_t len, uint32_t seed, off_t off);
/* The first offset in buf that does not hold the pattern, or -1. */
ssize_t find_pattern_mismatch(const void *buf, size_t len, uint32_t seed, off_t off);
/* The first non-zero offset in buf, or -1. */
ssize_t find_nonzero(const void *buf, size_t len);
/* Bytes [off, off+len) of the file are zero, read in chunks; -1 if they are, else the bad offset. */
off_t file_find_nonzero(int fd, off_t off, off_t len);

int stat_at(int dirfd, const char *name, struct stat *ret);  /* fstatat, no follow */
int dir_count_entries(int dirfd, const char *name);          /* entries other than . and .. */

/* Time. */
struct timespec now_coarse(void);
struct timespec now_fine(void);
int ts_cmp(struct timespec a, struct timespec b);
/* Wait (bounded) until the coarse clock, which the kernel stamps with, has
 * passed t, so the next change gets a later timestamp. */
int wait_clock_past(struct timespec t);

/* Remove name in dirfd and everything below, whatever the modes. */
int rm_rf_at(int dirfd, const char *name);
