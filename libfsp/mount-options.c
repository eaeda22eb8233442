/* SPDX-License-Identifier: MIT */
/*
 * Mount options: split a comma list, sort each option by what becomes of
 * it (see <fsp/mount-options.h>) and refuse, naming it, any option that
 * cannot be taken as it is. A list is taken whole or not at all.
 */
#include <fsp/mount-options.h>
#include <inttypes.h>
#include <linux/mount.h>

#include "macro.h"
#include "utf8.h"

#define SHOWN_MAX 64 /* bytes of an option quoted in a message */

static const struct {
        const char *name;
        uint64_t set, clear;
        FspMountAtime atime;
} generic_options[] = {
        { "ro", MOUNT_ATTR_RDONLY, 0, 0 },
        { "rw", 0, MOUNT_ATTR_RDONLY, 0 },
        { "nosuid", MOUNT_ATTR_NOSUID, 0, 0 },
        { "nodev", MOUNT_ATTR_NODEV, 0, 0 },
        { "noexec", MOUNT_ATTR_NOEXEC, 0, 0 },
        { "exec", 0, MOUNT_ATTR_NOEXEC, 0 },
        { "nodiratime", MOUNT_ATTR_NODIRATIME, 0, 0 },
        { "relatime", 0, 0, FSP_MOUNT_ATIME_RELATIME },
        { "noatime", 0, 0, FSP_MOUNT_ATIME_NOATIME },
        { "strictatime", 0, 0, FSP_MOUNT_ATIME_STRICTATIME },
};

static const char *const fuse_options[] = { "allow_other", "default_permissions", "max_read", "blksize" };
static const char *const dropped_options[] = { "_netdev", "nofail", "auto",  "noauto", "defaults",
                                               "user",    "users",  "owner", "group",  "comment" };
static const char *const refused_options[] = { "suid", "dev" };

static size_t name_length(const char *option)
{
        return strcspn(option, "=");
}

static bool name_is(const char *option, const char *name)
{
        size_t n = name_length(option);
        return strlen(name) == n && strneq(option, name, n);
}

static bool name_in(const char *option, const char *const *names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (name_is(option, names[i]))
                        return true;
        return false;
}

FspMountOptionKind fsp_mount_option_classify(const char *option)
{
        if (isempty(option))
                return _FSP_MOUNT_OPTION_KIND_INVALID;
        if (name_in(option, refused_options, ELEMENTSOF(refused_options)))
                return FSP_MOUNT_OPTION_REFUSED;
        for (size_t i = 0; i < ELEMENTSOF(generic_options); i++)
                if (name_is(option, generic_options[i].name))
                        return FSP_MOUNT_OPTION_GENERIC;
        if (name_in(option, fuse_options, ELEMENTSOF(fuse_options)))
                return FSP_MOUNT_OPTION_FUSE;
        if (name_in(option, dropped_options, ELEMENTSOF(dropped_options)) || strneq(option, "x-", 2) ||
            strneq(option, "X-", 2))
                return FSP_MOUNT_OPTION_DROPPED;
        return FSP_MOUNT_OPTION_PROGRAM;
}

/* option as a message may quote it: bytes that are not printable UTF-8 become '?', long ones are cut. */
static const char *shown(const char *option, char buf[static SHOWN_MAX + 4])
{
        const unsigned char *u = (const unsigned char *) option;
        size_t n = strlen(option), i = 0, out = 0;

        while (i < n && out + 4 <= SHOWN_MAX) {
                size_t k = utf8_char_length(u + i, n - i);
                if (k == 0 || (k == 1 && char_is_control(u[i]))) {
                        buf[out++] = '?';
                        i++;
                        continue;
                }
                memcpy(buf + out, option + i, k);
                out += k;
                i += k;
        }
        strcpy(buf + out, i < n ? "..." : "");
        return buf;
}

