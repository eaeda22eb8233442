/* SPDX-License-Identifier: MIT */
/*
 * The namespace operations: lookup, forget, creating and removing names,
 * hard links and readdir (rename is in ops-rename.c). Each reads like the system call it
 * serves and replies exactly once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memfs.h"

/* Takes inode->lock shared for the attributes. */
static void entry_fill(Memfs *fs, Inode *inode, struct fuse_entry_param *e)
{
        memset(e, 0, sizeof(*e));
        e->ino = inode_id(fs, inode);
        e->generation = 1;
        e->attr_timeout = fs->attr_timeout;
        e->entry_timeout = fs->entry_timeout;
        pthread_rwlock_rdlock(&inode->lock);
        inode_fill_stat(inode, &e->attr);
        pthread_rwlock_unlock(&inode->lock);
}

/* The caller counted one lookup for this reply; if the kernel never got it, take it back. */
static void reply_entry(fuse_req_t req, Inode *inode, const struct fuse_entry_param *e)
{
        Memfs *fs = req_fs(req); /* req is gone once replied */

        if (fuse_reply_entry(req, e) != 0)
                inode_forget(fs, inode, 1);
}

/* A negative entry the kernel may cache, except with -i, where another spelling can appear. */
static void reply_negative(fuse_req_t req, Memfs *fs)
{
        struct fuse_entry_param e = { .entry_timeout = fs->entry_timeout };

        if (fs->case_insensitive || fs->entry_timeout <= 0)
                fuse_reply_err(req, ENOENT);
        else
                fuse_reply_entry(req, &e);
}

/* Caller holds inode->lock exclusively: a change of links, size and times. */
void inode_change_locked(Inode *inode, int nlink_delta, off_t size_delta, bool modified)
{
        inode->nlink = (nlink_t) ((long) inode->nlink + nlink_delta);
        inode->size += size_delta;
        inode_touch(inode, modified);
}

int dir_of(Memfs *fs, fuse_ino_t ino, Inode **ret)
{
        Inode *dir = inode_get(fs, ino);

        if (!S_ISDIR(dir->type))
                return -ENOTDIR;
        *ret = dir;
        return 0;
}

void memfs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        Memfs *fs = req_fs(req);
        struct fuse_entry_param e;
        Inode *dir, *inode = NULL;
        int r = name_check(name);

        if (r == 0)
                r = dir_of(fs, parent, &dir);
        if (r == 0) {
                pthread_rwlock_rdlock(&dir->lock);
                Dirent *d = dir_find(fs, &dir->dir, name);
                if (d) {
                        inode = d->inode;
                        atomic_fetch_add(&inode->nlookup, 1);
                        entry_fill(fs, inode, &e);
                }
                pthread_rwlock_unlock(&dir->lock);
        }
        LOG(fs, "lookup %s: %s", name, r < 0 ? strerror(-r) : inode ? "found" : "absent");
        if (r < 0)
                fuse_reply_err(req, -r);
        else if (!inode)
                reply_negative(req, fs);
        else
                reply_entry(req, inode, &e);
}

void memfs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
        inode_forget(req_fs(req), inode_get(req_fs(req), ino), nlookup);
        fuse_reply_none(req);
}

void memfs_op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
        Memfs *fs = req_fs(req);

        for (size_t i = 0; i < count; i++)
                inode_forget(fs, inode_get(fs, forgets[i].ino), forgets[i].nlookup);
        fuse_reply_none(req);
}

typedef struct NodeSpec {
        mode_t mode;
        dev_t rdev;
        const char *target; /* symlinks */
} NodeSpec;

/*
 * The new inode belongs to the caller; in a setgid directory it takes the
 * directory's group, and a new subdirectory keeps the setgid bit. Caller
 * holds dir->lock.
 */
static int node_new(Memfs *fs, const struct fuse_ctx *ctx, Inode *dir, const NodeSpec *spec, Inode **ret)
{
        mode_t mode = spec->mode;
        gid_t gid = ctx->gid;
        Inode *inode;
        int r;

        if (!S_ISLNK(mode))
                mode &= ~(ctx->umask & 0777);
        if (dir->mode & S_ISGID) {
                gid = dir->gid;
                if (S_ISDIR(mode))
                        mode |= S_ISGID;
        }
        r = inode_new(fs, mode, ctx->uid, gid, &inode);
        if (r < 0)
                return r;
        if (S_ISDIR(mode)) {
                inode_ref(dir);
                inode->dir.parent = dir;
        } else if (S_ISCHR(mode) || S_ISBLK(mode))
                inode->rdev = spec->rdev;
        else if (S_ISLNK(mode)) {
                inode->target = strdup(spec->target);
                if (!inode->target) {
                        inode->nlink = 0;
                        inode_free(fs, inode);
                        return -ENOMEM;
                }
                inode->size = (off_t) strlen(spec->target);
        }
        *ret = inode;
        return 0;
}

