/* SPDX-License-Identifier: MIT */
/*
 * Parsing mount.winfsp's command line and the -o lists. mount(8) passes the
 * fstab words it does not handle itself, and adds the VFS flags the
 * permission words imply ("user" brings noexec,nosuid,nodev; "user=NAME"
 * brings exec,suid,dev): the generic flags go on to the launcher, which
 * applies them to the mount (noexec for a user's mount, as mount(8) means
 * it); the words for mount(8) and systemd are dropped here, as
 * <fsp/mount-options.h> sorts them.
 */
#include <fsp/keyring.h>
#include <fsp/mount-options.h>
#include <stdarg.h>

#include "macro.h"
#include "mount-options.h"

static int strv_push(char ***l, const char *s, size_t n)
{
        size_t k = strv_length(*l);
        char **grown = realloc(*l, (k + 2) * sizeof(char *));

        if (!grown)
                return -ENOMEM;
        *l = grown;
        grown[k] = strndup(s, n);
        grown[k + 1] = NULL;
        return grown[k] ? 0 : -ENOMEM;
}

_printf_(3, 4) static int error_set(char *error, size_t n, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(error, n, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static bool name_is(const char *name, size_t n, const char *want)
{
        return strlen(want) == n && strneq(name, want, n);
}

/* A value as typed, without the quotes around it. */
static char *value_unquote(const char *v, size_t vlen)
{
        if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                v++;
                vlen -= 2;
        }
        return strndup(v, vlen);
}

/* Ours: 1 taken, 0 not ours, -errno. */
static int option_own(const char *name, size_t name_len, const char *value, NetOptions *o, char *error,
                      size_t n)
{
        if ((name_is(name, name_len, "user") || name_is(name, name_len, "username")) && value) {
                if (isempty(value))
                        return error_set(error, n, "option %.*s= needs a user name", (int) name_len, name);
                return free_and_strdup(&o->user, value) < 0 ? -ENOMEM : 1;
        }
        if (name_is(name, name_len, "remember")) {
                if (value && fsp_remember_from_string(value) < 0)
                        return error_set(error, n, "option remember=%s: expected never, session or forever",
                                         value);
                return free_and_strdup(&o->remember, value ? value : "forever") < 0 ? -ENOMEM : 1;
        }
        if (name_is(name, name_len, "password_stdin")) {
                if (value)
                        return error_set(error, n, "option password_stdin takes no value");
                o->password_stdin = true;
                return 1;
        }
        /* mount(8) creates the directory itself; called directly, we do. */
        if (name_is(name, name_len, "x-mount.mkdir")) {
                o->mkdir = true;
                return 0; /* and it is dropped like every x- option */
        }
        return 0;
}

/* One option "name" or "name=value" (value may be quoted). */
static int option_apply(const char *opt, size_t len, NetOptionsFrom from, NetOptions *o, char *error, size_t n)
{
        const char *eq = memchr(opt, '=', len);
        size_t name_len = eq ? (size_t) (eq - opt) : len;
        _cleanup_free_ char *value = NULL, *option = NULL;
        FspMountOptionKind kind;
        int r;

        if (eq) {
                value = value_unquote(eq + 1, len - name_len - 1);
                if (!value)
                        return -ENOMEM;
        }
        r = option_own(opt, name_len, value, o, error, n);
        if (r != 0)
                return r < 0 ? r : 0;

        if (asprintf(&option, "%.*s%s%s", (int) name_len, opt, eq ? "=" : "", strempty(value)) < 0)
                return -ENOMEM;
        kind = fsp_mount_option_classify(option);
        if (kind == FSP_MOUNT_OPTION_DROPPED ||
            (kind == FSP_MOUNT_OPTION_REFUSED && from == NET_OPTIONS_FROM_MOUNT))
                return strv_push(&o->dropped, option, strlen(option));
        if (value && strchr(value, ','))
                return error_set(error, n, "option %s: a value for the file system cannot contain a comma",
                                 option);
        return strv_push(&o->passed, option, strlen(option));
}

int net_options_parse(const char *text, NetOptionsFrom from, NetOptions *o, char *error, size_t n)
{
        const char *p = text;

        while (*p) {
                const char *start = p;
                bool quoted = false;
                int r;

                for (; *p && (quoted || *p != ','); p++)
                        if (*p == '"')
                                quoted = !quoted;
                if (quoted)
                        return error_set(error, n, "unterminated quote in options at column %zu",
                                         (size_t) (start - text) + 1);
                if (p > start) {
                        r = option_apply(start, (size_t) (p - start), from, o, error, n);
                        if (r < 0)
                                return r;
                }
                if (*p == ',')
                        p++;
        }
        return 0;
}

char *net_options_passed(const NetOptions *o)
{
        if (!o->passed) {
                errno = 0;
                return NULL;
        }
        return fsp_mount_options_join(o->passed);
}

char *net_options_generic(const NetOptions *o)
{
        _cleanup_strv_free_ char **generic = NULL;
        size_t n = 0;

        STRV_FOREACH(opt, o->passed) {
                if (fsp_mount_option_classify(*opt) != FSP_MOUNT_OPTION_GENERIC)
                        continue;
                if (strv_push(&generic, *opt, strlen(*opt)) < 0)
                        return NULL;
                n++;
        }
        errno = 0;
        return n > 0 ? fsp_mount_options_join(generic) : NULL;
}

void net_options_done(NetOptions *o)
{
        free(o->user);
        free(o->remember);
        strv_free(o->passed);
        strv_free(o->dropped);
        *o = (NetOptions) {};
}

/* The argument of -o/-N/-t: attached ("-ofoo") or the next word. */
static int option_argument(int argc, char *const *argv, int *i, const char *rest, const char **ret, char *error,
                           size_t n)
{
        if (*rest) {
                *ret = rest;
                return 0;
        }
        if (*i + 1 >= argc)
                return error_set(error, n, "option -%c needs an argument", rest[-1]);
        *ret = argv[++*i];
        return 0;
}

static int short_options(int argc, char *const *argv, int *i, MountArgs *a, char *error, size_t n)
{
        for (const char *p = argv[*i] + 1; *p; p++) {
                const char *arg = NULL;
                int r;

                switch (*p) {
                case 's': a->sloppy = true; break;
                case 'f': a->fake = true; break;
                case 'n': a->no_mtab = true; break;
                case 'v': a->verbose = true; break;
                case 'h': a->help = true; break;
                case 'o':
                case 'N':
                case 't':
                        r = option_argument(argc, argv, i, p + 1, &arg, error, n);
                        if (r < 0)
                                return r;
                        if (*p == 'o')
                                r = net_options_parse(arg, NET_OPTIONS_FROM_MOUNT, &a->options, error, n);
                        else
                                r = free_and_strdup(*p == 'N' ? &a->namespace : &a->type, arg);
                        return r;
                default:
                        return error_set(error, n, "unknown option -%c", *p);
                }
        }
        return 0;
}

int mount_args_parse(int argc, char *const *argv, MountArgs *ret, char *error, size_t n)
{
        MountArgs a = {};
        char *positional[2];
        int n_positional = 0, r = 0;
        bool options_done = false;

        for (int i = 1; i < argc && r >= 0; i++) {
                const char *s = argv[i];

                if (!options_done && streq(s, "--"))
                        options_done = true;
                else if (!options_done && streq(s, "--help"))
                        a.help = true;
                else if (!options_done && s[0] == '-' && s[1])
                        r = short_options(argc, argv, &i, &a, error, n);
                else if (n_positional < 2)
                        positional[n_positional++] = (char *) s;
                else
                        r = error_set(error, n, "unexpected argument '%s'", s);
        }
        if (r >= 0 && !a.help && n_positional < 2)
                r = error_set(error, n, "expected a remote name and a mount point");
        if (r >= 0 && n_positional >= 1)
                r = free_and_strdup(&a.spec, positional[0]);
        if (r >= 0 && n_positional >= 2)
                r = free_and_strdup(&a.dir, positional[1]);
        if (r < 0) {
                mount_args_done(&a);
                return r;
        }
        *ret = a;
        return 0;
}

void mount_args_done(MountArgs *a)
{
        free(a->spec);
        free(a->dir);
        free(a->type);
        free(a->namespace);
        net_options_done(&a->options);
        *a = (MountArgs) {};
}
