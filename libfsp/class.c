/* SPDX-License-Identifier: MIT */
/*
 * Service classes: the text of one <class>.conf in, an immutable FspClass
 * or a positioned error out. libinih does the INI syntax; this file feeds
 * it one line at a time from memory (so the line number, the column of a
 * value and the line-length limit are always known) and turns each
 * [Service] key into a field.
 */
#include <fcntl.h>
#include <fsp/class.h>
#include <fsp/cmdline.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "macro.h"
#include "utf8.h"

#define CLASS_FILE_MAX     (1024 * 1024)
#define CLASS_NAME_MAX     128
#define USER_NAME_MAX      32
#define TIME_MIN_USEC      USEC_PER_MSEC
#define TIME_MAX_USEC      (24 * 60 * USEC_PER_MINUTE)
#define RECOVERY_BURST_MAX 1000

bool fsp_class_name_is_valid(const char *name)
{
        size_t n;

        if (!name || !name[0] || name[0] == '.')
                return false;
        n = strnlen(name, CLASS_NAME_MAX + 1);
        if (n > CLASS_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = name[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      strchr("_.@+-", c)))
                        return false;
        }
        return true;
}

/* ---- Values: each parser reads one value; on error err->column is relative to the value. ---- */

static int parse_unsigned(const char *s, uint64_t *ret)
{
        uint64_t v = 0;

        if (!s[0])
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                if (__builtin_mul_overflow(v, 10, &v) ||
                    __builtin_add_overflow(v, (uint64_t) (*s - '0'), &v))
                        return -ERANGE;
        }
        *ret = v;
        return 0;
}

static uint64_t time_unit_usec(const char *unit, size_t len)
{
        static const struct {
                const char *name;
                uint64_t usec;
        } units[] = {
                {"ms", USEC_PER_MSEC},  {"s", USEC_PER_SEC},      {"sec", USEC_PER_SEC},
                {"m", USEC_PER_MINUTE}, {"min", USEC_PER_MINUTE}, {"h", 60 * USEC_PER_MINUTE},
        };
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (strlen(units[i].name) == len && strneq(unit, units[i].name, len))
                        return units[i].usec;
        return 0;
}

/* "30", "500ms", "1min 30s": -EINVAL when malformed, -ERANGE on overflow. */
static int parse_time(const char *s, uint64_t *ret_usec)
{
        uint64_t total = 0;
        unsigned parts = 0;
        bool bare = false;

        for (s += strspn(s, " \t"); *s; s += strspn(s, " \t")) {
                uint64_t n = 0, unit = USEC_PER_SEC, v;
                size_t digits, letters;

                for (digits = 0; s[digits] >= '0' && s[digits] <= '9'; digits++)
                        if (__builtin_mul_overflow(n, 10, &n) ||
                            __builtin_add_overflow(n, (uint64_t) (s[digits] - '0'), &n))
                                return -ERANGE;
                if (digits == 0)
                        return -EINVAL;
                s += digits;
                s += strspn(s, " \t");
                letters = strspn(s, "abcdefghijklmnopqrstuvwxyz");
                if (letters == 0)
                        bare = true;
                else if ((unit = time_unit_usec(s, letters)) == 0)
                        return -EINVAL;
                s += letters;
                if (__builtin_mul_overflow(n, unit, &v) || __builtin_add_overflow(total, v, &total))
                        return -ERANGE;
                parts++;
        }
        /* A bare number is seconds, alone: "1 30" is a typo, not 31 s. */
        if (parts == 0 || (bare && parts > 1))
                return -EINVAL;
        *ret_usec = total;
        return 0;
}

static int parse_time_key(FspClass *c, void *field, const char *value, FspError *err)
{
        uint64_t usec;
        int r = parse_time(value, &usec);

        if (r == -EINVAL)
                return fsp_error_set(err, r, 0, 0,
                                     "invalid time '%s'; write e.g. 30, 30s, 500ms, 1min 30s or 2h", value);
        if (r < 0 || usec < TIME_MIN_USEC || usec > TIME_MAX_USEC)
                return fsp_error_set(err, -EINVAL, 0, 0, "time '%s' is out of range (1ms to 24h)", value);
        *(uint64_t *) field = usec;
        return 0;
}

