/* SPDX-License-Identifier: MIT */
/*
 * Service classes: the text of one <class>.conf in, an immutable FspClass
 * or a positioned error out.
 *
 * libinih does the INI syntax. Its reader callback sees every line, so ours
 * hands inih the text one line at a time from memory, refusing what inih
 * would mangle (NUL, control bytes, bad UTF-8, a line over its limit), and
 * keeps the line it handed over. inih's name and value point into that
 * line, which gives the column of a value for free and tells a
 * continuation line apart without guessing: for one, inih passes the
 * previous key's name, which it keeps elsewhere.
 */
#include <fsp/class.h>
#include <fsp/cmdline.h>
#include <ini.h>
#include <stdarg.h>

#include "class-keys.h"
#include "macro.h"
#include "utf8.h"

#define CLASS_NAME_MAX 128

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

/* ---- The INI reader and handler ---- */

/* Where a piece of a (possibly continued) value came from: text offset -> line and column. */
typedef struct Segment {
        size_t offset;
        unsigned line, column;
} Segment;

/* The value of the key being read: complete only when the next key starts or the text ends. */
typedef struct PendingValue {
        ClassKeyId key; /* _CLASS_KEY_INVALID: nothing to keep (no key, or an ignored one) */
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

        unsigned line;        /* the line inih works on */
        const char *line_buf; /* inih's copy of it, which name and value point into */
        size_t line_len;
        char section[64];     /* the section of the previous key */

        unsigned first_line[_CLASS_KEY_MAX]; /* where each key was given first; 0: not given */
        unsigned last_line[_CLASS_KEY_MAX];  /* where the value that counts was given */
        PendingValue pending;
} ClassParser;

