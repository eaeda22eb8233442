/* SPDX-License-Identifier: MIT */
/*
 * Inodes: creation within the node limit, attributes, and the two counts
 * that keep one alive (names in directories, and the kernel's lookups).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memfs.h"

struct timespec now_timespec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return ts;
}

static bool node_reserve(Memfs *fs)
{
        uint64_t n = atomic_load(&fs->nodes);
        do {
                if (n >= fs->max_nodes)
                        return false;
        } while (!atomic_compare_exchange_weak(&fs->nodes, &n, n + 1));
        return true;
}

static InodeList *list_of(Memfs *fs, const Inode *inode)
{
        uintptr_t a = (uintptr_t) inode;
        return &fs->all[(a >> 6 ^ a >> 12) % ALL_SHARDS];
}

void inode_init_lists(Memfs *fs)
{
        for (size_t i = 0; i < ALL_SHARDS; i++)
                pthread_mutex_init(&fs->all[i].lock, NULL);
}

static void all_link(Memfs *fs, Inode *inode)
{
        InodeList *l = list_of(fs, inode);

        pthread_mutex_lock(&l->lock);
        inode->all_next = l->head;
        if (l->head)
                l->head->all_prev = inode;
        l->head = inode;
        pthread_mutex_unlock(&l->lock);
}

static void all_unlink(Memfs *fs, Inode *inode)
{
        InodeList *l = list_of(fs, inode);

        pthread_mutex_lock(&l->lock);
        if (inode->all_prev)
                inode->all_prev->all_next = inode->all_next;
        else
                l->head = inode->all_next;
        if (inode->all_next)
                inode->all_next->all_prev = inode->all_prev;
        pthread_mutex_unlock(&l->lock);
}

/* A new inode with one link (two for a directory, whose parent the caller sets). */
int inode_new(Memfs *fs, mode_t mode, uid_t uid, gid_t gid, Inode **ret)
{
        Inode *inode;

        if (!node_reserve(fs))
                return -ENOSPC;
        inode = calloc(1, sizeof(*inode));
        if (!inode) {
                atomic_fetch_sub(&fs->nodes, 1);
                return -ENOMEM;
        }
        pthread_rwlock_init(&inode->lock, NULL);
        inode->counted = true;
        inode->refs = 1;
        inode->number = atomic_fetch_add(&fs->next_number, 1);
        inode->type = mode & S_IFMT;
        inode->mode = mode;
        inode->uid = uid;
        inode->gid = gid;
        inode->nlink = 1;
        inode->atime = inode->mtime = inode->ctime = now_timespec();

        if (S_ISDIR(mode)) {
                if (dir_init(&inode->dir, NULL) < 0) {
                        free(inode);
                        atomic_fetch_sub(&fs->nodes, 1);
                        return -ENOMEM;
                }
                inode->nlink = 2;
                inode->size = 2 * DIR_ENTRY_BOGO_SIZE;
        } else if (S_ISREG(mode))
                data_init(&inode->data);

        all_link(fs, inode);
        *ret = inode;
        return 0;
}

void inode_free(Memfs *fs, Inode *inode)
{
        all_unlink(fs, inode);
        if (S_ISDIR(inode->type))
                dir_done(&inode->dir);
        else if (S_ISREG(inode->type))
                data_done(fs, &inode->data);
        else if (S_ISLNK(inode->type))
                free(inode->target);
        xattr_free_all(inode);
        pthread_rwlock_destroy(&inode->lock);
        inode_release_node(fs, inode);
        free(inode);
}

/*
 * -n limits names, not the kernel's memory: a file whose last name is gone
 * frees its node at once, even while it is still open or the kernel has
 * yet to forget it (FORGET comes later, asynchronously).
 */
void inode_release_node(Memfs *fs, Inode *inode)
{
        if (!inode->counted)
                return;
        inode->counted = false;
        atomic_fetch_sub(&fs->nodes, 1);
}

/*
 * Drop a reference: the inode's own once it is dead, an operation's pin,
 * or a subdirectory's. Freeing a directory drops the reference it held on
 * its parent, which may free that one too: a loop, for trees of any depth.
 */
void inode_unref(Memfs *fs, Inode *inode)
{
        while (inode && atomic_fetch_sub(&inode->refs, 1) == 1) {
                Inode *parent = S_ISDIR(inode->type) && inode != fs->root ? inode->dir.parent : NULL;
                inode_free(fs, inode);
                inode = parent;
        }
}

