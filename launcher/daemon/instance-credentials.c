/* SPDX-License-Identifier: MIT */
/*
 * Credentials (Credentials=1|3): the secret read from the client's fd, written
 * to the instance's stdin, and its answer read from stdout: "OK" accepts,
 * anything else refuses (WinFsp's protocol). The secret lives in locked
 * memory and is wiped once the instance is ready, unless Recovery=1 needs
 * it for restarts.
 */
#include <fcntl.h>
#include <fsp/launch.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "instance-internal.h"
#include "log.h"

bool instance_needs_credentials(const Instance *i)
{
        return i->class->credentials != FSP_CREDENTIALS_NONE;
}

bool instance_needs_answer(const Instance *i)
{
        return instance_needs_credentials(i) && i->class->credentials_reply == FSP_CREDENTIALS_REPLY_OK;
}

bool instance_writes_stdin(const Instance *i)
{
        return instance_needs_credentials(i) && i->class->credentials_stdin != FSP_CREDENTIALS_STDIN_NONE;
}

/* ------------------------------------------------------------ the secret from the client */

/* The secret is complete: check it, then spawn. */
static void secret_complete(Instance *i)
{
        if (i->secret->size > FSP_SECRET_MAX) {
                instance_fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "the secret is longer than %d bytes",
                                    FSP_SECRET_MAX);
                return;
        }
        i->secret->data[i->secret->size] = 0;
        if (memchr(i->secret->data, '\n', i->secret->size) || strlen(i->secret->data) != i->secret->size) {
                instance_fail_start(i, FSP_ERROR_INVALID_ARGUMENT,
                                    "the secret contains a newline or a NUL byte; it must be one line of UTF-8");
                return;
        }
        /* What it prints is screened for the secret for its whole life, through a hash of it. */
        int r = secret_screen_init(&i->screen, i->secret->data, i->secret->size);
        if (r < 0) {
                instance_fail_start(i, FSP_ERROR_START_FAILED, "cannot screen its output for the secret: %s",
                                    strerror(-r));
                return;
        }
        instance_spawn_or_fail(i);
}

static void stop_reading_secret(Instance *i)
{
        i->secret_source = source_unref(i->secret_source);
        i->secret_source_fd = safe_close(i->secret_source_fd);
        i->credentials_source = source_unref(i->credentials_source);
}

static int on_secret(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Instance *i = userdata;
        ssize_t k = read(fd, i->secret->data + i->secret->size, FSP_SECRET_MAX + 1 - i->secret->size);

        if (k < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (k > 0) {
                i->secret->size += (size_t) k;
                if (i->secret->size <= FSP_SECRET_MAX)
                        return 0;
        }
        stop_reading_secret(i);
        if (k < 0) {
                instance_fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "could not read the secret: %s",
                                    strerror(errno));
                return 0;
        }
        secret_complete(i);
        return 0;
}

static int on_secret_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        Instance *i = userdata;
        char d[32];

        stop_reading_secret(i);
        instance_fail_start(i, FSP_ERROR_TIMEOUT, "the secret did not reach its end within %s",
                            duration_text(i->class->credentials_timeout_usec, d));
        return 0;
}

/* A regular file or memfd holds all of it already: its content, from the start. */
static int read_secret_file(Instance *i, int fd)
{
        ssize_t k;

        do
                k = pread(fd, i->secret->data, FSP_SECRET_MAX + 1, 0);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        i->secret->size = (size_t) k;
        secret_complete(i);
        return 0;
}

/* A pipe or socket may be one the client never closes: read it like any other event source. */
int instance_read_secret(Instance *i, int fd)
{
        struct stat st;
        int r;

        r = fsp_secret_new(&i->secret);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISREG(st.st_mode))
                return read_secret_file(i, fd);
        if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) && !S_ISCHR(st.st_mode))
                return -EBADFD;
        i->secret_source_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (i->secret_source_fd < 0)
                return -errno;
        (void) fcntl(i->secret_source_fd, F_SETFL, O_NONBLOCK);
        r = sd_event_add_io(i->env->event, &i->secret_source, i->secret_source_fd, EPOLLIN, on_secret, i);
        if (r < 0)
                return r;
        return sd_event_add_time_relative(i->env->event, &i->credentials_source, CLOCK_MONOTONIC,
                                          i->class->credentials_timeout_usec, 0, on_secret_timeout, i);
}

