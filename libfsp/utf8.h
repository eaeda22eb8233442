/* SPDX-License-Identifier: MIT */
/*
 * Strict UTF-8 and control-character checks shared by the parsers. Strict
 * means what RFC 3629 allows and nothing else: no overlong forms, no UTF-16
 * surrogates, nothing above U+10FFFF, so a name has exactly one spelling.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

static inline bool char_is_control(unsigned char c)
{
        return c < 0x20 || c == 0x7f;
}

static inline bool byte_is_continuation(unsigned char c, unsigned char lo, unsigned char hi)
{
        return c >= lo && c <= hi;
}

/* Length of the well-formed character at s (n bytes available), or 0 if it is not one. */
static inline size_t utf8_char_length(const unsigned char *s, size_t n)
{
        unsigned char lo = 0x80, hi = 0xbf;
        size_t len;

        if (n == 0)
                return 0;
        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                len = 2;
        else if (s[0] >= 0xe0 && s[0] <= 0xef) {
                len = 3;
                if (s[0] == 0xe0)
                        lo = 0xa0; /* overlong below U+0800 */
                else if (s[0] == 0xed)
                        hi = 0x9f; /* surrogates U+D800..U+DFFF */
        } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
                len = 4;
                if (s[0] == 0xf0)
                        lo = 0x90; /* overlong below U+10000 */
                else if (s[0] == 0xf4)
                        hi = 0x8f; /* above U+10FFFF */
        } else
                return 0;

        if (n < len || !byte_is_continuation(s[1], lo, hi))
                return 0;
        for (size_t i = 2; i < len; i++)
                if (!byte_is_continuation(s[i], 0x80, 0xbf))
                        return 0;
        return len;
}

/* Offset of the first byte that does not start a well-formed character, or n if all are fine. */
static inline size_t utf8_find_invalid(const char *s, size_t n)
{
        const unsigned char *u = (const unsigned char *) s;
        size_t i = 0;

        while (i < n) {
                size_t k = utf8_char_length(u + i, n - i);
                if (k == 0)
                        return i;
                i += k;
        }
        return n;
}
