/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <fsp/class.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "macro.h"
#include "test.h"

static char root[] = "/tmp/test-class-dirs-XXXXXX";

static void put(const char *dir, const char *file, const char *text)
{
        char path[PATH_MAX];
        int fd;

        snprintf(path, sizeof(path), "%s/%s/%s", root, dir, file);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        if (fd >= 0) {
                CHECK(write(fd, text, strlen(text)) == (ssize_t) strlen(text));
                close(fd);
        }
}

static void put_link(const char *dir, const char *file, const char *target)
{
        char path[PATH_MAX];

        snprintf(path, sizeof(path), "%s/%s/%s", root, dir, file);
        CHECK(symlink(target, path) == 0);
}

static void remove_tree(void)
{
        char cmd[PATH_MAX + 16];

        /* A fixed prefix from mkdtemp: safe to hand to rm. */
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        if (system(cmd) != 0)
                fprintf(stderr, "could not remove %s\n", root);
}

static void expect_path(const FspClassDirs *d, const char *name, const char *dir)
{
        _cleanup_free_ char *path = NULL;
        char expected[PATH_MAX];

        snprintf(expected, sizeof(expected), "%s/%s/%s.conf", root, dir, name);
        CHECK_INT(fsp_class_dirs_find(d, name, &path), 0);
        CHECK_STR(path, expected);
}

static void expect_list(const FspClassDirs *d, const char *expected)
{
        _cleanup_strv_free_ char **names = NULL;
        char got[1024] = "";

        CHECK_INT(fsp_class_dirs_list(d, &names), 0);
        STRV_FOREACH (n, names) {
                if (got[0])
                        strcat(got, " ");
                strcat(got, *n);
        }
        CHECK_STR(got, expected);
}

static void test_from_path(void)
{
        FspClassDirs d = {};

        CHECK_INT(fsp_class_dirs_from_path("/a::/b:", &d), 0);
        CHECK_INT(strv_length(d.dirs), 2);
        CHECK_STR(d.dirs[0], "/a");
        CHECK_STR(d.dirs[1], "/b");
        fsp_class_dirs_done(&d);
        CHECK(d.dirs == NULL);
        CHECK_INT(fsp_class_dirs_from_path("", &d), 0);
        CHECK(d.dirs && !d.dirs[0]);
        fsp_class_dirs_done(&d);
        CHECK_INT(fsp_class_dirs_from_path(NULL, &d), 0);
        CHECK_INT(strv_length(d.dirs), 0);
        fsp_class_dirs_done(&d);
}

