/* SPDX-License-Identifier: MIT */
/*
 * Command-line templates: split once like a shell (quotes, backslash, no
 * expansion), expand later word by word. A value substituted into a word is
 * copied as bytes and never looked at again, so one word always gives one
 * argument, whatever the caller put in it.
 */
#include <fsp/cmdline.h>
#include <time.h>

#include "macro.h"

/* A growing byte buffer for the word being built. */
typedef struct Buffer {
        char *data;
        size_t size;
        size_t capacity;
} Buffer;

static void buffer_done(Buffer *b)
{
        free(b->data);
        *b = (Buffer){};
}

static int buffer_append(Buffer *b, const char *p, size_t n)
{
        if (n > SIZE_MAX - b->size - 1)
                return -ENOMEM;
        if (b->size + n + 1 > b->capacity) {
                size_t capacity = MAX(b->capacity * 2, b->size + n + 1);
                char *data = realloc(b->data, MAX(capacity, (size_t) 32));
                if (!data)
                        return -ENOMEM;
                b->data = data;
                b->capacity = MAX(capacity, (size_t) 32);
        }
        memcpy(b->data + b->size, p, n);
        b->size += n;
        b->data[b->size] = 0;
        return 0;
}

static int buffer_append_char(Buffer *b, char c)
{
        return buffer_append(b, &c, 1);
}

/* Hand the text over; an empty buffer still gives "". */
static char *buffer_steal(Buffer *b)
{
        char *s = b->data ? b->data : strdup("");
        *b = (Buffer){};
        return s;
}

static bool percent_code_is_valid(char c)
{
        return (c >= '0' && c <= '9') || strchr("UPTCISO%", c);
}

/* Codes that only mean something as words of a program's command line. */
static bool percent_code_is_command_line_only(char c)
{
        return c == 'S' || c == 'O';
}

/* s[i] is '%': check the byte after it; the column is i + 1. */
static int check_percent(const char *s, size_t i, bool command_line, FspError *err)
{
        if (s[i + 1] == 0)
                return fsp_error_set(err, -EINVAL, 0, (unsigned) i + 1,
                                     "'%%' at the end; write %%%% for a percent sign");
        if ((unsigned char) s[i + 1] >= 0x80 || !percent_code_is_valid(s[i + 1]))
                return fsp_error_set(err, -EINVAL, 0, (unsigned) i + 1,
                                     "unknown sequence '%%%c'; known are %%0-%%9, %%U, %%P, %%T, %%C, %%I, "
                                     "%%S, %%O and %%%%",
                                     (unsigned char) s[i + 1] >= 0x20 && (unsigned char) s[i + 1] < 0x7f
                                             ? s[i + 1]
                                             : '?');
        if (!command_line && percent_code_is_command_line_only(s[i + 1]))
                return fsp_error_set(err, -EINVAL, 0, (unsigned) i + 1,
                                     "'%%%c' may only be used in CommandLine=", s[i + 1]);
        return 0;
}

static int check_word(const char *word, bool command_line, FspError *err)
{
        for (size_t i = 0; word[i]; i++) {
                if (word[i] != '%')
                        continue;
                int r = check_percent(word, i, command_line, err);
                if (r < 0)
                        return r;
                i++;
        }
        return 0;
}

int fsp_template_check(const char *word, FspError *err)
{
        return check_word(word, false, err);
}

bool fsp_cmdline_uses(char *const *words, char code)
{
        STRV_FOREACH (w, (char **) words)
                for (const char *p = strchr(*w, '%'); p && p[1]; p = strchr(p + 2, '%'))
                        if (p[1] == code)
                                return true;
        return false;
}

static bool char_is_blank(char c)
{
        return c == ' ' || c == '\t';
}

static bool char_is_ctl(char c)
{
        return (unsigned char) c < 0x20 || c == 0x7f;
}

/* The state of the splitter: where it is and the word it is building. */
typedef struct Splitter {
        const char *text;
        size_t pos;
        Buffer word;
        bool in_word; /* something (even "") started a word */
        char **words;
        size_t n_words;
} Splitter;

static void splitter_done(Splitter *s)
{
        buffer_done(&s->word);
        strv_free(s->words);
        s->words = NULL;
}

