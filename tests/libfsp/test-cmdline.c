/* SPDX-License-Identifier: MIT */
#include <fsp/cmdline.h>

#include "macro.h"
#include "test.h"

/* The context every template below is expanded with. */
static char *const test_args[] = {"A1", "A2", NULL};
static const FspExpandContext test_ctx = {
        .executable = "/usr/bin/winfsp-memfs",
        .args = test_args,
        .user = "alice",
        .home = "/home/alice",
        .realtime_usec = 1700000000123456ULL, /* 2023-11-14 22:13:20.123456 UTC */
        .class_name = "memfs",
        .instance = "share",
        .secret_path = "/dev/fd/3",
};

/* Split text, expand it with ctx and compare with the expected argv (NULL-terminated). */
static void check_argv_(const char *file, int line, const FspExpandContext *ctx, const char *text,
                        const char *const *expected)
{
        _cleanup_strv_free_ char **words = NULL, **argv = NULL;
        FspError err;
        size_t n = 0;
        int r = fsp_cmdline_split(text, &words, &err);

        if (r >= 0)
                r = fsp_cmdline_expand(words, ctx, &argv, &err);
        test_checks++;
        if (r < 0) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: %s: %s at column %u\n", file, line, text, err.text, err.column);
                return;
        }
        while (expected[n])
                n++;
        if (strv_length(argv) != n) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: %s gave %zu arguments, expected %zu\n", file, line, text,
                        strv_length(argv), n);
                return;
        }
        for (size_t i = 0; i < n; i++)
                if (strcmp(argv[i], expected[i]) != 0) {
                        test_failures++;
                        fprintf(stderr, "%s:%d: FAIL: %s: argument %zu is \"%s\", expected \"%s\"\n", file,
                                line, text, i, argv[i], expected[i]);
                }
}
#define check_argv(text, ...) \
        check_argv_(__FILE__, __LINE__, &test_ctx, text, (const char *const[]){__VA_ARGS__, NULL})
#define check_argv_ctx(ctx, text, ...) \
        check_argv_(__FILE__, __LINE__, ctx, text, (const char *const[]){__VA_ARGS__, NULL})
#define check_no_argv(ctx, text) check_argv_(__FILE__, __LINE__, ctx, text, (const char *const[]){NULL})

static void check_split_error_(const char *file, int line, const char *text, unsigned column,
                               const char *msg)
{
        char **words = NULL;
        FspError err;
        int r = fsp_cmdline_split(text, &words, &err);

        test_checks++;
        if (r != -EINVAL || err.column != column || !strstr(err.text, msg)) {
                test_failures++;
                fprintf(stderr,
                        "%s:%d: FAIL: split(%s) = %d, column %u, \"%s\"; expected column %u, \"%s\"\n", file,
                        line, text, r, r < 0 ? err.column : 0, r < 0 ? err.text : "", column, msg);
        }
        if (r >= 0)
                strv_free(words);
}
#define check_split_error(text, column, msg) check_split_error_(__FILE__, __LINE__, text, column, msg)

static void test_split(void)
{
        check_no_argv(&test_ctx, "");
        check_no_argv(&test_ctx, " \t ");
        check_argv("-n 65536 -s 67108864 -u %1 -m %2", "-n", "65536", "-s", "67108864", "-u", "A1", "-m", "A2");
        check_argv("  a\t\tb  ", "a", "b");
        check_argv("'a b' \"c d\"", "a b", "c d");
        check_argv("'it''s'", "its");
        check_argv("x'y'\"z\"w", "xyzw");
        check_argv("\"\" ''", "", "");
        check_argv("a \"\" b", "a", "", "b");
        check_argv("'\\n $x \"q\"'", "\\n $x \"q\"");
        check_argv("\"a\\\"b\\\\c\\$d\\`e\\nf\"", "a\"b\\c$d`e\\nf");
        check_argv("a\\ b \\'c\\\"", "a b", "'c\"");
        check_argv("\\\\", "\\");
        check_argv("--opt=\"with space\"", "--opt=with space");
        /* % sequences mean the same in any quoting; a backslash outside quotes makes a literal percent. */
        check_argv("'%1' \"%2\" %% 100%%", "A1", "A2", "%", "100%");
        check_argv("\\%1 \\%\\%", "%1", "%%");
        check_argv("\"\\%1\"", "\\A1");
        check_argv("%U@%P/%T-%C-%I-%0-%9", "alice@/home/alice/20231114T221320.123Z-memfs-share-/usr/bin/winfsp-memfs-");
        check_argv("héllo 'wörld'", "héllo", "wörld");
}

