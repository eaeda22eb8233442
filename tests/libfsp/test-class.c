/* SPDX-License-Identifier: MIT */
/*
 * Reading a class file: INI syntax, continuation lines, the line limit,
 * bytes that are refused, warnings, positions in errors, and loading files.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "class-test.h"

static void test_error_format(void)
{
        check_refused(HEAD "StartTimeout=3x\n", "test.conf:3:14: StartTimeout: invalid time '3x'; *");
        check_refused("[Service]\nExecutable=/x\n\nSecurity=D:(A;;XX;;;WD)\n",
                      "test.conf:4:16: Security: unknown right 'XX'");
        check_refused("[Service]\nDescription=x\n",
                      "test.conf: Executable: the key is missing; it is required");
        check_refused("[Service]\nExecutable=/x\nCredentials=2\n",
                      "test.conf:3:13: Credentials: invalid value '2'; use 0 (none), 1 (password) or 3 "
                      "(user name and "
                      "password)");
        check_refused("Executable=/x\n[Service]\n",
                      "test.conf:1: key 'Executable' outside [Service]; put it under [Service]");
        check_refused(HEAD "this line has no equals sign\n",
                      "test.conf:3: syntax error: expected 'Key=value', '[Section]' or a comment");
        check_refused(HEAD "[Service\n", "test.conf:3: syntax error*");
        /* The first problem in the file is the one reported. */
        check_refused(HEAD "Recovery=maybe\nnot a key\n",
                      "test.conf:3:10: Recovery: invalid boolean 'maybe'*");
        check_refused(HEAD "not a key\nRecovery=maybe\n", "test.conf:3: syntax error*");
}

static void test_warnings(void)
{
        Warnings w;
        FspClass *c;

        c = parse_ok(HEAD "Foo=bar\n\nExecutabl=/x\n", &w);
        CHECK_INT(w.n, 2);
        CHECK_INT(w.line[0], 3);
        CHECK_STR(w.text[0], "test.conf:3: unknown key 'Foo', ignored");
        CHECK_STR(w.text[1], "test.conf:5: unknown key 'Executabl', ignored");
        fsp_class_unref(c);

        /* Keys are case-sensitive. */
        c = parse_ok(HEAD "description=x\n", &w);
        CHECK_INT(w.n, 1);
        CHECK_STR(c ? c->description : NULL, "");
        fsp_class_unref(c);

        /* Another section: a warning naming it; its keys change nothing. */
        c = parse_ok(HEAD "[Unit]\nExecutable=/evil\nRunAs=root\n[Service]\nDescription=ok\n", &w);
        CHECK_INT(w.n, 1);
        CHECK_STR(w.text[0], "test.conf:4: section [Unit] ignored with its keys; only [Service] is read");
        if (c) {
                CHECK_STR(c->executable, "/usr/bin/winfsp-memfs");
                CHECK(c->run_as == NULL);
                CHECK_STR(c->description, "ok");
        }
        fsp_class_unref(c);
        check_refused("[service]\nExecutable=/x\n",
                      "test.conf: Executable: the key is missing; it is required");

        /* A key given twice: a warning, the later one wins. */
        c = parse_ok(HEAD "Description=one\nDescription=two\n", &w);
        CHECK_INT(w.n, 1);
        CHECK_STR(w.text[0],
                  "test.conf:4: key 'Description' given again (first on line 3); the later value wins");
        CHECK_STR(c ? c->description : NULL, "two");
        fsp_class_unref(c);
        /* The earlier value is replaced even if it was bad? No: it is refused where it stands. */
        check_refused(HEAD "Recovery=bad\nRecovery=1\n", "test.conf:3:10: Recovery: invalid boolean 'bad'*");

        /* No callback: warnings are dropped, parsing works. */
        FspError err;
        CHECK_INT(fsp_class_parse("test", "t.conf", HEAD "Foo=1\n", strlen(HEAD "Foo=1\n"), &c, &err, NULL,
                                  NULL),
                  0);
        fsp_class_unref(c);
}