/* Caller holds dir->lock exclusively. The new inode is not yet visible to anyone else. */
static int node_create_locked(Memfs *fs, const struct fuse_ctx *ctx, Inode *dir, const char *name,
                              const NodeSpec *spec, Inode **ret)
{
        Dirent *entry;
        Inode *inode;
        int r;

        if (dir->nlink == 0)
                return -ENOENT; /* removed while someone still had it open */
        if (dir_find(fs, &dir->dir, name))
                return -EEXIST;
        r = node_new(fs, ctx, dir, spec, &inode);
        if (r < 0)
                return r;
        r = dir_prepare(fs, &dir->dir, name, inode, &entry);
        if (r < 0) {
                inode->nlink = 0;
                inode_free(fs, inode);
                if (S_ISDIR(spec->mode))
                        inode_unref(fs, dir); /* the new directory's reference: dir is alive, locked */
                return r;
        }
        dir_insert(&dir->dir, entry);
        inode_change_locked(dir, S_ISDIR(spec->mode) ? 1 : 0, DIR_ENTRY_BOGO_SIZE, true);
        *ret = inode;
        return 0;
}

/* Create a name of any type; on success one lookup is counted for the reply. */
static int node_create(fuse_req_t req, fuse_ino_t parent, const char *name, const NodeSpec *spec,
                       struct fuse_entry_param *e, Inode **ret)
{
        Memfs *fs = req_fs(req);
        Inode *dir, *inode = NULL;
        int r = name_check(name);

        if (r == 0)
                r = dir_of(fs, parent, &dir);
        if (r == 0 && spec->target && strlen(spec->target) > MEMFS_SYMLINK_MAX)
                r = -ENAMETOOLONG;
        if (r == 0) {
                pthread_rwlock_wrlock(&dir->lock);
                r = node_create_locked(fs, fuse_req_ctx(req), dir, name, spec, &inode);
                if (r == 0) {
                        atomic_fetch_add(&inode->nlookup, 1);
                        entry_fill(fs, inode, e);
                }
                pthread_rwlock_unlock(&dir->lock);
        }
        LOG(fs, "create %s mode %o: %s", name, (unsigned) spec->mode, r < 0 ? strerror(-r) : "ok");
        *ret = inode;
        return r;
}

static void create_and_reply(fuse_req_t req, fuse_ino_t parent, const char *name, const NodeSpec *spec)
{
        struct fuse_entry_param e;
        Inode *inode;
        int r = node_create(req, parent, name, spec, &e, &inode);

        if (r < 0)
                fuse_reply_err(req, -r);
        else
                reply_entry(req, inode, &e);
}

void memfs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
        NodeSpec spec = { .mode = mode, .rdev = rdev };

        if (!S_ISREG(mode) && !S_ISFIFO(mode) && !S_ISSOCK(mode) && !S_ISCHR(mode) && !S_ISBLK(mode)) {
                fuse_reply_err(req, EINVAL);
                return;
        }
        create_and_reply(req, parent, name, &spec);
}

void memfs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
        NodeSpec spec = { .mode = S_IFDIR | (mode & 07777) };
        create_and_reply(req, parent, name, &spec);
}

void memfs_op_symlink(fuse_req_t req, const char *target, fuse_ino_t parent, const char *name)
{
        NodeSpec spec = { .mode = S_IFLNK | 0777, .target = target };
        create_and_reply(req, parent, name, &spec);
}

void memfs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi)
{
        NodeSpec spec = { .mode = S_IFREG | (mode & 07777) };
        Memfs *fs;
        struct fuse_entry_param e;
        Inode *inode;
        int r = node_create(req, parent, name, &spec, &e, &inode);

        if (r < 0) {
                fuse_reply_err(req, -r);
                return;
        }
        fi->keep_cache = 1;
        fi->noflush = 1;
        fs = req_fs(req); /* req is gone once replied */
        if (fuse_reply_create(req, &e, fi) != 0)
                inode_forget(fs, inode, 1);
}

/*
 * In a sticky directory only root, the directory's owner or the file's
 * owner may remove or rename. Caller holds both locks.
 */