static void test_split_errors(void)
{
        check_split_error("a 'b c", 3, "unterminated ' quote");
        check_split_error("a \"b c", 3, "unterminated \" quote");
        check_split_error("\"a\\\"", 1, "unterminated \" quote");
        check_split_error("abc\\", 4, "trailing backslash");
        check_split_error("a\nb", 2, "control character 0x0a");
        check_split_error("'a\x01'", 3, "control character 0x01");
        check_split_error("\"a\x7f\"", 3, "control character 0x7f");
        check_split_error("a\\\x02", 3, "control character 0x02");
        check_split_error("-x %Q", 4, "unknown sequence '%Q'");
        check_split_error("-x '%q'", 5, "unknown sequence '%q'");
        check_split_error("-x 100%", 7, "'%' at the end");
        check_split_error("\"50%\"", 4, "unknown sequence '%\"'");
        check_split_error("%%%", 3, "'%' at the end");
        check_split_error("%'1'", 1, "unknown sequence '%''");
}

static void test_template_check(void)
{
        FspError err;

        CHECK_INT(fsp_template_check("/run/winfsp/%C/%I", &err), 0);
        CHECK_INT(fsp_template_check("%%%1", &err), 0);
        CHECK_INT(fsp_template_check("", &err), 0);
        CHECK_ERRNO(fsp_template_check("/mnt/%X", &err), EINVAL);
        CHECK_INT(err.column, 6);
        CHECK_CONTAINS(err.text, "'%X'");
        CHECK_ERRNO(fsp_template_check("/mnt/%", &err), EINVAL);
        CHECK_INT(err.column, 6);
}

static char *expand(const char *word, const FspExpandContext *ctx)
{
        char *s = NULL;
        FspError err;

        if (fsp_template_expand(word, ctx, &s, &err) < 0) {
                fprintf(stderr, "expand(%s): %s\n", word, err.text);
                return NULL;
        }
        return s;
}

static void test_expand(void)
{
        char *args[] = {"a b \"c\" %2 $(x)", "/mnt/z", NULL};
        FspExpandContext ctx = test_ctx;
        _cleanup_strv_free_ char **words = NULL, **argv = NULL;
        FspError err;
        char *s;

        ctx.args = args;
        CHECK_STR(s = expand("%0", &ctx), "/usr/bin/winfsp-memfs");
        free(s);
        CHECK_STR(s = expand("u=%U,h=%P,c=%C,i=%I,%%1", &ctx), "u=alice,h=/home/alice,c=memfs,i=share,%1");
        free(s);
        CHECK_STR(s = expand("%T", &ctx), "20231114T221320.123Z");
        free(s);
        CHECK_STR(s = expand("[%3][%9]", &ctx), "[][]");
        free(s);

        /* One word in, one argument out, whatever the value holds. */
        CHECK_INT(fsp_cmdline_split("-u '%1' -m %2 --both=%1%2", &words, &err), 0);
        CHECK_INT(fsp_cmdline_expand(words, &ctx, &argv, &err), 0);
        CHECK_INT(strv_length(argv), 5);
        CHECK_STR(argv[0], "-u");
        CHECK_STR(argv[1], "a b \"c\" %2 $(x)");
        CHECK_STR(argv[2], "-m");
        CHECK_STR(argv[3], "/mnt/z");
        CHECK_STR(argv[4], "--both=a b \"c\" %2 $(x)/mnt/z");
        argv = strv_free(argv);

        /* A newline in a value is copied, not interpreted. */
        char *nl_args[] = {"x\ny", NULL};
        ctx.args = nl_args;
        CHECK_STR(s = expand("%1", &ctx), "x\ny");
        free(s);

        /* NULL fields are "". */
        FspExpandContext empty = {.realtime_usec = 1};
        CHECK_STR(s = expand("<%0%1%U%P%C%I>", &empty), "<>");
        free(s);
        CHECK_STR(s = expand("%T", &empty), "19700101T000000.000Z");
        free(s);
        CHECK_STR(s = expand("<%1>", NULL), "<>");
        free(s);

        /* %T with 0 is now: a well-formed stamp of this century. */
        empty.realtime_usec = 0;
        s = expand("%T", &empty);
        CHECK(s && strlen(s) == 20 && s[8] == 'T' && s[15] == '.' && s[19] == 'Z' && strneq(s, "20", 2));
        free(s);

        /* Unknown sequence in an unchecked word. */
        CHECK_ERRNO(fsp_template_expand("a%Qb", &ctx, &s, &err), EINVAL);
        CHECK_INT(err.column, 2);
}