static int parse_boolean_key(FspClass *c, void *field, const char *value, FspError *err)
{
        static const char *const yes[] = {"1", "yes", "true", "on"}, *const no[] = {"0", "no", "false",
                                                                                    "off"};

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(value, yes[i]) == 0) {
                        *(bool *) field = true;
                        return 0;
                }
                if (strcasecmp(value, no[i]) == 0) {
                        *(bool *) field = false;
                        return 0;
                }
        }
        return fsp_error_set(err, -EINVAL, 0, 0,
                             "invalid boolean '%s'; use 1/0, yes/no, true/false or on/off", value);
}

static int parse_recovery_burst_key(FspClass *c, void *field, const char *value, FspError *err)
{
        uint64_t n;

        if (parse_unsigned(value, &n) < 0 || n < 1 || n > RECOVERY_BURST_MAX)
                return fsp_error_set(err, -EINVAL, 0, 0,
                                     "invalid count '%s'; use a whole number from 1 to %d", value,
                                     RECOVERY_BURST_MAX);
        *(unsigned *) field = (unsigned) n;
        return 0;
}

static int parse_credentials_key(FspClass *c, void *field, const char *value, FspError *err)
{
        uint64_t n;

        if (parse_unsigned(value, &n) < 0 || (n != 0 && n != 1 && n != 3))
                return fsp_error_set(
                        err, -EINVAL, 0, 0,
                        "invalid value '%s'; use 0 (none), 1 (password) or 3 (user name and password)",
                        value);
        *(FspCredentials *) field = (FspCredentials) n;
        return 0;
}

static int parse_description_key(FspClass *c, void *field, const char *value, FspError *err)
{
        return free_and_strdup(field, value) < 0 ? fsp_error_set(err, -ENOMEM, 0, 0, "out of memory") : 0;
}

static int parse_executable_key(FspClass *c, void *field, const char *value, FspError *err)
{
        if (value[0] != '/')
                return fsp_error_set(err, -EINVAL, 0, 1, "'%s' is not an absolute path", value);
        return parse_description_key(c, field, value, err);
}

static int parse_command_line_key(FspClass *c, void *field, const char *value, FspError *err)
{
        char **words;
        int r = fsp_cmdline_split(value, &words, err);

        if (r < 0)
                return r;
        strv_free(c->command_line);
        c->command_line = words;
        return 0;
}

static int parse_security_key(FspClass *c, void *field, const char *value, FspError *err)
{
        FspSecurity *s;
        int r = fsp_sddl_parse(value, &s, err);

        if (r < 0)
                return r;
        if (free_and_strdup(&c->security_text, value) < 0) {
                fsp_security_free(s);
                return fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
        }
        fsp_security_free(c->security);
        c->security = s;
        return 0;
}

static bool user_name_is_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > USER_NAME_MAX || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++) {
                bool last_dollar = i == n - 1 && s[i] == '$';
                if (!last_dollar &&
                    !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr("_.-", s[i])))
                        return false;
        }
        return true;
}

static int parse_run_as_key(FspClass *c, void *field, const char *value, FspError *err)
{
        if (!streq(value, ".") && !user_name_is_valid(value))
                return fsp_error_set(err, -EINVAL, 0, 0,
                                     "'%s' is neither '.' (the caller) nor a valid user name "
                                     "([a-z_][a-z0-9_.-]*, at most %d bytes)",
                                     value, USER_NAME_MAX);
        return parse_description_key(c, field, value, err);
}

static int parse_template_key(FspClass *c, void *field, const char *value, FspError *err)
{
        int r;

        if (!value[0]) { /* MountPoint= with nothing: no mount point */
                free(*(char **) field);
                *(char **) field = NULL;
                return 0;
        }
        r = fsp_template_check(value, err);
        if (r < 0)
                return r;
        return parse_description_key(c, field, value, err);
}

/* A path template that must be absolute once expanded: it starts with '/' or with the home, %P. */
static int parse_path_template_key(FspClass *c, void *field, const char *value, FspError *err)
{
        if (value[0] != '/' && !strneq(value, "%P", 2))
                return fsp_error_set(err, -EINVAL, 0, 1,
                                     "'%s' is not an absolute path (it must start with / or %%P)", value);
        return parse_template_key(c, field, value, err);
}

static int parse_stderr_key(FspClass *c, void *field, const char *value, FspError *err)
{
        if (streq(value, "journal")) {
                free(c->stderr_path);
                c->stderr_path = NULL;
                return 0;
        }
        return parse_path_template_key(c, field, value, err);
}

