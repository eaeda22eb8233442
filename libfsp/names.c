/* SPDX-License-Identifier: MIT */
/*
 * Instance names and remote names ("//class/instance"). Both end up in
 * paths, argv and log lines, so they are checked character by character:
 * valid UTF-8, no control characters (C0, DEL, C1), no invisible format
 * characters, no "." or ".." elements, no empty elements, and no leading
 * '-' that a program would take for an option.
 */
#include <fsp/class.h>
#include <fsp/names.h>

#include "macro.h"
#include "utf8.h"

#define REMOTE_NAME_MAX 1024

/* The element text[start, end) of a '/'-separated name: not empty, not "." or "..". */
static int check_element(const char *text, size_t start, size_t end, const char *what, FspError *err)
{
        size_t len = end - start;

        if (len == 0)
                return fsp_error_set(err, -EINVAL, 0, (unsigned) start + 1,
                                     "%s has an empty path element (leading, trailing or double '/')", what);
        if ((len == 1 || len == 2) && strneq(text + start, "..", len))
                return fsp_error_set(err, -EINVAL, 0, (unsigned) start + 1, "%s has a '%.*s' path element",
                                     what, (int) len, text + start);
        return 0;
}

/*
 * The character at text[i]: well-formed UTF-8, and neither a control
 * character (C0, DEL, C1) nor an invisible format character.
 */
static int check_char(const char *text, size_t i, size_t n, const char *what, size_t *ret_len, FspError *err)
{
        const unsigned char *u = (const unsigned char *) text + i;
        size_t len;
        uint32_t c;

        if (char_is_control(u[0]))
                return fsp_error_set(err, -EINVAL, 0, (unsigned) i + 1,
                                     "%s contains control character 0x%02x", what, u[0]);
        len = utf8_char_length(u, n - i);
        if (len == 0)
                return fsp_error_set(err, -EINVAL, 0, (unsigned) i + 1,
                                     "%s is not valid UTF-8 (byte 0x%02x)", what, u[0]);
        c = utf8_decode(u, len);
        if (unicode_is_c1_control(c))
                return fsp_error_set(err, -EINVAL, 0, (unsigned) i + 1,
                                     "%s contains U+%04X, a C1 control character", what, c);
        if (unicode_is_format(c))
                return fsp_error_set(err, -EINVAL, 0, (unsigned) i + 1,
                                     "%s contains U+%04X, an invisible Unicode format character", what, c);
        *ret_len = len;
        return 0;
}

/* A name that starts with '-' would be an option to a program given it as a word (%I, %1). */
static int check_leading_dash(const char *name, unsigned column, const char *what, FspError *err)
{
        if (name[0] != '-')
                return 0;
        return fsp_error_set(err, -EINVAL, 0, column,
                             "%s starts with '-', which a program would take for an option", what);
}

int fsp_instance_name_check(const char *name, FspError *err)
{
        size_t n, element = 0;
        int r;

        if (!name || !name[0])
                return fsp_error_set(err, -EINVAL, 0, 1, "instance name is empty");
        r = check_leading_dash(name, 1, "instance name", err);
        if (r < 0)
                return r;
        n = strnlen(name, FSP_INSTANCE_NAME_MAX + 1);
        /* Before the characters: one may straddle the limit, and one step would jump over it. */
        if (n > FSP_INSTANCE_NAME_MAX)
                return fsp_error_set(err, -EINVAL, 0, FSP_INSTANCE_NAME_MAX + 1,
                                     "instance name is longer than %d bytes", FSP_INSTANCE_NAME_MAX);
        for (size_t i = 0, len = 0; i < n; i += len) {
                r = check_char(name, i, n, "instance name", &len, err);
                if (r < 0)
                        return r;
                if (name[i] != '/')
                        continue;
                r = check_element(name, element, i, "instance name", err);
                if (r < 0)
                        return r;
                element = i + 1;
        }
        return check_element(name, element, n, "instance name", err);
}

void fsp_remote_name_done(FspRemoteName *r)
{
        if (!r)
                return;
        free(r->class_name);
        free(r->instance);
        free(r->normalized);
        *r = (FspRemoteName){};
}

static bool char_is_separator(char c)
{
        return c == '/' || c == '\\';
}