static void test_continuation(void)
{
        Warnings w;
        FspClass *c;
        FspError err;

        c = parse_ok("[Service]\n"
                     "Executable=/usr/bin/winfsp-memfs\n"
                     "CommandLine=-n 65536\n"
                     "    -s 67108864 ; a comment\n"
                     "\t-u %1\n"
                     "  -m '%2'\n"
                     "Security=D:P(A;;RPWPLC;;;SY)\n"
                     "  (A;;RPWPLC;;;BA)\n"
                     "  (A;;LC;;;WD)\n"
                     "Description=a long\n"
                     "   description\n",
                     &w);
        CHECK_INT(w.n, 0);
        if (c) {
                CHECK_INT(strv_length(c->command_line), 8);
                CHECK_STR(c->command_line[3], "67108864");
                CHECK_STR(c->command_line[7], "%2");
                CHECK_STR(c->security_text, "D:P(A;;RPWPLC;;;SY) (A;;RPWPLC;;;BA) (A;;LC;;;WD)");
                CHECK_STR(c->description, "a long description");
        }
        fsp_class_unref(c);

        /* A value may start on the next line. */
        c = parse_ok(HEAD "Description=\n  starts below\n", &w);
        CHECK_STR(c ? c->description : NULL, "starts below");
        fsp_class_unref(c);

        /* An error in a continuation line is reported at its own line and column. */
        CHECK_ERRNO(parse(HEAD "Security=D:P(A;;RPWPLC;;;SY)\n"
                               "  (A;;RPWPLC;;;BA)\n"
                               "    (A;;RPQQ;;;WD)\n",
                          &c, &err, &w),
                    EINVAL);
        CHECK_INT(err.line, 5);
        CHECK_INT(err.column, 11);
        CHECK_STR(err.key, "Security");
        CHECK_ERRNO(parse(HEAD "CommandLine=-a\n   -b 'x\n", &c, &err, &w), EINVAL);
        CHECK_INT(err.line, 4);
        CHECK_INT(err.column, 7);

        /* An indented key right after a section header is a key, not a continuation. */
        c = parse_ok("[Service]\nExecutable=/x\nDescription=d\n[Service]\n  Description=e\n", &w);
        CHECK_STR(c ? c->description : NULL, "e");
        CHECK_INT(w.n, 1); /* given again */
        fsp_class_unref(c);
        /* A continuation of an unknown key or a foreign section's key is ignored with it. */
        c = parse_ok(HEAD "Foo=1\n  Description=x\n[X]\nA=1\n  Description=y\n", &w);
        CHECK_STR(c ? c->description : NULL, "");
        CHECK_INT(w.n, 2);
        fsp_class_unref(c);
}

static void test_long_lines(void)
{
        size_t n = 100 * 1024;
        _cleanup_free_ char *text = malloc(n + 256);
        Warnings w;
        FspClass *c = NULL;
        FspError err;
        int len;

        /*
         * 100 KiB on line 3. Were the line cut into 199-byte pieces, each piece
         * would start a new "line": put a key at every such point. Refused, and
         * nothing from the tail is read (an unknown key would warn).
         */
        size_t head = strlen(HEAD);
        len = sprintf(text, HEAD "Description=");
        memset(text + len, 'A', n);
        for (size_t at = 199; at + 16 < n; at += 199)
                memcpy(text + head + at, at == 199 ? "RunAs=root      " : "Bogus=1         ", 16);
        len += (int) n;
        len += sprintf(text + len, "\nDescription=after\n");
        CHECK_ERRNO(parse_n(text, (size_t) len, &c, &err, &w), EINVAL);
        CHECK_INT(err.line, 3);
        CHECK_STR(format(&err),
                  "test.conf:3: line is longer than 199 bytes; continue a long value on indented lines");
        CHECK_INT(w.n, 0);
        CHECK(c == NULL);

        /* One long line only, on line 12. */
        len = sprintf(text, HEAD "\n\n\n\n\n\n\n\n\n# ");
        memset(text + len, 'x', n);
        len += (int) n;
        len += sprintf(text + len, "\nBogus=1\n");
        CHECK_ERRNO(parse_n(text, (size_t) len, &c, &err, &w), EINVAL);
        CHECK_INT(err.line, 12);
        CHECK_INT(w.n, 0);

        /* The limit exactly: 199 bytes pass (also with CRLF), 200 do not. */
        len = sprintf(text, HEAD "Description=");
        memset(text + len, 'd', 199 - 12);
        len += 199 - 12;
        strcpy(text + len, "\r\n");
        c = parse_ok(text, &w);
        CHECK_INT(c ? strlen(c->description) : 0, 187);
        fsp_class_unref(c);
        strcpy(text + len, "d\n");
        CHECK_ERRNO(parse(text, &c, &err, &w), EINVAL);
        CHECK_INT(err.line, 3);
}

