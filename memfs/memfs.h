/* SPDX-License-Identifier: MIT */
/*
 * memfs: an in-memory file system over libfuse's low-level API.
 *
 * The model is a set of inodes addressed by their pointer (the FUSE node
 * id), never by path. Locking, with no lock shared by unrelated
 * directories, so that work in two directories runs side by side:
 *   - inode->lock (rwlock) guards one inode: its attributes (nlink
 *     included), and its contents: a directory's table of names and
 *     parent pointer, a file's data, the xattrs. Lookups and readdir take
 *     a directory's lock shared, operations that change its names
 *     exclusive. Reads and writes of file data take only the file's lock.
 *   - fs->rename_lock (mutex) is held by a rename between two
 *     directories: parent pointers change only under it, so the check
 *     that a directory is not moved below itself walks them safely.
 *   Order: rename_lock, then directory locks from the root down (an
 *   ancestor before its descendant; two unrelated directories only under
 *   rename_lock, in address order), then the locks of the inodes named in
 *   them. copy_file_range takes two file locks in address order.
 * An inode lives while it has a name (nlink > 0) or the kernel knows it
 * (nlookup > 0). Whoever sees both at zero under the inode's lock marks it
 * dead (once: the flag is exchanged atomically) and drops its own
 * reference (refs). An operation that still uses the inode after its
 * reply has left, or after the kernel may have forgotten it (a read
 * replies while it holds the lock that keeps the pages in place; FORGET
 * itself), pins it with a reference of its own, and so does each
 * subdirectory through its parent pointer (so the walk up a removed
 * directory's parents never meets freed memory): the last reference frees.
 */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <fsp/fuse.h>

#include "macro.h"

#define MEMFS_NAME_MAX   255
#define MEMFS_SYMLINK_MAX 4095
#define MEMFS_PAGE_SIZE  4096u
#define MEMFS_PAGE_SHIFT 12
#define DIR_ENTRY_BOGO_SIZE 20 /* tmpfs's convention: a directory grows by 20 bytes per entry */

/* File data lives in chunks of 64 pages; a bit per page says whether it holds data. */
#define CHUNK_SHIFT 18
#define CHUNK_SIZE  (1u << CHUNK_SHIFT)
#define CHUNK_PAGES (CHUNK_SIZE / MEMFS_PAGE_SIZE)

typedef struct Inode Inode;
typedef struct Dirent Dirent;
typedef struct Xattr Xattr;

typedef struct Chunk {
        char *mem;         /* CHUNK_SIZE bytes from the chunk pool; pages read as zero until written */
        uint64_t pages;    /* bit i: page i holds data (counted in st_blocks and statfs); FileData.lock */
        uint64_t resident; /* bit i: page i is in memory (written to since last given back); FileData.lock */
} Chunk;

/*
 * Sparse file contents: a radix tree of chunks, as deep as the highest
 * chunk index needs. The inode's lock decides who may touch the contents
 * (shared: reads, and writes, which the kernel never sends for the same
 * range at once; exclusive: truncate, punch, allocate, which free or
 * reserve); `lock` guards the tree and the chunks' bits for the short
 * moments a reader or writer walks or grows them. Bytes are copied in and
 * out with only the inode's lock held, so writes to one file run side by
 * side (the kernel's write-back sends a large file's pages on two
 * threads at once).
 */
typedef struct FileData {
        pthread_mutex_t lock;
        void *root;              /* height 0: a Chunk *; else a node of TREE_FANOUT children */
        unsigned height;
        _Atomic uint64_t pages;  /* pages holding data in the whole file */
} FileData;

/* Entries in creation order, with a cookie that never changes: readdir offsets survive changes. */
typedef struct DirSlot {
        uint64_t cookie;
        Dirent *entry; /* NULL once removed, until the array is compacted */
} DirSlot;

typedef struct Dir {
        Dirent **buckets; /* hash table by name (folded when case-insensitive) */
        size_t nbuckets;
        size_t count;     /* live entries */
        DirSlot *slots;
        size_t nslots, slots_cap;
        uint64_t next_cookie;
        Inode *parent;    /* ".."; the root is its own parent. Holds a reference (refs) on it, kept
                           * after the directory is removed: parent pointers never dangle */
} Dir;