/*
 * Caller holds inode->lock exclusively. If the inode has neither a name
 * nor the kernel's reference, mark it dead: true for the one caller that
 * does, who then drops the inode's own reference (after unlocking).
 */
bool inode_mark_dead(Inode *inode)
{
        if (inode->nlink != 0 || atomic_load(&inode->nlookup) != 0)
                return false;
        return !atomic_exchange(&inode->dead, true);
}

/*
 * The kernel dropped n references. Once nlookup reaches zero the inode
 * may die at any moment (an unlink may be checking too), so it is pinned
 * first, while the kernel's reference still keeps it.
 */
void inode_forget(Memfs *fs, Inode *inode, uint64_t n)
{
        bool dead = false;

        if (inode == fs->root)
                return;
        inode_ref(inode);
        if (atomic_fetch_sub(&inode->nlookup, n) == n) {
                pthread_rwlock_wrlock(&inode->lock);
                dead = inode_mark_dead(inode);
                pthread_rwlock_unlock(&inode->lock);
        }
        if (dead)
                inode_unref(fs, inode);
        inode_unref(fs, inode);
}

/* Caller holds inode->lock. */
void inode_fill_stat(const Inode *inode, struct stat *st)
{
        memset(st, 0, sizeof(*st));
        st->st_ino = inode->number;
        st->st_mode = inode->mode;
        st->st_nlink = inode->nlink;
        st->st_uid = inode->uid;
        st->st_gid = inode->gid;
        st->st_rdev = inode->rdev;
        st->st_size = inode->size;
        st->st_blksize = MEMFS_PAGE_SIZE;
        if (S_ISREG(inode->type))
                st->st_blocks = (blkcnt_t) (atomic_load(&inode->data.pages) * (MEMFS_PAGE_SIZE / 512));
        st->st_atim = inode->atime;
        st->st_mtim = inode->mtime;
        st->st_ctim = inode->ctime;
}

/* Caller holds inode->lock exclusively: a metadata change (ctime), and maybe a content change (mtime). */
void inode_touch(Inode *inode, bool modified)
{
        inode->ctime = now_timespec();
        if (modified)
                inode->mtime = inode->ctime;
}

/*
 * Caller holds inode->lock exclusively. What Linux takes from a file that
 * someone without CAP_FSETID writes or truncates, or whose owner changes:
 * set-user-ID; set-group-ID if the group may execute (without that, the
 * bit marks mandatory locking, not privilege); and file capabilities.
 * True if the mode changed.
 */
bool inode_kill_priv(Inode *inode)
{
        mode_t bits = S_ISUID | ((inode->mode & S_IXGRP) ? S_ISGID : 0);
        bool changed = inode->mode & bits;

        inode->mode &= ~bits;
        (void) xattr_remove(inode, "security.capability");
        return changed;
}

static bool ts_before(struct timespec a, struct timespec b)
{
        return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

/*
 * Caller holds inode->lock. Linux's relatime: the access time moves on a
 * read when it is not newer than the last modification or change, or is a
 * day old; reads in between cost no write.
 */
bool inode_atime_stale(const Inode *inode)
{
        struct timespec now = now_timespec();

        return !ts_before(inode->mtime, inode->atime) || !ts_before(inode->ctime, inode->atime) ||
               now.tv_sec - inode->atime.tv_sec >= 24 * 60 * 60;
}

/* Takes inode->lock exclusively. */
void inode_accessed(Inode *inode)
{
        pthread_rwlock_wrlock(&inode->lock);
        if (inode_atime_stale(inode))
                inode->atime = now_timespec();
        pthread_rwlock_unlock(&inode->lock);
}

/*
 * Make the kernel drop the attributes it caches for ino and ask again.
 * With no lock held: the kernel may have to wait for one of our handlers.
 */
void inode_invalidate(Memfs *fs, fuse_ino_t ino)
{
        if (fs->se)
                (void) fuse_lowlevel_notify_inval_inode(fs->se, ino, -1, 0);
}

/* At unmount: every inode goes, whatever its counts. */
void memfs_free_all(Memfs *fs)
{
        for (size_t i = 0; i < ALL_SHARDS; i++)
                while (fs->all[i].head) {
                        Inode *inode = fs->all[i].head;
                        inode->nlink = 0;
                        inode_free(fs, inode);
                }
        fs->root = NULL;
}