static void test_bytes(void)
{
        FspClass *c = NULL;
        FspError err;
        static const char nul[] = HEAD "Description=a\0b\n";

        CHECK_ERRNO(parse_n(nul, sizeof(nul) - 1, &c, &err, NULL), EINVAL);
        CHECK_INT(err.line, 3);
        CHECK_INT(err.column, 14);
        CHECK_STR(err.text, "NUL byte");

        check_refused(HEAD "Description=caf\xc3\n", "test.conf:3:16: invalid UTF-8 (byte 0xc3)");
        check_refused(HEAD "Description=\xc0\xaf\n", "test.conf:3:13: invalid UTF-8 (byte 0xc0)");
        check_refused(HEAD "Description=\xed\xa0\x80\n", "test.conf:3:13: invalid UTF-8 (byte 0xed)");
        check_refused(HEAD "\n# comment \xff\n", "test.conf:4:11: invalid UTF-8 (byte 0xff)");
        check_refused(HEAD "Description=a\x1b[31mred\n", "test.conf:3:14: control character 0x1b");
        check_refused(HEAD "Description=a\rb\n", "test.conf:3:14: control character 0x0d");
        check_refused(HEAD "Description=a\x7f\n", "test.conf:3:14: control character 0x7f");

        /* Tabs and good UTF-8 are fine. */
        c = parse_ok(HEAD "Description=\tGrüße \xf0\x9f\x98\x80\t\n", NULL);
        CHECK_STR(c ? c->description : NULL, "Grüße \xf0\x9f\x98\x80");
        fsp_class_unref(c);
}

static void test_syntax_variants(void)
{
        FspClass *c;
        Warnings w;

        /* CRLF line endings, a BOM, no final newline. */
        c = parse_ok("\xef\xbb\xbf[Service]\r\nExecutable=/x\r\nDescription=crlf\r\nRecovery=1", &w);
        if (c) {
                CHECK_STR(c->executable, "/x");
                CHECK_STR(c->description, "crlf");
                CHECK(c->recovery);
        }
        CHECK_INT(w.n, 0);
        fsp_class_unref(c);

        /* Comments: ';' and '#' at a line's start; inline only ' ;'. */
        c = parse_ok("; comment\n# comment\n[Service] ; comment\nExecutable=/x ; comment\n"
                     "Security=D:P(A;;RPWPLC;;;WD)\nDescription=a#b;c ; d\n  ; indented comment\n"
                     "  # indented hash\n",
                     &w);
        if (c) {
                CHECK_STR(c->executable, "/x");
                CHECK_STR(c->security_text, "D:P(A;;RPWPLC;;;WD)");
                CHECK_STR(c->description, "a#b;c");
        }
        CHECK_INT(w.n, 0);
        fsp_class_unref(c);

        /* Spaces around '=' and the value are dropped. */
        c = parse_ok("[Service]\n  Executable  =   /x y  \n", &w);
        CHECK_STR(c ? c->executable : NULL, "/x y");
        fsp_class_unref(c);
}