static void pending_done(PendingValue *v)
{
        free(v->text);
        free(v->segments);
        *v = (PendingValue){.key = _CLASS_KEY_INVALID};
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

/* Add one line's part of the value, after a single space if it continues one. */
static int pending_append(PendingValue *v, const char *value, unsigned line, unsigned column)
{
        size_t n = strlen(value), sep = v->len > 0;
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
        const ClassKey *key;
        FspError e = {};
        unsigned line, column;
        int r;

        if (v->key < 0 || p->failed) {
                pending_done(v);
                return;
        }
        key = &class_keys[v->key];
        r = key->parse(p->class, (uint8_t *) p->class + key->offset, v->text, &e);
        if (r < 0) {
                pending_locate(v, e.column, &line, &column);
                parser_fail(p, r, line, column, key->name, "%s", e.text);
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
        /* An inline comment (" ;") goes here, on every line: inih 55 drops it on a key's first line only. */
        for (size_t i = 1; i < len; i++)
                if (line[i] == ';' && (line[i - 1] == ' ' || line[i - 1] == '\t'))
                        len = i;

        memcpy(buf, line, len);
        buf[len] = 0;
        p->line_buf = buf;
        p->line_len = len;
        return buf;
}

static bool in_current_line(const ClassParser *p, const char *s)
{
        return p->line_buf && s >= p->line_buf && s <= p->line_buf + p->line_len;
}

static void handle_service_key(ClassParser *p, const char *name, const char *value, unsigned column)
{
        ClassKeyId key = class_key_from_name(name);

        if (key < 0) {
                parser_warn(p, p->line, "unknown key '%.64s', ignored", name);
                return;
        }
        if (p->first_line[key])
                parser_warn(p, p->line, "key '%s' given again (first on line %u); the later value wins",
                            name, p->first_line[key]);
        else
                p->first_line[key] = p->line;
        p->last_line[key] = p->line;
        p->pending.key = key;
        if (pending_append(&p->pending, value, p->line, column) < 0)
                parser_fail(p, -ENOMEM, p->line, 0, name, "out of memory");
}

static int class_handler(void *userdata, const char *section, const char *name, const char *value)
{
        ClassParser *p = userdata;
        unsigned column = in_current_line(p, value) ? (unsigned) (value - p->line_buf) + 1 : 0;

        if (p->failed)
                return 1;
        /* A continuation line: inih passes the previous key's name, which is not in this line. */
        if (!in_current_line(p, name)) {
                if (p->pending.key >= 0 && pending_append(&p->pending, value, p->line, column) < 0)
                        parser_fail(p, -ENOMEM, p->line, 0, name, "out of memory");
                return 1;
        }

        pending_finish(p);
        if (p->failed)
                return 1;
        if (!section[0])
                parser_fail(p, -EINVAL, p->line, 0, NULL,
                            "key '%.64s' outside [Service]; put it under [Service]", name);
        else if (!streq(section, "Service")) {
                if (!streq(section, p->section))
                        parser_warn(p, p->line,
                                    "section [%.64s] ignored with its keys; only [Service] is read",
                                    section);
        } else
                handle_service_key(p, name, value, column);
        snprintf(p->section, sizeof(p->section), "%s", section);
        return 1;
}

/* ---- The class object ---- */

static void class_free(FspClass *c)
{
        free(c->text);
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
        free(c->mount_options);
        strv_free(c->accept_options);
        free(c->slice);
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
                .accept_options = calloc(1, sizeof(char *)),
                .memory_max = FSP_RESOURCE_UNSET,
                .tasks_max = FSP_RESOURCE_UNSET,
                .cpu_quota_per_sec_usec = FSP_RESOURCE_UNSET,
        };
        if (!c->name || !c->path || !c->description || !c->command_line || !c->work_directory ||
            !c->accept_options)
                return NULL;
        return TAKE_PTR(c);
}

/* A rule between keys is broken: refused at the line of the key named. */
_printf_(3, 4) static void key_fail(ClassParser *p, ClassKeyId key, const char *fmt, ...)
{
        char text[sizeof(p->error.text)];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        parser_fail(p, -EINVAL, p->last_line[key], 0, class_keys[key].name, "%s", text);
}

/* What each key allows depends on others: the password's way to the program, where options go. */
static void class_check_keys(ClassParser *p)
{
        const FspClass *c = p->class;
        bool secret_file = fsp_cmdline_uses(c->command_line, 'S');

        if (c->credentials_stdin == FSP_CREDENTIALS_STDIN_USER_PASSWORD_LINES &&
            c->credentials != FSP_CREDENTIALS_USER_PASSWORD)
                return key_fail(p, CLASS_KEY_CREDENTIALS_STDIN,
                                "user-password-lines writes a user name, which only Credentials=3 asks for");
        if (secret_file && c->credentials == FSP_CREDENTIALS_NONE)
                return key_fail(p, CLASS_KEY_COMMAND_LINE,
                                "%%S is the file holding the password; it needs Credentials=1 or 3");
        if (c->credentials != FSP_CREDENTIALS_NONE && c->credentials_stdin == FSP_CREDENTIALS_STDIN_NONE &&
            !secret_file)
                return key_fail(p, CLASS_KEY_CREDENTIALS_STDIN,
                                "none writes nothing to the program and CommandLine= has no %%S: it would "
                                "never get the password");
        if (c->credentials == FSP_CREDENTIALS_NONE &&
            (p->last_line[CLASS_KEY_CREDENTIALS_REPLY] || p->last_line[CLASS_KEY_CREDENTIALS_STDIN]))
                parser_warn(p, MAX(p->last_line[CLASS_KEY_CREDENTIALS_REPLY],
                                   p->last_line[CLASS_KEY_CREDENTIALS_STDIN]),
                            "CredentialsReply= and CredentialsStdin= have no effect with Credentials=0");
        if (c->mount_options && c->mount_by != FSP_MOUNT_BY_LAUNCHER)
                parser_warn(p, p->last_line[CLASS_KEY_MOUNT_OPTIONS],
                            "MountOptions= only applies with MountBy=launcher; ignored");
        if (c->accept_options[0] && !fsp_cmdline_uses(c->command_line, 'O'))
                parser_warn(p, p->last_line[CLASS_KEY_ACCEPT_OPTIONS],
                            "AcceptOptions= lists options, but CommandLine= has no %%O to pass them on");
}

/* After the last line: what inih found wrong, then what is required, the rules between keys, the defaults. */
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
        class_check_keys(p);
        if (p->failed)
                return;
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
                .pending = {.key = _CLASS_KEY_INVALID},
        };

        class_parser_run(&p, name);
        pending_done(&p.pending);
        /* The text it was read from, so that what was started from it can be read again as it was. */
        if (!p.failed && !(p.class->text = strndup(text ? text : "", p.size)))
                parser_fail(&p, -ENOMEM, 0, 0, NULL, "out of memory");
        if (p.failed) {
                fsp_class_unref(p.class);
                if (err)
                        *err = p.error;
                return p.error.code;
        }
        *ret = p.class;
        return 0;
}