struct Dirent {
        Dirent *hash_next;
        Inode *inode;
        uint64_t cookie;
        size_t slot;
        uint32_t hash;
        uint16_t name_len, key_len;
        char *key;        /* the folded name when case-insensitive, else == name */
        char name[];      /* NUL-terminated, then the folded key if any */
};

struct Inode {
        pthread_rwlock_t lock;
        _Atomic uint64_t nlookup;
        _Atomic unsigned refs;
        atomic_bool dead;
        bool counted;    /* holds one of the -n nodes: from creation until its last name goes */
        uint64_t number; /* st_ino */
        mode_t type;     /* S_IFMT bits: never change, read without the lock */
        mode_t mode;
        nlink_t nlink;
        uid_t uid;
        gid_t gid;
        dev_t rdev;
        off_t size;
        struct timespec atime, mtime, ctime;
        union {
                Dir dir;        /* S_ISDIR */
                FileData data;  /* S_ISREG */
                char *target;   /* S_ISLNK */
        };
        Xattr *xattrs;
        Inode *all_prev, *all_next; /* in fs->all[shard], for tear-down */
};

/* Every inode is on one of these lists (by address), so creating inodes never contends on one lock. */
#define ALL_SHARDS 64

typedef struct InodeList {
        pthread_mutex_t lock;
        Inode *head;
} InodeList;

typedef struct Memfs {
        pthread_mutex_t rename_lock;
        Inode *root;
        struct fuse_session *se;

        uint64_t max_nodes;
        uint64_t max_file_size;
        uint64_t capacity_pages; /* max_nodes * max_file_size, in pages, saturated */
        _Atomic uint64_t nodes;
        _Atomic uint64_t allocated_pages;
        _Atomic uint64_t next_number;

        double attr_timeout;
        double entry_timeout;
        bool case_insensitive;
        bool writeback_cache; /* asked for in init(); -o [no_]writeback_cache has the last word */
        bool killpriv;        /* FUSE_HANDLE_KILLPRIV_V2: set-id bits are ours to clear (see inode_kill_priv) */

        FILE *log;
        pthread_mutex_t log_lock;

        InodeList all[ALL_SHARDS];
} Memfs;