typedef int (*KeyParseFn)(FspClass *c, void *field, const char *value, FspError *err);

typedef struct ClassKey {
        const char *name;
        KeyParseFn parse;
        size_t offset; /* of the field in FspClass */
} ClassKey;

static const ClassKey class_keys[] = {
        {"Description", parse_description_key, offsetof(FspClass, description)},
        {"Executable", parse_executable_key, offsetof(FspClass, executable)},
        {"CommandLine", parse_command_line_key, offsetof(FspClass, command_line)},
        {"Security", parse_security_key, offsetof(FspClass, security)},
        {"Credentials", parse_credentials_key, offsetof(FspClass, credentials)},
        {"RunAs", parse_run_as_key, offsetof(FspClass, run_as)},
        {"WorkDirectory", parse_path_template_key, offsetof(FspClass, work_directory)},
        {"Stderr", parse_stderr_key, offsetof(FspClass, stderr_path)},
        {"JobControl", parse_boolean_key, offsetof(FspClass, job_control)},
        {"Recovery", parse_boolean_key, offsetof(FspClass, recovery)},
        {"RecoveryBurst", parse_recovery_burst_key, offsetof(FspClass, recovery_burst)},
        {"RecoveryInterval", parse_time_key, offsetof(FspClass, recovery_interval_usec)},
        {"MountPoint", parse_template_key, offsetof(FspClass, mount_point)},
        {"StartTimeout", parse_time_key, offsetof(FspClass, start_timeout_usec)},
        {"StopTimeout", parse_time_key, offsetof(FspClass, stop_timeout_usec)},
        {"CredentialsTimeout", parse_time_key, offsetof(FspClass, credentials_timeout_usec)},
};

static const ClassKey *class_key_lookup(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(class_keys); i++)
                if (streq(class_keys[i].name, name))
                        return &class_keys[i];
        return NULL;
}

/* ---- The INI reader and handler ---- */

/* Where a piece of a (possibly continued) value came from: text offset -> line and column. */
typedef struct Segment {
        size_t offset;
        unsigned line, column;
} Segment;

/* The value of the key being read: complete only when the next key starts or the text ends. */
typedef struct PendingValue {
        const ClassKey *key; /* NULL: nothing to keep (no key, or an ignored one) */
        char *text;
        size_t len;
        Segment *segments;
        size_t n_segments;
} PendingValue;

typedef struct ClassParser {
        const char *text, *path;
        size_t size, pos;
        FspWarnFn warn;
        void *userdata;
        FspClass *class;
        FspError error;
        bool failed;

        /* The line inih is working on, as the reader gave it. */
        unsigned line;
        const char *line_buf;
        size_t line_len;
        bool line_indented;
        unsigned last_bracket_line; /* last line that looked like "[section]" */

        /* The previous handler call, to tell a continuation from a new key. */
        bool has_last;
        unsigned last_line;
        char last_name[256], last_section[256];

        unsigned first_line[ELEMENTSOF(class_keys)]; /* where each key was given first; 0: not yet */
        PendingValue pending;
} ClassParser;

static void pending_done(PendingValue *v)
{
        free(v->text);
        free(v->segments);
        *v = (PendingValue){};
}

_printf_(6, 7) static void parser_fail(ClassParser *p, int code, unsigned line, unsigned column,
                                       const char *key, const char *fmt, ...)
{
        va_list ap;

        if (p->failed)
                return;
        va_start(ap, fmt);
        fsp_error_setv(&p->error, code, line, column, fmt, ap);
        va_end(ap);
        snprintf(p->error.file, sizeof(p->error.file), "%s", p->path);
        snprintf(p->error.key, sizeof(p->error.key), "%s", strempty(key));
        p->failed = true;
}

_printf_(3, 4) static void parser_warn(ClassParser *p, unsigned line, const char *fmt, ...)
{
        FspError w = {};
        va_list ap;

        if (!p->warn)
                return;
        va_start(ap, fmt);
        fsp_error_setv(&w, 0, line, 0, fmt, ap);
        va_end(ap);
        snprintf(w.file, sizeof(w.file), "%s", p->path);
        p->warn(&w, p->userdata);
}

