/* SPDX-License-Identifier: MIT */
/*
 * The file-system side of the launcher's credentials handshake: the
 * password arrives on stdin (closed after it), the answer leaves on stdout
 * as one line, "OK" or "NO <reason>".
 */
#include <errno.h>
#include <fsp/fuse.h>
#include <string.h>

#include "macro.h"
#include "utf8.h"

int fsp_credentials_read(unsigned long long timeout_usec, FspSecret **ret)
{
        return fsp_secret_read_fd(STDIN_FILENO, FSP_SECRET_MAX, timeout_usec, ret);
}

FspSecret *fsp_credentials_free(FspSecret *s)
{
        return fsp_secret_free(s);
}

/* One write(2) for the whole line: the launcher reads it as it comes, never a half line. */
static int write_line(const char *line, size_t n)
{
        fflush(stdout); /* nothing buffered may come after our answer */
        while (n > 0) {
                ssize_t k = write(STDOUT_FILENO, line, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                line += k;
                n -= (size_t) k;
        }
        return 0;
}

int fsp_credentials_accept(void)
{
        return write_line("OK\n", 3);
}

/* The reason is for people: one line of at most 200 bytes, control characters made spaces. */
int fsp_credentials_refuse(const char *reason)
{
        char line[256] = "NO ";
        size_t n = 3;

        for (const char *p = strempty(reason); *p && n < 3 + 200; p++)
                line[n++] = char_is_control((unsigned char) *p) ? ' ' : *p;
        if (n == 3)
                line[n++] = '-';
        line[n++] = '\n';
        return write_line(line, n);
}
