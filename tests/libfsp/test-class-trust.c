/* SPDX-License-Identifier: MIT */
/*
 * fsp_class_load_file_trusted(): a class file, or a directory on its way
 * from "/", that anyone but root can change is refused, naming the path and
 * why; masks still mask. Builds its trees under /tmp with chown and chmod,
 * so it needs root (and a / and /tmp that only root can change).
 */
#include <fcntl.h>
#include <fsp/class.h>
#include <sys/stat.h>

#include "macro.h"
#include "test.h"

#define CLASS_TEXT "[Service]\nExecutable=/usr/bin/winfsp-memfs\n"
#define USER       1000
#define GROUP      1000

static char base[] = "/tmp/test-class-trust-XXXXXX";
static char confd[64], file[96];

static void write_file(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t) strlen(text));
        if (fd >= 0)
                close(fd);
}

/* Load must give r; when an error is expected, its formatted text must be exactly message. */
static void check_load_(const char *where, int line, const char *path, int r, const char *message)
{
        FspClass *c = NULL;
        FspError err = {};
        char text[2048];
        int got = fsp_class_load_file_trusted("memfs", path, &c, &err, NULL, NULL);

        test_checks++;
        fsp_error_format(&err, text, sizeof(text));
        if (got != r || (r < 0 && message && strcmp(text, message) != 0) || (r < 0 && err.code != r)) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: load(%s) = %d \"%s\", expected %d \"%s\"\n", where, line, path,
                        got, got < 0 ? text : "", r, strempty(message));
        }
        fsp_class_unref(c);
}
#define check_load(path, r, message) check_load_(__FILE__, __LINE__, path, r, message)

/* The formatted error for path, refused because of what (a path) and why. */
static const char *refusal(const char *path, const char *what, const char *why)
{
        static char buf[1024];

        snprintf(
                buf, sizeof(buf),
                "%s: %s %s; the system launcher reads only class files and directories only root can change",
                path, what, why);
        return buf;
}

static void reset(void)
{
        CHECK(chown(base, 0, 0) == 0 && chmod(base, 0755) == 0);
        CHECK(chown(confd, 0, 0) == 0 && chmod(confd, 0755) == 0);
        unlink(file);
        write_file(file, CLASS_TEXT);
        CHECK(chown(file, 0, 0) == 0 && chmod(file, 0644) == 0);
}

static void test_file(void)
{
        reset();
        check_load(file, 0, NULL);

        CHECK(chown(file, USER, 0) == 0);
        check_load(file, -EPERM, refusal(file, file, "is owned by user 1000, not root"));
        /* The untrusted loader (the per-user launcher's) still reads it. */
        FspClass *c = NULL;
        CHECK_INT(fsp_class_load_file("memfs", file, &c, NULL, NULL, NULL), 0);
        fsp_class_unref(c);

        CHECK(chown(file, 0, GROUP) == 0 && chmod(file, 0664) == 0);
        check_load(file, -EPERM, refusal(file, file, "is writable by group 1000 (mode 0664)"));
        CHECK(chmod(file, 0646) == 0);
        check_load(file, -EPERM, refusal(file, file, "is writable by others (mode 0646)"));
        /* Sticky means nothing on a file. */
        CHECK(chmod(file, 01646) == 0);
        check_load(file, -EPERM, NULL);
        /* Read-only for all, or setgid: fine. */
        CHECK(chmod(file, 0400) == 0);
        check_load(file, 0, NULL);
}