static void test_precedence_and_masking(void)
{
        char path[3 * PATH_MAX + 8];
        FspClassDirs d = {};
        char *found = NULL;

        for (const char *const *dir = (const char *const[]){"etc", "run", "lib", NULL}; *dir; dir++) {
                snprintf(path, sizeof(path), "%s/%s", root, *dir);
                CHECK(mkdir(path, 0755) == 0);
        }
        /* lib has everything; run and etc override or mask. */
        put("lib", "memfs.conf", "[Service]\nExecutable=/lib\n");
        put("lib", "masked-empty.conf", "[Service]\nExecutable=/lib\n");
        put("lib", "masked-null.conf", "[Service]\nExecutable=/lib\n");
        put("lib", "shadowed.conf", "[Service]\nExecutable=/lib\n");
        put("lib", "only-lib.conf", "[Service]\nExecutable=/lib\n");
        put("run", "shadowed.conf", "[Service]\nExecutable=/run\n");
        put("run", "masked-null.conf", "[Service]\nExecutable=/run\n");
        put("etc", "masked-empty.conf", "");
        put_link("etc", "masked-null.conf", "/dev/null");
        put("etc", "only-etc.conf", "[Service]\nExecutable=/etc\n");
        put("run", "empty-low.conf", "[Service]\nExecutable=/run\n");
        put("lib", "empty-low.conf", ""); /* a mask below a definition does nothing */
        put_link("run", "dangling.conf", "/nonexistent/x.conf");
        put("lib", "dangling.conf", "[Service]\nExecutable=/lib\n");
        /* Not classes: other suffixes, hidden files, bad names, directories named like a file. */
        put("etc", "README", "x");
        put("etc", "memfs.conf~", "x");
        put("etc", "memfs.conf.bak", "x");
        put("etc", ".hidden.conf", "[Service]\nExecutable=/x\n");
        put("etc", ".conf", "[Service]\nExecutable=/x\n");
        put("etc", "bad name.conf", "[Service]\nExecutable=/x\n");

        snprintf(path, sizeof(path), "%s/etc:%s/missing:%s/run:%s/lib", root, root, root, root);
        CHECK_INT(fsp_class_dirs_from_path(path, &d), 0);

        expect_path(&d, "memfs", "lib");
        expect_path(&d, "shadowed", "run");
        expect_path(&d, "only-etc", "etc");
        expect_path(&d, "only-lib", "lib");
        expect_path(&d, "empty-low", "run");
        expect_path(&d, "dangling", "lib");
        CHECK_ERRNO(fsp_class_dirs_find(&d, "masked-empty", &found), ESRCH);
        CHECK_ERRNO(fsp_class_dirs_find(&d, "masked-null", &found), ESRCH);
        CHECK_ERRNO(fsp_class_dirs_find(&d, "nothing", &found), ENOENT);
        CHECK_ERRNO(fsp_class_dirs_find(&d, ".hidden", &found), EINVAL);
        CHECK_ERRNO(fsp_class_dirs_find(&d, "../etc/memfs", &found), EINVAL);
        CHECK(found == NULL);

        expect_list(&d, "dangling empty-low memfs only-etc only-lib shadowed");

        /* The winner loads; a mask read as a file says masked too. */
        FspClass *c = NULL;
        FspError err;
        _cleanup_free_ char *p = NULL;
        CHECK_INT(fsp_class_dirs_find(&d, "shadowed", &p), 0);
        CHECK_INT(fsp_class_load_file("shadowed", p, &c, &err, NULL, NULL), 0);
        CHECK_STR(c ? c->executable : NULL, "/run");
        fsp_class_unref(c);
        fsp_class_dirs_done(&d);

        /* Only the lowest directory: the masks above it no longer count. */
        snprintf(path, sizeof(path), "%s/lib", root);
        CHECK_INT(fsp_class_dirs_from_path(path, &d), 0);
        expect_list(&d, "dangling masked-empty masked-null memfs only-lib shadowed");
        fsp_class_dirs_done(&d);

        /* No directory at all, or none that exists: nothing, no error. */
        CHECK_INT(fsp_class_dirs_from_path("/nonexistent/a:/nonexistent/b", &d), 0);
        expect_list(&d, "");
        CHECK_ERRNO(fsp_class_dirs_find(&d, "memfs", &found), ENOENT);
        fsp_class_dirs_done(&d);
}

/* An unreadable directory might hold a mask: it is an error, not "nothing here". */
static void check_unreadable(void)
{
        char path[PATH_MAX + 32], list[2 * PATH_MAX + 32];
        FspClassDirs d = {};
        char **names = NULL, *found = NULL;

        snprintf(path, sizeof(path), "%s/locked", root);
        snprintf(list, sizeof(list), "%s:%s/lib", path, root);
        CHECK_INT(fsp_class_dirs_from_path(list, &d), 0);
        CHECK_ERRNO(fsp_class_dirs_list(&d, &names), EACCES);
        CHECK_ERRNO(fsp_class_dirs_find(&d, "memfs", &found), EACCES);
        fsp_class_dirs_done(&d);
}

static void test_unreadable(void)
{
        char path[PATH_MAX + 32];
        int status;
        pid_t pid;

        snprintf(path, sizeof(path), "%s/locked", root);
        CHECK(mkdir(path, 0) == 0);
        if (geteuid() != 0) {
                check_unreadable();
                return;
        }
        /* Root reads everything: check as nobody, in a child. */
        CHECK(chmod(root, 0755) == 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                    setresuid(65534, 65534, 65534) < 0)
                        _exit(TEST_SKIP);
                check_unreadable();
                _exit(test_result());
        }
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
        if (!mkdtemp(root)) {
                perror("mkdtemp");
                return EXIT_FAILURE;
        }
        atexit(remove_tree);
        test_from_path();
        test_precedence_and_masking();
        test_unreadable();
        return test_result();
}
