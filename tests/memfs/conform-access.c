/* SPDX-License-Identifier: MIT */
/*
 * Access: read, write and execute for owner, group and others (exactly one
 * class applies), what root may and may not do, the rights behind utimes,
 * and mknod of fifos, sockets and devices. "The actor" is the unprivileged
 * identity (see as_actor()).
 */
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "fsconform.h"

/* Runs dirfd/name in a child; returns its exit status or -errno of execveat. */
static int run_program(int dirfd, const char *name)
{
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return -errno;
        if (pid == 0) {
                char *argv[] = {(char *) name, NULL}, *envp[] = {NULL};
                /* the interpreter opens the script through /dev/fd/N/name,
                 * so N must survive the exec */
                execveat(dup(dirfd), name, argv, envp, 0);
                _exit(200 + errno);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        if (!WIFEXITED(status)) {
                errno = EINTR;
                return -EINTR;
        }
        if (WEXITSTATUS(status) > 200) {
                errno = WEXITSTATUS(status) - 200;
                return -errno;
        }
        return WEXITSTATUS(status);
}

static const char script[] = "#!/bin/sh\nexit 42\n";

static Result perm_file_actor(Ctx *c, void *arg)
{
        int fd;

        EXPECT_OK(write_file(c->dirfd, "wo", "x", 1, 0200));
        EXPECT_ERRNO(openat(c->dirfd, "wo", O_RDONLY), EACCES);
        EXPECT_OK(fd = openat(c->dirfd, "wo", O_WRONLY));
        close(fd);
        EXPECT_OK(write_file(c->dirfd, "ro", "x", 1, 0400));
        EXPECT_ERRNO(openat(c->dirfd, "ro", O_WRONLY), EACCES);
        EXPECT_ERRNO(openat(c->dirfd, "ro", O_RDWR), EACCES);
        EXPECT_ERRNO(openat(c->dirfd, "ro", O_WRONLY | O_TRUNC), EACCES);
        EXPECT_OK(fd = openat(c->dirfd, "ro", O_RDONLY));
        close(fd);
        EXPECT_OK(create_file(c->dirfd, "none", 0000));
        EXPECT_ERRNO(openat(c->dirfd, "none", O_RDONLY), EACCES);
        EXPECT_ERRNO(faccessat(c->dirfd, "ro", W_OK, AT_EACCESS), EACCES);
        EXPECT_OK(faccessat(c->dirfd, "ro", R_OK, AT_EACCESS));

        EXPECT_OK(write_file(c->dirfd, "noexec", script, sizeof(script) - 1, 0644));
        EXPECT_ERRNO(faccessat(c->dirfd, "noexec", X_OK, AT_EACCESS), EACCES);
        EXPECT_ERRNO(run_program(c->dirfd, "noexec"), EACCES);
        EXPECT_OK(write_file(c->dirfd, "exec", script, sizeof(script) - 1, 0755));
        EXPECT_EQ(run_program(c->dirfd, "exec"), 42);
        return RESULT_PASS;
}

static Result perm_file(Ctx *c)
{
        return as_actor(c, perm_file_actor, NULL);
}

static Result perm_dir_actor(Ctx *c, void *arg)
{
        struct stat st;
        int fd;

        /* readable, not searchable */
        EXPECT_OK(mkdirat(c->dirfd, "nox", 0755));
        EXPECT_OK(create_file(c->dirfd, "nox/f", 0644));
        EXPECT_OK(fchmodat(c->dirfd, "nox", 0600, 0));
        EXPECT_ERRNO(stat_at(c->dirfd, "nox/f", &st), EACCES);
        EXPECT_ERRNO(openat(c->dirfd, "nox/f", O_RDONLY), EACCES);
        EXPECT_ERRNO(create_file(c->dirfd, "nox/g", 0644), EACCES);
        EXPECT_OK(fd = openat(c->dirfd, "nox", O_RDONLY | O_DIRECTORY));
        close(fd);

        /* searchable and writable, not readable */
        EXPECT_OK(mkdirat(c->dirfd, "nor", 0755));
        EXPECT_OK(create_file(c->dirfd, "nor/f", 0644));
        EXPECT_OK(fchmodat(c->dirfd, "nor", 0300, 0));
        EXPECT_ERRNO(openat(c->dirfd, "nor", O_RDONLY | O_DIRECTORY), EACCES);
        EXPECT_OK(stat_at(c->dirfd, "nor/f", &st));
        EXPECT_OK(create_file(c->dirfd, "nor/g", 0644));

        /* readable and searchable, not writable */
        EXPECT_OK(mkdirat(c->dirfd, "now", 0755));
        EXPECT_OK(create_file(c->dirfd, "now/f", 0644));
        EXPECT_OK(fchmodat(c->dirfd, "now", 0500, 0));
        EXPECT_ERRNO(create_file(c->dirfd, "now/g", 0644), EACCES);
        EXPECT_ERRNO(unlinkat(c->dirfd, "now/f", 0), EACCES);
        EXPECT_ERRNO(renameat(c->dirfd, "now/f", c->dirfd, "now/h"), EACCES);
        EXPECT_ERRNO(renameat(c->dirfd, "now/f", c->dirfd, "out"), EACCES);
        EXPECT_ERRNO(mkdirat(c->dirfd, "now/x", 0755), EACCES);
        EXPECT_ERRNO(symlinkat("x", c->dirfd, "now/l"), EACCES);
        EXPECT_ERRNO(linkat(c->dirfd, "nor/g", c->dirfd, "now/link", 0), EACCES);
        EXPECT_ERRNO(mknodat(c->dirfd, "now/p", S_IFIFO | 0644, 0), EACCES);
        EXPECT_OK(stat_at(c->dirfd, "now/f", &st));
        return RESULT_PASS;
}

static Result perm_dir(Ctx *c)
{
        return as_actor(c, perm_dir_actor, NULL);
}

/* Exactly one class applies: owner, else group, else others. */
static Result perm_classes_actor(Ctx *c, void *arg)
{
        int fd;

        EXPECT_ERRNO(openat(c->dirfd, "group-denied", O_RDONLY), EACCES);
        EXPECT_ERRNO(openat(c->dirfd, "owner-denied", O_RDONLY), EACCES);
        EXPECT_OK(fd = openat(c->dirfd, "other-allowed", O_RDONLY));
        close(fd);
        EXPECT_ERRNO(openat(c->dirfd, "other-allowed", O_WRONLY), EACCES);
        EXPECT_OK(fd = openat(c->dirfd, "group-allowed", O_RDONLY));
        close(fd);
        return RESULT_PASS;
}

static Result perm_classes(Ctx *c)
{
        static const struct {
                const char *name;
                bool actor_owns, actor_group;
                mode_t mode;
        } files[] = {
                {"group-denied", false, true, 0604},
                {"owner-denied", true, false, 0066},
                {"other-allowed", false, false, 0004},
                {"group-allowed", false, true, 0040},
        };

        if (!c->root)
                SKIP("needs root to make files of other owners");
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                EXPECT_OK(create_file(c->dirfd, files[i].name, 0600));
                EXPECT_OK(fchownat(c->dirfd, files[i].name, files[i].actor_owns ? c->actor_uid : 0,
                                   files[i].actor_group ? c->actor_gid : 0, 0));
                EXPECT_OK(fchmodat(c->dirfd, files[i].name, files[i].mode, 0));
        }
        return as_actor(c, perm_classes_actor, NULL);
}

