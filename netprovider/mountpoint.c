/* SPDX-License-Identifier: MIT */
/*
 * Mount points: canonical paths (that string is %2 and what GetInfo's
 * MountPoint holds, so delete can find the instance again), default ones
 * (winfsp@.service's too), and an early ownership check with a
 * sentence a user understands.
 */
#include <limits.h>
#include <pwd.h>
#include <sys/stat.h>

#include "macro.h"
#include "mountpoint.h"
#include "net.h"

/*
 * "class" for //class (and //class/class, the same instance), else
 * "class:instance" with each '/' of the instance written ':'. A class name
 * has no ':', so the first one ends it; a ':' or '%' that belongs to the
 * instance is written "%3A" or "%25", so two instances never share a name.
 */
int mount_point_name(const FspRemoteName *remote, char **ret)
{
        const char *instance = remote->instance;
        size_t n = strlen(remote->class_name) + 1 + strlen(instance) * 3;
        char *out, *p;

        if (streq(instance, remote->class_name))
                instance = "";
        out = malloc(n + 1);
        if (!out)
                return -ENOMEM;
        p = stpcpy(out, remote->class_name);
        if (*instance)
                *p++ = ':';
        for (const char *c = instance; *c; c++) {
                if (*c == '/')
                        *p++ = ':';
                else if (*c == ':' || *c == '%')
                        p += sprintf(p, "%%%02X", (unsigned char) *c);
                else
                        *p++ = *c;
        }
        *p = 0;
        if (p - out > NAME_MAX) {
                free(out);
                return -ENAMETOOLONG;
        }
        *ret = out;
        return 0;
}

