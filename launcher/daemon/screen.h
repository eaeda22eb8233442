/* SPDX-License-Identifier: MIT */
/*
 * Keeping a secret out of what an instance prints, for its whole life,
 * without keeping the secret: only a keyed hash of it is kept (a rolling
 * hash, Rabin-Karp, modulo 2^61-1 with a random base), and every stream of
 * output is hashed as it goes, line ends left out, so the secret is found
 * however it was cut into writes or lines.
 *
 * A complete line is held back until as many bytes have followed it as the
 * secret is long less one (no match could reach back into it any more), or
 * until it has waited SCREEN_HOLD_USEC: every line a match touches is then
 * passed on as a notice that it was withheld. Only a file system that
 * pauses longer than that in the middle of printing the secret gets a part
 * of it out.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCREEN_HOLD_USEC (1000 * 1000ULL)
#define SCREEN_WITHHELD  "[a line that contained the secret was withheld]"

typedef struct SecretScreen {
        size_t len; /* 0: nothing to screen */
        uint64_t base, top, target;
} SecretScreen;

/* Hash the secret (it may be wiped right after); -errno when no key can be had. */
int secret_screen_init(SecretScreen *s, const void *secret, size_t len);
void secret_screen_clear(SecretScreen *s);

/* Whether text holds the secret (line ends left out). */
bool secret_screen_matches(const SecretScreen *s, const char *text);

typedef struct HeldLine HeldLine;

typedef struct ScreenStream {
        uint64_t hash, pos; /* over the bytes so far, line ends left out */
        unsigned char *window; /* the last len bytes (to roll out) */
        size_t window_size;
        HeldLine *head, *tail;
} ScreenStream;

typedef void (*ScreenLineFn)(void *userdata, const char *line);

/* A complete line (no newline). Lines that may go now go to fn. */
void screen_stream_line(ScreenStream *st, const SecretScreen *s, const char *line, uint64_t now_usec,
                        ScreenLineFn fn, void *userdata);

/* Let go of the lines held since before deadline_usec (all with UINT64_MAX). */
void screen_stream_release(ScreenStream *st, uint64_t deadline_usec, ScreenLineFn fn, void *userdata);

/* When the oldest held line is due (UINT64_MAX: none is held). */
uint64_t screen_stream_due(const ScreenStream *st);

void screen_stream_done(ScreenStream *st);
