/* SPDX-License-Identifier: MIT */
#include <fsp/class.h>
#include <fsp/names.h>

#include "macro.h"
#include "test.h"

/* UTF-8 for c, NUL-terminated, into buf (5 bytes). */
static void encode(uint32_t c, char *buf)
{
        unsigned char *u = (unsigned char *) buf;

        if (c < 0x80) {
                *u++ = (unsigned char) c;
        } else if (c < 0x800) {
                *u++ = (unsigned char) (0xc0 | c >> 6);
                *u++ = (unsigned char) (0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
                *u++ = (unsigned char) (0xe0 | c >> 12);
                *u++ = (unsigned char) (0x80 | (c >> 6 & 0x3f));
                *u++ = (unsigned char) (0x80 | (c & 0x3f));
        } else {
                *u++ = (unsigned char) (0xf0 | c >> 18);
                *u++ = (unsigned char) (0x80 | (c >> 12 & 0x3f));
                *u++ = (unsigned char) (0x80 | (c >> 6 & 0x3f));
                *u++ = (unsigned char) (0x80 | (c & 0x3f));
        }
        *u = 0;
}

static void check_bad_instance_(const char *file, int line, const char *name, unsigned column,
                                const char *msg)
{
        FspError err;
        int r = fsp_instance_name_check(name, &err);

        test_checks++;
        if (r != -EINVAL || err.column != column || !strstr(err.text, msg)) {
                test_failures++;
                fprintf(stderr,
                        "%s:%d: FAIL: check(%s) = %d, column %u, \"%s\"; expected column %u, \"%s\"\n", file,
                        line, name, r, r < 0 ? err.column : 0, r < 0 ? err.text : "", column, msg);
        }
}
#define check_bad_instance(name, column, msg) check_bad_instance_(__FILE__, __LINE__, name, column, msg)

static void test_instance_names(void)
{
        char name[300];

        CHECK(fsp_instance_name_is_valid("share"));
        CHECK(fsp_instance_name_is_valid("a/b/c"));
        CHECK(fsp_instance_name_is_valid("with space and 'quotes' \"x\" %1 $(y)"));
        CHECK(fsp_instance_name_is_valid("...")); /* not an element that walks anywhere */
        CHECK(fsp_instance_name_is_valid("a..b/.x/x."));
        CHECK(fsp_instance_name_is_valid("Grüße/日本/\xf0\x9f\x98\x80"));
        CHECK(fsp_instance_name_is_valid("back\\slash"));
        memset(name, 'x', 255);
        name[255] = 0;
        CHECK(fsp_instance_name_is_valid(name));

        check_bad_instance("", 1, "empty");
        name[255] = 'x';
        name[256] = 0;
        check_bad_instance(name, 256, "longer than 255 bytes");
        /* Found by fuzz/fuzz-instance-name.c: a two-byte character at bytes 254-255 stepped over the limit. */
        memset(name, 'x', sizeof(name));
        memcpy(name + 253, "\xc3\xa9", 2);
        name[255] = 0;
        CHECK(fsp_instance_name_is_valid(name)); /* 255 bytes */
        memcpy(name + 254, "\xc3\xa9", 2);
        name[299] = 0;
        check_bad_instance(name, 256, "longer than 255 bytes");
        name[256] = 0;
        check_bad_instance(name, 256, "longer than 255 bytes");
        check_bad_instance("a\tb", 2, "control character 0x09");
        check_bad_instance("a\nb", 2, "control character 0x0a");
        check_bad_instance("ab\x7f", 3, "control character 0x7f");
        check_bad_instance("..", 1, "'..' path element");
        check_bad_instance("../x", 1, "'..' path element");
        check_bad_instance("x/..", 3, "'..' path element");
        check_bad_instance("x/../y", 3, "'..' path element");
        check_bad_instance(".", 1, "'.' path element");
        check_bad_instance("a/./b", 3, "'.' path element");
        check_bad_instance("/a", 1, "empty path element");
        check_bad_instance("a/", 3, "empty path element");
        check_bad_instance("a//b", 3, "empty path element");
        /* UTF-8: stray continuation, truncated, overlong, surrogate, above U+10FFFF, invalid lead bytes. */
        check_bad_instance("a\x80", 2, "not valid UTF-8");
        check_bad_instance("a\xc3", 2, "not valid UTF-8");
        check_bad_instance("\xc0\xaf", 1, "not valid UTF-8");
        check_bad_instance("x\xe0\x80\xaf", 2, "not valid UTF-8");
        check_bad_instance("\xf0\x80\x80\xaf", 1, "not valid UTF-8");
        check_bad_instance("ab\xed\xa0\x80", 3, "not valid UTF-8");
        check_bad_instance("\xf4\x90\x80\x80", 1, "not valid UTF-8");
        check_bad_instance("\xf5\x80\x80\x80", 1, "not valid UTF-8");
        check_bad_instance("\xff", 1, "not valid UTF-8");
        CHECK(fsp_instance_name_is_valid("\xed\x9f\xbf\xf4\x8f\xbf\xbf")); /* U+D7FF, U+10FFFF */

        /* A leading '-' would be an option wherever a class passes %I as a word. */
        check_bad_instance("-o", 1, "instance name starts with '-', which a program would take for an option");
        check_bad_instance("--help", 1, "starts with '-'");
        check_bad_instance("-", 1, "starts with '-'");
        CHECK(fsp_instance_name_is_valid("a-"));
        CHECK(fsp_instance_name_is_valid("a/-b"));
        CHECK(fsp_instance_name_is_valid("\xe2\x80\x90x")); /* U+2010 HYPHEN is not '-' */

        /* C1 controls: U+0080..U+009F, first and last and the CSI a terminal acts on. */
        check_bad_instance("a\xc2\x80", 2, "contains U+0080, a C1 control character");
        check_bad_instance("\xc2\x9b" "31m", 1, "contains U+009B, a C1 control character");
        check_bad_instance("ab\xc2\x9f", 3, "contains U+009F");
        CHECK(fsp_instance_name_is_valid("\xc2\xa0")); /* U+00A0 NO-BREAK SPACE: visible, allowed */

        /* Format characters (Cf): each range's ends, and their neighbours that are fine. */
        static const struct {
                uint32_t first, last;
        } cf[] = {
                {0x00ad, 0x00ad},   {0x0600, 0x0605},   {0x061c, 0x061c},   {0x06dd, 0x06dd},
                {0x070f, 0x070f},   {0x0890, 0x0891},   {0x08e2, 0x08e2},   {0x180e, 0x180e},
                {0x200b, 0x200f},   {0x202a, 0x202e},   {0x2060, 0x2064},   {0x2066, 0x206f},
                {0xfeff, 0xfeff},   {0xfff9, 0xfffb},   {0x110bd, 0x110bd}, {0x110cd, 0x110cd},
                {0x13430, 0x1343f}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a}, {0xe0001, 0xe0001},
                {0xe0020, 0xe007f},
        };
        char one[16], expected[64];
        for (size_t i = 0; i < ELEMENTSOF(cf); i++) {
                for (uint32_t c = cf[i].first; c <= cf[i].last; c++) {
                        encode(c, stpcpy(one, "x"));
                        snprintf(expected, sizeof(expected), "contains U+%04X, an invisible Unicode format", c);
                        check_bad_instance(one, 2, expected);
                }
                /* The neighbours (U+00AC, U+2065, U+E0000 ...) are not format characters. */
                if (i == 0 || cf[i - 1].last + 1 < cf[i].first - 1) {
                        encode(cf[i].first - 1, one);
                        CHECK(fsp_instance_name_is_valid(one));
                }
                if (i + 1 == ELEMENTSOF(cf) || cf[i].last + 1 < cf[i + 1].first) {
                        encode(cf[i].last + 1, one);
                        CHECK(fsp_instance_name_is_valid(one));
                }
        }
        /* The bidi override of "evil\u202Etxt.exe", zero-width space, BOM, a language tag. */
        check_bad_instance("evil\xe2\x80\xaetxt.exe", 5, "U+202E");
        check_bad_instance("a\xe2\x80\x8b" "b", 2, "U+200B");
        check_bad_instance("\xef\xbb\xbfshare", 1, "U+FEFF");
        check_bad_instance("x\xf3\xa0\x80\x81", 2, "U+E0001");
}

