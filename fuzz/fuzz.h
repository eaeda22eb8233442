/* SPDX-License-Identifier: MIT */
/*
 * What every libFuzzer harness in fuzz/ shares: the input as a C string
 * and a check that stops the run when a parser breaks one of its promises
 * (a crash or a sanitizer report stops it anyway).
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                           \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

/* The input up to its first NUL, as a fresh string (a C API sees no further). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);

        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = 0;
        return s;
}

/* The n-th NUL-separated part of the input (0-based), or NULL: "template\0arg1\0arg2". */
static inline const char *fuzz_part(const char *s, size_t size, unsigned n)
{
        size_t at = 0;

        for (; n > 0; n--) {
                at += strlen(s + at) + 1;
                if (at > size)
                        return NULL;
        }
        return s + at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
