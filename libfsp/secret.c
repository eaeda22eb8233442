/* SPDX-License-Identifier: MIT */
/*
 * Secret buffers: pages of their own, locked so they never reach swap,
 * left out of core dumps, wiped before they go back to the system.
 */
#include <fcntl.h>
#include <fsp/secret.h>
#include <poll.h>
#include <sys/mman.h>
#include <time.h>

#include "macro.h"

static size_t secret_mapping_size(void)
{
        size_t page = (size_t) sysconf(_SC_PAGESIZE);
        /* Room for FSP_SECRET_MAX bytes, one more to detect "too long", and the NUL. */
        return ((FSP_SECRET_MAX + 2 + page - 1) / page) * page;
}

int fsp_secret_new(FspSecret **ret)
{
        size_t n = secret_mapping_size();
        FspSecret *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;

        s->data = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (s->data == MAP_FAILED) {
                free(s);
                return -ENOMEM;
        }
        s->capacity = n;
        /* Best effort: an unprivileged process may be over its RLIMIT_MEMLOCK. */
        (void) mlock(s->data, n);
        (void) madvise(s->data, n, MADV_DONTDUMP);
        (void) madvise(s->data, n, MADV_WIPEONFORK);
        *ret = s;
        return 0;
}

int fsp_secret_new_from(const void *p, size_t n, FspSecret **ret)
{
        FspSecret *s;
        int r;

        if (n > FSP_SECRET_MAX)
                return -EMSGSIZE;
        r = fsp_secret_new(&s);
        if (r < 0)
                return r;
        memcpy(s->data, p, n);
        s->data[n] = 0;
        s->size = n;
        *ret = s;
        return 0;
}

FspSecret *fsp_secret_free(FspSecret *s)
{
        if (!s)
                return NULL;
        if (s->data) {
                explicit_bzero(s->data, s->capacity);
                munlock(s->data, s->capacity);
                munmap(s->data, s->capacity);
        }
        free(s);
        return NULL;
}

static unsigned long long now_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (unsigned long long) ts.tv_sec * 1000000ULL + (unsigned long long) ts.tv_nsec / 1000ULL;
}

int fsp_secret_read_fd(int fd, size_t max, unsigned long long timeout_usec, FspSecret **ret)
{
        unsigned long long deadline = timeout_usec ? now_usec() + timeout_usec : 0;
        FspSecret *s;
        int r;

        if (max > FSP_SECRET_MAX)
                max = FSP_SECRET_MAX;
        r = fsp_secret_new(&s);
        if (r < 0)
                return r;

        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int wait_ms = -1;
                ssize_t k;

                if (deadline) {
                        unsigned long long now = now_usec();
                        if (now >= deadline) {
                                r = -ETIMEDOUT;
                                break;
                        }
                        wait_ms = (int) MIN((deadline - now + 999) / 1000, (unsigned long long) 60000);
                }
                r = poll(&p, 1, wait_ms);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (r == 0)
                        continue;

                /* Read one byte past max, so "too long" is seen rather than cut. */
                k = read(fd, s->data + s->size, max + 1 - s->size);
                if (k < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        r = -errno;
                        break;
                }
                if (k == 0) {
                        s->data[s->size] = 0;
                        *ret = s;
                        return 0;
                }
                s->size += (size_t) k;
                if (s->size > max) {
                        r = -EMSGSIZE;
                        break;
                }
        }
        fsp_secret_free(s);
        return r;
}

void fsp_secret_chomp(FspSecret *s)
{
        if (s->size > 0 && s->data[s->size - 1] == '\n')
                s->data[--s->size] = 0;
        if (s->size > 0 && s->data[s->size - 1] == '\r')
                s->data[--s->size] = 0;
}

int fsp_secret_write(const FspSecret *s, int fd)
{
        size_t done = 0;

        while (done < s->size) {
                ssize_t k = write(fd, s->data + done, s->size - done);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                done += (size_t) k;
        }
        return 0;
}

int fsp_secret_to_pipe(const FspSecret *s, int *ret_read_fd)
{
        _cleanup_close_pair_ int p[2] = { -1, -1 };
        int r;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        /* A secret (≤ 4 KiB) always fits the pipe buffer: this never blocks. */
        r = fsp_secret_write(s, p[1]);
        if (r < 0)
                return r;
        *ret_read_fd = TAKE_FD(p[0]);
        return 0;
}
