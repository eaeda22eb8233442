/* SPDX-License-Identifier: MIT */
/*
 * What launchctl prints: "Key: value" lines, a table, or JSON. The JSON
 * keys are GetInfo's and ListClasses' own, with their values and units, so
 * a script reads the same thing the D-Bus API says.
 */
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <time.h>

#include "launchctl.h"
#include "macro.h"
#include "utf8.h"

/* A JSON string; bytes that are not UTF-8 become U+FFFD, so the output always parses. */
void json_write_string(FILE *f, const char *s)
{
        const unsigned char *p = (const unsigned char *) strempty(s), *end = p + strlen((const char *) p);

        fputc('"', f);
        while (p < end) {
                size_t n = utf8_char_length(p, (size_t) (end - p));

                if (n == 0) {
                        fputs("\\ufffd", f);
                        p++;
                } else if (*p == '"' || *p == '\\') {
                        fprintf(f, "\\%c", *p++);
                } else if (*p == '\n') {
                        fputs("\\n", f), p++;
                } else if (*p == '\t') {
                        fputs("\\t", f), p++;
                } else if (char_is_control(*p)) {
                        fprintf(f, "\\u%04x", *p++);
                } else {
                        fwrite(p, 1, n, f);
                        p += n;
                }
        }
        fputc('"', f);
}

static void json_write_strv(FILE *f, char **l)
{
        fputc('[', f);
        STRV_FOREACH (s, l) {
                if (s != l)
                        fputc(',', f);
                json_write_string(f, *s);
        }
        fputc(']', f);
}

/* ---------------------------------------------------------------- text helpers */

/* A word as a shell would need it: bare when safe, else in single quotes. */
static void write_shell_word(FILE *f, const char *w)
{
        if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-") ==
                          strlen(w)) {
                fputs(w, f);
                return;
        }
        fputc('\'', f);
        for (; *w; w++)
                if (*w == '\'')
                        fputs("'\\''", f);
                else
                        fputc(*w, f);
        fputc('\'', f);
}

/* Control characters in text from elsewhere would break our lines and tables. */
static void write_printable(FILE *f, const char *s)
{
        for (const unsigned char *p = (const unsigned char *) strempty(s); *p; p++)
                fputc(char_is_control(*p) ? ' ' : *p, f);
}

static void write_user(FILE *f, uid_t uid)
{
        struct passwd *pw = getpwuid(uid);

        if (pw)
                fprintf(f, "%u (%s)", (unsigned) uid, pw->pw_name);
        else
                fprintf(f, "%u", (unsigned) uid);
}

/* ISO 8601 in local time, with the offset written +HH:MM. */
static void write_time(FILE *f, uint64_t usec)
{
        time_t t = (time_t) (usec / USEC_PER_SEC);
        char buf[64];
        struct tm tm;
        size_t n;

        if (usec == 0 || !localtime_r(&t, &tm) ||
            (n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm)) < 5) {
                fputs("-", f);
                return;
        }
        fprintf(f, "%.*s:%s", (int) (n - 2), buf, buf + n - 2);
}

/* An exit status as the launcher reports it: a code, or 128 + signal. */
static void write_status(FILE *f, int status)
{
        if (status > 128 && status < 128 + NSIG && sigabbrev_np(status - 128))
                fprintf(f, "%d (killed by SIG%s)", status, sigabbrev_np(status - 128));
        else
                fprintf(f, "%d", status);
}

/* ---------------------------------------------------------------- info */

static void print_info_json(FILE *f, const FspInstanceInfo *i)
{
        fputs("{\"Class\":", f);
        json_write_string(f, i->class_name);
        fputs(",\"Instance\":", f);
        json_write_string(f, i->instance);
        fputs(",\"Argv\":", f);
        json_write_strv(f, i->argv);
        fprintf(f, ",\"Pid\":%u,\"State\":", (unsigned) i->pid);
        json_write_string(f, i->state);
        fputs(",\"MountPoint\":", f);
        json_write_string(f, i->mount_point);
        fprintf(f,
                ",\"StartedBy\":%u,\"RunAs\":%u,\"StartTime\":%" PRIu64 ",\"Restarts\":%" PRIu32
                ",\"LastExitStatus\":%" PRIi32 "}\n",
                (unsigned) i->started_by, (unsigned) i->run_as, i->start_time_usec, i->restarts,
                i->last_exit_status);
}

static void print_info_text(FILE *f, const FspInstanceInfo *i)
{
        fputs("Class: ", f);
        write_printable(f, i->class_name);
        fputs("\nInstance: ", f);
        write_printable(f, i->instance);
        fputs("\nState: ", f);
        write_printable(f, i->state);
        fprintf(f, "\nPid: %u\nMountPoint: ", (unsigned) i->pid);
        write_printable(f, isempty(i->mount_point) ? "-" : i->mount_point);
        fputs("\nArgv:", f);
        STRV_FOREACH (a, i->argv) {
                fputc(' ', f);
                write_shell_word(f, *a);
        }
        fputs("\nStartedBy: ", f);
        write_user(f, i->started_by);
        fputs("\nRunAs: ", f);
        write_user(f, i->run_as);
        fputs("\nStartTime: ", f);
        write_time(f, i->start_time_usec);
        fprintf(f, "\nRestarts: %" PRIu32 "\nLastExitStatus: ", i->restarts);
        if (i->last_exit_status < 0)
                fputs("none", f);
        else
                write_status(f, i->last_exit_status);
        fputc('\n', f);
}