static void check_remote_(const char *file, int line, const char *text, const char *class_name,
                          const char *instance, const char *normalized)
{
        FspRemoteName r = {};
        FspError err;

        test_checks++;
        if (fsp_remote_name_parse(text, &r, &err) < 0) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: parse(%s): column %u: %s\n", file, line, text, err.column,
                        err.text);
                return;
        }
        if (strcmp(r.class_name, class_name) || strcmp(r.instance, instance) ||
            strcmp(r.normalized, normalized)) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: parse(%s) = %s, %s, %s; expected %s, %s, %s\n", file, line,
                        text, r.class_name, r.instance, r.normalized, class_name, instance, normalized);
        }
        fsp_remote_name_done(&r);
        CHECK(r.class_name == NULL && r.instance == NULL && r.normalized == NULL);
}
#define check_remote(text, c, i, n) check_remote_(__FILE__, __LINE__, text, c, i, n)

static void check_bad_remote_(const char *file, int line, const char *text, unsigned column, const char *msg)
{
        FspRemoteName r = {};
        FspError err;
        int ret = fsp_remote_name_parse(text, &r, &err);

        test_checks++;
        if (ret != -EINVAL || err.column != column || !strstr(err.text, msg) || r.class_name) {
                test_failures++;
                fprintf(stderr,
                        "%s:%d: FAIL: parse(%s) = %d, column %u, \"%s\"; expected column %u, \"%s\"\n", file,
                        line, text, ret, ret < 0 ? err.column : 0, ret < 0 ? err.text : "", column, msg);
        }
        if (ret >= 0)
                fsp_remote_name_done(&r);
}
#define check_bad_remote(text, column, msg) check_bad_remote_(__FILE__, __LINE__, text, column, msg)

