/* SPDX-License-Identifier: MIT */
/*
 * The assertions every C test in tests/ uses. A failed check prints where
 * and what, and the test goes on, so one run shows every failure; main()
 * ends with "return test_result();". Exit 77 means "skipped" to ctest.
 * A test that ran no check at all fails: it proved nothing (a test with
 * nothing to do here exits TEST_SKIP and says why).
 */
#pragma once

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_SKIP 77

static int test_failures;
static int test_checks;

#define test_fail_(fmt, ...)                                                                               \
        do {                                                                                               \
                test_failures++;                                                                           \
                fprintf(stderr, "%s:%d: FAIL: " fmt "\n", __FILE__, __LINE__, __VA_ARGS__);                \
        } while (0)

#define CHECK(cond)                                                                                        \
        do {                                                                                               \
                test_checks++;                                                                             \
                if (!(cond))                                                                               \
                        test_fail_("%s", #cond);                                                           \
        } while (0)

#define CHECK_INT(a, b)                                                                                    \
        do {                                                                                               \
                long long a_ = (long long) (a), b_ = (long long) (b);                                      \
                test_checks++;                                                                             \
                if (a_ != b_)                                                                              \
                        test_fail_("%s == %lld, expected %s == %lld", #a, a_, #b, b_);                     \
        } while (0)

#define CHECK_STR(a, b)                                                                                    \
        do {                                                                                               \
                const char *a_ = (a), *b_ = (b);                                                           \
                test_checks++;                                                                             \
                if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                     \
                        test_fail_("%s == \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)",                 \
                                   b_ ? b_ : "(null)");                                                    \
        } while (0)

/* The string a contains b. */
#define CHECK_CONTAINS(a, b)                                                                               \
        do {                                                                                               \
                const char *a_ = (a), *b_ = (b);                                                           \
                test_checks++;                                                                             \
                if (!a_ || !strstr(a_, b_))                                                                \
                        test_fail_("%s == \"%s\" does not contain \"%s\"", #a, a_ ? a_ : "(null)", b_);     \
        } while (0)

/* r is a negative errno equal to -e. */
#define CHECK_ERRNO(r, e)                                                                                  \
        do {                                                                                               \
                long long r_ = (long long) (r);                                                            \
                test_checks++;                                                                             \
                if (r_ != -(long long) (e))                                                                \
                        test_fail_("%s == %lld (%s), expected -%s", #r, r_, r_ < 0 ? strerror((int) -r_) : "ok", \
                                   #e);                                                                    \
        } while (0)

static inline int test_result(void)
{
        if (test_checks == 0) {
                fprintf(stderr, "FAIL: no check ran\n");
                return EXIT_FAILURE;
        }
        if (test_failures) {
                fprintf(stderr, "%d of %d checks failed\n", test_failures, test_checks);
                return EXIT_FAILURE;
        }
        fprintf(stderr, "all %d checks passed\n", test_checks);
        return EXIT_SUCCESS;
}
