/* SPDX-License-Identifier: MIT */
/*
 * Parsing mount.winfsp's command line. mount(8) passes the fstab words it
 * does not handle itself, and adds the VFS flags the permission words imply
 * ("user" brings noexec,nosuid,nodev; "user=NAME" brings exec,suid,dev):
 * those are accepted and ignored, since the class decides how its file
 * system mounts (libfuse mounts nosuid,nodev in any case). Our own options
 * are user=NAME, remember[=WHEN] and password_stdin; anything else is an
 * error naming it, unless -s.
 */
#include <fsp/keyring.h>
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

/* Words mount(8) or fstab pass that mean nothing here. */
static bool option_is_ignored(const char *name, size_t n, bool has_value)
{
        static const char *const words[] = {
                "defaults", "auto", "noauto", "nofail", "_netdev", "rw", "user", "users", "nouser",
                "owner", "group", "exec", "noexec", "suid", "nosuid", "dev", "nodev",
        };

        if (n >= 2 && (strneq(name, "x-", 2) || strneq(name, "X-", 2)))
                return true;
        if (n == strlen("comment") && strneq(name, "comment", n))
                return true;
        if (has_value)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (strlen(words[i]) == n && strneq(name, words[i], n))
                        return true;
        return false;
}

static bool name_is(const char *name, size_t n, const char *want)
{
        return strlen(want) == n && strneq(name, want, n);
}

/* One option "name" or "name=value" (value may be quoted). */
static int option_apply(const char *opt, size_t len, MountArgs *a, char *error, size_t n)
{
        const char *eq = memchr(opt, '=', len);
        size_t name_len = eq ? (size_t) (eq - opt) : len;
        _cleanup_free_ char *value = NULL;

        if (eq) {
                const char *v = eq + 1;
                size_t vlen = len - name_len - 1;

                if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                        v++;
                        vlen -= 2;
                }
                value = strndup(v, vlen);
                if (!value)
                        return -ENOMEM;
        }

        if (name_is(opt, name_len, "user") && value) {
                if (isempty(value))
                        return error_set(error, n, "option user= needs a user name");
                return free_and_strdup(&a->user, value);
        }
        if (name_is(opt, name_len, "remember")) {
                if (!value)
                        return free_and_strdup(&a->remember, "forever");
                if (fsp_remember_from_string(value) < 0)
                        return error_set(error, n, "option remember=%s: expected never, session or forever",
                                         value);
                return free_and_strdup(&a->remember, value);
        }
        if (name_is(opt, name_len, "password_stdin")) {
                if (value)
                        return error_set(error, n, "option password_stdin takes no value");
                a->password_stdin = true;
                return 0;
        }
        if (option_is_ignored(opt, name_len, eq != NULL))
                return strv_push(&a->ignored, opt, len);
        return strv_push(&a->unknown, opt, len);
}

int mount_options_parse(const char *text, MountArgs *a, char *error, size_t n)
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
                        r = option_apply(start, (size_t) (p - start), a, error, n);
                        if (r < 0)
                                return r;
                }
                if (*p == ',')
                        p++;
        }
        return 0;
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
                                r = mount_options_parse(arg, a, error, n);
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
        free(a->user);
        free(a->remember);
        strv_free(a->ignored);
        strv_free(a->unknown);
        *a = (MountArgs) {};
}
