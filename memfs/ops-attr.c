/* SPDX-License-Identifier: MIT */
/*
 * Attributes, links' targets, statfs and xattrs; the connection set-up;
 * and the table of operations.
 *
 * With default_permissions the kernel has checked who may chmod, chown or
 * set times before a SETATTR arrives: what is left is to store. Under
 * FUSE_HANDLE_KILLPRIV_V2 the set-id bits a truncate or chown takes away
 * are ours to drop (the kernel stops sending that as a mode change).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memfs.h"

void memfs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        Memfs *fs = req_fs(req);
        Inode *inode = inode_get(fs, ino);
        struct stat st;

        pthread_rwlock_rdlock(&inode->lock);
        inode_fill_stat(inode, &st);
        pthread_rwlock_unlock(&inode->lock);
        fuse_reply_attr(req, &st, fs->attr_timeout);
}

static int set_size(Memfs *fs, Inode *inode, off_t size)
{
        if (!S_ISREG(inode->type))
                return S_ISDIR(inode->type) ? -EISDIR : -EINVAL;
        if (size < 0)
                return -EINVAL;
        if ((uint64_t) size > fs->max_file_size)
                return -EFBIG;
        if (size == inode->size)
                return 0; /* POSIX: the times change only if the size does */
        data_truncate(fs, &inode->data, inode->size, size);
        inode->size = size;
        inode_touch(inode, true);
        return 0;
}

static struct timespec time_or_now(const struct timespec *t, bool now)
{
        return now ? now_timespec() : *t;
}

static int setattr_locked(Memfs *fs, Inode *inode, const struct stat *attr, int to_set)
{
        bool changed = false;
        int r;

        if (to_set & FUSE_SET_ATTR_SIZE) {
                r = set_size(fs, inode, attr->st_size);
                if (r < 0)
                        return r;
        }
        /* A truncate by a caller without CAP_FSETID (FATTR_KILL_SUIDGID). */
        if ((to_set & FUSE_SET_ATTR_KILL_SUID) && fs->killpriv && S_ISREG(inode->type))
                changed = inode_kill_priv(inode) || changed;
        if (to_set & FUSE_SET_ATTR_MODE) {
                inode->mode = inode->type | (attr->st_mode & 07777);
                changed = true;
        }
        if (to_set & FUSE_SET_ATTR_UID) {
                inode->uid = attr->st_uid;
                changed = true;
        }
        if (to_set & FUSE_SET_ATTR_GID) {
                inode->gid = attr->st_gid;
                changed = true;
        }
        /* chown, even by root and even to the same owner, as chown_common() in the kernel. */
        if ((to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) && fs->killpriv && !S_ISDIR(inode->type))
                (void) inode_kill_priv(inode);
        if (to_set & FUSE_SET_ATTR_ATIME) {
                inode->atime = time_or_now(&attr->st_atim, to_set & FUSE_SET_ATTR_ATIME_NOW);
                changed = true;
        }
        if (to_set & FUSE_SET_ATTR_MTIME) {
                inode->mtime = time_or_now(&attr->st_mtim, to_set & FUSE_SET_ATTR_MTIME_NOW);
                changed = true;
        }
        /* With the writeback cache the kernel keeps ctime itself and hands it over here. */
        if (to_set & FUSE_SET_ATTR_CTIME)
                inode->ctime = attr->st_ctim;
        else if (changed)
                inode->ctime = now_timespec();
        return 0;
}

void memfs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
        Memfs *fs = req_fs(req);
        Inode *inode = inode_get(fs, ino);
        struct stat st;
        int r;

        pthread_rwlock_wrlock(&inode->lock);
        r = setattr_locked(fs, inode, attr, to_set);
        inode_fill_stat(inode, &st);
        pthread_rwlock_unlock(&inode->lock);
        LOG(fs, "setattr %#x: %s", (unsigned) to_set, r < 0 ? strerror(-r) : "ok");
        if (r < 0)
                fuse_reply_err(req, -r);
        else
                fuse_reply_attr(req, &st, fs->attr_timeout);
}

/* A symlink's target never changes after creation: no lock needed. */
void memfs_op_readlink(fuse_req_t req, fuse_ino_t ino)
{
        Inode *inode = inode_get(req_fs(req), ino);

        if (!S_ISLNK(inode->type))
                fuse_reply_err(req, EINVAL);
        else
                fuse_reply_readlink(req, inode->target);
}

/* Capacity is max nodes times max file size, as WinFsp's memfs reports it; free is what is not held. */
void memfs_op_statfs(fuse_req_t req, fuse_ino_t ino)
{
        Memfs *fs = req_fs(req);
        uint64_t allocated = atomic_load(&fs->allocated_pages), nodes = atomic_load(&fs->nodes);
        struct statvfs st = {
                .f_bsize = MEMFS_PAGE_SIZE,
                .f_frsize = MEMFS_PAGE_SIZE,
                .f_blocks = fs->capacity_pages,
                .f_bfree = fs->capacity_pages - MIN(allocated, fs->capacity_pages),
                .f_bavail = fs->capacity_pages - MIN(allocated, fs->capacity_pages),
                .f_files = fs->max_nodes,
                .f_ffree = fs->max_nodes - MIN(nodes, fs->max_nodes),
                .f_favail = fs->max_nodes - MIN(nodes, fs->max_nodes),
                .f_namemax = MEMFS_NAME_MAX,
        };

        fuse_reply_statfs(req, &st);
}