static void test_remote_names(void)
{
        char long_name[1100];

        check_remote("//memfs/share", "memfs", "share", "//memfs/share");
        check_remote("\\\\memfs\\share", "memfs", "share", "//memfs/share");
        check_remote("/\\memfs/share\\", "memfs", "share", "//memfs/share");
        check_remote("//memfs", "memfs", "memfs", "//memfs");
        check_remote("//memfs/", "memfs", "memfs", "//memfs");
        check_remote("//memfs\\\\//", "memfs", "memfs", "//memfs");
        /* One spelling per instance: the one fsp_remote_name_format() writes. */
        check_remote("//memfs/memfs", "memfs", "memfs", "//memfs");
        check_remote("\\\\memfs\\memfs\\", "memfs", "memfs", "//memfs");
        check_remote("//memfs/memfs/x", "memfs", "memfs/x", "//memfs/memfs/x");
        check_remote("//memfs/Memfs", "memfs", "Memfs", "//memfs/Memfs");
        check_remote("//memfs//a///b\\c/", "memfs", "a/b/c", "//memfs/a/b/c");
        check_remote("//sshfs@host/dir", "sshfs@host", "dir", "//sshfs@host/dir");
        check_remote("//memfs/Grüße", "memfs", "Grüße", "//memfs/Grüße");

        check_bad_remote("", 1, "must start with //");
        check_bad_remote("memfs/share", 1, "must start with //");
        check_bad_remote("/memfs/share", 1, "must start with //");
        check_bad_remote("///memfs/share", 3, "exactly two slashes");
        check_bad_remote("//", 3, "no class");
        check_bad_remote("//.hidden/x", 3, "not a valid class name");
        check_bad_remote("//me mfs/x", 3, "not a valid class name");
        check_bad_remote("//../x", 3, "not a valid class name");
        check_bad_remote("//memfs/../x", 9, "'..' path element");
        check_bad_remote("//memfs/a/..", 11, "'..' path element");
        check_bad_remote("//memfs/a\\.\\b", 11, "'.' path element");
        check_bad_remote("//memfs/a\nb", 10, "control character 0x0a");
        check_bad_remote("//memfs/\x01", 9, "control character 0x01");
        check_bad_remote("//memfs/a\xc3(", 10, "not valid UTF-8");
        check_bad_remote("//mem\xff/x", 6, "not valid UTF-8");
        check_bad_remote("//memfs/a\xc2\x9b" "31m", 10, "contains U+009B, a C1 control character");
        check_bad_remote("//memfs/a/b\xe2\x80\xae", 12, "contains U+202E, an invisible Unicode format character");
        check_bad_remote("//memfs/-o", 9, "the instance in the remote name starts with '-'");
        check_bad_remote("//memfs//-o/x", 10, "starts with '-'");
        check_bad_remote("//-x", 3, "the instance named after the class starts with '-'");
        check_bad_remote("//-x/-x", 6, "starts with '-'");
        check_remote("//-x/y", "-x", "y", "//-x/y");
        check_remote("//memfs/a/-b", "memfs", "a/-b", "//memfs/a/-b");

        memset(long_name, 'x', sizeof(long_name) - 1);
        long_name[sizeof(long_name) - 1] = 0;
        memcpy(long_name, "//memfs/", 8);
        check_bad_remote(long_name, 1025, "longer than 1024 bytes");
        long_name[8 + 255] = 0;
        check_remote(long_name, "memfs", long_name + 8, long_name);
        long_name[8 + 255] = 'x';
        long_name[8 + 256] = 0;
        check_bad_remote(long_name, 9, "longer than 255 bytes");
        /* Separators collapse before the instance length counts. */
        char normalized[1100]; /* room for what the compiler thinks long_name may hold */
        memcpy(long_name + 8, "////", 4);
        snprintf(normalized, sizeof(normalized), "//memfs/%s", long_name + 12);
        check_remote(long_name, "memfs", long_name + 12, normalized);
}

