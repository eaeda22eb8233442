/* SPDX-License-Identifier: MIT */
/*
 * rename(2) and renameat2(2)'s RENAME_NOREPLACE and RENAME_EXCHANGE: the
 * tree checks (no directory below itself), the lock order (directories,
 * then the inodes named), and what the victim of a replacing rename loses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memfs.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/*
 * Is a the directory d, or one of d's ancestors? Under rename_lock: parent
 * pointers hold still, and each one pins what it points to (a removed
 * directory's too).
 */
static bool is_ancestor(Memfs *fs, Inode *a, Inode *d)
{
        for (;;) {
                if (d == a)
                        return true;
                if (d == fs->root)
                        return false;
                d = d->dir.parent;
        }
}

typedef struct RenameOp {
        Inode *src_dir, *dst_dir;
        const char *name, *newname;
        unsigned flags;
        Dirent *src, *dst;
        Inode *victim;      /* the inode that lost its name to the rename, if any */
        bool victim_dead;   /* ... and died of it */
        bool victim_linked; /* ... or keeps other names */
        Inode *locked[2]; /* the inodes named, locked after their directories */
        Inode *unpin[2];  /* parents a moved directory left: their references go once all is unlocked */
} RenameOp;

/*
 * No directory moves below itself, and the inodes named are no ancestors
 * of the directories locked (so locking them next keeps the lock order).
 * Under rename_lock when the directories differ; within one directory
 * neither can happen.
 */