/* Whole-text checks: length, characters, the leading "//". */
static int remote_check_text(const char *text, size_t n, FspError *err)
{
        int r;

        if (n > REMOTE_NAME_MAX)
                return fsp_error_set(err, -EINVAL, 0, REMOTE_NAME_MAX + 1,
                                     "remote name is longer than %d bytes", REMOTE_NAME_MAX);
        for (size_t i = 0, len = 0; i < n; i += len) {
                r = check_char(text, i, n, "remote name", &len, err);
                if (r < 0)
                        return r;
        }
        if (n < 2 || !char_is_separator(text[0]) || !char_is_separator(text[1]))
                return fsp_error_set(err, -EINVAL, 0, 1,
                                     "remote name must start with // (as in //class/instance)");
        if (char_is_separator(text[2]))
                return fsp_error_set(
                        err, -EINVAL, 0, 3,
                        "remote name must start with exactly two slashes (as in //class/instance)");
        if (text[2] == 0)
                return fsp_error_set(err, -EINVAL, 0, 3, "remote name has no class after //");
        return 0;
}

static int remote_check_class(const char *text, size_t end, FspError *err)
{
        _cleanup_free_ char *class_name = strndup(text + 2, end - 2);

        if (!class_name)
                return fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
        if (!fsp_class_name_is_valid(class_name))
                return fsp_error_set(err, -EINVAL, 0, 3,
                                     "'%.128s' is not a valid class name (letters, digits, _ . @ + -, "
                                     "not starting with '.')",
                                     class_name);
        return 0;
}

/*
 * The instance: the elements after the class, joined with '/', each checked
 * where it stands in text so the column points at it. "" when there are none.
 */
static int remote_join_instance(const char *text, size_t from, size_t n, char **ret, FspError *err)
{
        _cleanup_free_ char *instance = malloc(n + 1);
        size_t len = 0;
        int r;

        if (!instance)
                return fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
        for (size_t i = from, start; i < n;) {
                while (i < n && char_is_separator(text[i]))
                        i++;
                if (i == n)
                        break;
                for (start = i; i < n && !char_is_separator(text[i]); i++)
                        ;
                r = check_element(text, start, i, "remote name", err);
                if (r < 0)
                        return r;
                if (len == 0)
                        r = check_leading_dash(text + start, (unsigned) start + 1,
                                               "the instance in the remote name", err);
                if (r < 0)
                        return r;
                if (len + (len > 0) + (i - start) > FSP_INSTANCE_NAME_MAX)
                        return fsp_error_set(err, -EINVAL, 0, (unsigned) start + 1,
                                             "the instance part of the remote name is longer than %d bytes",
                                             FSP_INSTANCE_NAME_MAX);
                if (len > 0)
                        instance[len++] = '/';
                memcpy(instance + len, text + start, i - start);
                len += i - start;
        }
        instance[len] = 0;
        *ret = TAKE_PTR(instance);
        return 0;
}

int fsp_remote_name_parse(const char *text, FspRemoteName *ret, FspError *err)
{
        _cleanup_(fsp_remote_name_done) FspRemoteName result = {};
        _cleanup_free_ char *instance = NULL;
        size_t n, class_end = 2;
        int r;

        if (!text)
                return fsp_error_set(err, -EINVAL, 0, 0, "remote name is missing");
        n = strnlen(text, REMOTE_NAME_MAX + 1);
        r = remote_check_text(text, n, err);
        if (r < 0)
                return r;
        while (class_end < n && !char_is_separator(text[class_end]))
                class_end++;
        r = remote_check_class(text, class_end, err);
        if (r < 0)
                return r;
        r = remote_join_instance(text, class_end, n, &instance, err);
        if (r < 0)
                return r;
        if (instance[0]) {
                /* Already checked element by element; this is the same rule, kept as a backstop. */
                r = fsp_instance_name_check(instance, err);
                if (r < 0)
                        return r;
        }

        result.class_name = strndup(text + 2, class_end - 2);
        if (!result.class_name)
                return fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
        /* "//class" names the instance "class"; so does "//class/class", and "//class" is how it is written. */
        if (!instance[0])
                r = check_leading_dash(result.class_name, 3, "the instance named after the class", err);
        if (r < 0)
                return r;
        result.instance = instance[0] ? TAKE_PTR(instance) : strdup(result.class_name);
        if (!result.instance)
                return fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
        result.normalized = fsp_remote_name_format(result.class_name, result.instance);
        if (!result.normalized)
                return fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
        *ret = result;
        result = (FspRemoteName){};
        return 0;
}

char *fsp_remote_name_format(const char *class_name, const char *instance)
{
        char *s;

        if (!class_name)
                return NULL;
        if (isempty(instance) || streq(instance, class_name))
                return asprintf(&s, "//%s", class_name) < 0 ? NULL : s;
        return asprintf(&s, "//%s/%s", class_name, instance) < 0 ? NULL : s;
}