/* root reads and writes anything, but runs only what someone may run. */
static Result perm_root(Ctx *c)
{
        _cleanup_close_ int fd = -1;
        char buf[4];

        if (!c->root)
                SKIP("needs root");
        EXPECT_OK(write_file(c->dirfd, "f", "abc", 3, 0000));
        EXPECT_OK(fd = openat(c->dirfd, "f", O_RDWR));
        EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 3);
        EXPECT_OK(mkdirat(c->dirfd, "d", 0000));
        EXPECT_OK(create_file(c->dirfd, "d/inside", 0644));
        EXPECT_OK(write_file(c->dirfd, "noexec", script, sizeof(script) - 1, 0644));
        EXPECT_ERRNO(run_program(c->dirfd, "noexec"), EACCES);
        EXPECT_OK(write_file(c->dirfd, "exec", script, sizeof(script) - 1, 0010));
        EXPECT_EQ(run_program(c->dirfd, "exec"), 42);
        return RESULT_PASS;
}

/* Setting times to now needs write access; to a given time, ownership. */
static Result perm_utimes_actor(Ctx *c, void *arg)
{
        const struct timespec now2[2] = {{.tv_nsec = UTIME_NOW}, {.tv_nsec = UTIME_NOW}};
        const struct timespec given[2] = {{.tv_sec = 1000}, {.tv_sec = 2000}};

        EXPECT_OK(utimensat(c->dirfd, "writable", NULL, 0));
        EXPECT_OK(utimensat(c->dirfd, "writable", now2, 0));
        EXPECT_ERRNO(utimensat(c->dirfd, "writable", given, 0), EPERM);
        EXPECT_ERRNO(utimensat(c->dirfd, "readonly", NULL, 0), EACCES);
        EXPECT_ERRNO(utimensat(c->dirfd, "readonly", given, 0), EPERM);
        EXPECT_OK(create_file(c->dirfd, "mine", 0400));
        EXPECT_OK(utimensat(c->dirfd, "mine", given, 0));
        EXPECT_OK(utimensat(c->dirfd, "mine", NULL, 0));
        return RESULT_PASS;
}

