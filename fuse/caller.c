/* SPDX-License-Identifier: MIT */
/*
 * What the kernel knows of a request's caller and libfuse does not pass
 * on: whether it holds a capability, read from /proc/TID/status.
 *
 * Why that is safe: the request names the calling thread, which is
 * blocked in the system call until the reply, and only a thread changes
 * its own credentials (capset(2), setuid(2), ...); so what /proc shows
 * while the request waits is what the kernel used to build it. Two checks
 * keep it honest: the thread's file-system uid and gid in /proc must be
 * those of the request (a caller whose credentials the kernel overrode for
 * this one call, as access(2) or overlayfs do, or a thread id that no
 * longer names the caller, is "cannot tell", never someone else's
 * answer), and a caller outside our pid namespace (pid 0) cannot be asked.
 * Nothing is kept across requests.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

/* "Uid:\treal\teffective\tsaved\tfs": the fourth number. */
static bool fs_id_is(const char *values, unsigned long expected)
{
        unsigned long id[4];

        return sscanf(values, "%lu %lu %lu %lu", &id[0], &id[1], &id[2], &id[3]) == 4 && id[3] == expected;
}

/* Bit cap of CapEff in /proc/TID/status: 1 or 0, -ESRCH if the status is not the caller's as the request saw it. */
static int status_capability(fuse_req_t req, int cap)
{
        const struct fuse_ctx *ctx = fuse_req_ctx(req);
        _cleanup_fclose_ FILE *f = NULL;
        char path[64], line[4096];
        bool uid_ok = false, gid_ok = false;
        int answer = -EIO;

        if (ctx->pid <= 0)
                return -ESRCH;
        snprintf(path, sizeof(path), "/proc/%d/status", (int) ctx->pid);
        f = fopen(path, "re");
        if (!f)
                return errno == ENOENT ? -ESRCH : -errno;
        while (fgets(line, sizeof(line), f)) {
                uint64_t caps;
                if (strneq(line, "Uid:", 4))
                        uid_ok = fs_id_is(line + 4, ctx->uid);
                else if (strneq(line, "Gid:", 4))
                        gid_ok = fs_id_is(line + 4, ctx->gid);
                else if (sscanf(line, "CapEff: %" SCNx64, &caps) == 1)
                        answer = (int) ((caps >> cap) & 1);
        }
        if (!uid_ok || !gid_ok)
                return -ESRCH;
        return answer;
}

int fsp_fuse_req_capable(fuse_req_t req, int cap)
{
        int r;

        if (cap < 0 || cap > 63)
                return -EINVAL;
        r = status_capability(req, cap);
        if (r == 1 && !same_user_ns(fuse_req_ctx(req)->pid))
                return 0;
        return r;
}
