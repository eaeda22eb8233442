/* SPDX-License-Identifier: MIT */
/*
 * The SDDL-like language of Security=: a pure parser from text to rule set,
 * with the column of the first offending character on error, and the
 * canonical rendering. See winfsp.conf(5) for the language.
 */
#include <fsp/security.h>
#include <inttypes.h>
#include <stdarg.h>

#include "macro.h"
#include "sddl-internal.h"

/* Windows service access rights and generic rights, as SDDL spells them. */
static const struct {
        char token[3];
        uint32_t mask;
} right_tokens[] = {
        {"CC", 0x1},        {"DC", 0x2},        {"LC", 0x4},     {"SW", 0x8},        {"RP", 0x10},
        {"WP", 0x20},       {"DT", 0x40},       {"LO", 0x80},    {"CR", 0x100},      {"SD", 0x10000},
        {"RC", 0x20000},    {"WD", 0x40000},    {"WO", 0x80000}, {"GA", 0x10000000}, {"GX", 0x20000000},
        {"GW", 0x40000000}, {"GR", 0x80000000},
};

static const char *const ace_flag_tokens[] = {"CI", "OI", "NP", "IO", "ID", "SA", "FA"};

static const struct {
        char alias[3];
        const char *sid;
        TrusteeType type;
} trustee_aliases[] = {
        {"WD", "S-1-1-0", TRUSTEE_EVERYONE},    {"SY", "S-1-5-18", TRUSTEE_SYSTEM},
        {"BA", "S-1-5-32-544", TRUSTEE_ADMINS}, {"AU", "S-1-5-11", TRUSTEE_AUTHENTICATED},
        {"IU", "S-1-5-4", TRUSTEE_INTERACTIVE}, {"OW", "S-1-3-4", TRUSTEE_OWNER},
};

#define UNIX_USER_SID_PREFIX  "S-1-22-1-"
#define UNIX_GROUP_SID_PREFIX "S-1-22-2-"

static uint32_t mask_to_rights(uint32_t mask)
{
        uint32_t rights = mask & FSP_RIGHT_ALL;

        if (mask & 0x10000000) /* GA */
                rights |= FSP_RIGHT_ALL;
        if (mask & 0x20000000) /* GX */
                rights |= FSP_RIGHT_START | FSP_RIGHT_STOP;
        if (mask & 0x80000000) /* GR */
                rights |= FSP_RIGHT_QUERY;
        return rights;
}

typedef struct Parser {
        const char *text;
        size_t pos;
        FspError *err;
        FspSecurity *sec;
        bool seen_dacl;
} Parser;

_printf_(3, 4) static int parser_error(Parser *p, size_t pos, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = fsp_error_setv(p->err, -EINVAL, 0, (unsigned) pos + 1, fmt, ap);
        va_end(ap);
        return r;
}

static bool char_is_upper(char c)
{
        return c >= 'A' && c <= 'Z';
}

static bool char_is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static bool char_is_blank(char c)
{
        return c == ' ' || c == '\t';
}

/* Only printable ASCII, space and tab: refuse anything else before looking at the structure. */
static int check_characters(Parser *p)
{
        for (size_t i = 0; p->text[i]; i++) {
                unsigned char c = (unsigned char) p->text[i];
                if (c >= 0x80)
                        return parser_error(p, i, "non-ASCII byte 0x%02x; security strings are ASCII", c);
                if ((c < 0x20 && c != '\t') || c == 0x7f)
                        return parser_error(p, i, "control character 0x%02x", c);
        }
        return 0;
}

/* The number after "S-1-22-1-": decimal, 0..4294967294 ((uid_t) -1 is "nobody set"). */
static int parse_unix_id(Parser *p, size_t start, size_t len, const char *what, uint32_t *ret)
{
        uint64_t v = 0;

        if (len == 0)
                return parser_error(p, start, "missing %s after the SID prefix", what);
        for (size_t i = 0; i < len; i++) {
                char c = p->text[start + i];
                if (!char_is_digit(c))
                        return parser_error(p, start + i, "invalid %s: '%c' is not a decimal digit", what,
                                            c);
                v = v * 10 + (uint64_t) (c - '0');
                if (v > UINT32_MAX - 1)
                        return parser_error(p, start, "%s %.*s is out of range (0 to 4294967294)", what,
                                            (int) MIN(len, (size_t) 32), p->text + start);
        }
        *ret = (uint32_t) v;
        return 0;
}