int sticky_check(const struct fuse_ctx *ctx, const Inode *dir, const Inode *inode)
{
        if (!(dir->mode & S_ISVTX) || ctx->uid == 0 || ctx->uid == dir->uid || ctx->uid == inode->uid)
                return 0;
        return -EPERM;
}

/*
 * Drop one name of inode (its lock held, as its directory's): a directory
 * loses all its links, and its parent the one of "..". True if the
 * inode died of it (the caller drops its reference once unlocked).
 */
bool name_dropped_locked(Memfs *fs, Inode *dir, Inode *inode)
{
        bool is_dir = S_ISDIR(inode->type);

        inode_change_locked(inode, is_dir ? -(int) inode->nlink : -1, 0, false);
        inode_change_locked(dir, is_dir ? -1 : 0, -DIR_ENTRY_BOGO_SIZE, true);
        if (inode->nlink == 0)
                inode_release_node(fs, inode);
        return inode_mark_dead(inode);
}

/*
 * Caller holds dir->lock exclusively; takes the victim's lock itself. On
 * success, *ret_dead: the victim died (drop its reference once unlocked);
 * *ret_linked: it keeps other names (and, then only, *ret is its id).
 */
static int remove_locked(Memfs *fs, const struct fuse_ctx *ctx, Inode *dir, const char *name, bool rmdir,
                         Inode **ret, bool *ret_dead, bool *ret_linked)
{
        Dirent *entry = dir_find(fs, &dir->dir, name);
        Inode *inode;
        int r = 0;

        if (!entry)
                return -ENOENT;
        inode = entry->inode;
        if (rmdir && !S_ISDIR(inode->type))
                return -ENOTDIR;
        if (!rmdir && S_ISDIR(inode->type))
                return -EISDIR;
        pthread_rwlock_wrlock(&inode->lock);
        if (rmdir && inode->dir.count > 0)
                r = -ENOTEMPTY;
        if (r == 0)
                r = sticky_check(ctx, dir, inode);
        if (r == 0) {
                dir_remove(&dir->dir, entry);
                *ret_dead = name_dropped_locked(fs, dir, inode);
                *ret_linked = inode->nlink > 0;
                *ret = inode;
        }
        pthread_rwlock_unlock(&inode->lock);
        return r;
}

static void remove_name(fuse_req_t req, fuse_ino_t parent, const char *name, bool rmdir)
{
        Memfs *fs = req_fs(req);
        Inode *dir, *inode = NULL;
        bool dead = false, still_linked = false;
        fuse_ino_t ino = 0;
        int r = name_check(name);

        if (r == 0)
                r = dir_of(fs, parent, &dir);
        if (r == 0) {
                pthread_rwlock_wrlock(&dir->lock);
                r = remove_locked(fs, fuse_req_ctx(req), dir, name, rmdir, &inode, &dead, &still_linked);
                if (still_linked)
                        ino = inode_id(fs, inode);
                pthread_rwlock_unlock(&dir->lock);
        }
        if (dead)
                inode_unref(fs, inode);
        LOG(fs, "%s %s: %s", rmdir ? "rmdir" : "unlink", name, r < 0 ? strerror(-r) : "ok");
        fuse_reply_err(req, -r);
        /*
         * The kernel keeps one inode per node id, so the other names of a hard
         * link see the new nlink; still, tell it, so nothing cached about this
         * inode outlives the change. After the reply. (The kernel holds a
         * reference to an inode it has a name for: it is alive.)
         */
        if (still_linked)
                inode_invalidate(fs, ino);
}

void memfs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        remove_name(req, parent, name, false);
}

void memfs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        remove_name(req, parent, name, true);
}

/* Caller holds dir->lock exclusively. */
static int link_locked(Memfs *fs, Inode *inode, Inode *dir, const char *name)
{
        int r = 0;

        if (S_ISDIR(inode->type))
                return -EPERM;
        if (dir->nlink == 0)
                return -ENOENT;
        if (dir_find(fs, &dir->dir, name))
                return -EEXIST;
        pthread_rwlock_wrlock(&inode->lock);
        if (inode->nlink == 0)
                r = -ENOENT;
        if (r == 0)
                r = dir_add(fs, &dir->dir, name, inode);
        if (r == 0)
                inode_change_locked(inode, 1, 0, false);
        pthread_rwlock_unlock(&inode->lock);
        if (r == 0)
                inode_change_locked(dir, 0, DIR_ENTRY_BOGO_SIZE, true);
        return r;
}

