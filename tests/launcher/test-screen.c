/* SPDX-License-Identifier: MIT */
/*
 * The secret's screen (launcher/daemon/screen.c): the secret found whole, in
 * one line or cut over several, in any position, never for near misses; the
 * lines it touches withheld, the others passed on in order, held only as
 * long as a match could still reach them.
 */
#include <stdint.h>

#include "macro.h"
#include "screen.h"
#include "test.h"

static char out[64][256];
static unsigned n_out;

static void collect(void *userdata, const char *line)
{
        if (n_out < 64)
                snprintf(out[n_out++], sizeof(out[0]), "%s", line);
}

/* Feed lines (NULL-terminated) at time 0 and flush; the result is in out[]. */
static void run(const SecretScreen *s, const char *const *lines)
{
        ScreenStream st = { 0 };

        n_out = 0;
        for (; *lines; lines++)
                screen_stream_line(&st, s, *lines, 0, collect, NULL);
        screen_stream_release(&st, UINT64_MAX, collect, NULL);
        screen_stream_done(&st);
}

int main(void)
{
        SecretScreen s;

        CHECK(secret_screen_init(&s, "sesame", 6) == 0);
        CHECK(secret_screen_matches(&s, "open sesame!"));
        CHECK(secret_screen_matches(&s, "ses\name"));
        CHECK(secret_screen_matches(&s, "sesame"));
        CHECK(!secret_screen_matches(&s, "sesam"));
        CHECK(!secret_screen_matches(&s, "sesamE"));
        CHECK(!secret_screen_matches(&s, "esame sesam"));
        CHECK(!secret_screen_matches(&s, ""));

        /* One line holding it: withheld; its neighbours pass, in order. */
        run(&s, (const char *const[]){ "before", "the password is sesame", "after", NULL });
        CHECK_INT(n_out, 3);
        CHECK_STR(out[0], "before");
        CHECK_STR(out[1], SCREEN_WITHHELD);
        CHECK_STR(out[2], "after");

        /* Cut over two lines, even three: every line it touches. */
        run(&s, (const char *const[]){ "x", "pw: ses", "ame.", "y", NULL });
        CHECK_INT(n_out, 4);
        CHECK_STR(out[0], "x");
        CHECK_STR(out[1], SCREEN_WITHHELD);
        CHECK_STR(out[2], SCREEN_WITHHELD);
        CHECK_STR(out[3], "y");
        run(&s, (const char *const[]){ "se", "sa", "me", NULL });
        CHECK_INT(n_out, 3);
        CHECK_STR(out[0], SCREEN_WITHHELD);
        CHECK_STR(out[2], SCREEN_WITHHELD);

        /* A line is let go as soon as enough has followed it, without a flush. */
        {
                ScreenStream st = { 0 };
                n_out = 0;
                screen_stream_line(&st, &s, "first", 0, collect, NULL);
                CHECK_INT(n_out, 0); /* "first" could still be the start of a match */
                screen_stream_line(&st, &s, "12345", 0, collect, NULL);
                CHECK_INT(n_out, 1); /* five bytes followed: no match can reach back into it */
                CHECK_STR(out[0], "first");
                CHECK(screen_stream_due(&st) == SCREEN_HOLD_USEC);
                screen_stream_release(&st, SCREEN_HOLD_USEC, collect, NULL);
                CHECK_INT(n_out, 2);
                CHECK(screen_stream_due(&st) == UINT64_MAX);
                screen_stream_done(&st);
        }

        /* No secret: lines pass at once. */
        {
                SecretScreen none = { 0 };
                ScreenStream st = { 0 };
                n_out = 0;
                screen_stream_line(&st, &none, "plain", 0, collect, NULL);
                CHECK_INT(n_out, 1);
                screen_stream_done(&st);
        }

        /* A long secret (over the one-shot check's stack window) and a one-byte one. */
        {
                char big[4097];
                memset(big, 'k', sizeof(big) - 1);
                big[sizeof(big) - 1] = 0;
                big[2000] = 'X';
                CHECK(secret_screen_init(&s, big, strlen(big)) == 0);
                CHECK(secret_screen_matches(&s, big));
                big[2000] = 'Y';
                CHECK(!secret_screen_matches(&s, big));
                CHECK(secret_screen_init(&s, "q", 1) == 0);
                CHECK(secret_screen_matches(&s, "a quiet line"));
                CHECK(!secret_screen_matches(&s, "nothing here"));
        }
        secret_screen_clear(&s);
        return test_result();
}