static int parse_trustee(Parser *p, size_t start, size_t len, Trustee *ret)
{
        const char *s = p->text + start;

        if (len == 0)
                return parser_error(p, start, "missing trustee");
        for (size_t i = 0; i < ELEMENTSOF(trustee_aliases); i++)
                if ((len == 2 && strneq(s, trustee_aliases[i].alias, 2)) ||
                    (len == strlen(trustee_aliases[i].sid) && strneq(s, trustee_aliases[i].sid, len))) {
                        *ret = (Trustee){.type = trustee_aliases[i].type};
                        return 0;
                }

        bool user = len >= strlen(UNIX_USER_SID_PREFIX) &&
                    strneq(s, UNIX_USER_SID_PREFIX, strlen(UNIX_USER_SID_PREFIX));
        bool group = len >= strlen(UNIX_GROUP_SID_PREFIX) &&
                     strneq(s, UNIX_GROUP_SID_PREFIX, strlen(UNIX_GROUP_SID_PREFIX));
        if (user || group) {
                size_t prefix = strlen(UNIX_USER_SID_PREFIX);
                *ret = (Trustee){.type = user ? TRUSTEE_UID : TRUSTEE_GID};
                return parse_unix_id(p, start + prefix, len - prefix, user ? "uid" : "gid", &ret->id);
        }
        return parser_error(p, start,
                            "trustee '%.*s' is not supported here; use WD, SY, BA, AU, IU, OW, "
                            "S-1-22-1-<uid> or S-1-22-2-<gid>",
                            (int) MIN(len, (size_t) 64), s);
}

/* In O: and G: the trustee ends where a SID's digits and dashes end, or after two letters. */
static size_t trustee_extent(const char *s)
{
        size_t n = 0;

        if (s[0] == 'S' && s[1] == '-') {
                n = 2;
                while (char_is_digit(s[n]) || s[n] == '-')
                        n++;
                return n;
        }
        while (n < 2 && char_is_upper(s[n]))
                n++;
        return n;
}

static int parse_owner_or_group(Parser *p, char letter)
{
        size_t start = p->pos - 2;
        bool *seen = letter == 'O' ? &p->sec->has_owner : &p->sec->has_group;
        Trustee *t = letter == 'O' ? &p->sec->owner : &p->sec->group;
        size_t len = trustee_extent(p->text + p->pos);
        int r;

        if (*seen)
                return parser_error(p, start, "a second %c: part", letter);
        if (len == 0)
                return parser_error(p, p->pos, "missing trustee after '%c:'", letter);
        r = parse_trustee(p, p->pos, len, t);
        if (r < 0)
                return r;
        *seen = true;
        p->pos += len;
        return 0;
}

static int parse_ace_type(Parser *p, size_t start, size_t len, bool *ret_deny)
{
        const char *s = p->text + start;

        if (len == 1 && (s[0] == 'A' || s[0] == 'D')) {
                *ret_deny = s[0] == 'D';
                return 0;
        }
        if (len == 0)
                return parser_error(p, start, "missing ACE type; use A (allow) or D (deny)");
        return parser_error(p, start, "ACE type '%.*s' is not supported; use A (allow) or D (deny)",
                            (int) MIN(len, (size_t) 16), s);
}

static int parse_ace_flags(Parser *p, size_t start, size_t len)
{
        for (size_t i = 0; i < len; i += 2) {
                const char *s = p->text + start + i;
                bool known = false;
                for (size_t k = 0; k < ELEMENTSOF(ace_flag_tokens) && i + 1 < len; k++)
                        known = known || strneq(s, ace_flag_tokens[k], 2);
                if (!known)
                        return parser_error(p, start + i, "unknown ACE flag '%.*s'",
                                            (int) MIN(len - i, (size_t) 2), s);
        }
        return 0;
}

static int parse_hex_mask(Parser *p, size_t start, size_t len, uint32_t *ret)
{
        uint32_t v = 0;

        if (len == 2)
                return parser_error(p, start + 2, "no hex digits after '0x'");
        for (size_t i = 2; i < len; i++) {
                char c = p->text[start + i];
                int digit = char_is_digit(c)         ? c - '0'
                            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                     : -1;
                if (digit < 0)
                        return parser_error(p, start + i, "'%c' is not a hex digit", c);
                if (i - 2 == 8)
                        return parser_error(p, start + i, "a hex mask has at most 8 digits");
                v = v << 4 | (uint32_t) digit;
        }
        *ret = v;
        return 0;
}

static int parse_rights(Parser *p, size_t start, size_t len, uint32_t *ret)
{
        const char *s = p->text + start;
        uint32_t mask = 0;

        if (len == 0)
                return parser_error(p, start, "no rights given; use RP, WP, LC, GA, GX, GR or a hex mask");
        if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
                return parse_hex_mask(p, start, len, ret);

        for (size_t i = 0; i < len; i += 2) {
                bool known = false;
                for (size_t k = 0; k < ELEMENTSOF(right_tokens) && i + 1 < len; k++)
                        if (strneq(s + i, right_tokens[k].token, 2)) {
                                mask |= right_tokens[k].mask;
                                known = true;
                        }
                if (!known)
                        return parser_error(p, start + i, "unknown right '%.*s'",
                                            (int) MIN(len - i, (size_t) 2), s + i);
        }
        *ret = mask;
        return 0;
}

