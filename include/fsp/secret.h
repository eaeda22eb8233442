/* SPDX-License-Identifier: MIT */
/*
 * A secret (a password) held in memory that is locked (never swapped),
 * excluded from core dumps, and wiped when freed. Every component that
 * touches a password keeps it in one of these, and only there.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FSP_SECRET_MAX 4096

typedef struct FspSecret {
        char *data;  /* NUL-terminated for convenience; size excludes the NUL */
        size_t size;
        size_t capacity;
} FspSecret;

/* An empty secret with room for FSP_SECRET_MAX bytes. */
int fsp_secret_new(FspSecret **ret);

/* Copy n bytes in; -EMSGSIZE above FSP_SECRET_MAX. */
int fsp_secret_new_from(const void *p, size_t n, FspSecret **ret);

/*
 * Read fd to end of file. More than max bytes (≤ FSP_SECRET_MAX) is
 * -EMSGSIZE, never a truncation. timeout_usec 0 waits forever; otherwise
 * -ETIMEDOUT when end of file has not come in time.
 */
int fsp_secret_read_fd(int fd, size_t max, unsigned long long timeout_usec, FspSecret **ret);

/* Strip one trailing "\n" or "\r\n", for secrets typed or piped by people. */
void fsp_secret_chomp(FspSecret *s);

/* Wipe and free; returns NULL. */
FspSecret *fsp_secret_free(FspSecret *s);

/* Write all of it to fd (a pipe, say); -errno on failure. */
int fsp_secret_write(const FspSecret *s, int fd);

/* A pipe whose read end holds the secret, for StartWithSecret: write, close, hand over. */
int fsp_secret_to_pipe(const FspSecret *s, int *ret_read_fd);

#ifdef __cplusplus
}
#endif
