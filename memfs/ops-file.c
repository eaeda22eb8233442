/* SPDX-License-Identifier: MIT */
/*
 * The data path: open, read, write, fallocate, lseek, copy_file_range.
 * Only the inode's own lock is taken, so different files never wait on
 * each other, and reads of one file run side by side.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/falloc.h>
#include <string.h>
#include <sys/uio.h>

#include "memfs.h"

/* A read of max_read (1 MiB) spans at most five chunks; this is plenty. */
#define READ_IOV_MAX 64

/*
 * FUSE_HANDLE_KILLPRIV_V2: must this change drop set-id bits and
 * capabilities, its caller lacking CAP_FSETID? A write or open(O_TRUNC)
 * carries the kernel's answer; fallocate and copy_file_range do not, and
 * the caller's capabilities are read instead (if that fails: unless it is
 * root). Asked only when there is something to drop. Caller holds
 * inode->lock.
 *
 * When bits were dropped, the handler invalidates the inode: the kernel
 * keeps the mode it last saw, and an exec would still honour a
 * set-user-ID bit we just dropped. Before the reply, so the caller never
 * sees the old mode; safe then, as the file is open (or being opened)
 * and its inode cannot be on its way out.
 */
static bool kill_priv_may_apply(const Memfs *fs, const Inode *inode)
{
        return fs->killpriv && ((inode->mode & (S_ISUID | S_ISGID)) || inode->xattrs);
}

static bool kill_priv_asked(fuse_req_t req, const Inode *inode)
{
        int r;

        if (!kill_priv_may_apply(req_fs(req), inode))
                return false;
        r = fsp_fuse_req_kill_suidgid(req);
        if (r >= 0)
                return r;
        r = fsp_fuse_req_capable(req, CAP_FSETID);
        return r >= 0 ? !r : fuse_req_ctx(req)->uid != 0;
}

/*
 * Every change reaches us through this kernel, so its page cache stays
 * true across opens (keep_cache), except for the access time: a read
 * served from the cache never reaches us. So the cache is kept only while
 * the access time is fresh by relatime's rules; otherwise the next read
 * comes here and moves it, and later opens keep the cache again.
 */
void memfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        Memfs *fs = req_fs(req);
        Inode *inode = inode_get(fs, ino);
        bool stale, killed = false;

        pthread_rwlock_wrlock(&inode->lock);
        /* FUSE_CAP_ATOMIC_O_TRUNC: the truncation is ours. POSIX: the times change even if it was empty. */
        if ((fi->flags & O_TRUNC) && S_ISREG(inode->type)) {
                killed = kill_priv_asked(req, inode) && inode_kill_priv(inode);
                data_truncate(fs, &inode->data, inode->size, 0);
                inode->size = 0;
                inode_touch(inode, true);
        }
        stale = inode_atime_stale(inode);
        pthread_rwlock_unlock(&inode->lock);

        if (killed)
                inode_invalidate(fs, ino);
        fi->keep_cache = !stale;
        fi->noflush = 1;
        fuse_reply_open(req, fi);
}

/*
 * The reply is written straight from chunk memory while the lock keeps
 * truncate and punch away. Once it has left, the reader may close and the
 * kernel forget the inode before we unlock: the pin keeps it alive till then.
 */
void memfs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
        Memfs *fs = req_fs(req);
        Inode *inode = inode_get(fs, ino);
        struct iovec iov[READ_IOV_MAX];
        size_t n;

        if (!S_ISREG(inode->type)) { /* the kernel reads only regular files; the data union says so too */
                fuse_reply_err(req, S_ISDIR(inode->type) ? EISDIR : EINVAL);
                return;
        }
        inode_ref(inode);
        pthread_rwlock_rdlock(&inode->lock);
        if (inode_atime_stale(inode)) {
                pthread_rwlock_unlock(&inode->lock);
                inode_accessed(inode);
                pthread_rwlock_rdlock(&inode->lock);
        }
        n = data_read_iov(&inode->data, inode->size, off, size, iov, READ_IOV_MAX);
        if (n > 0)
                fuse_reply_iov(req, iov, (int) n);
        else
                fuse_reply_buf(req, NULL, 0);
        pthread_rwlock_unlock(&inode->lock);
        inode_unref(fs, inode);
}

/* Like RLIMIT_FSIZE: a write that crosses the limit is cut short, one that starts at it fails. */
static ssize_t write_data(Memfs *fs, Inode *inode, off_t off, size_t size, DataSource *src)
{
        if (off < 0)
                return -EINVAL;
        if ((uint64_t) off >= fs->max_file_size)
                return -EFBIG;
        size = (size_t) MIN((uint64_t) size, fs->max_file_size - (uint64_t) off);
        return data_write(fs, &inode->data, off, size, src);
}