/* What makes an option unusable whatever its kind: control bytes, bad UTF-8, no name. */
static int option_check_text(const char *option, unsigned column, FspError *err)
{
        const unsigned char *u = (const unsigned char *) option;
        size_t n = strlen(option);
        char buf[SHOWN_MAX + 4];

        for (size_t i = 0, k; i < n; i += k) {
                k = utf8_char_length(u + i, n - i);
                if (k == 1 && char_is_control(u[i]))
                        return fsp_error_set(err, -EINVAL, 0, column + (unsigned) i,
                                             "option '%s' contains control character 0x%02x",
                                             shown(option, buf), u[i]);
                if (k == 0)
                        return fsp_error_set(err, -EINVAL, 0, column + (unsigned) i,
                                             "option '%s' is not valid UTF-8 (byte 0x%02x)",
                                             shown(option, buf), u[i]);
        }
        if (option[0] == '=')
                return fsp_error_set(err, -EINVAL, 0, column, "option '%s' has no name before '='",
                                     shown(option, buf));
        return 0;
}

/*
 * Call fn for each option of text, in order, with its 1-based column;
 * blanks after a comma (or at the start) are skipped. Stops at an error.
 */
static int options_foreach(const char *text, int (*fn)(const char *, unsigned, void *, FspError *),
                           void *userdata, FspError *err)
{
        size_t n = strnlen(strempty(text), FSP_MOUNT_OPTIONS_MAX + 1);
        int r;

        if (n > FSP_MOUNT_OPTIONS_MAX)
                return fsp_error_set(err, -EINVAL, 0, FSP_MOUNT_OPTIONS_MAX + 1,
                                     "the option list is longer than %d bytes", FSP_MOUNT_OPTIONS_MAX);
        if (n == 0)
                return 0;
        for (size_t i = 0;; i++) {
                _cleanup_free_ char *option = NULL;
                size_t len;

                i += strspn(text + i, " \t");
                len = strcspn(text + i, ",");
                if (len == 0)
                        return fsp_error_set(
                                err, -EINVAL, 0, (unsigned) i + 1,
                                "empty option (a comma at the start or the end, or two in a row)");
                option = strndup(text + i, len);
                if (!option)
                        return fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
                r = option_check_text(option, (unsigned) i + 1, err);
                if (r < 0)
                        return r;
                r = fn(option, (unsigned) i + 1, userdata, err);
                if (r < 0)
                        return r;
                i += len;
                if (!text[i])
                        return 0;
        }
}

static int strv_push(char ***l, const char *s)
{
        size_t n = strv_length(*l);
        char **grown = reallocarray(*l, n + 2, sizeof(char *));

        if (!grown)
                return -ENOMEM;
        *l = grown;
        grown[n] = strdup(s);
        grown[n + 1] = NULL;
        return grown[n] ? 0 : -ENOMEM;
}

/* Drop what was pushed after the first n entries; a list that was not there goes again. */
static void strv_truncate(char ***l, size_t n)
{
        if (n == 0) {
                *l = strv_free(*l);
                return;
        }
        for (size_t i = n; *l && (*l)[i]; i++) {
                free((*l)[i]);
                (*l)[i] = NULL;
        }
}

static uint64_t atime_attr(FspMountAtime a)
{
        return a == FSP_MOUNT_ATIME_NOATIME       ? MOUNT_ATTR_NOATIME
               : a == FSP_MOUNT_ATIME_STRICTATIME ? MOUNT_ATTR_STRICTATIME
                                                  : MOUNT_ATTR_RELATIME;
}

static int generic_apply(FspMountOptions *o, const char *option, unsigned column, FspError *err)
{
        if (strchr(option, '='))
                return fsp_error_set(err, -EINVAL, 0, column, "option '%.*s' takes no value",
                                     (int) name_length(option), option);
        for (size_t i = 0; i < ELEMENTSOF(generic_options); i++) {
                if (!streq(option, generic_options[i].name))
                        continue;
                if (generic_options[i].atime) {
                        o->atime = generic_options[i].atime;
                        o->attr_set = (o->attr_set & ~(uint64_t) MOUNT_ATTR__ATIME) | atime_attr(o->atime);
                        o->attr_clear |= MOUNT_ATTR__ATIME;
                } else {
                        o->attr_set = (o->attr_set & ~generic_options[i].clear) | generic_options[i].set;
                        o->attr_clear = (o->attr_clear & ~generic_options[i].set) | generic_options[i].clear;
                }
        }
        return 0;
}