static void test_secret_and_options(void)
{
        FspExpandContext ctx = test_ctx;
        _cleanup_strv_free_ char **words = NULL;
        FspError err;

        check_argv("--password-file=%S %S", "--password-file=/dev/fd/3", "/dev/fd/3");
        ctx.secret_path = NULL;
        check_argv_ctx(&ctx, "<%S>", "<>");

        /* No options: a word that is exactly %O goes, and an "-o" word right before it. */
        check_argv("-o %O -f %2", "-f", "A2");
        check_no_argv(&test_ctx, "'-o' \"%O\""); /* words are compared after splitting: quoting does not matter */
        check_argv("x -o %O %O -o", "x", "-o");
        check_argv("%O -o", "-o");
        check_argv("-o x %O", "-o", "x");
        check_argv("-o%O --opt=%O -o %O%O", "-o", "--opt=", "-o", "");
        check_argv("\\%O", "%O");
        check_argv("-oo %O", "-oo");
        ctx.options = "";
        check_no_argv(&ctx, "-o %O");

        /* Options: one word, whatever it holds. */
        ctx.options = "reconnect,ServerAliveInterval=15,volname=My Disk";
        check_argv_ctx(&ctx, "-o %O -f %2", "-o", "reconnect,ServerAliveInterval=15,volname=My Disk", "-f", "A2");
        check_argv_ctx(&ctx, "-o%O", "-oreconnect,ServerAliveInterval=15,volname=My Disk");
        ctx.options = "x";
        check_argv_ctx(&ctx, "-o allow_other -o %O %O", "-o", "allow_other", "-o", "x", "x");

        /* Only in CommandLine=: a single-word template refuses them. */
        CHECK_ERRNO(fsp_template_check("/run/%S", &err), EINVAL);
        CHECK_INT(err.column, 6);
        CHECK_STR(err.text, "'%S' may only be used in CommandLine=");
        CHECK_ERRNO(fsp_template_check("%P/%O.log", &err), EINVAL);
        CHECK_INT(err.column, 4);
        CHECK_INT(fsp_template_check("%%S %%O", &err), 0);

        CHECK_INT(fsp_cmdline_split("-o %O --pw='%S' 100%%S x%%O", &words, &err), 0);
        CHECK(fsp_cmdline_uses(words, 'S'));
        CHECK(fsp_cmdline_uses(words, 'O'));
        CHECK(!fsp_cmdline_uses(words, 'U'));
        words = strv_free(words);
        CHECK_INT(fsp_cmdline_split("100%%S x%%O \\%S", &words, &err), 0);
        CHECK(!fsp_cmdline_uses(words, 'S'));
        CHECK(!fsp_cmdline_uses(words, 'O'));
        CHECK(!fsp_cmdline_uses(NULL, 'S'));
}

static void test_too_many_args(void)
{
        char *nine[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", NULL};
        char *ten[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", NULL};
        char *words[] = {"%9", "x", NULL};
        FspExpandContext ctx = {.args = nine};
        _cleanup_strv_free_ char **argv = NULL;
        FspError err;
        char *s = NULL;

        CHECK_INT(fsp_cmdline_expand(words, &ctx, &argv, &err), 0);
        CHECK_STR(argv[0], "9");
        ctx.args = ten;
        CHECK_ERRNO(fsp_template_expand("x", &ctx, &s, &err), E2BIG);
        CHECK_STR(err.text, "too many arguments: 10 given, at most 9");
        CHECK(s == NULL);
        argv = strv_free(argv);
        CHECK_ERRNO(fsp_cmdline_expand(words, &ctx, &argv, &err), E2BIG);
        CHECK_STR(err.text, "too many arguments: 10 given, at most 9");
        CHECK(argv == NULL);
        /* Even with no words to expand: never a silent truncation. */
        char *none[] = {NULL};
        CHECK_ERRNO(fsp_cmdline_expand(none, &ctx, &argv, &err), E2BIG);
}

int main(void)
{
        test_split();
        test_split_errors();
        test_template_check();
        test_expand();
        test_secret_and_options();
        test_too_many_args();
        return test_result();
}
