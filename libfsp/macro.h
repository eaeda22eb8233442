/* SPDX-License-Identifier: MIT */
/*
 * The few helpers every part of the project leans on: scope-based cleanup,
 * string-vector basics and small arithmetic. Internal; not installed.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_     __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _pure_       __attribute__((pure))
#define _likely_(x)   (__builtin_expect(!!(x), 1))
#define _unlikely_(x) (__builtin_expect(!!(x), 0))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)

/* Microseconds, as sd-event counts them. */
#define USEC_PER_MSEC 1000ULL
#define USEC_PER_SEC  1000000ULL
#define USEC_PER_MINUTE (60ULL * USEC_PER_SEC)

static inline void freep(void *p)
{
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Close a pair such as a pipe(2) result. */
static inline void close_pairp(int (*p)[2])
{
        closep(&(*p)[0]);
        closep(&(*p)[1]);
}
#define _cleanup_close_pair_ _cleanup_(close_pairp)

/* Hand a resource over to a caller: *p is reset so cleanup does nothing. */
#define TAKE_PTR(p)                                                                                        \
        ({                                                                                                 \
                __typeof__(p) _ptr_ = (p);                                                                 \
                (p) = NULL;                                                                                \
                _ptr_;                                                                                     \
        })
#define TAKE_FD(fd)                                                                                        \
        ({                                                                                                 \
                int _fd_ = (fd);                                                                           \
                (fd) = -1;                                                                                 \
                _fd_;                                                                                      \
        })

static inline int safe_close(int fd)
{
        if (fd >= 0)
                closep(&fd);
        return -1;
}

/* NULL-terminated string vectors ("strv"), as in systemd. */
#define STRV_FOREACH(s, l) for (char **s = (l); s && *s; s++)

static inline size_t strv_length(char *const *l)
{
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

static inline char **strv_free(char **l)
{
        for (size_t i = 0; l && l[i]; i++)
                free(l[i]);
        free(l);
        return NULL;
}

/* A deep copy; NULL in gives an empty vector. */
static inline int strv_copy(char *const *l, char ***ret)
{
        size_t n = strv_length(l);
        char **c = (char **) calloc(n + 1, sizeof(char *));
        if (!c)
                return -ENOMEM;
        for (size_t k = 0; k < n; k++)
                if (!(c[k] = strdup(l[k]))) {
                        strv_free(c);
                        return -ENOMEM;
                }
        *ret = c;
        return 0;
}

static inline void strv_freep(char ***l)
{
        strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

/* Overwrite memory that held a secret; the compiler may not drop it. */
static inline void erase_and_free(void *p, size_t n)
{
        if (p) {
                explicit_bzero(p, n);
                free(p);
        }
}

/* Replace the string *field owns with a copy of value; -ENOMEM leaves *field as it was. */
static inline int free_and_strdup(char **field, const char *value)
{
        char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

static inline const char *strempty(const char *s)
{
        return s ? s : "";
}

static inline bool isempty(const char *s)
{
        return !s || !s[0];
}