/* value is a whole number from min to max: "max_read=131072". */
static bool value_in_range(const char *value, uint64_t min, uint64_t max, uint64_t *ret)
{
        uint64_t v = 0;

        if (!value || !value[0] || strlen(value) > 10)
                return false;
        for (const char *p = value; *p; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                v = v * 10 + (uint64_t) (*p - '0');
        }
        *ret = v;
        return v >= min && v <= max;
}

static int fuse_check(const char *option, unsigned column, FspError *err)
{
        const char *eq = strchr(option, '=');
        uint64_t v;

        if (name_is(option, "allow_other") || name_is(option, "default_permissions"))
                return eq ? fsp_error_set(err, -EINVAL, 0, column, "option '%.*s' takes no value",
                                          (int) (eq - option), option)
                          : 0;
        if (name_is(option, "max_read") && !value_in_range(eq ? eq + 1 : NULL, 1, UINT32_MAX, &v))
                return fsp_error_set(err, -EINVAL, 0, column,
                                     "option 'max_read' needs a number of bytes from 1 to %" PRIu32
                                     ", as in max_read=131072",
                                     UINT32_MAX);
        if (name_is(option, "blksize") &&
            (!value_in_range(eq ? eq + 1 : NULL, 512, 65536, &v) || (v & (v - 1)) != 0))
                return fsp_error_set(
                        err, -EINVAL, 0, column,
                        "option 'blksize' needs a power of two from 512 to 65536, as in blksize=4096");
        return 0;
}

typedef struct AddState {
        FspMountOptions *o;
        char *const *accept;
        FspMountOptionsSource source;
} AddState;

static int option_refused(const char *option, FspMountOptionKind kind, unsigned column, FspError *err)
{
        char buf[SHOWN_MAX + 4];

        if (kind == FSP_MOUNT_OPTION_REFUSED)
                return fsp_error_set(
                        err, -EINVAL, 0, column,
                        "option '%s' is refused: mounts made by the launcher are always nosuid,nodev",
                        shown(option, buf));
        return fsp_error_set(
                err, -EINVAL, 0, column,
                "'%s' is not an option the launcher applies to a mount; these are ro, rw, noexec, "
                "exec, nosuid, nodev, noatime, relatime, strictatime, nodiratime, allow_other, "
                "default_permissions, max_read=N and blksize=N",
                shown(option, buf));
}

static int accept_error(char *const *accept, const char *option, unsigned column, FspError *err)
{
        char buf[SHOWN_MAX + 4], list[512] = "";

        STRV_FOREACH (a, (char **) accept)
                if (strlen(list) + strlen(*a) + 3 < sizeof(list))
                        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                                 list[0] ? ", " : "", *a);
        if (!list[0])
                return fsp_error_set(err, -EINVAL, 0, column,
                                     "option '%s' is not accepted: this class accepts no options of its "
                                     "file system",
                                     shown(option, buf));
        return fsp_error_set(err, -EINVAL, 0, column, "option '%s' is not accepted; this class accepts %s",
                             shown(option, buf), list);
}

static int option_add(const char *option, unsigned column, void *userdata, FspError *err)
{
        AddState *s = userdata;
        FspMountOptionKind kind = fsp_mount_option_classify(option);
        bool launcher = s->source == FSP_MOUNT_OPTIONS_LAUNCHER;
        char ***list;
        int r;

        if (kind == FSP_MOUNT_OPTION_REFUSED ||
            (launcher && kind != FSP_MOUNT_OPTION_GENERIC && kind != FSP_MOUNT_OPTION_FUSE))
                return option_refused(option, kind, column, err);
        if (kind == FSP_MOUNT_OPTION_GENERIC)
                return generic_apply(s->o, option, column, err);
        if (kind == FSP_MOUNT_OPTION_FUSE) {
                r = fuse_check(option, column, err);
                if (r < 0)
                        return r;
                list = &s->o->fuse;
        } else if (kind == FSP_MOUNT_OPTION_DROPPED)
                list = &s->o->dropped;
        else if (!fsp_accept_options_match(s->accept, option))
                return accept_error(s->accept, option, column, err);
        else
                list = &s->o->program;
        if (strv_push(list, option) < 0)
                return fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
        return 0;
}