/* memfs.c */
void memfs_log(Memfs *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define LOG(fs, ...)                                   \
        do {                                           \
                if ((fs)->log)                         \
                        memfs_log((fs), __VA_ARGS__);  \
        } while (0)

/* bdi.c */
void bdi_tune(const char *mountpoint);

/* inode.c */
int inode_new(Memfs *fs, mode_t mode, uid_t uid, gid_t gid, Inode **ret);
void inode_free(Memfs *fs, Inode *inode);
void inode_unref(Memfs *fs, Inode *inode);
static inline void inode_ref(Inode *inode)
{
        atomic_fetch_add(&inode->refs, 1);
}
void inode_forget(Memfs *fs, Inode *inode, uint64_t n);
bool inode_mark_dead(Inode *inode);
void inode_release_node(Memfs *fs, Inode *inode);
void inode_fill_stat(const Inode *inode, struct stat *st);
void inode_touch(Inode *inode, bool modified);
void inode_init_lists(Memfs *fs);
bool inode_kill_priv(Inode *inode);
bool inode_atime_stale(const Inode *inode);
void inode_accessed(Inode *inode);
void inode_invalidate(Memfs *fs, fuse_ino_t ino);
void memfs_free_all(Memfs *fs);
struct timespec now_timespec(void);
static inline Inode *inode_get(Memfs *fs, fuse_ino_t ino)
{
        return ino == FUSE_ROOT_ID ? fs->root : (Inode *) (uintptr_t) ino;
}
static inline fuse_ino_t inode_id(Memfs *fs, const Inode *inode)
{
        return inode == fs->root ? FUSE_ROOT_ID : (fuse_ino_t) (uintptr_t) inode;
}

/* dir.c */
int dir_init(Dir *dir, Inode *parent);
void dir_done(Dir *dir);
Dirent *dir_find(Memfs *fs, Dir *dir, const char *name);
int dir_prepare(Memfs *fs, Dir *dir, const char *name, Inode *inode, Dirent **ret);
void dir_insert(Dir *dir, Dirent *e);
int dir_add(Memfs *fs, Dir *dir, const char *name, Inode *inode);
void dir_remove(Dir *dir, Dirent *entry);
Dirent *dir_next(Dir *dir, uint64_t after_cookie);
Dirent *dir_after(Dir *dir, const Dirent *e);
int name_check(const char *name);

/* data.c: where written bytes come from, a buffer or libfuse's bufvec (maybe a pipe) */
typedef struct DataSource DataSource;
struct DataSource {
        ssize_t (*copy)(DataSource *src, char *dst, size_t n); /* the next n bytes into dst */
        const char *mem;
        struct fuse_bufvec *bufv;
};
DataSource data_source_memory(const void *buf);

void data_init(FileData *d);
void data_done(Memfs *fs, FileData *d);
size_t data_read_iov(FileData *d, off_t size, off_t off, size_t len, struct iovec *iov, size_t max_iov);
ssize_t data_write(Memfs *fs, FileData *d, off_t off, size_t len, DataSource *src);
int data_truncate(Memfs *fs, FileData *d, off_t old_size, off_t new_size);
int data_allocate(Memfs *fs, FileData *d, off_t off, off_t len);
int data_punch(Memfs *fs, FileData *d, off_t off, off_t len);
off_t data_seek(FileData *d, off_t size, off_t off, int whence);
int data_pool_init(void);
void data_pool_done(void);

/* xattr.c */
int xattr_set(Inode *inode, const char *name, const void *value, size_t size, int flags);
ssize_t xattr_get(Inode *inode, const char *name, void *buf, size_t size);
ssize_t xattr_list(Inode *inode, bool show_trusted, char *buf, size_t size);
int xattr_remove(Inode *inode, const char *name);
void xattr_free_all(Inode *inode);

/* ops.c, shared with ops-rename.c: a directory by number; a change of links,
 * size and times (inode->lock held); the sticky-bit rule; one name dropped. */
int dir_of(Memfs *fs, fuse_ino_t ino, Inode **ret);
void inode_change_locked(Inode *inode, int nlink_delta, off_t size_delta, bool modified);
int sticky_check(const struct fuse_ctx *ctx, const Inode *dir, const Inode *inode);
bool name_dropped_locked(Memfs *fs, Inode *dir, Inode *inode);

/* ops.c, ops-rename.c, ops-file.c, ops-attr.c */
extern const struct fuse_lowlevel_ops memfs_ops;
void memfs_op_init(void *userdata, struct fuse_conn_info *conn);
void memfs_op_destroy(void *userdata);
void memfs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void memfs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void memfs_op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void memfs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev);
void memfs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void memfs_op_symlink(fuse_req_t req, const char *target, fuse_ino_t parent, const char *name);
void memfs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void memfs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void memfs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void memfs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                     const char *newname, unsigned int flags);
void memfs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi);
void memfs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void memfs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);

void memfs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void memfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void memfs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void memfs_op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *bufv, off_t off,
                        struct fuse_file_info *fi);
void memfs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void memfs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                        struct fuse_file_info *fi);
void memfs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi);
void memfs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, struct fuse_file_info *fi_in,
                              fuse_ino_t ino_out, off_t off_out, struct fuse_file_info *fi_out, size_t len,
                              int flags);

void memfs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void memfs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi);
void memfs_op_readlink(fuse_req_t req, fuse_ino_t ino);
void memfs_op_statfs(fuse_req_t req, fuse_ino_t ino);
void memfs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size,
                       int flags);
void memfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void memfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void memfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

static inline Memfs *req_fs(fuse_req_t req)
{
        return fuse_req_userdata(req);
}
