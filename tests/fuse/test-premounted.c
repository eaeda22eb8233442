/* SPDX-License-Identifier: MIT */
/*
 * memfs on a FUSE connection mounted for it, "-m /dev/fd/3", as the
 * launcher will hand it (MountBy=launcher): the test opens /dev/fuse,
 * mounts it with fsopen()/fsmount()/move_mount() and the kernel options a
 * memfs class carries (default_permissions, allow_other), and starts
 * memfs with the connection as fd 3. memfs must serve it: the root belongs
 * to the user memfs runs as, files can be written and read back, another
 * user is refused by the kernel's permission checks, and SIGTERM ends it
 * with status 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "test.h"

#define UNPRIVILEGED_UID 65534

static int mount_connection(int fuse_fd, const char *mnt)
{
        char fd_text[16];
        int fs, m, r = 0;

        fs = fsopen("fuse", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        snprintf(fd_text, sizeof(fd_text), "%d", fuse_fd);
        if (fsconfig(fs, FSCONFIG_SET_STRING, "fd", fd_text, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "rootmode", "40000", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "user_id", "0", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "group_id", "0", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "subtype", "memfs", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "source", "//memfs/premounted", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_FLAG, "default_permissions", NULL, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_FLAG, "allow_other", NULL, 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                r = -errno;
        if (r == 0) {
                m = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
                if (m < 0)
                        r = -errno;
                else {
                        if (move_mount(m, "", AT_FDCWD, mnt, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                                r = -errno;
                        close(m);
                }
        }
        close(fs);
        return r;
}

static pid_t start_memfs(int fuse_fd)
{
        pid_t pid = fork();

        if (pid == 0) {
                /* dup2() onto itself would keep close-on-exec */
                if (fuse_fd == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(fuse_fd, 3) < 0)
                        _exit(126);
                unsetenv("NOTIFY_SOCKET");
                execl(memfs_binary, "winfsp-memfs", "-u", "//memfs/premounted", "-m", "/dev/fd/3", (char *) NULL);
                _exit(127);
        }
        return pid;
}

/*
 * The checks that touch the mount, in a child with a deadline: a FUSE
 * mount whose server never answers makes every access wait forever.
 * Exit status: the number of failed checks, or 100 for the deadline.
 */
static int check_mount(const char *mnt)
{
        char path[400], buf[16] = "";
        struct stat st;
        int fd, failed = 0;
        ssize_t n;

        alarm(20);
        if (stat(mnt, &st) < 0 || !S_ISDIR(st.st_mode) || (st.st_mode & 07777) != 0755 || st.st_uid != 0) {
                fprintf(stderr, "FAIL: the root is not a 0755 directory of root's\n");
                failed++;
        }
        snprintf(path, sizeof(path), "%s/f", mnt);
        fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
        if (fd < 0 || write(fd, "hello", 5) != 5 || (n = pread(fd, buf, sizeof(buf) - 1, 0)) != 5 ||
            strcmp(buf, "hello") != 0) {
                fprintf(stderr, "FAIL: cannot write and read back %s: %s\n", path, strerror(errno));
                failed++;
        }
        if (fd >= 0)
                close(fd);
        /* default_permissions: the kernel refuses another user a 0600 file of root's. */
        pid_t pid = fork();
        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setgid(UNPRIVILEGED_UID) < 0 || setuid(UNPRIVILEGED_UID) < 0)
                        _exit(2);
                _exit(open(path, O_RDONLY) < 0 && errno == EACCES ? 0 : 1);
        }
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "FAIL: another user could open a 0600 file, or the check did not run\n");
                failed++;
        }
        return failed;
}

int main(int argc, char *argv[])
{
        MemfsProc m;
        char *line;
        int fuse_fd, r, status;
        pid_t memfs, checker;

        memfs_binary = argc > 1 ? argv[1] : NULL;
        harness_require_root();
        CHECK_INT(harness_make_dir(&m), 0);
        fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        CHECK(fuse_fd >= 0);
        r = mount_connection(fuse_fd, m.mnt);
        if (r == -ENOSYS || r == -EPERM) {
                fprintf(stderr, "skipped: fsopen(\"fuse\"): %s\n", strerror(-r));
                harness_cleanup(&m);
                return TEST_SKIP;
        }
        CHECK_INT(r, 0);
        line = harness_mountinfo(m.mnt);
        CHECK_CONTAINS(line, " - fuse.memfs //memfs/premounted ");
        CHECK_CONTAINS(line, "default_permissions");
        free(line);

        memfs = start_memfs(fuse_fd);
        close(fuse_fd); /* the connection lives on in memfs's fd 3 */
        CHECK(memfs > 0);
        m.pid = memfs;

        checker = fork();
        if (checker == 0)
                _exit(check_mount(m.mnt));
        CHECK(checker > 0 && waitpid(checker, &status, 0) == checker);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

        CHECK_INT(kill(memfs, SIGTERM), 0);
        status = harness_wait_exit(&m, 10000);
        CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
        harness_cleanup(&m);
        return test_result();
}