/* Caller holds inode->lock exclusively. */
static void write_done_locked(Inode *inode, off_t off, ssize_t n)
{
        if (n > 0) {
                inode->size = MAX(inode->size, off + (off_t) n);
                inode_touch(inode, true);
        }
}

/* Caller holds inode->lock exclusively. */
static ssize_t write_locked(Memfs *fs, Inode *inode, off_t off, size_t size, DataSource *src)
{
        ssize_t n = write_data(fs, inode, off, size, src);

        write_done_locked(inode, off, n);
        return n;
}

static ssize_t bufvec_copy(DataSource *src, char *dst, size_t n)
{
        struct fuse_bufvec to = FUSE_BUFVEC_INIT(n);

        to.buf[0].mem = dst;
        return fuse_buf_copy(&to, src->bufv, 0);
}

/*
 * A write that takes privileges away changes the mode: all of it under the
 * exclusive lock. Any other copies its bytes under the shared lock, beside
 * other writes to the file (the kernel never sends two for one range at
 * once, nor a truncate while a write is in flight), and only then takes
 * the lock exclusively for the size and times.
 */
static ssize_t write_file(fuse_req_t req, Inode *inode, off_t off, size_t size, DataSource *src, bool *ret_killed)
{
        Memfs *fs = req_fs(req);
        ssize_t n;

        pthread_rwlock_rdlock(&inode->lock);
        if (kill_priv_may_apply(fs, inode)) {
                pthread_rwlock_unlock(&inode->lock);
                pthread_rwlock_wrlock(&inode->lock);
                /* As the kernel's own file_remove_privs(): before the data, whatever becomes of the write. */
                *ret_killed = kill_priv_asked(req, inode) && inode_kill_priv(inode);
                n = write_locked(fs, inode, off, size, src);
                pthread_rwlock_unlock(&inode->lock);
                return n;
        }
        n = write_data(fs, inode, off, size, src);
        pthread_rwlock_unlock(&inode->lock);
        if (n > 0) {
                pthread_rwlock_wrlock(&inode->lock);
                write_done_locked(inode, off, n);
                pthread_rwlock_unlock(&inode->lock);
        }
        return n;
}

/*
 * write_buf rather than write: the data goes from the request buffer into
 * the file's pages in one copy, in whatever form libfuse received it.
 */
void memfs_op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *bufv, off_t off,
                        struct fuse_file_info *fi)
{
        Memfs *fs = req_fs(req);
        Inode *inode = inode_get(fs, ino);
        DataSource src = { .copy = bufvec_copy, .bufv = bufv };
        size_t size = fuse_buf_size(bufv);
        uint64_t pages_before;
        bool grew, killed = false;
        ssize_t n;

        if (!S_ISREG(inode->type)) {
                fuse_reply_err(req, S_ISDIR(inode->type) ? EISDIR : EINVAL);
                return;
        }
        pages_before = atomic_load(&inode->data.pages);
        n = write_file(req, inode, off, size, &src, &killed);
        /* Another write to the file may have added pages too: at worst one invalidation too many. */
        grew = atomic_load(&inode->data.pages) != pages_before;
        if (killed)
                inode_invalidate(fs, ino);
        if (n < 0) {
                LOG(fs, "write %zu at %lld: %s", size, (long long) off, strerror((int) -n));
                fuse_reply_err(req, (int) -n);
                return;
        }
        fuse_reply_write(req, (size_t) n);
        /*
         * With the writeback cache the kernel does not expect st_blocks to move on a write. Only
         * after the reply: a write-back may be what the eviction of this very inode waits for,
         * and the notification waits for an inode being evicted.
         */
        if (grew && fs->writeback_cache)
                inode_invalidate(fs, ino);
}

/*
 * Data is in memory the moment it arrives: nothing to sync. But with the
 * writeback cache, the pages written back just now changed st_blocks, and
 * the invalidation sent after each write's reply may come after fsync(2)
 * has returned. Here, before the reply, it is in place in time (the file
 * is open: the inode cannot be on its way out).
 */
void memfs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
        Memfs *fs = req_fs(req);

        if (fs->writeback_cache)
                inode_invalidate(fs, ino);
        fuse_reply_err(req, 0);
}

