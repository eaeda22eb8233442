/* SPDX-License-Identifier: MIT */
/*
 * Directory tables: a hash table by name for lookups, and an array in
 * creation order for readdir. Each entry gets a cookie that never changes
 * while it lives; readdir resumes "after cookie N", so entries added or
 * removed meanwhile never make it skip or repeat the others. Removed
 * entries leave a hole that is squeezed out once holes outnumber entries.
 *
 * With -i the table is keyed by the case-folded name (towlower() over
 * UTF-8; bytes that are not UTF-8 compare as they are), and the entry
 * keeps the name as it was created.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "memfs.h"

#define FIRST_COOKIE 3 /* 1 and 2 are "." and ".." */

int name_check(const char *name)
{
        return strlen(name) > MEMFS_NAME_MAX ? -ENAMETOOLONG : 0;
}

static uint32_t hash_bytes(const char *p, size_t n)
{
        uint32_t h = 2166136261u; /* FNV-1a */
        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char) p[i]) * 16777619u;
        return h;
}

/* Fold name into out (room for 4 * MEMFS_NAME_MAX + 1 bytes); returns the length. */
static size_t fold_name(const char *name, char *out)
{
        mbstate_t in_state = { 0 }, out_state = { 0 };
        size_t len = strlen(name), i = 0, n = 0;

        while (i < len) {
                wchar_t wc;
                size_t k = mbrtowc(&wc, name + i, len - i, &in_state);
                if (k == (size_t) -1 || k == (size_t) -2 || k == 0) {
                        out[n++] = name[i++]; /* not UTF-8: keep the byte */
                        memset(&in_state, 0, sizeof(in_state));
                        continue;
                }
                size_t w = wcrtomb(out + n, (wchar_t) towlower((wint_t) wc), &out_state);
                if (w == (size_t) -1) {
                        memcpy(out + n, name + i, k);
                        w = k;
                }
                n += w;
                i += k;
        }
        out[n] = 0;
        return n;
}

int dir_init(Dir *dir, Inode *parent)
{
        memset(dir, 0, sizeof(*dir));
        dir->nbuckets = 8;
        dir->buckets = calloc(dir->nbuckets, sizeof(*dir->buckets));
        dir->next_cookie = FIRST_COOKIE;
        dir->parent = parent;
        return dir->buckets ? 0 : -ENOMEM;
}

void dir_done(Dir *dir)
{
        for (size_t i = 0; i < dir->nslots; i++)
                free(dir->slots[i].entry);
        free(dir->slots);
        free(dir->buckets);
        memset(dir, 0, sizeof(*dir));
}