/* A position in the joined value, back to the line and column it was written at. */
static void pending_locate(const PendingValue *v, unsigned value_column, unsigned *ret_line,
                           unsigned *ret_column)
{
        size_t offset = value_column > 0 ? value_column - 1 : 0, k = v->n_segments - 1;

        while (k > 0 && v->segments[k].offset > offset)
                k--;
        *ret_line = v->segments[k].line;
        *ret_column = v->segments[k].column + (unsigned) (offset - v->segments[k].offset);
}

/*
 * How much of a value to keep: up to an inline comment (" ;"), without the
 * blanks before it. inih 55 strips those only on a key's first line, later
 * versions on continuation lines too; doing it here makes both behave alike.
 */
static size_t value_length(const char *value)
{
        size_t n = 0;

        while (value[n] && !(n > 0 && value[n] == ';' && (value[n - 1] == ' ' || value[n - 1] == '\t')))
                n++;
        while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
                n--;
        return n;
}

/* Add one line's part of the value, after a single space if it continues one. */
static int pending_append(PendingValue *v, const char *value, unsigned line, unsigned column)
{
        size_t n = value_length(value), sep = v->len > 0;
        Segment *segments = reallocarray(v->segments, v->n_segments + 1, sizeof(Segment));
        char *text;

        if (!segments)
                return -ENOMEM;
        v->segments = segments;
        text = realloc(v->text, v->len + sep + n + 1);
        if (!text)
                return -ENOMEM;
        v->text = text;
        if (sep)
                v->text[v->len++] = ' ';
        memcpy(v->text + v->len, value, n);
        v->text[v->len + n] = 0;
        v->segments[v->n_segments++] = (Segment){.offset = v->len, .line = line, .column = column};
        v->len += n;
        return 0;
}

/* The value is complete: turn it into its field, or fail with the place in the file. */
static void pending_finish(ClassParser *p)
{
        PendingValue *v = &p->pending;
        FspError e = {};
        unsigned line, column;
        int r;

        if (!v->key || p->failed) {
                pending_done(v);
                return;
        }
        r = v->key->parse(p->class, (uint8_t *) p->class + v->key->offset, v->text, &e);
        if (r < 0) {
                pending_locate(v, e.column, &line, &column);
                parser_fail(p, r, line, column, v->key->name, "%s", e.text);
        }
        pending_done(v);
}

/* The reader refuses what inih would silently mangle: NUL, control characters, bad UTF-8, long lines. */
static int reader_check_line(ClassParser *p, const char *line, size_t len, size_t limit)
{
        const unsigned char *u = (const unsigned char *) line;

        for (size_t i = 0, k; i < len; i += k) {
                if (i >= limit)
                        break;
                k = utf8_char_length(u + i, len - i);
                if (u[i] == 0)
                        parser_fail(p, -EINVAL, p->line, (unsigned) i + 1, NULL, "NUL byte");
                else if (char_is_control(u[i]) && u[i] != '\t')
                        parser_fail(p, -EINVAL, p->line, (unsigned) i + 1, NULL, "control character 0x%02x",
                                    u[i]);
                else if (k == 0)
                        parser_fail(p, -EINVAL, p->line, (unsigned) i + 1, NULL,
                                    "invalid UTF-8 (byte 0x%02x)", u[i]);
                if (p->failed)
                        return -EINVAL;
        }
        if (len > limit) {
                parser_fail(p, -EINVAL, p->line, 0, NULL,
                            "line is longer than %zu bytes; continue a long value on indented lines", limit);
                return -EINVAL;
        }
        return 0;
}

/* inih's fgets(): one line of the text per call, without its LF or CRLF. */
static char *class_reader(char *buf, int num, void *userdata)
{
        ClassParser *p = userdata;
        const char *line, *nl;
        size_t len;

        if (p->failed || p->pos >= p->size || num < 2)
                return NULL;
        line = p->text + p->pos;
        nl = memchr(line, '\n', p->size - p->pos);
        len = nl ? (size_t) (nl - line) : p->size - p->pos;
        p->pos += len + (nl ? 1 : 0);
        p->line++;
        if (len > 0 && line[len - 1] == '\r')
                len--;
        if (reader_check_line(p, line, len, (size_t) num - 1) < 0)
                return NULL;

        memcpy(buf, line, len);
        buf[len] = 0;
        p->line_buf = buf;
        p->line_len = len;
        p->line_indented = len > 0 && (line[0] == ' ' || line[0] == '\t');
        if (buf[strspn(buf, " \t")] == '[')
                p->last_bracket_line = p->line;
        return buf;
}

