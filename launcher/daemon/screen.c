/* SPDX-License-Identifier: MIT */
#include <sys/random.h>

#include "macro.h"
#include "screen.h"

#define P ((1ULL << 61) - 1)

struct HeldLine {
        HeldLine *next;
        uint64_t end;      /* pos after its last byte */
        uint64_t since;    /* when it arrived */
        bool withheld;
        char text[];
};

static uint64_t mulmod(uint64_t a, uint64_t b)
{
        __uint128_t x = (__uint128_t) a * b;
        uint64_t r = (uint64_t) (x & P) + (uint64_t) (x >> 61);
        while (r >= P)
                r -= P;
        return r;
}

static uint64_t addmod(uint64_t a, uint64_t b)
{
        uint64_t r = a + b;
        return r >= P ? r - P : r;
}

/* A byte's value in the hash: 1..256, so that NUL bytes count too. */
static uint64_t value(unsigned char c)
{
        return (uint64_t) c + 1;
}

int secret_screen_init(SecretScreen *s, const void *secret, size_t len)
{
        const unsigned char *p = secret;
        uint64_t key;

        *s = (SecretScreen){ 0 };
        if (len == 0)
                return 0;
        if (getrandom(&key, sizeof(key), 0) != (ssize_t) sizeof(key))
                return -errno;
        s->base = 257 + key % (P - 514); /* above any byte's value, below P */
        s->top = 1;
        for (size_t k = 1; k < len; k++)
                s->top = mulmod(s->top, s->base);
        for (size_t k = 0; k < len; k++)
                s->target = addmod(mulmod(s->target, s->base), value(p[k]));
        s->len = len;
        explicit_bzero(&key, sizeof(key));
        return 0;
}

void secret_screen_clear(SecretScreen *s)
{
        explicit_bzero(s, sizeof(*s));
}

/* Roll c into a window of the last s->len bytes; 1 when the window now is the secret. */
static bool roll(const SecretScreen *s, uint64_t *hash, uint64_t pos, unsigned char *window, unsigned char c)
{
        size_t slot = (size_t) (pos % s->len);

        if (pos >= s->len) /* the oldest byte leaves */
                *hash = addmod(*hash, P - mulmod(value(window[slot]), s->top));
        *hash = addmod(mulmod(*hash, s->base), value(c));
        window[slot] = c;
        return pos + 1 >= s->len && *hash == s->target;
}

bool secret_screen_matches(const SecretScreen *s, const char *text)
{
        unsigned char window_buf[256], *window = window_buf;
        uint64_t hash = 0, pos = 0;
        bool found = false;

        if (s->len == 0)
                return false;
        if (s->len > sizeof(window_buf) && !(window = malloc(s->len)))
                return true; /* when in doubt, withhold */
        for (const char *p = text; *p && !found; p++)
                if (*p != '\n' && *p != '\r')
                        found = roll(s, &hash, pos++, window, (unsigned char) *p);
        if (window != window_buf)
                free(window);
        return found;
}

static void release_first(ScreenStream *st, ScreenLineFn fn, void *userdata)
{
        HeldLine *l = st->head;

        st->head = l->next;
        if (!st->head)
                st->tail = NULL;
        fn(userdata, l->withheld ? SCREEN_WITHHELD : l->text);
        free(l);
}

void screen_stream_line(ScreenStream *st, const SecretScreen *s, const char *line, uint64_t now_usec,
                        ScreenLineFn fn, void *userdata)
{
        size_t n = strlen(line);
        HeldLine *l;

        if (s->len == 0) {
                fn(userdata, line);
                return;
        }
        if (st->window_size != s->len) {
                free(st->window);
                st->window = calloc(1, s->len);
                st->window_size = st->window ? s->len : 0;
                st->hash = st->pos = 0;
                if (!st->window) {
                        fn(userdata, SCREEN_WITHHELD); /* when in doubt, withhold */
                        return;
                }
        }
        l = malloc(sizeof(*l) + n + 1);
        if (!l) {
                fn(userdata, SCREEN_WITHHELD);
                return;
        }
        memcpy(l->text, line, n + 1);
        l->next = NULL;
        l->since = now_usec;
        l->withheld = false;
        for (size_t k = 0; k < n; k++) {
                if (line[k] == '\r')
                        continue;
                if (!roll(s, &st->hash, st->pos++, st->window, (unsigned char) line[k]))
                        continue;
                /* The secret ends here: this line and every held one it reaches back into are withheld. */
                l->withheld = true;
                for (HeldLine *h = st->head; h; h = h->next)
                        if (h->end > st->pos - s->len)
                                h->withheld = true;
        }
        l->end = st->pos;
        if (st->tail)
                st->tail->next = l;
        else
                st->head = l;
        st->tail = l;
        /* What no later match can reach any more may go. */
        while (st->head && st->head->end + s->len - 1 <= st->pos)
                release_first(st, fn, userdata);
}

void screen_stream_release(ScreenStream *st, uint64_t deadline_usec, ScreenLineFn fn, void *userdata)
{
        while (st->head && (deadline_usec == UINT64_MAX || st->head->since < deadline_usec))
                release_first(st, fn, userdata);
}

uint64_t screen_stream_due(const ScreenStream *st)
{
        return st->head ? st->head->since + SCREEN_HOLD_USEC : UINT64_MAX;
}

void screen_stream_done(ScreenStream *st)
{
        while (st->head) {
                HeldLine *l = st->head;
                st->head = l->next;
                free(l);
        }
        st->tail = NULL;
        if (st->window)
                explicit_bzero(st->window, st->window_size);
        free(st->window);
        *st = (ScreenStream){ 0 };
}
