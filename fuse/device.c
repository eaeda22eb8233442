/* SPDX-License-Identifier: MIT */
/*
 * The session's reads and writes on /dev/fuse, through libfuse's custom
 * I/O hooks, for two things libfuse 3.14 cannot do on its own:
 *
 *   - ask the kernel for FUSE_HANDLE_KILLPRIV_V2 in the reply to INIT
 *     (libfuse 3.14 has no capability bit for it), and
 *   - show a handler the flags of its raw request that libfuse drops on
 *     the way: FUSE_WRITE_KILL_SUIDGID in a WRITE, FUSE_OPEN_KILL_SUIDGID
 *     in an OPEN or CREATE.
 *
 * A worker thread reads a request, handles it, and only then reads the
 * next one: the request last read on a thread is the one its handler is
 * serving. A thread-local pointer to it is all the second point needs.
 *
 * There is no splice_receive hook, so libfuse reads every request with
 * one read(2) instead of splice(2) into a pipe and a read from the pipe.
 * Measured on the 2-vCPU VM: 1 MiB writes were as fast or faster without
 * splice, and every small request saves a system call.
 */
#include <errno.h>
#include <linux/fuse.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/uio.h>
#include <unistd.h>

#include <fsp/fuse.h>

#include "device.h"

static struct {
        atomic_bool installed;
        _Atomic uint64_t kernel_flags; /* what the kernel offered in INIT (flags2 in the high half) */
        _Atomic uint64_t init_unique;
        atomic_bool want_killpriv_v2;
        atomic_bool init_answered;
} device;

static _Thread_local const struct fuse_in_header *current_request;
static _Thread_local size_t current_size;

static void init_seen(const struct fuse_in_header *h, size_t size)
{
        const struct fuse_init_in *in = (const void *) (h + 1);
        uint64_t flags;

        if (size < sizeof(*h) + offsetof(struct fuse_init_in, flags) + sizeof(in->flags))
                return;
        flags = in->flags;
        if ((flags & FUSE_INIT_EXT) && size >= sizeof(*h) + offsetof(struct fuse_init_in, unused))
                flags |= (uint64_t) in->flags2 << 32;
        atomic_store(&device.kernel_flags, flags);
        atomic_store(&device.init_unique, h->unique);
        atomic_store(&device.init_answered, false);
}

/* libfuse needs errno as read(2) left it: nothing here may change it. */
static ssize_t device_read(int fd, void *buf, size_t size, void *userdata)
{
        ssize_t n = read(fd, buf, size);

        if (n < (ssize_t) sizeof(struct fuse_in_header)) {
                current_request = NULL;
                current_size = 0;
                return n;
        }
        current_request = buf;
        current_size = (size_t) n;
        if (current_request->opcode == FUSE_INIT)
                init_seen(current_request, current_size);
        affinity_follow(current_request);
        return n;
}

/* The successful reply to INIT: libfuse writes the header, then struct fuse_init_out. */
static void init_reply_patch(struct iovec *iov, int count)
{
        const struct fuse_out_header *h = iov[0].iov_base;
        struct fuse_init_out *out;

        if (count < 2 || iov[0].iov_len != sizeof(*h) || h->unique != atomic_load(&device.init_unique))
                return;
        atomic_store(&device.init_answered, true);
        if (h->error != 0 || iov[1].iov_len < offsetof(struct fuse_init_out, flags) + sizeof(out->flags))
                return;
        out = iov[1].iov_base;
        out->flags |= FUSE_HANDLE_KILLPRIV_V2;
}

static ssize_t device_writev(int fd, struct iovec *iov, int count, void *userdata)
{
        if (atomic_load_explicit(&device.want_killpriv_v2, memory_order_relaxed) &&
            !atomic_load_explicit(&device.init_answered, memory_order_relaxed))
                init_reply_patch(iov, count);
        return writev(fd, iov, count);
}

int device_install(struct fuse_session *se)
{
        static const struct fuse_custom_io io = {
                .read = device_read,
                .writev = device_writev,
        };
        int r = fuse_session_custom_io(se, &io, fuse_session_fd(se));

        if (r < 0)
                return r;
        atomic_store(&device.installed, true);
        return 0;
}

bool fsp_fuse_want_killpriv_v2(struct fuse_conn_info *conn)
{
        if (!atomic_load(&device.installed) ||
            !(atomic_load(&device.kernel_flags) & FUSE_HANDLE_KILLPRIV_V2))
                return false;
        atomic_store(&device.want_killpriv_v2, true);
        return true;
}

/* The raw request this thread is serving, if it is the one req stands for. */
static const struct fuse_in_header *request_of(fuse_req_t req)
{
        const struct fuse_in_header *h = current_request;
        const struct fuse_ctx *ctx = fuse_req_ctx(req);

        if (!h || h->pid != (uint32_t) ctx->pid || h->uid != ctx->uid || h->gid != ctx->gid)
                return NULL;
        return h;
}

int fsp_fuse_req_kill_suidgid(fuse_req_t req)
{
        const struct fuse_in_header *h = request_of(req);
        const void *arg = h ? h + 1 : NULL;

        if (!h)
                return -ENODATA;
        switch (h->opcode) {
        case FUSE_WRITE:
                if (current_size < sizeof(*h) + sizeof(struct fuse_write_in))
                        return -ENODATA;
                return !!(((const struct fuse_write_in *) arg)->write_flags & FUSE_WRITE_KILL_SUIDGID);
        case FUSE_OPEN:
                if (current_size < sizeof(*h) + sizeof(struct fuse_open_in))
                        return -ENODATA;
                return !!(((const struct fuse_open_in *) arg)->open_flags & FUSE_OPEN_KILL_SUIDGID);
        case FUSE_CREATE:
                if (current_size < sizeof(*h) + sizeof(struct fuse_create_in))
                        return -ENODATA;
                return !!(((const struct fuse_create_in *) arg)->open_flags & FUSE_OPEN_KILL_SUIDGID);
        default:
                return -ENODATA;
        }
}