void memfs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size,
                       int flags)
{
        Memfs *fs = req_fs(req);
        Inode *inode = inode_get(fs, ino);
        int r;

        pthread_rwlock_wrlock(&inode->lock);
        r = xattr_set(inode, name, value, size, flags);
        if (r == 0)
                inode_touch(inode, false);
        pthread_rwlock_unlock(&inode->lock);
        LOG(fs, "setxattr %s: %s", name, r < 0 ? strerror(-r) : "ok");
        fuse_reply_err(req, -r);
}

/* size 0 asks for the size; otherwise the value, or ERANGE if it does not fit. */
static void reply_xattr(fuse_req_t req, const char *buf, size_t size, ssize_t n)
{
        if (n < 0)
                fuse_reply_err(req, (int) -n);
        else if (size == 0)
                fuse_reply_xattr(req, (size_t) n);
        else
                fuse_reply_buf(req, buf, (size_t) n);
}

void memfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
        Inode *inode = inode_get(req_fs(req), ino);
        _cleanup_free_ char *buf = size ? malloc(size) : NULL;
        ssize_t n;

        if (size && !buf) {
                fuse_reply_err(req, ENOMEM);
                return;
        }
        pthread_rwlock_rdlock(&inode->lock);
        n = xattr_get(inode, name, buf, size);
        pthread_rwlock_unlock(&inode->lock);
        reply_xattr(req, buf, size, n);
}

void memfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
        Inode *inode = inode_get(req_fs(req), ino);
        _cleanup_free_ char *buf = size ? malloc(size) : NULL;
        bool show_trusted = fuse_req_ctx(req)->uid == 0;
        ssize_t n;

        if (size && !buf) {
                fuse_reply_err(req, ENOMEM);
                return;
        }
        pthread_rwlock_rdlock(&inode->lock);
        n = xattr_list(inode, show_trusted, buf, size);
        pthread_rwlock_unlock(&inode->lock);
        reply_xattr(req, buf, size, n);
}

void memfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
        Memfs *fs = req_fs(req);
        Inode *inode = inode_get(fs, ino);
        int r;

        pthread_rwlock_wrlock(&inode->lock);
        r = xattr_remove(inode, name);
        if (r == 0)
                inode_touch(inode, false);
        pthread_rwlock_unlock(&inode->lock);
        fuse_reply_err(req, -r);
}

/*
 * Fewer, larger requests: the writeback cache merges small writes, 1 MiB
 * writes and reads, symlinks cached, no OPENDIR/RELEASEDIR round trips.
 * Nothing changes behind the kernel's back, so it need not re-check data
 * on every attribute refresh.
 */
void memfs_op_init(void *userdata, struct fuse_conn_info *conn)
{
        Memfs *fs = userdata;
        unsigned wanted = FUSE_CAP_CACHE_SYMLINKS | FUSE_CAP_ASYNC_READ | FUSE_CAP_ATOMIC_O_TRUNC |
                          FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO | FUSE_CAP_PARALLEL_DIROPS |
                          FUSE_CAP_NO_OPENDIR_SUPPORT;

        if (fs->writeback_cache)
                wanted |= FUSE_CAP_WRITEBACK_CACHE;
        /* No more GETXATTR security.capability before every write(2): set-id bits are ours to drop. */
        fs->killpriv = fsp_fuse_want_killpriv_v2(conn);
        conn->want |= wanted & conn->capable;
        conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
        conn->max_write = 1024 * 1024;
        conn->max_readahead = 1024 * 1024;
        conn->max_background = 64;
        conn->congestion_threshold = 48;
        conn->time_gran = 1;
}

void memfs_op_destroy(void *userdata)
{
        memfs_free_all(userdata);
}

/*
 * No flush: there is nothing to do at close(2) (data is in memory as each
 * write arrives), and libfuse answers ENOSYS to the first FLUSH, after
 * which the kernel sends none. close(2) still reports write-back errors:
 * with the writeback cache the kernel writes the file back before it
 * would send FLUSH.
 */
const struct fuse_lowlevel_ops memfs_ops = {
        .init = memfs_op_init,
        .destroy = memfs_op_destroy,
        .lookup = memfs_op_lookup,
        .forget = memfs_op_forget,
        .forget_multi = memfs_op_forget_multi,
        .getattr = memfs_op_getattr,
        .setattr = memfs_op_setattr,
        .readlink = memfs_op_readlink,
        .mknod = memfs_op_mknod,
        .mkdir = memfs_op_mkdir,
        .unlink = memfs_op_unlink,
        .rmdir = memfs_op_rmdir,
        .symlink = memfs_op_symlink,
        .rename = memfs_op_rename,
        .link = memfs_op_link,
        .open = memfs_op_open,
        .read = memfs_op_read,
        .write_buf = memfs_op_write_buf,
        .fsync = memfs_op_fsync,
        .statfs = memfs_op_statfs,
        .setxattr = memfs_op_setxattr,
        .getxattr = memfs_op_getxattr,
        .listxattr = memfs_op_listxattr,
        .removexattr = memfs_op_removexattr,
        .create = memfs_op_create,
        .fallocate = memfs_op_fallocate,
        .opendir = memfs_op_opendir,
        .readdir = memfs_op_readdir,
        .readdirplus = memfs_op_readdirplus,
        .copy_file_range = memfs_op_copy_file_range,
        .lseek = memfs_op_lseek,
};