static int rename_check_tree(Memfs *fs, const RenameOp *op)
{
        Inode *src = op->src->inode, *dst = op->dst ? op->dst->inode : NULL;

        if (op->src_dir == op->dst_dir)
                return 0;
        if (S_ISDIR(src->type) && is_ancestor(fs, src, op->dst_dir))
                return -EINVAL;
        if (dst && S_ISDIR(dst->type) && is_ancestor(fs, dst, op->src_dir))
                return (op->flags & RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
        return 0;
}

/* Everything locked. */
static int rename_check(Memfs *fs, const struct fuse_ctx *ctx, RenameOp *op)
{
        Inode *src = op->src->inode, *dst = op->dst ? op->dst->inode : NULL;
        int r;

        if (dst && !(op->flags & RENAME_EXCHANGE)) {
                if (S_ISDIR(src->type) && !S_ISDIR(dst->type))
                        return -ENOTDIR;
                if (!S_ISDIR(src->type) && S_ISDIR(dst->type))
                        return -EISDIR;
                if (S_ISDIR(dst->type) && dst->dir.count > 0)
                        return -ENOTEMPTY;
        }
        r = sticky_check(ctx, op->src_dir, src);
        if (r == 0 && dst)
                r = sticky_check(ctx, op->dst_dir, dst);
        return r;
}

/* A directory that changes parent moves its ".." link, and its reference, along. All three locked. */
static void reparent(RenameOp *op, Inode *inode, Inode *from, Inode *to)
{
        if (!S_ISDIR(inode->type) || from == to)
                return;
        inode_ref(to);
        inode->dir.parent = to;
        op->unpin[op->unpin[0] ? 1 : 0] = from;
        inode_change_locked(from, -1, 0, true);
        inode_change_locked(to, 1, 0, true);
}

static int rename_exchange(RenameOp *op)
{
        Inode *a = op->src->inode, *b = op->dst->inode;

        op->src->inode = b;
        op->dst->inode = a;
        reparent(op, a, op->src_dir, op->dst_dir);
        reparent(op, b, op->dst_dir, op->src_dir);
        inode_change_locked(op->src_dir, 0, 0, true);
        if (op->dst_dir != op->src_dir)
                inode_change_locked(op->dst_dir, 0, 0, true);
        inode_change_locked(a, 0, 0, false);
        inode_change_locked(b, 0, 0, false);
        return 0;
}

static int rename_move(Memfs *fs, RenameOp *op)
{
        Inode *src = op->src->inode;
        Dirent *moved;
        int r;

        r = dir_prepare(fs, &op->dst_dir->dir, op->newname, src, &moved);
        if (r < 0)
                return r;
        if (op->dst) {
                op->victim = op->dst->inode;
                dir_remove(&op->dst_dir->dir, op->dst);
                op->victim_dead = name_dropped_locked(fs, op->dst_dir, op->victim);
                op->victim_linked = op->victim->nlink > 0;
        }
        dir_remove(&op->src_dir->dir, op->src);
        dir_insert(&op->dst_dir->dir, moved);
        reparent(op, src, op->src_dir, op->dst_dir);
        inode_change_locked(op->src_dir, 0, -DIR_ENTRY_BOGO_SIZE, true);
        inode_change_locked(op->dst_dir, 0, DIR_ENTRY_BOGO_SIZE, true);
        inode_change_locked(src, 0, 0, false);
        return 0;
}

/* Lock the inodes the rename names (after their directories: the order of memfs.h). */
static void rename_lock_named(RenameOp *op)
{
        Inode *a = op->src->inode, *b = op->dst ? op->dst->inode : NULL;

        if (b == a)
                b = NULL;
        if (b && b < a) {
                Inode *t = a;
                a = b;
                b = t;
        }
        op->locked[0] = a;
        op->locked[1] = b;
        pthread_rwlock_wrlock(&a->lock);
        if (b)
                pthread_rwlock_wrlock(&b->lock);
}

static void rename_unlock_named(RenameOp *op)
{
        for (size_t i = 2; i > 0; i--)
                if (op->locked[i - 1])
                        pthread_rwlock_unlock(&op->locked[i - 1]->lock);
}

/* Both directories locked. */
static int rename_locked(Memfs *fs, const struct fuse_ctx *ctx, RenameOp *op)
{
        int r;

        if (op->dst_dir->nlink == 0)
                return -ENOENT;
        op->src = dir_find(fs, &op->src_dir->dir, op->name);
        if (!op->src)
                return -ENOENT;
        op->dst = dir_find(fs, &op->dst_dir->dir, op->newname);
        if ((op->flags & RENAME_EXCHANGE) && !op->dst)
                return -ENOENT;
        if ((op->flags & RENAME_NOREPLACE) && op->dst)
                return -EEXIST;
        if (op->dst != op->src && !(op->dst && op->dst->inode == op->src->inode)) {
                r = rename_check_tree(fs, op);
                if (r < 0)
                        return r;
        }
        rename_lock_named(op);
        /* The same entry under another spelling (-i): only the case changes. */
        if (op->dst == op->src) {
                op->dst = NULL;
                if ((op->flags & RENAME_EXCHANGE) || streq(op->src->name, op->newname))
                        r = 0;
                else
                        r = rename_move(fs, op);
        } else if (op->dst && op->dst->inode == op->src->inode)
                r = 0; /* two names of one file: POSIX says do nothing */
        else {
                r = rename_check(fs, ctx, op);
                if (r == 0)
                        r = (op->flags & RENAME_EXCHANGE) ? rename_exchange(op) : rename_move(fs, op);
        }
        rename_unlock_named(op);
        return r;
}

/*
 * The directories' locks: one for a rename within a directory; for two,
 * rename_lock first (parent pointers hold still), then the ancestor
 * before its descendant, or by address.
 */
static void rename_lock_dirs(Memfs *fs, RenameOp *op)
{
        Inode *first = op->src_dir, *second = op->dst_dir;

        if (first == second) {
                pthread_rwlock_wrlock(&first->lock);
                return;
        }
        pthread_mutex_lock(&fs->rename_lock);
        if (is_ancestor(fs, second, first) || (!is_ancestor(fs, first, second) && second < first)) {
                first = op->dst_dir;
                second = op->src_dir;
        }
        pthread_rwlock_wrlock(&first->lock);
        pthread_rwlock_wrlock(&second->lock);
}

static void rename_unlock_dirs(Memfs *fs, RenameOp *op)
{
        if (op->src_dir != op->dst_dir) {
                pthread_rwlock_unlock(&op->dst_dir->lock);
                pthread_rwlock_unlock(&op->src_dir->lock);
                pthread_mutex_unlock(&fs->rename_lock);
        } else
                pthread_rwlock_unlock(&op->src_dir->lock);
}

void memfs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                     const char *newname, unsigned int flags)
{
        Memfs *fs = req_fs(req);
        RenameOp op = { .name = name, .newname = newname, .flags = flags };
        bool still_linked = false;
        fuse_ino_t victim_ino = 0;
        int r = 0;

        if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) || flags == (RENAME_NOREPLACE | RENAME_EXCHANGE))
                r = -EINVAL;
        if (r == 0)
                r = name_check(name) < 0 ? -ENAMETOOLONG : name_check(newname);
        if (r == 0)
                r = dir_of(fs, parent, &op.src_dir);
        if (r == 0)
                r = dir_of(fs, newparent, &op.dst_dir);
        if (r == 0) {
                rename_lock_dirs(fs, &op);
                r = rename_locked(fs, fuse_req_ctx(req), &op);
                if (r == 0 && op.victim_linked) {
                        still_linked = true;
                        victim_ino = inode_id(fs, op.victim);
                }
                rename_unlock_dirs(fs, &op);
        }
        if (op.victim_dead)
                inode_unref(fs, op.victim);
        for (size_t i = 0; i < ELEMENTSOF(op.unpin); i++)
                inode_unref(fs, op.unpin[i]);
        LOG(fs, "rename %s -> %s flags %u: %s", name, newname, flags, r < 0 ? strerror(-r) : "ok");
        fuse_reply_err(req, -r);
        if (still_linked)
                inode_invalidate(fs, victim_ino); /* as in remove_name() */
}