static void test_parse_args(void)
{
        FspClass *c = NULL;
        FspError err;

        CHECK_ERRNO(fsp_class_parse(".bad", "x.conf", HEAD, strlen(HEAD), &c, &err, NULL, NULL), EINVAL);
        CHECK_CONTAINS(err.text, "not a valid class name");
        CHECK_ERRNO(fsp_class_parse("ok", NULL, "", 0, &c, NULL, NULL, NULL), EINVAL);
        CHECK(c == NULL);
        /* size is honoured: text beyond it is not read. */
        CHECK_INT(fsp_class_parse("ok", NULL, HEAD "Recovery=bad", strlen(HEAD), &c, &err, NULL, NULL), 0);
        CHECK_STR(c ? c->path : NULL, "");
        fsp_class_unref(c);
}

static void write_file(const char *path, const char *text, size_t n)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CHECK(fd >= 0 && write(fd, text, n) == (ssize_t) n);
        if (fd >= 0)
                close(fd);
}

static void test_load_file(void)
{
        char dir[] = "/tmp/test-class-XXXXXX", path[PATH_MAX];
        FspClass *c = NULL;
        FspError err;
        Warnings w = {};

        if (!mkdtemp(dir)) {
                CHECK(false);
                return;
        }
        snprintf(path, sizeof(path), "%s/memfs.conf", dir);
        CHECK_ERRNO(fsp_class_load_file("memfs", path, &c, &err, collect_warning, &w), ENOENT);
        CHECK_STR(err.file, path);

        write_file(path, HEAD "Foo=1\n", strlen(HEAD "Foo=1\n"));
        CHECK_INT(fsp_class_load_file("memfs", path, &c, &err, collect_warning, &w), 0);
        CHECK_STR(c ? c->path : NULL, path);
        CHECK_STR(c ? c->name : NULL, "memfs");
        CHECK_INT(w.n, 1);
        fsp_class_unref(c);

        write_file(path, HEAD "Recovery=x\n", strlen(HEAD "Recovery=x\n"));
        CHECK_ERRNO(fsp_class_load_file("memfs", path, &c, &err, NULL, NULL), EINVAL);
        CHECK_STR(err.file, path);
        CHECK_INT(err.line, 3);

        write_file(path, "", 0);
        CHECK_ERRNO(fsp_class_load_file("memfs", path, &c, &err, NULL, NULL), ESRCH);
        unlink(path);
        CHECK(symlink("/dev/null", path) == 0);
        CHECK_ERRNO(fsp_class_load_file("memfs", path, &c, &err, NULL, NULL), ESRCH);
        unlink(path);

        /* Too large: refused, naming the size. */
        size_t big = 1024 * 1024 + 1;
        _cleanup_free_ char *text = malloc(big);
        memset(text, '\n', big);
        memcpy(text, HEAD, strlen(HEAD));
        write_file(path, text, big);
        CHECK_ERRNO(fsp_class_load_file("memfs", path, &c, &err, NULL, NULL), EFBIG);
        CHECK_CONTAINS(err.text, "1048577 bytes");
        write_file(path, text, big - 1); /* exactly the limit: fine */
        CHECK_INT(fsp_class_load_file("memfs", path, &c, &err, NULL, NULL), 0);
        fsp_class_unref(c);
        unlink(path);

        /* A FIFO or a directory is not a class, and does not hang the reader. */
        CHECK(mkfifo(path, 0600) == 0);
        CHECK_ERRNO(fsp_class_load_file("memfs", path, &c, &err, NULL, NULL), EINVAL);
        CHECK_CONTAINS(err.text, "not a regular file");
        unlink(path);
        CHECK(mkdir(path, 0700) == 0);
        CHECK_ERRNO(fsp_class_load_file("memfs", path, &c, &err, NULL, NULL), EINVAL);
        rmdir(path);
        CHECK(rmdir(dir) == 0);
}

int main(void)
{
        test_error_format();
        test_warnings();
        test_continuation();
        test_long_lines();
        test_bytes();
        test_syntax_variants();
        test_parse_args();
        test_load_file();
        return test_result();
}
