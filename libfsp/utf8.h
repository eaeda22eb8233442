/* SPDX-License-Identifier: MIT */
/*
 * Strict UTF-8 and control-character checks shared by the parsers. Strict
 * means what RFC 3629 allows and nothing else: no overlong forms, no UTF-16
 * surrogates, nothing above U+10FFFF, so a name has exactly one spelling.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* The code point of the well-formed character of len bytes at s (len as utf8_char_length() gave it). */
static inline uint32_t utf8_decode(const unsigned char *s, size_t len)
{
        static const unsigned char lead_bits[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
        uint32_t c = s[0] & lead_bits[len];

        for (size_t i = 1; i < len; i++)
                c = (c << 6) | (s[i] & 0x3f);
        return c;
}

/* C1 control characters, U+0080..U+009F: a terminal may act on them as on ESC sequences. */
static inline bool unicode_is_c1_control(uint32_t c)
{
        return c >= 0x80 && c <= 0x9f;
}

/*
 * Unicode's format characters (general category Cf, Unicode 15.0): soft
 * hyphen, bidi controls, zero-width characters, BOM, tags and the like.
 * Invisible or reordering, they make two different names look the same.
 */
static inline bool unicode_is_format(uint32_t c)
{
        static const struct {
                uint32_t first, last;
        } ranges[] = {
                {0x00ad, 0x00ad},   {0x0600, 0x0605},   {0x061c, 0x061c},   {0x06dd, 0x06dd},
                {0x070f, 0x070f},   {0x0890, 0x0891},   {0x08e2, 0x08e2},   {0x180e, 0x180e},
                {0x200b, 0x200f},   {0x202a, 0x202e},   {0x2060, 0x2064},   {0x2066, 0x206f},
                {0xfeff, 0xfeff},   {0xfff9, 0xfffb},   {0x110bd, 0x110bd}, {0x110cd, 0x110cd},
                {0x13430, 0x1343f}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a}, {0xe0001, 0xe0001},
                {0xe0020, 0xe007f},
        };

        for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
                if (c >= ranges[i].first && c <= ranges[i].last)
                        return true;
        return false;
}