Dirent *dir_find(Memfs *fs, Dir *dir, const char *name)
{
        char folded[4 * MEMFS_NAME_MAX + 1];
        const char *key = name;
        size_t key_len;
        uint32_t h;

        if (fs->case_insensitive)
                key_len = fold_name(name, folded), key = folded;
        else
                key_len = strlen(name);
        h = hash_bytes(key, key_len);
        for (Dirent *e = dir->buckets[h & (dir->nbuckets - 1)]; e; e = e->hash_next)
                if (e->hash == h && e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
                        return e;
        return NULL;
}

static void bucket_insert(Dir *dir, Dirent *e)
{
        Dirent **b = &dir->buckets[e->hash & (dir->nbuckets - 1)];
        e->hash_next = *b;
        *b = e;
}

/* Double the table when it holds more entries than buckets; a failed grow only costs speed. */
static void buckets_grow(Dir *dir)
{
        size_t old_n = dir->nbuckets;
        Dirent **old = dir->buckets, **grown = calloc(old_n * 2, sizeof(*grown));

        if (!grown)
                return;
        dir->buckets = grown;
        dir->nbuckets = old_n * 2;
        for (size_t i = 0; i < old_n; i++)
                for (Dirent *e = old[i], *next; e; e = next) {
                        next = e->hash_next;
                        bucket_insert(dir, e);
                }
        free(old);
}

static Dirent *dirent_new(Memfs *fs, const char *name, Inode *inode)
{
        char folded[4 * MEMFS_NAME_MAX + 1];
        size_t name_len = strlen(name), key_len = 0;
        Dirent *e;

        if (fs->case_insensitive)
                key_len = fold_name(name, folded);
        e = calloc(1, sizeof(*e) + name_len + 1 + (key_len ? key_len + 1 : 0));
        if (!e)
                return NULL;
        memcpy(e->name, name, name_len + 1);
        e->name_len = (uint16_t) name_len;
        if (fs->case_insensitive) {
                e->key = e->name + name_len + 1;
                memcpy(e->key, folded, key_len + 1);
                e->key_len = (uint16_t) key_len;
        } else {
                e->key = e->name;
                e->key_len = (uint16_t) name_len;
        }
        e->hash = hash_bytes(e->key, e->key_len);
        e->inode = inode;
        return e;
}

static int slots_reserve(Dir *dir)
{
        size_t cap;
        DirSlot *grown;

        if (dir->nslots < dir->slots_cap)
                return 0;
        cap = dir->slots_cap ? dir->slots_cap * 2 : 16;
        grown = realloc(dir->slots, cap * sizeof(*grown));
        if (!grown)
                return -ENOMEM;
        dir->slots = grown;
        dir->slots_cap = cap;
        return 0;
}

/* Everything that can fail, done before the namespace changes: an entry, and room for it. */
int dir_prepare(Memfs *fs, Dir *dir, const char *name, Inode *inode, Dirent **ret)
{
        Dirent *e;

        if (slots_reserve(dir) < 0)
                return -ENOMEM;
        e = dirent_new(fs, name, inode);
        if (!e)
                return -ENOMEM;
        *ret = e;
        return 0;
}

/* Insert a prepared entry; the caller checked that its name is free. Cannot fail. */
void dir_insert(Dir *dir, Dirent *e)
{
        e->cookie = dir->next_cookie++;
        e->slot = dir->nslots;
        dir->slots[dir->nslots++] = (DirSlot) { .cookie = e->cookie, .entry = e };
        bucket_insert(dir, e);
        if (++dir->count > dir->nbuckets)
                buckets_grow(dir);
}

int dir_add(Memfs *fs, Dir *dir, const char *name, Inode *inode)
{
        Dirent *e;
        int r = dir_prepare(fs, dir, name, inode, &e);

        if (r < 0)
                return r;
        dir_insert(dir, e);
        return 0;
}

static void slots_compact(Dir *dir)
{
        size_t n = 0;

        for (size_t i = 0; i < dir->nslots; i++) {
                Dirent *e = dir->slots[i].entry;
                if (!e)
                        continue;
                e->slot = n;
                dir->slots[n++] = dir->slots[i];
        }
        dir->nslots = n;
}

void dir_remove(Dir *dir, Dirent *entry)
{
        Dirent **p = &dir->buckets[entry->hash & (dir->nbuckets - 1)];

        while (*p != entry)
                p = &(*p)->hash_next;
        *p = entry->hash_next;
        dir->slots[entry->slot].entry = NULL;
        dir->count--;
        free(entry);
        if (dir->nslots > 32 && dir->count < dir->nslots / 2)
                slots_compact(dir);
}

/* The first live entry in slot i or a later one, or NULL. */
static Dirent *live_from(Dir *dir, size_t i)
{
        for (; i < dir->nslots; i++)
                if (dir->slots[i].entry)
                        return dir->slots[i].entry;
        return NULL;
}

/* The first live entry whose cookie is above after_cookie, or NULL. */
Dirent *dir_next(Dir *dir, uint64_t after_cookie)
{
        size_t lo = 0, hi = dir->nslots;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (dir->slots[mid].cookie <= after_cookie)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return live_from(dir, lo);
}

/* The live entry after e, which is in dir: what dir_next(dir, e->cookie) finds, without the search. */
Dirent *dir_after(Dir *dir, const Dirent *e)
{
        return live_from(dir, e->slot + 1);
}
