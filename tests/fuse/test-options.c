/* SPDX-License-Identifier: MIT */
/*
 * The options as a user sees them: -u as the mount's source and -F as its
 * type in /proc/self/mountinfo, the root taking the mount point's owner
 * and mode, allow_other and default_permissions as root, -n and -s giving
 * ENOSPC and EFBIG exactly at their limits (and statfs saying so),
 * connection and loop options (-o splice_read, which libfsp-fuse cannot
 * honour, no_writeback_cache, [no_]follow_caller) leaving a working
 * mount, and --help listing
 * exactly the options of the man page.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "test.h"

#define MAX_OPTIONS 64

static const char *man_page;

static void start(MemfsProc *m, const char *const *args)
{
        CHECK_INT(harness_make_dir(m), 0);
        CHECK_INT(harness_spawn(m, &(SpawnOptions) { .args = args }), 0);
        CHECK(harness_wait_mounted(m->mnt, 10000));
}

static void stop(MemfsProc *m)
{
        int status;

        CHECK_INT(kill(m->pid, SIGTERM), 0);
        status = harness_wait_exit(m, 10000);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        harness_cleanup(m);
}

static void test_source_type_and_root(void)
{
        const char *args[] = { "-u", "//memfs/share", "-F", "myfs", NULL };
        char *line;
        struct stat st;
        MemfsProc m;

        CHECK_INT(harness_make_dir(&m), 0);
        /* The root directory takes the mount point's owner, group and mode. */
        CHECK_INT(chown(m.mnt, 4242, 4343), 0);
        CHECK_INT(chmod(m.mnt, 0751), 0);
        CHECK_INT(harness_spawn(&m, &(SpawnOptions) { .args = args }), 0);
        CHECK(harness_wait_mounted(m.mnt, 10000));

        line = harness_mountinfo(m.mnt);
        fprintf(stderr, "mountinfo: %s", line ? line : "(none)\n");
        CHECK_CONTAINS(line, " - fuse.myfs //memfs/share ");
        CHECK_CONTAINS(line, "default_permissions");
        CHECK_CONTAINS(line, "allow_other");
        free(line);

        CHECK_INT(stat(m.mnt, &st), 0);
        CHECK_INT(st.st_uid, 4242);
        CHECK_INT(st.st_gid, 4343);
        CHECK_INT(st.st_mode & 07777, 0751);
        stop(&m);
}

static int create_file(const char *dir, int i)
{
        char path[512];
        int fd;

        snprintf(path, sizeof(path), "%s/f%d", dir, i);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

/* -n counts every inode, the root directory included. */
static void test_max_nodes(void)
{
        const char *args[] = { "-n", "8", "-s", "1M", NULL };
        struct statvfs sv;
        char path[512];
        MemfsProc m;

        start(&m, args);
        for (int i = 0; i < 7; i++)
                CHECK_INT(create_file(m.mnt, i), 0);
        CHECK_ERRNO(create_file(m.mnt, 7), ENOSPC);
        snprintf(path, sizeof(path), "%s/d", m.mnt);
        CHECK_ERRNO(mkdir(path, 0755) < 0 ? -errno : 0, ENOSPC);

        CHECK_INT(statvfs(m.mnt, &sv), 0);
        CHECK_INT(sv.f_files, 8);
        CHECK_INT(sv.f_ffree, 0);
        CHECK_INT(sv.f_namemax, 255);
        /* Capacity is max nodes times max file size, as WinFsp's memfs reports it. */
        CHECK_INT((long long) sv.f_blocks * (long long) sv.f_frsize, 8LL * 1024 * 1024);

        snprintf(path, sizeof(path), "%s/f0", m.mnt);
        CHECK_INT(unlink(path), 0);
        CHECK_INT(create_file(m.mnt, 7), 0);
        stop(&m);
}

static void test_max_file_size(void)
{
        const char *args[] = { "-s", "1M", NULL };
        static char buf[1024 * 1024];
        char path[512];
        MemfsProc m;
        int fd;

        start(&m, args);
        snprintf(path, sizeof(path), "%s/big", m.mnt);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        CHECK_INT(pwrite(fd, buf, sizeof(buf), 0), (long long) sizeof(buf));
        /* At the limit: EFBIG from write(2) itself. */
        CHECK_ERRNO(pwrite(fd, "x", 1, sizeof(buf)) < 0 ? -errno : 0, EFBIG);
        /* Across it: cut short, as with RLIMIT_FSIZE. */
        CHECK_INT(pwrite(fd, "0123456789", 10, sizeof(buf) - 4), 4);
        CHECK_ERRNO(ftruncate(fd, sizeof(buf) + 1) < 0 ? -errno : 0, EFBIG);
        CHECK_INT(ftruncate(fd, sizeof(buf)), 0);
        CHECK_ERRNO(posix_fallocate(fd, 0, sizeof(buf) + 1) == 0 ? 0 : -EFBIG, EFBIG);
        CHECK_INT(posix_fallocate(fd, 0, sizeof(buf)), 0);
        close(fd);
        stop(&m);
}

/*
 * Connection options are the user's last word, even one the library cannot
 * honour: -o splice_read (libfsp-fuse reads requests with read(2)) must
 * not make the kernel's INIT fail, and the file system must answer.
 */
static void test_connection_options(void)
{
        static const char *const cases[][3] = {
                { "-o", "splice_read", NULL },
                { "-o", "no_writeback_cache,max_write=65536", NULL },
                { "-o", "no_follow_caller", NULL },
                { "-o", "no_follow_caller,follow_caller,max_threads=1", NULL },
        };
        char path[400];

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                MemfsProc m;
                int fd;

                start(&m, cases[i]);
                snprintf(path, sizeof(path), "%s/f", m.mnt);
                fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
                CHECK(fd >= 0);
                CHECK_INT(pwrite(fd, "hello", 5, 0), 5);
                CHECK_INT(fsync(fd), 0);
                close(fd);
                CHECK(kill(m.pid, 0) == 0);
                stop(&m);
        }
}