/*
 * inih calls the handler again with the same name for an indented line
 * after a key; an indented key right after a [section] line is a new key.
 */
static bool handler_is_continuation(const ClassParser *p, const char *section, const char *name)
{
        bool section_between = p->last_bracket_line > p->last_line && p->last_bracket_line < p->line;

        return p->has_last && p->line_indented && !section_between && p->last_line < p->line &&
               streq(p->last_name, name) && streq(p->last_section, section);
}

static unsigned value_column(const ClassParser *p, const char *value)
{
        if (!p->line_buf || value < p->line_buf || value > p->line_buf + p->line_len)
                return 0;
        return (unsigned) (value - p->line_buf) + 1;
}

static void handle_service_key(ClassParser *p, const char *name, const char *value, unsigned column)
{
        const ClassKey *key = class_key_lookup(name);
        size_t i;

        if (!key) {
                parser_warn(p, p->line, "unknown key '%.64s', ignored", name);
                return;
        }
        i = (size_t) (key - class_keys);
        if (p->first_line[i])
                parser_warn(p, p->line, "key '%s' given again (first on line %u); the later value wins",
                            name, p->first_line[i]);
        else
                p->first_line[i] = p->line;
        p->pending.key = key;
        if (pending_append(&p->pending, value, p->line, column) < 0)
                parser_fail(p, -ENOMEM, p->line, 0, name, "out of memory");
}

static int class_handler(void *userdata, const char *section, const char *name, const char *value)
{
        ClassParser *p = userdata;
        bool continuation = handler_is_continuation(p, section, name);
        bool new_section = !p->has_last || !streq(p->last_section, section);
        unsigned column = value_column(p, value);

        if (!continuation)
                pending_finish(p);
        if (p->failed)
                return 1;

        if (!section[0])
                parser_fail(p, -EINVAL, p->line, 0, NULL,
                            "key '%.64s' outside [Service]; put it under [Service]", name);
        else if (!streq(section, "Service")) {
                if (new_section)
                        parser_warn(p, p->line,
                                    "section [%.64s] ignored with its keys; only [Service] is read",
                                    section);
        } else if (continuation) {
                if (p->pending.key && pending_append(&p->pending, value, p->line, column) < 0)
                        parser_fail(p, -ENOMEM, p->line, 0, name, "out of memory");
        } else
                handle_service_key(p, name, value, column);

        p->has_last = true;
        p->last_line = p->line;
        snprintf(p->last_name, sizeof(p->last_name), "%s", name);
        snprintf(p->last_section, sizeof(p->last_section), "%s", section);
        return 1;
}

/* ---- The class object ---- */

static void class_free(FspClass *c)
{
        free(c->name);
        free(c->path);
        free(c->description);
        free(c->executable);
        strv_free(c->command_line);
        free(c->security_text);
        fsp_security_free(c->security);
        free(c->run_as);
        free(c->work_directory);
        free(c->stderr_path);
        free(c->mount_point);
        free(c);
}

FspClass *fsp_class_ref(FspClass *c)
{
        if (c)
                c->n_ref++;
        return c;
}

FspClass *fsp_class_unref(FspClass *c)
{
        if (c && --c->n_ref == 0)
                class_free(c);
        return NULL;
}

static void class_unrefp(FspClass **c)
{
        fsp_class_unref(*c);
}

static FspClass *class_new(const char *name, const char *path)
{
        _cleanup_(class_unrefp) FspClass *c = calloc(1, sizeof(FspClass));

        if (!c)
                return NULL;
        *c = (FspClass){
                .n_ref = 1,
                .name = strdup(name),
                .path = strdup(strempty(path)),
                .description = strdup(""),
                .command_line = calloc(1, sizeof(char *)),
                .work_directory = strdup("/"),
                .job_control = true,
                .recovery_burst = 5,
                .recovery_interval_usec = 5 * USEC_PER_MINUTE,
                .start_timeout_usec = 30 * USEC_PER_SEC,
                .stop_timeout_usec = 5 * USEC_PER_SEC,
                .credentials_timeout_usec = 15 * USEC_PER_SEC,
        };
        if (!c->name || !c->path || !c->description || !c->command_line || !c->work_directory)
                return NULL;
        return TAKE_PTR(c);
}

