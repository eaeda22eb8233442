/* SPDX-License-Identifier: MIT */
/*
 * Where startWithSecret's password comes from: stdin when it is a pipe or a
 * file, else a prompt on the terminal with echo off. Never argv, never the
 * environment. It goes straight into locked memory (FspSecret).
 */
#include <fcntl.h>
#include <signal.h>
#include <termios.h>

#include "launchctl.h"
#include "macro.h"

/* The terminal as it was, restored on every way out, including a signal. */
static int prompt_fd = -1;
static struct termios prompt_saved;
static volatile sig_atomic_t prompt_echo_off;

static void prompt_restore(void)
{
        if (prompt_echo_off) {
                (void) tcsetattr(prompt_fd, TCSAFLUSH, &prompt_saved);
                prompt_echo_off = 0;
        }
}

static void prompt_on_signal(int sig)
{
        prompt_restore();
        (void) !write(prompt_fd, "\n", 1);
        signal(sig, SIG_DFL);
        raise(sig);
}

/*
 * A signal that ends us restores the terminal first. ^Z is ignored while the
 * prompt is up: stopped and resumed, we would be reading with echo back on.
 */
static void prompt_catch_signals(bool catch)
{
        static const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
        struct sigaction sa = {.sa_handler = catch ? prompt_on_signal : SIG_DFL};
        struct sigaction stop = {.sa_handler = catch ? SIG_IGN : SIG_DFL};

        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                sigaction(signals[i], &sa, NULL);
        sigaction(SIGTSTP, &stop, NULL);
}

/* Read one line, without its newline, into s. End of file before anything: -ECANCELED. */
static int prompt_read_line(int fd, FspSecret *s)
{
        for (;;) {
                char c;
                ssize_t k = read(fd, &c, 1);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return s->size > 0 ? 0 : -ECANCELED;
                if (c == '\n')
                        return 0;
                if (s->size >= FSP_SECRET_MAX)
                        return -EMSGSIZE;
                s->data[s->size++] = c;
                s->data[s->size] = 0;
        }
}

static int secret_prompt(const char *class_name, const char *instance, FspSecret **ret)
{
        _cleanup_close_ int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
        struct termios quiet;
        FspSecret *s = NULL;
        int r;

        prompt_fd = tty >= 0 ? tty : STDIN_FILENO;
        if (tcgetattr(prompt_fd, &prompt_saved) < 0)
                return -errno;
        r = fsp_secret_new(&s);
        if (r < 0)
                return r;

        /* Echo goes off before the prompt shows, so nothing typed after it can appear. */
        quiet = prompt_saved;
        quiet.c_lflag &= ~(tcflag_t) ECHO;
        quiet.c_lflag |= ECHONL | ICANON;
        prompt_catch_signals(true);
        prompt_echo_off = 1;
        if (tcsetattr(prompt_fd, TCSAFLUSH, &quiet) < 0)
                r = -errno;
        else {
                dprintf(prompt_fd == tty ? tty : STDERR_FILENO, "Password for %s/%s: ", class_name,
                        instance);
                r = prompt_read_line(prompt_fd, s);
        }
        prompt_restore();
        prompt_catch_signals(false);
        if (r == -ECANCELED)
                (void) !write(prompt_fd == tty ? tty : STDERR_FILENO, "\n", 1);
        prompt_fd = -1;

        if (r < 0) {
                fsp_secret_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int secret_read(const char *class_name, const char *instance, FspSecret **ret)
{
        FspSecret *s = NULL;
        int r;

        if (isatty(STDIN_FILENO))
                return secret_prompt(class_name, instance, ret);
        r = fsp_secret_read_fd(STDIN_FILENO, FSP_SECRET_MAX, 0, &s);
        if (r < 0)
                return r;
        fsp_secret_chomp(s);
        *ret = s;
        return 0;
}