static Result perm_utimes(Ctx *c)
{
        if (!c->root)
                SKIP("needs root to make files of another owner");
        EXPECT_OK(create_file(c->dirfd, "writable", 0666));
        EXPECT_OK(fchmodat(c->dirfd, "writable", 0666, 0));
        EXPECT_OK(create_file(c->dirfd, "readonly", 0644));
        return as_actor(c, perm_utimes_actor, NULL);
}

static Result mknod_fifo(Ctx *c)
{
        _cleanup_close_ int fd = -1;
        struct stat st;
        char buf[4];

        EXPECT_OK(mknodat(c->dirfd, "p", S_IFIFO | 0640, 0));
        EXPECT_OK(mkfifoat(c->dirfd, "p2", 0600));
        EXPECT_OK(stat_at(c->dirfd, "p", &st));
        EXPECT_TRUE(S_ISFIFO(st.st_mode));
        EXPECT_MODE(st.st_mode & 07777, 0640);
        EXPECT_EQ(st.st_size, 0);
        EXPECT_EQ(st.st_uid, geteuid());
        EXPECT_ERRNO(mknodat(c->dirfd, "p", S_IFIFO | 0640, 0), EEXIST);
        EXPECT_OK(fd = openat(c->dirfd, "p", O_RDWR | O_NONBLOCK));
        EXPECT_EQ(write(fd, "abc", 3), 3);
        EXPECT_EQ(read(fd, buf, sizeof(buf)), 3);
        EXPECT_TRUE(memcmp(buf, "abc", 3) == 0);
        EXPECT_OK(mknodat(c->dirfd, "r", S_IFREG | 0600, 0));
        EXPECT_OK(stat_at(c->dirfd, "r", &st));
        EXPECT_TRUE(S_ISREG(st.st_mode));
        EXPECT_EQ(st.st_size, 0);
        return RESULT_PASS;
}

static Result mknod_socket(Ctx *c)
{
        _cleanup_close_ int srv = -1, cli = -1;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        struct stat st;
        char buf[8];

        EXPECT_OK(mknodat(c->dirfd, "s", S_IFSOCK | 0644, 0));
        EXPECT_OK(stat_at(c->dirfd, "s", &st));
        EXPECT_TRUE(S_ISSOCK(st.st_mode));
        EXPECT_MODE(st.st_mode & 07777, 0644);

        /* a socket bound in the file system, reached by its path */
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/bound", c->dirfd);
        EXPECT_OK(srv = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        EXPECT_OK(bind(srv, (struct sockaddr *) &sa, sizeof(sa)));
        EXPECT_OK(stat_at(c->dirfd, "bound", &st));
        EXPECT_TRUE(S_ISSOCK(st.st_mode));
        EXPECT_OK(cli = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        EXPECT_EQ(sendto(cli, "ping", 4, 0, (struct sockaddr *) &sa, sizeof(sa)), 4);
        EXPECT_EQ(recv(srv, buf, sizeof(buf), MSG_DONTWAIT), 4);
        EXPECT_TRUE(memcmp(buf, "ping", 4) == 0);
        return RESULT_PASS;
}

static Result mknod_device_actor(Ctx *c, void *arg)
{
        EXPECT_ERRNO(mknodat(c->dirfd, "user-chr", S_IFCHR | 0644, makedev(1, 3)), EPERM);
        EXPECT_ERRNO(mknodat(c->dirfd, "user-blk", S_IFBLK | 0644, makedev(7, 0)), EPERM);
        return RESULT_PASS;
}

static Result mknod_device(Ctx *c)
{
        struct stat st;

        if (c->root) {
                EXPECT_OK(mknodat(c->dirfd, "chr", S_IFCHR | 0640, makedev(1, 3)));
                EXPECT_OK(stat_at(c->dirfd, "chr", &st));
                EXPECT_TRUE(S_ISCHR(st.st_mode));
                EXPECT_MODE(st.st_mode & 07777, 0640);
                EXPECT_EQ(st.st_rdev, makedev(1, 3));
                EXPECT_OK(mknodat(c->dirfd, "blk", S_IFBLK | 0600, makedev(259, 65537)));
                EXPECT_OK(stat_at(c->dirfd, "blk", &st));
                EXPECT_TRUE(S_ISBLK(st.st_mode));
                EXPECT_EQ(st.st_rdev, makedev(259, 65537));
                EXPECT_EQ(st.st_size, 0);
        }
        return as_actor(c, mknod_device_actor, NULL);
}

const Check access_checks[] = {
        {"perm-file", perm_file},
        {"perm-dir", perm_dir},
        {"perm-classes", perm_classes},
        {"perm-root", perm_root},
        {"perm-utimes", perm_utimes},
        {"mknod-fifo", mknod_fifo},
        {"mknod-socket", mknod_socket},
        {"mknod-device", mknod_device},
        {},
};
