/* SPDX-License-Identifier: MIT */
#include <fsp/security.h>

#include "macro.h"
#include "sddl-internal.h"
#include "test.h"

/* Parse text; its canonical rendering must be canonical (and parse to itself). */
static void check_parse_(const char *file, int line, const char *text, const char *canonical)
{
        FspSecurity *s = NULL, *again = NULL;
        _cleanup_free_ char *out = NULL, *out2 = NULL;
        FspError err;

        test_checks++;
        if (fsp_sddl_parse(text, &s, &err) < 0) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: parse(%s): column %u: %s\n", file, line, text, err.column,
                        err.text);
                return;
        }
        out = fsp_security_to_string(s);
        if (!out || strcmp(out, canonical) != 0) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: parse(%s) renders \"%s\", expected \"%s\"\n", file, line, text,
                        out ? out : "(null)", canonical);
        }
        test_checks++;
        if (out && fsp_sddl_parse(out, &again, &err) >= 0) {
                out2 = fsp_security_to_string(again);
                if (!out2 || strcmp(out2, out) != 0)
                        test_failures++;
        } else
                test_failures++;
        fsp_security_free(again);
        fsp_security_free(s);
}
#define check_parse(text, canonical) check_parse_(__FILE__, __LINE__, text, canonical)

static void check_error_(const char *file, int line, const char *text, unsigned column, const char *msg)
{
        FspSecurity *s = NULL;
        FspError err;
        int r = fsp_sddl_parse(text, &s, &err);

        test_checks++;
        if (r != -EINVAL || err.column != column || !strstr(err.text, msg)) {
                test_failures++;
                fprintf(stderr,
                        "%s:%d: FAIL: parse(%s) = %d, column %u, \"%s\"; expected column %u, \"%s\"\n", file,
                        line, text, r, r < 0 ? err.column : 0, r < 0 ? err.text : "", column, msg);
        }
        if (r >= 0)
                fsp_security_free(s);
}
#define check_error(text, column, msg) check_error_(__FILE__, __LINE__, text, column, msg)

static void test_good(void)
{
        check_parse("D:P(A;;RPWPLC;;;WD)", "D:P(A;;RPWPLC;;;WD)");
        check_parse(FSP_SECURITY_DEFAULT, FSP_SECURITY_DEFAULT);
        check_parse("D:(A;;LCRPWP;;;SY)", "D:(A;;RPWPLC;;;SY)");
        check_parse("  D:PAIAR (A;;RP;;;BA)\t(D;;WP;;;AU)  ", "D:PAIAR(A;;RP;;;BA)(D;;WP;;;AU)");
        check_parse("O:BAG:SYD:P(A;;GA;;;IU)", "O:BAG:SYD:P(A;;RPWPLC;;;IU)");
        check_parse("D:P(A;;GA;;;OW) O:S-1-22-1-1000 G:S-1-22-2-100",
                    "O:S-1-22-1-1000G:S-1-22-2-100D:P(A;;RPWPLC;;;OW)");
        check_parse("D:(A;CIOINPIOIDSAFA;GX;;;WD)", "D:(A;;RPWP;;;WD)");
        check_parse("D:(A;;GR;;;WD)", "D:(A;;LC;;;WD)");
        check_parse("D:(A;;GW;;;WD)", "D:(A;;0x0;;;WD)");
        check_parse("D:(A;;CCDCSWDTLOCRSDRCWDWO;;;WD)", "D:(A;;0x0;;;WD)");
        /* Hex masks: bit by bit, generic bits mapped, other bits carry nothing. */
        check_parse("D:(A;;0x10;;;WD)", "D:(A;;RP;;;WD)");
        check_parse("D:(A;;0X34;;;WD)", "D:(A;;RPWPLC;;;WD)");
        check_parse("D:(A;;0xF01FF;;;WD)", "D:(A;;RPWPLC;;;WD)");
        check_parse("D:(A;;0x10000000;;;WD)", "D:(A;;RPWPLC;;;WD)");
        check_parse("D:(A;;0x20000000;;;WD)", "D:(A;;RPWP;;;WD)");
        check_parse("D:(A;;0x80000000;;;WD)", "D:(A;;LC;;;WD)");
        check_parse("D:(A;;0x40000000;;;WD)", "D:(A;;0x0;;;WD)");
        check_parse("D:(A;;0xffffffff;;;WD)", "D:(A;;RPWPLC;;;WD)");
        check_parse("D:(A;;0x0;;;WD)", "D:(A;;0x0;;;WD)");
        /* Every trustee, alias and SID spelling. */
        check_parse("D:(A;;RP;;;S-1-1-0)(A;;RP;;;S-1-5-18)(A;;RP;;;S-1-5-32-544)(A;;RP;;;S-1-5-11)"
                    "(A;;RP;;;S-1-5-4)(A;;RP;;;S-1-3-4)",
                    "D:(A;;RP;;;WD)(A;;RP;;;SY)(A;;RP;;;BA)(A;;RP;;;AU)(A;;RP;;;IU)(A;;RP;;;OW)");
        check_parse("D:(A;;RP;;;S-1-22-1-0)(D;;RP;;;S-1-22-2-4294967294)",
                    "D:(A;;RP;;;S-1-22-1-0)(D;;RP;;;S-1-22-2-4294967294)");
        check_parse("D:", "D:");
        check_parse("D:P", "D:P");
}

