/* SPDX-License-Identifier: MIT */
/*
 * What the kernel knows of a request's caller and libfuse does not pass
 * on: whether it holds a capability. Read from /proc/PID/status while the
 * caller waits for the reply, so the thread the request names is still
 * the one that asked.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <fsp/fuse.h>

#include "macro.h"

/* capable() in the kernel means the initial user namespace; we can only compare with ours. */
static bool same_user_ns(pid_t pid)
{
        char path[64], theirs[64], ours[64];
        ssize_t n, m;

        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
        n = readlink(path, theirs, sizeof(theirs));
        m = readlink("/proc/self/ns/user", ours, sizeof(ours));
        return n > 0 && n == m && memcmp(theirs, ours, (size_t) n) == 0;
}

int fsp_fuse_req_capable(fuse_req_t req, int cap)
{
        const struct fuse_ctx *ctx = fuse_req_ctx(req);
        _cleanup_fclose_ FILE *f = NULL;
        char path[64], line[256];
        uint64_t effective;

        if (cap < 0 || cap > 63)
                return -EINVAL;
        if (ctx->pid <= 0) /* not in our pid namespace */
                return -ESRCH;
        snprintf(path, sizeof(path), "/proc/%d/status", (int) ctx->pid);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "CapEff: %" SCNx64, &effective) == 1)
                        return (effective >> cap) & 1 && same_user_ns(ctx->pid);
        return -EIO;
}