static int splitter_end_word(Splitter *s)
{
        char **words;

        if (!s->in_word)
                return 0;
        words = reallocarray(s->words, s->n_words + 2, sizeof(char *));
        if (!words)
                return -ENOMEM;
        s->words = words;
        s->words[s->n_words] = buffer_steal(&s->word);
        if (!s->words[s->n_words])
                return -ENOMEM;
        s->words[++s->n_words] = NULL;
        s->in_word = false;
        return 0;
}

static int control_error(const Splitter *s, size_t i, FspError *err)
{
        return fsp_error_set(err, -EINVAL, 0, (unsigned) i + 1, "control character 0x%02x",
                             (unsigned) (unsigned char) s->text[i]);
}

/* A '%' and its code go into the word as they are, in any quoting. */
static int split_percent(Splitter *s, FspError *err)
{
        int r = check_percent(s->text, s->pos, true, err);
        if (r < 0)
                return r;
        r = buffer_append(&s->word, s->text + s->pos, 2);
        s->pos += 2;
        return r;
}

static int split_single_quoted(Splitter *s, FspError *err)
{
        size_t open = s->pos++;
        int r;

        for (;;) {
                char c = s->text[s->pos];
                if (c == 0)
                        return fsp_error_set(err, -EINVAL, 0, (unsigned) open + 1, "unterminated ' quote");
                if (c == '\'')
                        break;
                if (char_is_ctl(c))
                        return control_error(s, s->pos, err);
                if (c == '%')
                        r = split_percent(s, err);
                else
                        r = buffer_append_char(&s->word, s->text[s->pos++]);
                if (r < 0)
                        return r;
        }
        s->pos++;
        return 0;
}

static int split_double_quoted(Splitter *s, FspError *err)
{
        size_t open = s->pos++;
        int r;

        for (;;) {
                char c = s->text[s->pos];
                if (c == 0)
                        return fsp_error_set(err, -EINVAL, 0, (unsigned) open + 1, "unterminated \" quote");
                if (c == '"')
                        break;
                if (char_is_ctl(c))
                        return control_error(s, s->pos, err);
                if (c == '%')
                        r = split_percent(s, err);
                else if (c == '\\' && s->text[s->pos + 1] && strchr("\"\\$`", s->text[s->pos + 1])) {
                        r = buffer_append_char(&s->word, s->text[s->pos + 1]);
                        s->pos += 2;
                } else
                        r = buffer_append_char(&s->word, s->text[s->pos++]);
                if (r < 0)
                        return r;
        }
        s->pos++;
        return 0;
}

/* Outside quotes a backslash makes the next byte literal; "\%" is a literal percent. */
static int split_backslash(Splitter *s, FspError *err)
{
        char c = s->text[s->pos + 1];

        if (c == 0)
                return fsp_error_set(err, -EINVAL, 0, (unsigned) s->pos + 1, "trailing backslash");
        if (char_is_ctl(c))
                return control_error(s, s->pos + 1, err);
        s->pos += 2;
        return c == '%' ? buffer_append(&s->word, "%%", 2) : buffer_append_char(&s->word, c);
}

static int split_step(Splitter *s, FspError *err)
{
        char c = s->text[s->pos];

        if (char_is_blank(c)) {
                s->pos++;
                return splitter_end_word(s);
        }
        if (char_is_ctl(c))
                return control_error(s, s->pos, err);

        s->in_word = true;
        switch (c) {
        case '\'':
                return split_single_quoted(s, err);
        case '"':
                return split_double_quoted(s, err);
        case '\\':
                return split_backslash(s, err);
        case '%':
                return split_percent(s, err);
        default:
                s->pos++;
                return buffer_append_char(&s->word, c);
        }
}

int fsp_cmdline_split(const char *text, char ***ret_words, FspError *err)
{
        Splitter s = {.text = strempty(text)};
        int r = 0;

        while (r >= 0 && s.text[s.pos])
                r = split_step(&s, err);
        if (r >= 0)
                r = splitter_end_word(&s);
        if (r >= 0 && !s.words) {
                s.words = calloc(1, sizeof(char *));
                if (!s.words)
                        r = -ENOMEM;
        }
        if (r < 0) {
                if (r == -ENOMEM)
                        fsp_error_set(err, r, 0, 0, "out of memory");
                splitter_done(&s);
                return r;
        }
        buffer_done(&s.word);
        *ret_words = s.words;
        return 0;
}