/* After the last line: what inih found wrong, then what is required, then the defaults. */
static void class_parser_finish(ClassParser *p, int ini_result)
{
        if (!p->failed)
                pending_finish(p);
        if (ini_result > 0 && (!p->failed || (unsigned) ini_result < p->error.line)) {
                p->failed = false;
                parser_fail(p, -EINVAL, (unsigned) ini_result, 0, NULL,
                            "syntax error: expected 'Key=value', '[Section]' or a comment");
        } else if (ini_result < 0)
                parser_fail(p, -ENOMEM, 0, 0, NULL, "out of memory");
        if (p->failed)
                return;

        if (!p->class->executable)
                return parser_fail(p, -EINVAL, 0, 0, "Executable", "the key is missing; it is required");
        if (!p->class->security) {
                p->class->security_text = strdup(FSP_SECURITY_DEFAULT);
                if (!p->class->security_text ||
                    fsp_sddl_parse(FSP_SECURITY_DEFAULT, &p->class->security, NULL) < 0)
                        parser_fail(p, -ENOMEM, 0, 0, NULL, "out of memory");
        }
}

static void class_parser_run(ClassParser *p, const char *name)
{
        if (!fsp_class_name_is_valid(name))
                return parser_fail(p, -EINVAL, 0, 0, NULL, "'%.128s' is not a valid class name",
                                   strempty(name));
        p->class = class_new(name, p->path);
        if (!p->class)
                return parser_fail(p, -ENOMEM, 0, 0, NULL, "out of memory");
        class_parser_finish(p, ini_parse_stream(class_reader, p, class_handler, p));
}

int fsp_class_parse(const char *name, const char *path, const char *text, size_t size, FspClass **ret,
                    FspError *err, FspWarnFn warn, void *userdata)
{
        ClassParser p = {
                .text = text,
                .path = strempty(path),
                .size = text ? size : 0,
                .warn = warn,
                .userdata = userdata,
        };

        class_parser_run(&p, name);
        pending_done(&p.pending);
        if (p.failed) {
                fsp_class_unref(p.class);
                if (err)
                        *err = p.error;
                return p.error.code;
        }
        *ret = p.class;
        return 0;
}

/* ---- Files ---- */

_printf_(4, 5) static int file_error(FspError *err, const char *path, int code, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        code = fsp_error_setv(err, code, 0, 0, fmt, ap);
        va_end(ap);
        if (err)
                snprintf(err->file, sizeof(err->file), "%s", path);
        return code;
}

/* Read at most CLASS_FILE_MAX bytes; one more tells that the file is too large. */
static int read_bounded(int fd, char **ret_text, size_t *ret_size)
{
        _cleanup_free_ char *text = malloc(CLASS_FILE_MAX + 1);
        size_t size = 0;

        if (!text)
                return -ENOMEM;
        while (size <= CLASS_FILE_MAX) {
                ssize_t k = read(fd, text + size, CLASS_FILE_MAX + 1 - size);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                size += (size_t) k;
        }
        *ret_text = TAKE_PTR(text);
        *ret_size = size;
        return 0;
}

static bool stat_is_dev_null(const struct stat *st)
{
        return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

int fsp_class_load_file(const char *name, const char *path, FspClass **ret, FspError *err, FspWarnFn warn,
                        void *userdata)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t size = 0;
        int r;

        /* O_NONBLOCK: a FIFO planted in a class directory must not hang the launcher. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return file_error(err, path, -errno, "cannot open: %s", strerror(errno));
        if (fstat(fd, &st) < 0)
                return file_error(err, path, -errno, "cannot stat: %s", strerror(errno));
        if (stat_is_dev_null(&st))
                return file_error(err, path, -ESRCH, "class is masked (linked to /dev/null)");
        if (!S_ISREG(st.st_mode))
                return file_error(err, path, -EINVAL, "not a regular file");
        if (st.st_size > CLASS_FILE_MAX)
                return file_error(err, path, -EFBIG, "file is %lld bytes; a class file may have at most %d",
                                  (long long) st.st_size, CLASS_FILE_MAX);
        r = read_bounded(fd, &text, &size);
        if (r < 0)
                return file_error(err, path, r, "cannot read: %s", strerror(-r));
        if (size > CLASS_FILE_MAX)
                return file_error(err, path, -EFBIG,
                                  "file is larger than %d bytes, the limit for a class file",
                                  CLASS_FILE_MAX);
        if (size == 0)
                return file_error(err, path, -ESRCH, "class is masked (empty file)");
        return fsp_class_parse(name, path, text, size, ret, err, warn, userdata);
}