static void test_format(void)
{
        char *s;

        CHECK_STR(s = fsp_remote_name_format("memfs", "share"), "//memfs/share");
        free(s);
        CHECK_STR(s = fsp_remote_name_format("memfs", "memfs"), "//memfs");
        free(s);
        CHECK_STR(s = fsp_remote_name_format("memfs", NULL), "//memfs");
        free(s);
        CHECK_STR(s = fsp_remote_name_format("memfs", "a/b"), "//memfs/a/b");
        free(s);

        /* format and parse are inverse for what format makes. */
        FspRemoteName r;
        FspError err;
        s = fsp_remote_name_format("memfs", "a/b");
        CHECK_INT(fsp_remote_name_parse(s, &r, &err), 0);
        CHECK_STR(r.class_name, "memfs");
        CHECK_STR(r.instance, "a/b");
        CHECK_STR(r.normalized, s);
        fsp_remote_name_done(&r);
        free(s);
}

static void test_class_names(void)
{
        char name[200];

        CHECK(fsp_class_name_is_valid("memfs"));
        CHECK(fsp_class_name_is_valid("A-z_0.9@host+x"));
        CHECK(fsp_class_name_is_valid("x."));
        CHECK(!fsp_class_name_is_valid(""));
        CHECK(!fsp_class_name_is_valid(NULL));
        CHECK(!fsp_class_name_is_valid(".memfs"));
        CHECK(!fsp_class_name_is_valid("mem fs"));
        CHECK(!fsp_class_name_is_valid("mem/fs"));
        CHECK(!fsp_class_name_is_valid("mém"));
        CHECK(!fsp_class_name_is_valid("a:b"));
        memset(name, 'a', 128);
        name[128] = 0;
        CHECK(fsp_class_name_is_valid(name));
        name[128] = 'a';
        name[129] = 0;
        CHECK(!fsp_class_name_is_valid(name));
}

int main(void)
{
        test_instance_names();
        test_remote_names();
        test_format();
        test_class_names();
        return test_result();
}