static int append_ace(Parser *p, const Ace *ace)
{
        Ace *aces = reallocarray(p->sec->aces, p->sec->n_aces + 1, sizeof(Ace));
        if (!aces)
                return fsp_error_set(p->err, -ENOMEM, 0, 0, "out of memory");
        p->sec->aces = aces;
        p->sec->aces[p->sec->n_aces++] = *ace;
        return 0;
}

enum { ACE_TYPE, ACE_FLAGS, ACE_RIGHTS, ACE_OBJECT, ACE_INHERIT, ACE_TRUSTEE, _ACE_FIELD_MAX };

/* Find the six ';'-separated fields of the ACE whose '(' is at p->pos, and its ')'. */
static int split_ace(Parser *p, size_t start[static _ACE_FIELD_MAX], size_t len[static _ACE_FIELD_MAX])
{
        size_t open = p->pos, n = 0, i;

        start[0] = open + 1;
        for (i = open + 1; p->text[i] != ')'; i++) {
                char c = p->text[i];
                if (c == 0)
                        return parser_error(p, i, "missing ')': the ACE opened at column %zu is not closed",
                                            open + 1);
                if (c == '(')
                        return parser_error(p, i, "missing ')' before '('");
                if (char_is_blank(c))
                        return parser_error(p, i,
                                            n == ACE_TRUSTEE ? "missing ')' after the trustee"
                                                             : "whitespace is not allowed inside an ACE");
                if (c != ';')
                        continue;
                if (n == ACE_TRUSTEE)
                        return parser_error(p, i,
                                            "too many fields; an ACE is (type;flags;rights;;;trustee)");
                len[n] = i - start[n];
                start[++n] = i + 1;
        }
        len[n] = i - start[n];
        if (n != ACE_TRUSTEE)
                return parser_error(p, i, "the ACE has %zu fields; an ACE is (type;flags;rights;;;trustee)",
                                    n + 1);
        p->pos = i + 1;
        return 0;
}

static int parse_ace(Parser *p)
{
        size_t start[_ACE_FIELD_MAX], len[_ACE_FIELD_MAX];
        Ace ace = {};
        int r;

        r = split_ace(p, start, len);
        if (r < 0)
                return r;
        r = parse_ace_type(p, start[ACE_TYPE], len[ACE_TYPE], &ace.deny);
        if (r >= 0)
                r = parse_ace_flags(p, start[ACE_FLAGS], len[ACE_FLAGS]);
        if (r >= 0)
                r = parse_rights(p, start[ACE_RIGHTS], len[ACE_RIGHTS], &ace.mask);
        if (r < 0)
                return r;
        if (len[ACE_OBJECT] > 0)
                return parser_error(p, start[ACE_OBJECT],
                                    "object GUIDs are not supported; leave the field empty");
        if (len[ACE_INHERIT] > 0)
                return parser_error(p, start[ACE_INHERIT],
                                    "inherited object GUIDs are not supported; leave the field empty");
        r = parse_trustee(p, start[ACE_TRUSTEE], len[ACE_TRUSTEE], &ace.trustee);
        if (r < 0)
                return r;
        ace.rights = mask_to_rights(ace.mask);
        return append_ace(p, &ace);
}

static int parse_dacl_flags(Parser *p)
{
        for (;;) {
                const char *s = p->text + p->pos;
                if (s[0] == 'P') {
                        p->sec->dacl_flags |= DACL_PROTECTED;
                        p->pos++;
                } else if (s[0] == 'A' && s[1] == 'I') {
                        p->sec->dacl_flags |= DACL_AUTO_INHERIT;
                        p->pos += 2;
                } else if (s[0] == 'A' && s[1] == 'R') {
                        p->sec->dacl_flags |= DACL_AUTO_INHERIT_REQ;
                        p->pos += 2;
                } else if (s[0] == 0 || s[0] == '(' || char_is_blank(s[0]) ||
                           (char_is_upper(s[0]) && s[1] == ':'))
                        return 0;
                else if (strcspn(s, "( \t") > strcspn(s, ";"))
                        return parser_error(p, p->pos, "missing '(' to open the ACE");
                else
                        return parser_error(p, p->pos, "unknown DACL flag '%.*s'; known are P, AI and AR",
                                            s[0] == 'A' && s[1] ? 2 : 1, s);
        }
}

