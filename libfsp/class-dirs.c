/* SPDX-License-Identifier: MIT */
/*
 * The class directories: the first directory that has <name>.conf defines
 * the class, and an empty file or a symlink to /dev/null there masks it
 * (the systemd drop-in convention).
 */
#include <dirent.h>
#include <fcntl.h>
#include <fsp/class.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "macro.h"

#define CONF_SUFFIX ".conf"

int fsp_class_dirs_from_path(const char *colon_list, FspClassDirs *ret)
{
        _cleanup_strv_free_ char **dirs = calloc(1, sizeof(char *));
        size_t n = 0;

        if (!dirs)
                return -ENOMEM;
        for (const char *p = strempty(colon_list); *p;) {
                size_t len = strcspn(p, ":");
                if (len > 0) {
                        char **grown = reallocarray(dirs, n + 2, sizeof(char *));
                        if (!grown)
                                return -ENOMEM;
                        dirs = grown;
                        dirs[n] = strndup(p, len);
                        if (!dirs[n])
                                return -ENOMEM;
                        dirs[++n] = NULL;
                }
                p += len + (p[len] == ':');
        }
        ret->dirs = TAKE_PTR(dirs);
        return 0;
}

void fsp_class_dirs_done(FspClassDirs *d)
{
        if (d)
                d->dirs = strv_free(d->dirs);
}

typedef enum ConfState {
        CONF_MISSING, /* not here, or a dangling symlink: look further */
        CONF_FOUND,
        CONF_MASKED,
} ConfState;

/* What the entry filename in the directory dirfd says about its class. */
static int conf_state(int dirfd, const char *filename, ConfState *ret)
{
        struct stat st;

        if (fstatat(dirfd, filename, &st, 0) < 0) {
                if (errno != ENOENT)
                        return -errno;
                *ret = CONF_MISSING;
                return 0;
        }
        if ((S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) || (S_ISREG(st.st_mode) && st.st_size == 0))
                *ret = CONF_MASKED;
        else
                *ret = CONF_FOUND;
        return 0;
}

static int open_dir(const char *dir, int *ret_fd)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
        *ret_fd = fd;
        return 1;
}

int fsp_class_dirs_find(const FspClassDirs *d, const char *name, char **ret_path)
{
        _cleanup_free_ char *filename = NULL;
        int r;

        if (!fsp_class_name_is_valid(name))
                return -EINVAL;
        if (asprintf(&filename, "%s" CONF_SUFFIX, name) < 0)
                return -ENOMEM;

        STRV_FOREACH (dir, d ? d->dirs : NULL) {
                _cleanup_close_ int fd = -1;
                ConfState state = CONF_MISSING;

                r = open_dir(*dir, &fd);
                if (r <= 0) {
                        if (r < 0)
                                return r; /* unreadable: it might mask the class, so do not look below */
                        continue;
                }
                r = conf_state(fd, filename, &state);
                if (r < 0)
                        return r;
                if (state == CONF_MASKED)
                        return -ESRCH;
                if (state == CONF_FOUND) {
                        char *path;
                        if (asprintf(&path, "%s/%s", *dir, filename) < 0)
                                return -ENOMEM;
                        *ret_path = path;
                        return 0;
                }
        }
        return -ENOENT;
}

/* Names seen so far, each with whether the directory that decides it masks it. */
typedef struct NameSet {
        char **names;
        bool *masked;
        size_t n;
} NameSet;

static void name_set_done(NameSet *s)
{
        for (size_t i = 0; i < s->n; i++)
                free(s->names[i]);
        free(s->names);
        free(s->masked);
        *s = (NameSet){};
}

static bool name_set_contains(const NameSet *s, const char *name)
{
        for (size_t i = 0; i < s->n; i++)
                if (streq(s->names[i], name))
                        return true;
        return false;
}

static int name_set_add(NameSet *s, const char *name, bool masked)
{
        char **names = reallocarray(s->names, s->n + 1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        s->names = names;
        bool *m = reallocarray(s->masked, s->n + 1, sizeof(bool));
        if (!m)
                return -ENOMEM;
        s->masked = m;
        s->names[s->n] = strdup(name);
        if (!s->names[s->n])
                return -ENOMEM;
        s->masked[s->n++] = masked;
        return 0;
}

/* The class name of a directory entry, or NULL when it is not a class file. */
static char *entry_class_name(const char *filename)
{
        size_t n = strlen(filename), suffix = strlen(CONF_SUFFIX);
        char *name;

        if (filename[0] == '.' || n <= suffix || !streq(filename + n - suffix, CONF_SUFFIX))
                return NULL;
        name = strndup(filename, n - suffix);
        if (name && !fsp_class_name_is_valid(name)) {
                free(name);
                return NULL;
        }
        return name;
}

static void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

static int scan_dir(const char *dir, NameSet *set)
{
        _cleanup_(closedirp) DIR *d = NULL;
        int fd = -1, r;
        struct dirent *de;

        r = open_dir(dir, &fd);
        if (r <= 0)
                return r;
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return -errno;
        }
        while ((errno = 0, de = readdir(d))) {
                _cleanup_free_ char *name = entry_class_name(de->d_name);
                ConfState state = CONF_MISSING;

                if (!name || name_set_contains(set, name))
                        continue;
                r = conf_state(dirfd(d), de->d_name, &state);
                if (r < 0)
                        return r;
                if (state == CONF_MISSING)
                        continue;
                r = name_set_add(set, name, state == CONF_MASKED);
                if (r < 0)
                        return r;
        }
        return errno > 0 ? -errno : 0;
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int fsp_class_dirs_list(const FspClassDirs *d, char ***ret_names)
{
        _cleanup_(name_set_done) NameSet set = {};
        _cleanup_strv_free_ char **names = NULL;
        size_t n = 0;
        int r;

        STRV_FOREACH (dir, d ? d->dirs : NULL) {
                r = scan_dir(*dir, &set);
                if (r < 0)
                        return r;
        }
        names = calloc(set.n + 1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        for (size_t i = 0; i < set.n; i++)
                if (!set.masked[i])
                        names[n++] = TAKE_PTR(set.names[i]);
        qsort(names, n, sizeof(char *), compare_names);
        *ret_names = TAKE_PTR(names);
        return 0;
}