void print_info(FILE *f, const FspInstanceInfo *info, bool json)
{
        if (json)
                print_info_json(f, info);
        else
                print_info_text(f, info);
}

/* ---------------------------------------------------------------- list, classes, stop */

static int compare_ids(const void *a, const void *b)
{
        const FspInstanceId *x = a, *y = b;
        int c = strcmp(x->class_name, y->class_name);
        return c ? c : strcmp(x->instance, y->instance);
}

void print_list(FILE *f, FspInstanceId *ids, size_t n, bool json)
{
        if (n > 0)
                qsort(ids, n, sizeof(*ids), compare_ids);
        if (json)
                fputc('[', f);
        for (size_t k = 0; k < n; k++) {
                if (json) {
                        fputs(k ? ",{\"Class\":" : "{\"Class\":", f);
                        json_write_string(f, ids[k].class_name);
                        fputs(",\"Instance\":", f);
                        json_write_string(f, ids[k].instance);
                        fputc('}', f);
                } else {
                        write_printable(f, ids[k].class_name);
                        fputc(' ', f);
                        write_printable(f, ids[k].instance);
                        fputc('\n', f);
                }
        }
        if (json)
                fputs("]\n", f);
}

static const char *credentials_to_string(uint32_t credentials, char *buf, size_t size)
{
        if (credentials == 0)
                return "none";
        if (credentials == 1)
                return "password";
        if (credentials == 3)
                return "user+password";
        snprintf(buf, size, "%" PRIu32, credentials);
        return buf;
}

/* Columns are as wide as their widest cell, counted in characters, not bytes. */
static size_t text_width(const char *s)
{
        size_t w = 0;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                w += (*p & 0xc0) != 0x80;
        return w;
}

static void write_cell(FILE *f, const char *s, size_t width)
{
        write_printable(f, s);
        for (size_t w = text_width(s); w < width; w++)
                fputc(' ', f);
        fputs("  ", f);
}

static int compare_classes(const void *a, const void *b)
{
        return strcmp(((const FspClassInfo *) a)->name, ((const FspClassInfo *) b)->name);
}

static void print_classes_json(FILE *f, const FspClassInfo *classes, size_t n)
{
        fputc('[', f);
        for (size_t k = 0; k < n; k++) {
                fputs(k ? ",{\"Name\":" : "{\"Name\":", f);
                json_write_string(f, classes[k].name);
                fputs(",\"Description\":", f);
                json_write_string(f, classes[k].description);
                fprintf(f, ",\"Credentials\":%" PRIu32 ",\"CanStart\":%s}", classes[k].credentials,
                        classes[k].can_start ? "true" : "false");
        }
        fputs("]\n", f);
}

void print_classes(FILE *f, FspClassInfo *classes, size_t n, bool json)
{
        size_t name_width = strlen("CLASS"), cred_width = strlen("CREDENTIALS");
        char buf[16];

        if (n > 0)
                qsort(classes, n, sizeof(*classes), compare_classes);
        if (json) {
                print_classes_json(f, classes, n);
                return;
        }
        for (size_t k = 0; k < n; k++) {
                name_width = MAX(name_width, text_width(classes[k].name));
                cred_width = MAX(cred_width,
                                 strlen(credentials_to_string(classes[k].credentials, buf, sizeof(buf))));
        }
        write_cell(f, "CLASS", name_width);
        write_cell(f, "CREDENTIALS", cred_width);
        fputs("START  DESCRIPTION\n", f);
        for (size_t k = 0; k < n; k++) {
                write_cell(f, classes[k].name, name_width);
                write_cell(f, credentials_to_string(classes[k].credentials, buf, sizeof(buf)), cred_width);
                write_cell(f, classes[k].can_start ? "yes" : "no", strlen("START"));
                write_printable(f, classes[k].description);
                fputc('\n', f);
        }
}

/* Quiet for a clean exit; the status when there is something to know. */
/*
 * A stop is a stop: ending with status 0, or by the SIGTERM it was sent, is
 * what a stop is meant to do and says nothing; not known (an adopted
 * instance) says nothing either. What else it ended with is told as such.
 */
void print_stop_status(FILE *f, int status, bool json)
{
        if (json) {
                fprintf(f, "{\"Status\":%d}\n", status);
                return;
        }
        if (status == 0 || status == 128 + SIGTERM || status < 0)
                return;
        if (status == 128 + SIGKILL) {
                fputs("stopped: it did not end on SIGTERM within its StopTimeout=, and was killed (SIGKILL)\n", f);
                return;
        }
        fputs("stopped; it exited with status ", f);
        write_status(f, status);
        fputc('\n', f);
}