static int fallocate_locked(Memfs *fs, Inode *inode, int mode, off_t off, off_t len)
{
        off_t end = off + len;
        int r = 0;

        if (mode & FALLOC_FL_PUNCH_HOLE) {
                if (off < inode->size)
                        r = data_punch(fs, &inode->data, off, MIN(len, inode->size - off));
        } else {
                if ((uint64_t) end > fs->max_file_size)
                        return -EFBIG;
                if ((mode & FALLOC_FL_ZERO_RANGE) && off < inode->size)
                        r = data_punch(fs, &inode->data, off, MIN(len, inode->size - off));
                if (r == 0)
                        r = data_allocate(fs, &inode->data, off, len);
                if (r == 0 && !(mode & FALLOC_FL_KEEP_SIZE) && end > inode->size)
                        inode->size = end;
        }
        if (r == 0)
                inode_touch(inode, true);
        return r;
}

void memfs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                        struct fuse_file_info *fi)
{
        Memfs *fs = req_fs(req);
        Inode *inode = inode_get(fs, ino);
        bool killed = false;
        int r = 0;

        if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
                r = -EOPNOTSUPP;
        else if ((mode & FALLOC_FL_PUNCH_HOLE) && (mode & FALLOC_FL_ZERO_RANGE))
                r = -EOPNOTSUPP;
        else if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
                r = -EOPNOTSUPP;
        else if (offset < 0 || length <= 0)
                r = -EINVAL;
        else if (!S_ISREG(inode->type))
                r = -ENODEV;
        if (r == 0) {
                pthread_rwlock_wrlock(&inode->lock);
                killed = kill_priv_asked(req, inode) && inode_kill_priv(inode);
                r = fallocate_locked(fs, inode, mode, offset, length);
                pthread_rwlock_unlock(&inode->lock);
        }
        if (killed)
                inode_invalidate(fs, ino);
        LOG(fs, "fallocate mode %d %lld+%lld: %s", mode, (long long) offset, (long long) length,
            r < 0 ? strerror(-r) : "ok");
        fuse_reply_err(req, -r);
}

void memfs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi)
{
        Inode *inode = inode_get(req_fs(req), ino);
        off_t r;

        if ((whence != SEEK_DATA && whence != SEEK_HOLE) || !S_ISREG(inode->type)) {
                fuse_reply_err(req, EINVAL);
                return;
        }
        pthread_rwlock_rdlock(&inode->lock);
        r = data_seek(&inode->data, inode->size, off, whence);
        pthread_rwlock_unlock(&inode->lock);
        if (r < 0)
                fuse_reply_err(req, (int) -r);
        else
                fuse_reply_lseek(req, r);
}

/* Both locks held: chunk memory of one file straight into the other. */
static ssize_t copy_locked(Memfs *fs, Inode *in, off_t off_in, Inode *out, off_t off_out, size_t len)
{
        struct iovec iov[READ_IOV_MAX];
        size_t done = 0;

        while (done < len) {
                size_t n = data_read_iov(&in->data, in->size, off_in + (off_t) done,
                                         MIN(len - done, (size_t) CHUNK_SIZE * 16), iov, READ_IOV_MAX);
                if (n == 0)
                        break;
                for (size_t i = 0; i < n; i++) {
                        DataSource src = data_source_memory(iov[i].iov_base);
                        ssize_t k = write_locked(fs, out, off_out + (off_t) done, iov[i].iov_len, &src);
                        if (k < 0)
                                return done > 0 ? (ssize_t) done : k;
                        done += (size_t) k;
                        if ((size_t) k < iov[i].iov_len)
                                return (ssize_t) done;
                }
        }
        return (ssize_t) done;
}

void memfs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, struct fuse_file_info *fi_in,
                              fuse_ino_t ino_out, off_t off_out, struct fuse_file_info *fi_out, size_t len,
                              int flags)
{
        Memfs *fs = req_fs(req);
        Inode *in = inode_get(fs, ino_in), *out = inode_get(fs, ino_out);
        bool killed;
        ssize_t n;

        if (flags != 0 || !S_ISREG(in->type) || !S_ISREG(out->type)) {
                fuse_reply_err(req, EINVAL);
                return;
        }
        /* Two inode locks: always in address order, so two opposite copies cannot deadlock. The
         * kernel refuses overlapping ranges within one file, so one lock does for that case. */
        if (in == out)
                pthread_rwlock_wrlock(&out->lock);
        else if (in < out) {
                pthread_rwlock_rdlock(&in->lock);
                pthread_rwlock_wrlock(&out->lock);
        } else {
                pthread_rwlock_wrlock(&out->lock);
                pthread_rwlock_rdlock(&in->lock);
        }
        killed = kill_priv_asked(req, out) && inode_kill_priv(out);
        n = copy_locked(fs, in, off_in, out, off_out, len);
        if (in != out)
                pthread_rwlock_unlock(&in->lock);
        pthread_rwlock_unlock(&out->lock);
        if (killed)
                inode_invalidate(fs, ino_out);
        if (n < 0)
                fuse_reply_err(req, (int) -n);
        else
                fuse_reply_write(req, (size_t) n);
}