/* mkdir -p; existing directories are fine. */
static int mkdir_parents_and_self(const char *path, mode_t mode)
{
        _cleanup_free_ char *copy = strdup(path);

        if (!copy)
                return -ENOMEM;
        for (char *p = copy + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = 0;
                if (mkdir(copy, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        if (mkdir(copy, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static int default_parent_dir(char **ret)
{
        const char *runtime = getenv("XDG_RUNTIME_DIR");
        char *dir;

        if (!isempty(runtime) && runtime[0] == '/') {
                if (asprintf(&dir, "%s/winfsp", runtime) < 0)
                        return -ENOMEM;
        } else if (getuid() == 0) {
                dir = strdup("/run/winfsp");
                if (!dir)
                        return -ENOMEM;
        } else
                return net_fail(-ENXIO, NET_EXIT_USAGE,
                                "no mount point given and XDG_RUNTIME_DIR is not set: name a mount point");
        *ret = dir;
        return 0;
}

static int default_mount_point(const FspRemoteName *remote, char **ret)
{
        _cleanup_free_ char *parent = NULL, *name = NULL;
        char *path;
        int r;

        r = default_parent_dir(&parent);
        if (r < 0)
                return r;
        r = mount_point_name(remote, &name);
        if (r == -ENAMETOOLONG)
                return net_fail(r, NET_EXIT_INVALID_ARGUMENT,
                                "the remote name is too long for a default mount point: name a mount point");
        if (r < 0)
                return net_fail(r, NET_EXIT_FAILURE, "%s", strerror(-r));
        /* The launcher keeps its class directory and its records there too. */
        if (streq(name, "conf.d") || streq(name, "instances"))
                return net_fail(-EINVAL, NET_EXIT_INVALID_ARGUMENT,
                                "'%s/%s' cannot be a mount point: name a mount point", parent, name);

        r = mkdir_parents_and_self(parent, getuid() == 0 ? 0755 : 0700);
        if (r < 0)
                return net_fail(r, NET_EXIT_FAILURE, "cannot create %s: %s", parent, strerror(-r));
        if (asprintf(&path, "%s/%s", parent, name) < 0)
                return -ENOMEM;
        if (mkdir(path, 0700) < 0 && errno != EEXIST) {
                r = -errno;
                net_fail(r, NET_EXIT_FAILURE, "cannot create mount point %s: %m", path);
                free(path);
                return r;
        }
        *ret = path;
        return 0;
}

static int check_owner(const char *path, const struct stat *st)
{
        struct passwd *pw;

        if (getuid() == 0 || st->st_uid == getuid())
                return 0;
        pw = getpwuid(st->st_uid);
        if (pw)
                return net_fail(-EACCES, NET_EXIT_ACCESS_DENIED,
                                "mount point %s belongs to %s, not to you: mount on a directory you own", path,
                                pw->pw_name);
        return net_fail(-EACCES, NET_EXIT_ACCESS_DENIED,
                        "mount point %s belongs to uid %u, not to you: mount on a directory you own", path,
                        (unsigned) st->st_uid);
}

int mount_point_resolve(const char *given, const FspRemoteName *remote, bool create, const char *mkdir_hint,
                        char **ret)
{
        _cleanup_free_ char *chosen = NULL, *canonical = NULL;
        const char *path = given;
        struct stat st;
        int r;

        /* "" too: winfsp@.service passes its WINFSP_MOUNTPOINT=, empty unless a drop-in sets it. */
        if (isempty(given)) {
                r = default_mount_point(remote, &chosen);
                if (r < 0)
                        return r;
                path = chosen;
        } else if (create) {
                _cleanup_free_ char *absolute = NULL;

                r = mount_point_canonical(given, &absolute);
                if (r < 0)
                        return net_fail(r, NET_EXIT_FAILURE, "mount point %s: %s", given, strerror(-r));
                r = mkdir_parents_and_self(absolute, 0755);
                if (r < 0)
                        return net_fail(r, NET_EXIT_FAILURE, "cannot create mount point %s: %s", given,
                                        strerror(-r));
        }

        canonical = realpath(path, NULL);
        if (!canonical) {
                r = -errno;
                if (r == -ENOENT)
                        return net_fail(r, NET_EXIT_FAILURE, "mount point %s does not exist (%s)", path,
                                        mkdir_hint);
                if (r == -ENOTCONN)
                        return net_fail(r, NET_EXIT_FAILURE,
                                        "mount point %s: %s (a file system that died is still mounted "
                                        "there: umount it)", path, strerror(-r));
                return net_fail(r, NET_EXIT_FAILURE, "mount point %s: %s", path, strerror(-r));
        }
        if (stat(canonical, &st) < 0)
                return net_fail(-errno, NET_EXIT_FAILURE, "mount point %s: %m", canonical);
        if (!S_ISDIR(st.st_mode))
                return net_fail(-ENOTDIR, NET_EXIT_FAILURE, "mount point %s is not a directory", canonical);
        r = check_owner(canonical, &st);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(canonical);
        return 0;
}

/* Drop ".", empty elements and ".." (lexically) from an absolute path, in place. */
static void path_simplify(char *path)
{
        char *out = path + 1;
        const char *in = path + 1;

        while (*in) {
                const char *end = strchrnul(in, '/');
                size_t n = (size_t) (end - in);
                bool last = !*end; /* read now: writing the '/' below may land on *end */

                if (n == 0 || (n == 1 && in[0] == '.')) {
                        /* nothing */
                } else if (n == 2 && in[0] == '.' && in[1] == '.') {
                        if (out > path + 1) {
                                out--; /* the '/' after the last element */
                                while (out > path + 1 && out[-1] != '/')
                                        out--;
                        }
                } else {
                        memmove(out, in, n);
                        out += n;
                        *out++ = '/';
                }
                if (last)
                        break;
                in = end + 1;
        }
        if (out > path + 1)
                out--; /* no trailing slash */
        *out = 0;
}

int mount_point_canonical(const char *path, char **ret)
{
        char *resolved = realpath(path, NULL), *absolute;

        if (resolved) {
                *ret = resolved;
                return 0;
        }
        if (path[0] == '/')
                absolute = strdup(path);
        else {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);

                if (!cwd)
                        return -errno;
                if (asprintf(&absolute, "%s/%s", cwd, path) < 0)
                        absolute = NULL;
        }
        if (!absolute)
                return -ENOMEM;
        path_simplify(absolute);
        *ret = absolute;
        return 0;
}
