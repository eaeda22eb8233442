/* SPDX-License-Identifier: MIT */
/*
 * Hostile input for every parser of fsp-config: valid seeds mutated at
 * random (fixed seed, so a failure reproduces). Run under ASan/UBSan this
 * finds crashes; the checks below find broken promises: an error always
 * has a column inside the text, and what parses renders to a fixed point.
 */
#include <fsp/class.h>
#include <fsp/cmdline.h>
#include <fsp/names.h>
#include <fsp/security.h>

#include "macro.h"
#include "test.h"

#define ROUNDS 20000

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rng(void)
{
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return (uint32_t) rng_state;
}

/* Bytes the parsers care about, and some they must refuse. */
static const char alphabet[] =
        "();:%'\"\\ \t\n\r/[]=#0123456789xAaDdPSWYGROLCUI-\x01\x7f\x80\xc3\xa9\xed\xf0\xff";

static size_t mutate(const char *seed, char *buf, size_t max)
{
        size_t n = strlen(seed);

        memcpy(buf, seed, n);
        for (unsigned k = rng() % 4 + 1; k > 0; k--) {
                size_t at = n ? rng() % (n + 1) : 0;
                char c = alphabet[rng() % (sizeof(alphabet) - 1)];
                switch (rng() % 3) {
                case 0: /* replace */
                        if (at < n)
                                buf[at] = c;
                        break;
                case 1: /* insert */
                        if (n + 1 < max) {
                                memmove(buf + at + 1, buf + at, n - at);
                                buf[at] = c;
                                n++;
                        }
                        break;
                default: /* delete */
                        if (at < n) {
                                memmove(buf + at, buf + at + 1, n - at - 1);
                                n--;
                        }
                }
        }
        buf[n] = 0;
        return n;
}

static void fuzz_sddl(const char *buf, size_t n)
{
        FspSecurity *s = NULL, *again = NULL;
        FspError err;
        int r = fsp_sddl_parse(buf, &s, &err);

        if (r < 0) {
                size_t len = strlen(buf); /* an inserted NUL ends the string */
                CHECK(r == -EINVAL && err.column >= 1 && err.column <= len + 1 && err.text[0]);
                return;
        }
        _cleanup_free_ char *text = fsp_security_to_string(s), *text2 = NULL;
        CHECK(text && fsp_sddl_parse(text, &again, &err) == 0);
        if (again)
                CHECK_STR(text2 = fsp_security_to_string(again), text);
        fsp_security_free(again);
        fsp_security_free(s);
}

static void fuzz_cmdline(const char *buf, size_t n)
{
        _cleanup_strv_free_ char **words = NULL, **argv = NULL;
        char *args[] = {"a b", "%1 \"'", NULL};
        FspExpandContext ctx = {.args = args, .realtime_usec = 1};
        FspError err;
        int r = fsp_cmdline_split(buf, &words, &err);

        if (r < 0) {
                CHECK(r == -EINVAL && err.column >= 1 && err.column <= strlen(buf) + 1);
                return;
        }
        STRV_FOREACH (w, words) {
                _cleanup_free_ char *s = NULL;
                CHECK(fsp_template_expand(*w, &ctx, &s, &err) == 0);
        }
        CHECK(fsp_cmdline_expand(words, &ctx, &argv, &err) == 0);
        /* Only "%O", and "-o" before it, may vanish (no options here). */
        CHECK(strv_length(argv) <= strv_length(words));
        if (!fsp_cmdline_uses(words, 'O'))
                CHECK(strv_length(argv) == strv_length(words));
}

static void fuzz_names(const char *buf, size_t n)
{
        FspRemoteName remote;
        FspError err;

        if (fsp_instance_name_check(buf, &err) < 0)
                CHECK(err.column >= 1 && err.column <= FSP_INSTANCE_NAME_MAX + 1);
        if (fsp_remote_name_parse(buf, &remote, &err) < 0) {
                CHECK(err.column >= 1 && err.column <= strlen(buf) + 1);
                return;
        }
        /* A parsed remote name is stable: its normalized form parses to itself. */
        FspRemoteName again;
        CHECK(fsp_instance_name_check(remote.instance, NULL) == 0);
        CHECK(fsp_remote_name_parse(remote.normalized, &again, &err) == 0);
        if (again.normalized)
                CHECK_STR(again.normalized, remote.normalized);
        fsp_remote_name_done(&again);
        fsp_remote_name_done(&remote);
}

static void fuzz_class(const char *buf, size_t n)
{
        FspClass *c = NULL;
        FspError err;
        unsigned lines = 1;

        for (size_t i = 0; i < n; i++)
                lines += buf[i] == '\n';
        if (fsp_class_parse("fuzz", "fuzz.conf", buf, n, &c, &err, NULL, NULL) < 0) {
                CHECK(err.code < 0 && err.line <= lines && err.text[0]);
                return;
        }
        CHECK(c->executable && c->executable[0] == '/' && c->security && c->command_line);
        fsp_class_unref(c);
}

int main(void)
{
        static const char *const sddl_seeds[] = {
                FSP_SECURITY_DEFAULT,
                "O:BAG:SYD:PAI(A;CI;GA;;;OW)(D;;0x20;;;S-1-22-1-1000) (A;;LC;;;S-1-22-2-27)",
        };
        static const char *const cmdline_seeds[] = {
                "-n 65536 -s 67108864 -u %1 -m %2",
                "'a b' \"c\\\"d %%\" \\x %T%U",
        };
        static const char *const name_seeds[] = {"//memfs/share/a", "\\\\sshfs@host\\dir", "a/b/Grüße"};
        static const char *const class_seeds[] = {
                "[Service]\nExecutable=/bin/x\nCommandLine=-u %1\n  -m '%2'\nSecurity=D:P(A;;RPWPLC;;;WD)\n"
                "Recovery=1\nStartTimeout=1min 30s\n[Other]\nA=1\n",
        };
        char buf[512];

        for (unsigned i = 0; i < ROUNDS; i++) {
                size_t n = mutate(sddl_seeds[i % ELEMENTSOF(sddl_seeds)], buf, sizeof(buf));
                fuzz_sddl(buf, n);
                n = mutate(cmdline_seeds[i % ELEMENTSOF(cmdline_seeds)], buf, sizeof(buf));
                fuzz_cmdline(buf, n);
                n = mutate(name_seeds[i % ELEMENTSOF(name_seeds)], buf, sizeof(buf));
                fuzz_names(buf, n);
                n = mutate(class_seeds[i % ELEMENTSOF(class_seeds)], buf, sizeof(buf));
                fuzz_class(buf, n);
        }
        return test_result();
}