static void skip_blanks(Parser *p)
{
        while (char_is_blank(p->text[p->pos]))
                p->pos++;
}

static int parse_dacl(Parser *p)
{
        int r;

        if (p->seen_dacl)
                return parser_error(p, p->pos - 2, "a second D: part");
        p->seen_dacl = true;
        r = parse_dacl_flags(p);
        for (;;) {
                if (r < 0)
                        return r;
                skip_blanks(p);
                if (p->text[p->pos] != '(')
                        return 0;
                r = parse_ace(p);
        }
}

static int parse_part(Parser *p)
{
        char c = p->text[p->pos], next = p->text[p->pos + 1];

        if (c && next == ':') {
                p->pos += 2;
                switch (c) {
                case 'O':
                case 'G':
                        return parse_owner_or_group(p, c);
                case 'D':
                        return parse_dacl(p);
                case 'S':
                        return parser_error(p, p->pos - 2, "the audit part 'S:' is not supported");
                default:
                        return parser_error(p, p->pos - 2, "unknown part '%c:'; expected O:, G: or D:", c);
                }
        }
        if (c && strchr("OGDS", c))
                return parser_error(p, p->pos + 1, "missing ':' after '%c'", c);
        if (c == '(')
                return parser_error(p, p->pos, "an ACE '(...)' must follow D:");
        if (c == ')')
                return parser_error(p, p->pos, "unexpected ')' without a matching '('");
        if (p->seen_dacl && (c == 'A' || c == 'D') && next == ';')
                return parser_error(p, p->pos, "missing '(' to open the ACE");
        return parser_error(p, p->pos, "unexpected '%c'; expected a part O:, G: or D:", c);
}

static int parse_all(Parser *p)
{
        int r;

        r = check_characters(p);
        if (r < 0)
                return r;
        skip_blanks(p);
        if (p->text[p->pos] == 0)
                return parser_error(p, 0, "empty security string; expected e.g. D:P(A;;RPWPLC;;;WD)");
        while (p->text[p->pos]) {
                r = parse_part(p);
                if (r < 0)
                        return r;
                skip_blanks(p);
        }
        if (!p->seen_dacl)
                return parser_error(p, p->pos,
                                    "missing D: part: without access rules nobody may do anything");
        return 0;
}

int fsp_sddl_parse(const char *text, FspSecurity **ret, FspError *err)
{
        Parser p = {.text = strempty(text), .err = err};
        int r;

        p.sec = calloc(1, sizeof(FspSecurity));
        if (!p.sec)
                return fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
        r = parse_all(&p);
        if (r < 0) {
                fsp_security_free(p.sec);
                return r;
        }
        *ret = p.sec;
        return 0;
}

FspSecurity *fsp_security_free(FspSecurity *s)
{
        if (s) {
                free(s->aces);
                free(s);
        }
        return NULL;
}

static void trustee_print(FILE *f, const Trustee *t)
{
        if (t->type == TRUSTEE_UID || t->type == TRUSTEE_GID) {
                fprintf(f, "%s%" PRIu32,
                        t->type == TRUSTEE_UID ? UNIX_USER_SID_PREFIX : UNIX_GROUP_SID_PREFIX, t->id);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(trustee_aliases); i++)
                if (trustee_aliases[i].type == t->type)
                        fputs(trustee_aliases[i].alias, f);
}

static void rights_print(FILE *f, uint32_t rights)
{
        if (rights == 0)
                fputs("0x0", f);
        if (rights & FSP_RIGHT_START)
                fputs("RP", f);
        if (rights & FSP_RIGHT_STOP)
                fputs("WP", f);
        if (rights & FSP_RIGHT_QUERY)
                fputs("LC", f);
}

char *fsp_security_to_string(const FspSecurity *s)
{
        _cleanup_fclose_ FILE *f = NULL;
        char *buf = NULL;
        size_t size = 0;

        if (!s)
                return NULL;
        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        if (s->has_owner) {
                fputs("O:", f);
                trustee_print(f, &s->owner);
        }
        if (s->has_group) {
                fputs("G:", f);
                trustee_print(f, &s->group);
        }
        fprintf(f, "D:%s%s%s", s->dacl_flags & DACL_PROTECTED ? "P" : "",
                s->dacl_flags & DACL_AUTO_INHERIT ? "AI" : "",
                s->dacl_flags & DACL_AUTO_INHERIT_REQ ? "AR" : "");
        for (size_t i = 0; i < s->n_aces; i++) {
                fprintf(f, "(%c;;", s->aces[i].deny ? 'D' : 'A');
                rights_print(f, s->aces[i].rights);
                fputs(";;;", f);
                trustee_print(f, &s->aces[i].trustee);
                fputc(')', f);
        }
        if (fclose(TAKE_PTR(f)) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}