/* ------------------------------------------------------------ the handshake */

/* 1: the answer is OK, 0: not complete yet, -1: anything else. */
static int answer_verdict(const char *a, size_t n)
{
        const char *nl = memchr(a, '\n', n);

        if (nl) {
                size_t len = (size_t) (nl - a);
                if (len > 0 && a[len - 1] == '\r')
                        len--;
                return len == 2 && a[0] == 'O' && a[1] == 'K' ? 1 : -1;
        }
        if (n == 2 && a[0] == 'O' && a[1] == 'K')
                return 1; /* WinFsp file systems may answer without a newline */
        if (n == 0 || (n == 1 && a[0] == 'O'))
                return 0;
        if (n == 3 && a[0] == 'O' && a[1] == 'K' && a[2] == '\r')
                return 0;
        return n >= ANSWER_MAX ? -1 : 0;
}

/*
 * The first line of a refusal, for the error message: control characters
 * shown as '?', and the secret, where the answer repeats it (memfs's
 * "NO wrong password" for the password "wrong"), as "*****": the rest of
 * the answer still says why.
 */
static char *answer_line(const Instance *i)
{
        static const char mask[] = "*****";
        size_t n = i->answer_size, k = 0, secret_size = i->secret ? i->secret->size : 0;
        const char *nl = memchr(i->answer, '\n', n);
        char *s;

        if (nl)
                n = (size_t) (nl - i->answer);
        if (n > 0 && i->answer[n - 1] == '\r')
                n--;
        s = malloc(n * (sizeof(mask) - 1) + 1); /* room for a mask per byte: a 1-byte secret */
        if (!s)
                return NULL;
        for (size_t p = 0; p < n;) {
                if (secret_size > 0 && n - p >= secret_size && memcmp(i->answer + p, i->secret->data, secret_size) == 0) {
                        memcpy(s + k, mask, sizeof(mask) - 1);
                        k += sizeof(mask) - 1;
                        p += secret_size;
                        continue;
                }
                unsigned char c = (unsigned char) i->answer[p++];
                s[k++] = c < ' ' || c == 0x7f ? '?' : (char) c;
        }
        s[k] = 0;
        return s;
}

static void refuse(Instance *i)
{
        _cleanup_free_ char *line = answer_line(i);

        if (isempty(line))
                instance_fail_start(i, FSP_ERROR_AUTHENTICATION_FAILED,
                                    "%s/%s refused the credentials (it closed its output without answering OK)",
                                    i->class_name, i->name);
        else
                instance_fail_start(i, FSP_ERROR_AUTHENTICATION_FAILED, "%s/%s refused the credentials: %s",
                                    i->class_name, i->name, line);
}

static void accepted(Instance *i)
{
        const char *nl = memchr(i->answer, '\n', i->answer_size);

        i->answered_ok = true;
        i->credentials_source = source_unref(i->credentials_source);
        log_info("%s/%s: credentials accepted", i->class_name, i->name);
        /* Whatever followed the answer is ordinary output. */
        if (nl)
                instance_feed_stdout(i, nl + 1, i->answer_size - (size_t) (nl + 1 - i->answer));
        instance_check_ready(i);
}