/* Option names in the tags of a man page's .TP paragraphs ("\-" is a hyphen there). */
static size_t man_options(const char *path, char opts[][32])
{
        FILE *f = fopen(path, "re");
        char line[1024];
        bool tag = false;
        size_t n = 0;

        if (!f)
                return 0;
        while (fgets(line, sizeof(line), f)) {
                bool this_is_tag = tag;
                tag = strncmp(line, ".TP", 3) == 0;
                if (!this_is_tag)
                        continue;
                for (char *p = line; *p && n < MAX_OPTIONS; p++) {
                        size_t k = 0;
                        if (!(p[0] == '\\' && p[1] == '-'))
                                continue;
                        while (p[0] == '\\' && p[1] == '-' && k < 2) {
                                opts[n][k++] = '-';
                                p += 2;
                        }
                        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                               (k > 1 && (*p == '-' || (*p == '\\' && p[1] == '-'))))
                                if (*p == '\\')
                                        opts[n][k++] = '-', p += 2;
                                else
                                        opts[n][k++] = *p++;
                        opts[n][k] = 0;
                        if (k > 1)
                                n++;
                        p--;
                }
        }
        fclose(f);
        return n;
}

/* Option names in the left column of --help ("  -h, --help   text"). */
static size_t help_options(char opts[][32])
{
        char cmd[512], line[1024];
        size_t n = 0;
        FILE *p;

        snprintf(cmd, sizeof(cmd), "'%s' --help", memfs_binary);
        p = popen(cmd, "re");
        if (!p)
                return 0;
        while (fgets(line, sizeof(line), p)) {
                char *end = strstr(line + 2, "  ");
                if (strncmp(line, "  -", 3) != 0)
                        continue;
                if (end)
                        *end = 0;
                for (char *t = strtok(line, " ,"); t && n < MAX_OPTIONS; t = strtok(NULL, " ,"))
                        if (t[0] == '-' && t[1] != 0)
                                snprintf(opts[n++], 32, "%s", t);
        }
        pclose(p);
        return n;
}

static bool listed(char opts[][32], size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(opts[i], name) == 0)
                        return true;
        return false;
}

static void test_help_matches_man_page(void)
{
        char man[MAX_OPTIONS][32], help[MAX_OPTIONS][32];
        size_t n_man = man_options(man_page, man), n_help = help_options(help);

        CHECK(n_man >= 10);
        CHECK(n_help >= 10);
        for (size_t i = 0; i < n_help; i++) {
                if (!listed(man, n_man, help[i]))
                        fprintf(stderr, "--help lists %s, the man page does not\n", help[i]);
                CHECK(listed(man, n_man, help[i]));
        }
        for (size_t i = 0; i < n_man; i++) {
                if (!listed(help, n_help, man[i]))
                        fprintf(stderr, "the man page lists %s, --help does not\n", man[i]);
                CHECK(listed(help, n_help, man[i]));
        }
}

int main(int argc, char *argv[])
{
        memfs_binary = argc > 1 ? argv[1] : NULL;
        man_page = argc > 2 ? argv[2] : NULL;
        /* The help check needs no privileges; the rest mounts. */
        if (memfs_binary && man_page && access(memfs_binary, X_OK) == 0)
                test_help_matches_man_page();
        harness_require_root();
        alarm(120);

        test_source_type_and_root();
        test_max_nodes();
        test_max_file_size();
        test_connection_options();
        return test_result();
}