int fsp_mount_options_add(FspMountOptions *o, const char *text, char *const *accept,
                          FspMountOptionsSource source, FspError *err)
{
        FspMountOptions saved;
        size_t n_fuse, n_program, n_dropped;
        AddState s = { .o = o, .accept = accept, .source = source };
        int r;

        if (!o)
                return fsp_error_set(err, -EINVAL, 0, 0, "no options to add to");
        saved = *o;
        n_fuse = strv_length(o->fuse);
        n_program = strv_length(o->program);
        n_dropped = strv_length(o->dropped);
        r = options_foreach(text, option_add, &s, err);
        if (r < 0) {
                strv_truncate(&o->fuse, n_fuse);
                strv_truncate(&o->program, n_program);
                strv_truncate(&o->dropped, n_dropped);
                o->attr_set = saved.attr_set;
                o->attr_clear = saved.attr_clear;
                o->atime = saved.atime;
                return r;
        }
        o->attr_set |= MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
        o->attr_clear &= ~(uint64_t) (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        return 0;
}

void fsp_mount_options_done(FspMountOptions *o)
{
        if (!o)
                return;
        strv_free(o->fuse);
        strv_free(o->program);
        strv_free(o->dropped);
        *o = (FspMountOptions){};
}

char *fsp_mount_options_join(char *const *options)
{
        size_t n = 1;
        char *s, *p;

        STRV_FOREACH (w, (char **) options)
                n += strlen(*w) + 1;
        s = p = malloc(n);
        if (!s)
                return NULL;
        *p = 0;
        STRV_FOREACH (w, (char **) options)
                p = stpcpy(stpcpy(p, p == s ? "" : ","), *w);
        return s;
}

bool fsp_accept_options_match(char *const *accept, const char *option)
{
        STRV_FOREACH (a, (char **) accept)
                if (strchr(*a, '=') ? streq(*a, option) : name_is(option, *a))
                        return true;
        return false;
}

static int accept_add(const char *option, unsigned column, void *userdata, FspError *err)
{
        FspMountOptionKind kind = fsp_mount_option_classify(option);
        char buf[SHOWN_MAX + 4];

        if (kind == FSP_MOUNT_OPTION_GENERIC)
                return fsp_error_set(err, -EINVAL, 0, column,
                                     "'%s' is a generic mount option the launcher applies; it need not be "
                                     "accepted",
                                     shown(option, buf));
        if (kind == FSP_MOUNT_OPTION_FUSE)
                return fsp_error_set(err, -EINVAL, 0, column,
                                     "'%s' is an option of the FUSE connection; set it in MountOptions=",
                                     shown(option, buf));
        if (kind == FSP_MOUNT_OPTION_DROPPED)
                return fsp_error_set(err, -EINVAL, 0, column,
                                     "'%s' is for mount(8) and fstab; it never reaches a file system",
                                     shown(option, buf));
        if (kind == FSP_MOUNT_OPTION_REFUSED)
                return option_refused(option, kind, column, err);
        return strv_push(userdata, option) < 0 ? fsp_error_set(err, -ENOMEM, 0, 0, "out of memory") : 0;
}

int fsp_accept_options_parse(const char *text, char ***ret, FspError *err)
{
        _cleanup_strv_free_ char **accept = calloc(1, sizeof(char *));
        int r;

        if (!accept)
                return fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
        r = options_foreach(text, accept_add, &accept, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(accept);
        return 0;
}