int instance_read_answer(Instance *i)
{
        ssize_t k = read(i->stdout_fd, i->answer + i->answer_size, ANSWER_MAX - i->answer_size);
        int verdict;

        if (k < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return -EAGAIN;
                refuse(i);
                return 1;
        }
        if (k == 0) {
                if (answer_verdict(i->answer, i->answer_size) == 1) {
                        accepted(i);
                        return 1;
                }
                if (i->answer_size > 0) {
                        refuse(i);
                        return 1;
                }
                /*
                 * Its output closed without a word: silence is not a refusal. The
                 * exit that usually follows is reported (a program that could not
                 * even load its libraries), or CredentialsTimeout= if none comes.
                 */
                i->stdout_source = source_unref(i->stdout_source);
                return 1;
        }
        i->answer_size += (size_t) k;
        verdict = answer_verdict(i->answer, i->answer_size);
        if (verdict == 0)
                return 0;
        if (verdict < 0)
                refuse(i);
        else
                accepted(i);
        return 1;
}

bool instance_awaiting_answer(const Instance *i)
{
        return instance_needs_answer(i) && !i->answered_ok && !i->start_error_name && i->stdout_fd >= 0 && i->answer;
}

static int on_credentials_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        Instance *i = userdata;
        char d[32];

        i->credentials_source = source_unref(i->credentials_source);
        if (i->answer && i->answer_size > 0 && !i->answered_ok)
                refuse(i);
        else
                instance_fail_start(i, FSP_ERROR_TIMEOUT,
                                    "%s/%s did not answer the credentials within %s (CredentialsTimeout=); it "
                                    "was stopped",
                                    i->class_name, i->name, duration_text(i->class->credentials_timeout_usec, d));
        return 0;
}

int instance_credentials_prepare(Instance *i)
{
        if (instance_needs_answer(i) && !i->answer && !(i->answer = calloc(1, ANSWER_MAX)))
                return -ENOMEM;
        return 0;
}

/*
 * %S: a sealed memfd with the password and a newline, for programs that read
 * a password file (-passfile, --password-command "cat %S", passwd_file=).
 * The program gets it as an inherited descriptor; the launcher's own copy is
 * closed once the program is spawned.
 */
int instance_secret_file(Instance *i, int *ret_fd)
{
        _cleanup_close_ int fd = -1;
        int r;

        fd = memfd_create("winfsp-secret", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return -errno;
        if ((r = fsp_secret_write(i->secret, fd)) < 0)
                return r;
        if (write(fd, "\n", 1) != 1)
                return -errno;
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return -errno;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* What CredentialsStdin= says to write; the password only through fsp_secret_write(). */
static int write_credentials(Instance *i, int fd)
{
        const char *user = strv_length(i->args) >= 3 ? i->args[2] : "";
        int r;

        switch (i->class->credentials_stdin) {
        case FSP_CREDENTIALS_STDIN_USER_PASSWORD_LINES:
                if (dprintf(fd, "%s\n", user) < 0)
                        return -errno;
                __attribute__((fallthrough));
        case FSP_CREDENTIALS_STDIN_PASSWORD_LINE:
                if ((r = fsp_secret_write(i->secret, fd)) < 0)
                        return r;
                return write(fd, "\n", 1) == 1 ? 0 : -errno;
        case FSP_CREDENTIALS_STDIN_PASSWORD:
                return fsp_secret_write(i->secret, fd);
        default:
                return 0;
        }
}

void instance_credentials_send(Instance *i, int stdin_fd)
{
        int r = write_credentials(i, stdin_fd); /* then EOF: it reads to the end */

        safe_close(stdin_fd);
        if (r < 0)
                log_warning_errno(r, "%s/%s: could not pass the credentials: %m", i->class_name, i->name);
        if (!instance_needs_answer(i))
                return; /* CredentialsReply=none: its mount (or READY=1) tells, StartTimeout= bounds it */
        r = sd_event_add_time_relative(i->env->event, &i->credentials_source, CLOCK_MONOTONIC,
                                       i->class->credentials_timeout_usec, 0, on_credentials_timeout, i);
        if (r < 0)
                instance_fail_start(i, FSP_ERROR_START_FAILED, "%s/%s: cannot time the credentials: %s",
                                    i->class_name, i->name, strerror(-r));
}