static void test_structure(void)
{
        FspSecurity *s = NULL;
        FspError err;

        CHECK_INT(fsp_sddl_parse("D:P(A;;RPLC;;;S-1-22-1-1000)(D;;0x20;;;S-1-22-2-27)", &s, &err), 0);
        CHECK_INT(s->n_aces, 2);
        CHECK(!s->aces[0].deny);
        CHECK_INT(s->aces[0].mask, 0x14);
        CHECK_INT(s->aces[0].rights, FSP_RIGHT_START | FSP_RIGHT_QUERY);
        CHECK_INT(s->aces[0].trustee.type, TRUSTEE_UID);
        CHECK_INT(s->aces[0].trustee.id, 1000);
        CHECK(s->aces[1].deny);
        CHECK_INT(s->aces[1].rights, FSP_RIGHT_STOP);
        CHECK_INT(s->aces[1].trustee.type, TRUSTEE_GID);
        CHECK_INT(s->aces[1].trustee.id, 27);
        CHECK(s->dacl_flags & DACL_PROTECTED);
        fsp_security_free(s);
}

static void test_malformed(void)
{
        check_error("", 1, "empty");
        check_error("   ", 1, "empty");
        check_error("X:(A;;RP;;;WD)", 1, "unknown part 'X:'");
        check_error("d:(A;;RP;;;WD)", 1, "unknown part 'd:'");
        check_error("S:(AU;SA;RP;;;WD)", 1, "'S:' is not supported");
        check_error("D:(A;;RP;;;WD)D:(A;;RP;;;WD)", 15, "a second D: part");
        check_error("D:(A;;RP;;;WD) O:SY O:SY", 21, "a second O: part");
        check_error("D(A;;RP;;;WD)", 2, "missing ':' after 'D'");
        check_error("O:SY", 5, "missing D: part");
        check_error("(A;;RP;;;WD)", 1, "must follow D:");
        check_error("D:PX(A;;RP;;;WD)", 4, "unknown DACL flag 'X'");
        check_error("D:AZ(A;;RP;;;WD)", 3, "unknown DACL flag 'AZ'");
        check_error("D:A;;RP;;;WD)", 3, "missing '(' to open the ACE");
        check_error("D:PA;;RP;;;WD)", 4, "missing '(' to open the ACE");
        check_error("D:(A;;RP;;;WD)A;;RP;;;WD)", 15, "missing '(' to open the ACE");
        check_error("D:(A;;RP;;;WD) A", 16, "unexpected 'A'");
        check_error("D:(A;;RP;;;WD", 14, "missing ')'");
        check_error("D:(A;;RP;;;WD(A;;RP;;;WD)", 14, "missing ')' before '('");
        check_error("D:(A;;RP;;;WD (A;;RP;;;WD)", 14, "missing ')' after the trustee");
        check_error("D:(A;;RP; ;;WD)", 10, "whitespace is not allowed inside an ACE");
        check_error("D:(A;;RP;;WD)", 13, "the ACE has 5 fields");
        check_error("D:(A;;RP)", 9, "the ACE has 3 fields");
        check_error("D:(A;;RP;;;WD;)", 14, "too many fields");
        check_error("D:(OA;;RP;;;WD)", 4, "ACE type 'OA' is not supported");
        check_error("D:(AU;;RP;;;WD)", 4, "ACE type 'AU' is not supported");
        check_error("D:(;;RP;;;WD)", 4, "missing ACE type");
        check_error("D:(A;;RP;abc;;WD)", 10, "object GUIDs are not supported");
        check_error("D:(A;;RP;;abc;WD)", 11, "inherited object GUIDs are not supported");
        check_error("D:(A;XX;RP;;;WD)", 6, "unknown ACE flag 'XX'");
        check_error("D:(A;CIO;RP;;;WD)", 8, "unknown ACE flag 'O'");
        check_error("D:(A;;RPXX;;;WD)", 9, "unknown right 'XX'");
        check_error("D:(A;;RPW;;;WD)", 9, "unknown right 'W'");
        check_error("D:(A;;rp;;;WD)", 7, "unknown right 'rp'");
        check_error("D:(A;;;;;WD)", 7, "no rights given");
        check_error("D:(A;;0x;;;WD)", 9, "no hex digits after '0x'");
        check_error("D:(A;;0x123456789;;;WD)", 17, "at most 8 digits");
        check_error("D:(A;;0x12G4;;;WD)", 11, "'G' is not a hex digit");
        check_error("D:(A;;16;;;WD)", 7, "unknown right '16'");
        check_error("D:(A;;RP;;;BU)", 12, "trustee 'BU' is not supported here");
        check_error("D:(A;;RP;;;S-1-5-32-545)", 12, "trustee 'S-1-5-32-545' is not supported here");
        check_error("D:(A;;RP;;;wd)", 12, "trustee 'wd' is not supported here");
        check_error("D:(A;;RP;;;WDX)", 12, "trustee 'WDX' is not supported here");
        check_error("D:(A;;RP;;;)", 12, "missing trustee");
        check_error("O:BU D:", 3, "trustee 'BU' is not supported here");
        check_error("O: D:", 3, "missing trustee after 'O:'");
        /* uid and gid: empty, sign, garbage, overflow, (uid_t) -1. */
        check_error("D:(A;;RP;;;S-1-22-1-)", 21, "missing uid");
        check_error("D:(A;;RP;;;S-1-22-1-+5)", 21, "'+' is not a decimal digit");
        check_error("D:(A;;RP;;;S-1-22-1--5)", 21, "'-' is not a decimal digit");
        check_error("D:(A;;RP;;;S-1-22-1-x5)", 21, "'x' is not a decimal digit");
        check_error("D:(A;;RP;;;S-1-22-1-5x)", 22, "'x' is not a decimal digit");
        check_error("D:(A;;RP;;;S-1-22-2-4294967295)", 21, "gid 4294967295 is out of range");
        check_error("D:(A;;RP;;;S-1-22-1-99999999999999999999999)", 21, "out of range");
        check_error("D:(A;;RP;;;S-1-22-3-5)", 12, "trustee 'S-1-22-3-5' is not supported here");
        /* Trailing garbage, stray characters. */
        check_error("D:(A;;RP;;;WD)x", 15, "unexpected 'x'");
        check_error("D:(A;;RP;;;WD))", 15, "unexpected ')'");
        check_error("D:(A;;RP;;;WD);", 15, "unexpected ';'");
        /* Bytes that have no business here. */
        check_error("D:(A;;RP;;;WD)\n", 15, "control character 0x0a");
        check_error("D:(A;;RP\x01;;;WD)", 9, "control character 0x01");
        check_error("D:(A;;RP;;;WD)\x7f", 15, "control character 0x7f");
        check_error("D:(A;;RP;;;W\xc3\x84)", 13, "non-ASCII byte 0xc3");
}

int main(void)
{
        test_good();
        test_structure();
        test_malformed();
        return test_result();
}
