/* SPDX-License-Identifier: MIT */
/*
 * The kernel gives every FUSE mount a cautious backing device: 128 KiB of
 * readahead, and a strict share of 1 % of the dirty-page limit, because a
 * FUSE server may be slow or stuck. memfs answers from memory at once, so
 * when it may (as root) it gives its own mount the readahead of one
 * 1 MiB request and lifts the strict limit; the system-wide dirty limits
 * still apply. Best effort: without the rights, memfs is only slower.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "memfs.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
        char *out = s;

        for (; *s; s++) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
                    s[3] <= '7') {
                        *out++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
                        s += 3;
                } else
                        *out++ = *s;
        }
        *out = 0;
}

/* "major:minor" of the newest mount at mountpoint: the one just made. */
static int mount_device(const char *mountpoint, char *dev, size_t size)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        size_t n = 0;
        int r = -ENOENT;

        if (!f)
                return -errno;
        while (getline(&line, &n, f) > 0) {
                char majmin[64], path[4096];
                if (sscanf(line, "%*s %*s %63s %*s %4095s", majmin, path) != 2)
                        continue;
                unescape(path);
                if (streq(path, mountpoint)) {
                        snprintf(dev, size, "%s", majmin);
                        r = 0;
                }
        }
        return r;
}

static void bdi_set(const char *dev, const char *knob, const char *value)
{
        char path[128];
        int fd;

        snprintf(path, sizeof(path), "/sys/class/bdi/%s/%s", dev, knob);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        (void) !write(fd, value, strlen(value));
        close(fd);
}

void bdi_tune(const char *mountpoint)
{
        char dev[64];

        if (geteuid() != 0 || mount_device(mountpoint, dev, sizeof(dev)) < 0)
                return;
        bdi_set(dev, "read_ahead_kb", "1024");
        bdi_set(dev, "strict_limit", "0");
}
