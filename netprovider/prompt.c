/* SPDX-License-Identifier: MIT */
/*
 * Terminal questions. The password is read straight into a locked secret
 * buffer, byte by byte, so it never sits in stdio's buffers; echo is
 * switched off only while it is typed, and a signal arriving meanwhile
 * puts the terminal back before the program dies.
 */
#include <fcntl.h>
#include <signal.h>
#include <termios.h>

#include "macro.h"
#include "prompt.h"

static int saved_tty = -1;
static struct termios saved_mode;

static void restore_terminal_and_die(int sig)
{
        if (saved_tty >= 0)
                tcsetattr(saved_tty, TCSAFLUSH, &saved_mode);
        if (write(saved_tty, "\n", 1) < 0) {
                /* dying anyway */
        }
        signal(sig, SIG_DFL);
        raise(sig);
}

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };

static void echo_off(int tty, struct sigaction old[])
{
        struct sigaction sa = { .sa_handler = restore_terminal_and_die };
        struct termios quiet;

        if (tcgetattr(tty, &saved_mode) < 0)
                return;
        saved_tty = tty;
        for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                sigaction(fatal_signals[i], &sa, &old[i]);
        quiet = saved_mode;
        quiet.c_lflag &= ~(tcflag_t) (ECHO | ECHOE | ECHOK);
        quiet.c_lflag |= ECHONL;
        tcsetattr(tty, TCSADRAIN, &quiet); /* not FLUSH: keep what was typed ahead */
}

static void echo_restore(int tty, const struct sigaction old[])
{
        if (saved_tty < 0)
                return;
        tcsetattr(tty, TCSADRAIN, &saved_mode);
        saved_tty = -1;
        for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                sigaction(fatal_signals[i], &old[i], NULL);
}

int prompt_open_terminal(int *ret_fd)
{
        int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

        if (fd < 0)
                return -ENXIO;
        if (!isatty(fd)) {
                close(fd);
                return -ENXIO;
        }
        *ret_fd = fd;
        return 0;
}

static int write_all(int fd, const char *s)
{
        size_t n = strlen(s);

        while (n > 0) {
                ssize_t k = write(fd, s, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                s += k;
                n -= (size_t) k;
        }
        return 0;
}

/* One line into buf (without the newline). -ECANCELED: end of input before any newline. */
static int read_line(int tty, char *buf, size_t capacity, size_t *ret_size)
{
        size_t n = 0;
        int r = 0;
        char c = 0;

        for (;;) {
                ssize_t k = read(tty, &c, 1);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (k == 0) {
                        r = n == 0 ? -ECANCELED : -EPIPE;
                        break;
                }
                if (c == '\n' || c == '\r')
                        break;
                if (n + 1 >= capacity) {
                        r = -EMSGSIZE;
                        break;
                }
                buf[n++] = c;
        }
        explicit_bzero(&c, sizeof(c)); /* the last byte typed may be part of a password */
        if (r < 0) {
                explicit_bzero(buf, n);
                return r;
        }
        buf[n] = 0;
        *ret_size = n;
        return 0;
}

int prompt_password(int tty, const char *question, FspSecret **ret)
{
        struct sigaction old[ELEMENTSOF(fatal_signals)];
        FspSecret *s;
        int r;

        r = fsp_secret_new(&s);
        if (r < 0)
                return r;
        /* Echo goes off before the question shows, so nothing typed ahead is echoed. */
        echo_off(tty, old);
        r = write_all(tty, question);
        if (r >= 0)
                r = read_line(tty, s->data, FSP_SECRET_MAX + 1, &s->size);
        echo_restore(tty, old);
        if (r < 0) {
                fsp_secret_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int prompt_line(int tty, const char *question, const char *suggestion, char **ret)
{
        _cleanup_free_ char *q = NULL;
        char buf[1024];
        size_t n;
        char *answer;
        int r;

        if (!isempty(suggestion)) {
                if (asprintf(&q, "%s [%s]: ", question, suggestion) < 0)
                        return -ENOMEM;
        } else if (asprintf(&q, "%s: ", question) < 0)
                return -ENOMEM;

        r = write_all(tty, q);
        if (r < 0)
                return r;
        r = read_line(tty, buf, sizeof(buf), &n);
        if (r < 0)
                return r;
        answer = strdup(n == 0 && suggestion ? suggestion : buf);
        if (!answer)
                return -ENOMEM;
        *ret = answer;
        return 0;
}

int prompt_remember(int tty, const char *remote, FspRemember *ret)
{
        _cleanup_free_ char *q = NULL;

        if (asprintf(&q, "Remember the password for %s? [n]ever, [s]ession, [f]orever", remote) < 0)
                return -ENOMEM;
        for (int tries = 0; tries < 3; tries++) {
                _cleanup_free_ char *answer = NULL;
                int r = prompt_line(tty, q, "never", &answer);

                if (r < 0)
                        return r;
                if (streq(answer, "n") || streq(answer, "never")) {
                        *ret = FSP_REMEMBER_NEVER;
                        return 0;
                }
                if (streq(answer, "s") || streq(answer, "session")) {
                        *ret = FSP_REMEMBER_SESSION;
                        return 0;
                }
                if (streq(answer, "f") || streq(answer, "forever")) {
                        *ret = FSP_REMEMBER_FOREVER;
                        return 0;
                }
                write_all(tty, "Please answer n, s or f.\n");
        }
        *ret = FSP_REMEMBER_NEVER;
        return 0;
}