/* YYYYMMDDTHHMMSS.mmmZ, UTC. */
static int format_time(uint64_t usec, char *buf, size_t n)
{
        struct tm tm;
        time_t t;

        if (usec == 0) {
                struct timespec ts;
                if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                        return -errno;
                usec = (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
        }
        t = (time_t) (usec / USEC_PER_SEC);
        if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999)
                return -EOVERFLOW;
        snprintf(buf, n, "%04d%02d%02dT%02d%02d%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned) (usec % USEC_PER_SEC / USEC_PER_MSEC));
        return 0;
}

static int check_arg_count(const FspExpandContext *ctx, FspError *err)
{
        size_t n = ctx ? strv_length(ctx->args) : 0;

        if (n > FSP_CMDLINE_MAX_ARGS)
                return fsp_error_set(err, -E2BIG, 0, 0, "too many arguments: %zu given, at most %d", n,
                                     FSP_CMDLINE_MAX_ARGS);
        return 0;
}

/* The text that %c stands for; *time_buf holds %T. */
static int percent_value(char c, const FspExpandContext *ctx, char *time_buf, size_t n, const char **ret)
{
        size_t n_args = strv_length(ctx->args);
        int r;

        switch (c) {
        case '0':
                *ret = strempty(ctx->executable);
                return 0;
        case 'U':
                *ret = strempty(ctx->user);
                return 0;
        case 'P':
                *ret = strempty(ctx->home);
                return 0;
        case 'C':
                *ret = strempty(ctx->class_name);
                return 0;
        case 'I':
                *ret = strempty(ctx->instance);
                return 0;
        case 'S':
                *ret = strempty(ctx->secret_path);
                return 0;
        case 'O':
                *ret = strempty(ctx->options);
                return 0;
        case '%':
                *ret = "%";
                return 0;
        case 'T':
                r = format_time(ctx->realtime_usec, time_buf, n);
                if (r < 0)
                        return r;
                *ret = time_buf;
                return 0;
        default: /* '1'..'9', checked by the caller */
                *ret = (size_t) (c - '0') <= n_args ? strempty(ctx->args[c - '1']) : "";
                return 0;
        }
}

int fsp_template_expand(const char *word, const FspExpandContext *ctx, char **ret, FspError *err)
{
        static const FspExpandContext empty = {};
        _cleanup_(buffer_done) Buffer out = {};
        char time_buf[96]; /* what the compiler sees as the worst case of format_time() */
        int r;

        if (!ctx)
                ctx = &empty;
        r = check_arg_count(ctx, err);
        if (r < 0)
                return r;
        r = check_word(word, true, err);
        if (r < 0)
                return r;

        for (const char *p = word; *p; p++) {
                const char *value;
                if (*p != '%') {
                        const char *next = strchrnul(p, '%');
                        r = buffer_append(&out, p, (size_t) (next - p));
                        p = next - 1;
                } else {
                        r = percent_value(*++p, ctx, time_buf, sizeof(time_buf), &value);
                        if (r >= 0)
                                r = buffer_append(&out, value, strlen(value));
                }
                if (r < 0)
                        return fsp_error_set(err, r, 0, 0, "cannot expand '%s': %s", word, strerror(-r));
        }
        *ret = buffer_steal(&out);
        return *ret ? 0 : fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
}

int fsp_cmdline_expand(char *const *words, const FspExpandContext *ctx, char ***ret_argv, FspError *err)
{
        size_t n = strv_length(words);
        _cleanup_strv_free_ char **argv = NULL;
        int r;

        r = check_arg_count(ctx, err);
        if (r < 0)
                return r;
        argv = calloc(n + 1, sizeof(char *));
        if (!argv)
                return fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
        for (size_t i = 0, k = 0; i < n; i++) {
                if (streq(words[i], "%O") && isempty(ctx ? ctx->options : NULL)) {
                        /* "-o" always gave an argument, the one before this word's place. */
                        if (i > 0 && streq(words[i - 1], "-o")) {
                                k--;
                                free(argv[k]);
                                argv[k] = NULL;
                        }
                        continue;
                }
                r = fsp_template_expand(words[i], ctx, &argv[k++], err);
                if (r < 0)
                        return r;
        }
        *ret_argv = TAKE_PTR(argv);
        return 0;
}