static void test_directories(void)
{
        reset();
        CHECK(chown(confd, 0, GROUP) == 0 && chmod(confd, 0775) == 0);
        check_load(file, -EPERM, refusal(file, confd, "is writable by group 1000 (mode 0775, not sticky)"));
        CHECK(chmod(confd, 0757) == 0);
        check_load(file, -EPERM, refusal(file, confd, "is writable by others (mode 0757, not sticky)"));
        /* Sticky, as /tmp: others may add files but not replace root's. */
        CHECK(chmod(confd, 01777) == 0);
        check_load(file, 0, NULL);
        CHECK(chown(confd, USER, 0) == 0 && chmod(confd, 0755) == 0);
        check_load(file, -EPERM, refusal(file, confd, "is owned by user 1000, not root"));

        /* Any directory above counts, and is named. */
        reset();
        CHECK(chown(base, 0, GROUP) == 0 && chmod(base, 02775) == 0);
        check_load(file, -EPERM, refusal(file, base, "is writable by group 1000 (mode 2775, not sticky)"));

        /* A path through a symbolic link is checked where it leads. */
        reset();
        char via[96], via_file[128];
        snprintf(via, sizeof(via), "%s/via", base);
        snprintf(via_file, sizeof(via_file), "%s/memfs.conf", via);
        CHECK(symlink(confd, via) == 0);
        check_load(via_file, 0, NULL);
        CHECK(chmod(confd, 0777) == 0);
        check_load(via_file, -EPERM,
                   refusal(via_file, confd, "is writable by group 0 and others (mode 0777, not sticky)"));
        unlink(via);

        /* A missing file is missing, as for the untrusted loader. */
        reset();
        char missing[128];
        snprintf(missing, sizeof(missing), "%s/nothing.conf", confd);
        check_load(missing, -ENOENT, NULL);
}

static void test_masks_and_links(void)
{
        char other[96], target[128];

        /* /dev/null is writable by all, and still masks; so does root's empty file. */
        reset();
        unlink(file);
        CHECK(symlink("/dev/null", file) == 0);
        check_load(file, -ESRCH, NULL);
        unlink(file);
        write_file(file, "");
        check_load(file, -ESRCH, NULL);
        /* An empty file a user can write to is not a mask but a class to be: refused. */
        CHECK(chown(file, USER, 0) == 0);
        check_load(file, -EPERM, NULL);
        /* A mask in a directory others can change is refused with it. */
        CHECK(chown(file, 0, 0) == 0 && chmod(confd, 0777) == 0);
        check_load(file, -EPERM, NULL);

        /* A link to a class file elsewhere: that file and its directories count. */
        reset();
        snprintf(other, sizeof(other), "%s/other", base);
        snprintf(target, sizeof(target), "%s/memfs.conf", other);
        CHECK(mkdir(other, 0755) == 0);
        write_file(target, CLASS_TEXT);
        unlink(file);
        CHECK(symlink(target, file) == 0);
        check_load(file, 0, NULL);
        CHECK(chown(other, 0, GROUP) == 0 && chmod(other, 0770) == 0);
        check_load(file, -EPERM, refusal(file, other, "is writable by group 1000 (mode 0770, not sticky)"));
        CHECK(chmod(other, 0755) == 0 && chown(target, USER, USER) == 0);
        check_load(file, -EPERM, refusal(file, target, "is owned by user 1000, not root"));
        unlink(target);
        rmdir(other);
        unlink(file);
}

/* The test's own tree must start from directories only root can change, or nothing here means anything. */
static bool ancestors_are_root_only(const char *dir)
{
        _cleanup_free_ char *p = strdup(dir);
        struct stat st;

        for (char *slash; p && (slash = strrchr(p, '/'));) {
                *(slash == p ? slash + 1 : slash) = 0;
                if (stat(p, &st) < 0 || st.st_uid != 0 ||
                    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
                        fprintf(stderr, "SKIP: %s is not changeable by root only\n", p);
                        return false;
                }
                if (streq(p, "/"))
                        break;
        }
        return true;
}

int main(void)
{
        if (geteuid() != 0) {
                fprintf(stderr, "SKIP: needs root to chown test files\n");
                return TEST_SKIP;
        }
        if (!mkdtemp(base))
                return EXIT_FAILURE;
        snprintf(confd, sizeof(confd), "%s/conf.d", base);
        snprintf(file, sizeof(file), "%s/memfs.conf", confd);
        if (!ancestors_are_root_only(base) || mkdir(confd, 0755) < 0) {
                rmdir(base);
                return TEST_SKIP;
        }

        test_file();
        test_directories();
        test_masks_and_links();

        unlink(file);
        rmdir(confd);
        rmdir(base);
        return test_result();
}