void memfs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
        Memfs *fs = req_fs(req);
        Inode *inode = inode_get(fs, ino), *dir;
        struct fuse_entry_param e;
        int r = name_check(newname);

        if (r == 0)
                r = dir_of(fs, newparent, &dir);
        if (r == 0) {
                pthread_rwlock_wrlock(&dir->lock);
                r = link_locked(fs, inode, dir, newname);
                if (r == 0) {
                        atomic_fetch_add(&inode->nlookup, 1);
                        entry_fill(fs, inode, &e);
                }
                pthread_rwlock_unlock(&dir->lock);
        }
        LOG(fs, "link %s: %s", newname, r < 0 ? strerror(-r) : "ok");
        if (r < 0)
                fuse_reply_err(req, -r);
        else
                reply_entry(req, inode, &e);
}

typedef struct DirReader {
        fuse_req_t req;
        Memfs *fs;
        bool plus;
        char *buf;
        size_t size, used;
        Inode **counted; /* readdirplus: lookups to take back if the reply fails */
        size_t ncounted;
} DirReader;

/* Add one entry; false when the buffer is full. */
static bool reader_add(DirReader *rd, const char *name, Inode *inode, uint64_t cookie, bool counts)
{
        char *at = rd->buf + rd->used;
        size_t room = rd->size - rd->used, n;

        if (!rd->plus) {
                struct stat st = { .st_ino = inode->number, .st_mode = inode->type };
                n = fuse_add_direntry(rd->req, at, room, name, &st, (off_t) cookie);
        } else if (!counts) {
                /* "." and "..": the kernel takes no reference and no attributes, and their locks are
                 * ours already or above ours in the lock order: number and type never change. */
                struct fuse_entry_param e = { .attr = { .st_ino = inode->number, .st_mode = inode->type } };
                n = fuse_add_direntry_plus(rd->req, at, room, name, &e, (off_t) cookie);
        } else {
                struct fuse_entry_param e;
                entry_fill(rd->fs, inode, &e);
                n = fuse_add_direntry_plus(rd->req, at, room, name, &e, (off_t) cookie);
        }
        if (n > room)
                return false;
        rd->used += n;
        if (rd->plus && counts) {
                atomic_fetch_add(&inode->nlookup, 1);
                rd->counted[rd->ncounted++] = inode;
        }
        return true;
}

/* Offsets are cookies: 1 is ".", 2 is "..", then each entry's own. */
static void reader_fill(DirReader *rd, Inode *dir, off_t off)
{
        if (off < 1 && !reader_add(rd, ".", dir, 1, false))
                return;
        if (off < 2 && !reader_add(rd, "..", dir->dir.parent ? dir->dir.parent : dir, 2, false))
                return;
        for (Dirent *e = dir_next(&dir->dir, (uint64_t) MAX(off, 2)); e; e = dir_after(&dir->dir, e))
                if (!reader_add(rd, e->name, e->inode, e->cookie, true))
                        return;
}

static void read_directory(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus)
{
        Memfs *fs = req_fs(req);
        DirReader rd = { .req = req, .fs = fs, .plus = plus, .size = size };
        _cleanup_free_ char *buf = malloc(size);
        /* An entry takes at least 24 bytes (plus: 152), so this bounds how many the reply can hold. */
        _cleanup_free_ Inode **counted = plus ? calloc(size / 24 + 1, sizeof(Inode *)) : NULL;
        Inode *dir;
        int r = dir_of(fs, ino, &dir);

        if (r == 0 && (!buf || (plus && !counted)))
                r = -ENOMEM;
        if (r < 0) {
                fuse_reply_err(req, -r);
                return;
        }
        rd.buf = buf;
        rd.counted = counted;
        pthread_rwlock_rdlock(&dir->lock);
        reader_fill(&rd, dir, off);
        pthread_rwlock_unlock(&dir->lock);
        /* Before the reply: once it has left, the kernel may forget a removed directory. */
        if (off == 0)
                inode_accessed(dir);

        if (fuse_reply_buf(req, buf, rd.used) != 0)
                for (size_t i = 0; i < rd.ncounted; i++)
                        inode_forget(fs, rd.counted[i], 1);
}

/* Directories need no open state (readdir works from cookies): with FUSE_CAP_NO_OPENDIR_SUPPORT
 * this answer tells the kernel to stop sending OPENDIR and RELEASEDIR altogether. */
void memfs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        fuse_reply_err(req, ENOSYS);
}

void memfs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
        read_directory(req, ino, size, off, false);
}

void memfs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
        read_directory(req, ino, size, off, true);
}
