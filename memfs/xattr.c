/* SPDX-License-Identifier: MIT */
/*
 * Extended attributes: a short list per inode. The kernel has already
 * checked who may touch trusted.* and security.*; what is left here is
 * the namespaces we keep, the flags, and the size rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "memfs.h"

#define XATTR_NAME_LEN_MAX 255
#define XATTR_VALUE_MAX    65536 /* XATTR_SIZE_MAX */
#define XATTR_LIST_MAX_    65536 /* the names must fit one listxattr() */

struct Xattr {
        Xattr *next;
        char *name;
        size_t size;
        char value[];
};

static const char *const namespaces[] = { "user.", "trusted.", "security." };

static int name_valid(const char *name)
{
        size_t len = strlen(name);

        if (len > XATTR_NAME_LEN_MAX)
                return -ERANGE;
        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++) {
                size_t n = strlen(namespaces[i]);
                if (strneq(name, namespaces[i], n))
                        return len > n ? 0 : -EINVAL;
        }
        return -EOPNOTSUPP;
}

/* Reading a name we never store: "system." (ACLs, which we do not keep) is simply absent. */
static int absent_error(const char *name, int r)
{
        if (r == -EOPNOTSUPP && strneq(name, "system.", strlen("system.")))
                return -ENODATA;
        return r == -EINVAL ? -ENODATA : r;
}

static Xattr **xattr_find(Inode *inode, const char *name)
{
        Xattr **p = &inode->xattrs;
        while (*p && !streq((*p)->name, name))
                p = &(*p)->next;
        return p;
}

static bool is_trusted(const char *name)
{
        return strneq(name, "trusted.", strlen("trusted."));
}

static size_t names_size(const Inode *inode, bool show_trusted)
{
        size_t n = 0;
        for (const Xattr *x = inode->xattrs; x; x = x->next)
                if (show_trusted || !is_trusted(x->name))
                        n += strlen(x->name) + 1;
        return n;
}

static Xattr *xattr_new(const char *name, const void *value, size_t size)
{
        Xattr *x = malloc(sizeof(*x) + size);

        if (!x)
                return NULL;
        x->name = strdup(name);
        if (!x->name) {
                free(x);
                return NULL;
        }
        x->next = NULL;
        x->size = size;
        if (size)
                memcpy(x->value, value, size);
        return x;
}

/* Caller holds inode->lock exclusively. */
int xattr_set(Inode *inode, const char *name, const void *value, size_t size, int flags)
{
        Xattr **p, *x;
        int r = name_valid(name);

        if (r < 0)
                return r;
        if (size > XATTR_VALUE_MAX)
                return -E2BIG;
        p = xattr_find(inode, name);
        if (*p && (flags & XATTR_CREATE))
                return -EEXIST;
        if (!*p && (flags & XATTR_REPLACE))
                return -ENODATA;
        if (!*p && names_size(inode, true) + strlen(name) + 1 > XATTR_LIST_MAX_)
                return -ENOSPC;

        x = xattr_new(name, value, size);
        if (!x)
                return -ENOMEM;
        if (*p) { /* replace in place, keeping the listing order */
                x->next = (*p)->next;
                free((*p)->name);
                free(*p);
        }
        *p = x;
        return 0;
}

/* The value's size; copied into buf when size > 0 (-ERANGE if it does not fit). */
ssize_t xattr_get(Inode *inode, const char *name, void *buf, size_t size)
{
        Xattr *x;
        int r = name_valid(name);

        if (r < 0)
                return absent_error(name, r);
        x = *xattr_find(inode, name);
        if (!x)
                return -ENODATA;
        if (size == 0)
                return (ssize_t) x->size;
        if (size < x->size)
                return -ERANGE;
        memcpy(buf, x->value, x->size);
        return (ssize_t) x->size;
}

/* The names, each NUL-terminated; same size rules as xattr_get(). trusted.* only for root, as tmpfs does. */
ssize_t xattr_list(Inode *inode, bool show_trusted, char *buf, size_t size)
{
        size_t total = names_size(inode, show_trusted), n = 0;

        if (size == 0)
                return (ssize_t) total;
        if (size < total)
                return -ERANGE;
        for (const Xattr *x = inode->xattrs; x; x = x->next) {
                size_t len = strlen(x->name) + 1;
                if (!show_trusted && is_trusted(x->name))
                        continue;
                memcpy(buf + n, x->name, len);
                n += len;
        }
        return (ssize_t) n;
}

int xattr_remove(Inode *inode, const char *name)
{
        Xattr **p, *x;
        int r = name_valid(name);

        if (r < 0)
                return absent_error(name, r);
        p = xattr_find(inode, name);
        if (!*p)
                return -ENODATA;
        x = *p;
        *p = x->next;
        free(x->name);
        free(x);
        return 0;
}

void xattr_free_all(Inode *inode)
{
        while (inode->xattrs) {
                Xattr *x = inode->xattrs;
                inode->xattrs = x->next;
                free(x->name);
                free(x);
        }
}
