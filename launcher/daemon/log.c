/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <sys/stat.h>

#include "log.h"

int log_max_level = LOG_INFO;
static bool log_to_journal_stream;

/* JOURNAL_STREAM is "dev:ino" of the stream systemd gave us as stderr. */
void log_open(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0)
                log_to_journal_stream = st.st_dev == dev && st.st_ino == ino;
}

static void log_write(int level, const char *fmt, va_list ap)
{
        char text[2048];

        vsnprintf(text, sizeof(text), fmt, ap);
        if (log_to_journal_stream)
                fprintf(stderr, "<%d>%s\n", level, text);
        else
                fprintf(stderr, "winfsp-launcher: %s\n", text);
}

void log_full(int level, const char *fmt, ...)
{
        va_list ap;

        if (level > log_max_level)
                return;
        va_start(ap, fmt);
        log_write(level, fmt, ap);
        va_end(ap);
}

int log_full_errno(int level, int error, const char *fmt, ...)
{
        va_list ap;

        error = error < 0 ? -error : error;
        if (level <= log_max_level) {
                errno = error;
                va_start(ap, fmt);
                log_write(level, fmt, ap);
                va_end(ap);
        }
        return -error;
}
