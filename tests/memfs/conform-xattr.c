/* SPDX-License-Identifier: MIT */
/* Extended attributes: the user., trusted. and security. namespaces. */
#include <endian.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/xattr.h>

#include "fsconform.h"

/* The NUL-separated list of fd's names, sorted into one comparable string. */
static int list_names(int fd, char *out, size_t size)
{
        char buf[4096], *names[64];
        ssize_t len = flistxattr(fd, buf, sizeof(buf));
        size_t n = 0, used = 0;

        if (len < 0)
                return -errno;
        for (char *p = buf; p < buf + len && n < ELEMENTSOF(names); p += strlen(p) + 1)
                names[n++] = p;
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
                        char *t = names[j];
                        names[j] = names[j - 1];
                        names[j - 1] = t;
                }
        out[0] = 0;
        for (size_t i = 0; i < n; i++)
                used += (size_t) snprintf(out + used, size - MIN(used, size), "%s%s", i ? "," : "", names[i]);
        return 0;
}

static Result expect_value(Ctx *c, int fd, const char *name, const void *want, size_t len)
{
        char buf[8192];
        ssize_t n;

        errno = 0;
        n = fgetxattr(fd, name, buf, sizeof(buf));
        if (n < 0)
                FAIL("getxattr %s: %s", name, errname(errno));
        if ((size_t) n != len || memcmp(buf, want, len) != 0)
                FAIL("getxattr %s returned %zd bytes, not the %zu set", name, n, len);
        EXPECT_EQ(fgetxattr(fd, name, NULL, 0), len);
        return RESULT_PASS;
}

static Result xattr_on(Ctx *c, int fd)
{
        char bin[1000], big[4000], list[1024], small[2];
        char name[300];

        for (size_t i = 0; i < sizeof(bin); i++)
                bin[i] = (char) (i * 7);
        memset(big, 'v', sizeof(big));

        EXPECT_OK(fsetxattr(fd, "user.a", "value", 5, 0));
        EXPECT_PASS(expect_value(c, fd, "user.a", "value", 5));
        EXPECT_ERRNO(fgetxattr(fd, "user.a", small, sizeof(small)), ERANGE);
        EXPECT_ERRNO(fsetxattr(fd, "user.a", "other", 5, XATTR_CREATE), EEXIST);
        EXPECT_ERRNO(fsetxattr(fd, "user.missing", "x", 1, XATTR_REPLACE), ENODATA);
        EXPECT_OK(fsetxattr(fd, "user.a", "replaced!", 9, XATTR_REPLACE));
        EXPECT_PASS(expect_value(c, fd, "user.a", "replaced!", 9));
        EXPECT_OK(fsetxattr(fd, "user.a", "v2", 2, 0));
        EXPECT_PASS(expect_value(c, fd, "user.a", "v2", 2));
        EXPECT_OK(fsetxattr(fd, "user.new", "n", 1, XATTR_CREATE));
        EXPECT_ERRNO(fgetxattr(fd, "user.missing", small, sizeof(small)), ENODATA);
        EXPECT_ERRNO(fremovexattr(fd, "user.missing"), ENODATA);

        EXPECT_OK(fsetxattr(fd, "user.empty", "", 0, 0));
        EXPECT_PASS(expect_value(c, fd, "user.empty", "", 0));
        EXPECT_OK(fsetxattr(fd, "user.bin", bin, sizeof(bin), 0));
        EXPECT_PASS(expect_value(c, fd, "user.bin", bin, sizeof(bin)));
        EXPECT_OK(fsetxattr(fd, "user.big", big, sizeof(big), 0));
        EXPECT_PASS(expect_value(c, fd, "user.big", big, sizeof(big)));

        snprintf(name, sizeof(name), "user.%0250d", 0);
        EXPECT_OK(fsetxattr(fd, name, "x", 1, 0));
        EXPECT_PASS(expect_value(c, fd, name, "x", 1));
        EXPECT_OK(fremovexattr(fd, name));
        snprintf(name, sizeof(name), "user.%0251d", 0);
        EXPECT_ERRNO(fsetxattr(fd, name, "x", 1, 0), ERANGE);

        EXPECT_OK(list_names(fd, list, sizeof(list)));
        if (!streq(list, "user.a,user.big,user.bin,user.empty,user.new"))
                FAIL("listxattr returned \"%s\"", list);
        ssize_t need = flistxattr(fd, NULL, 0);
        EXPECT_EQ(need, strlen("user.a user.big user.bin user.empty user.new "));
        EXPECT_ERRNO(flistxattr(fd, small, sizeof(small)), ERANGE);

        EXPECT_OK(fremovexattr(fd, "user.a"));
        EXPECT_ERRNO(fgetxattr(fd, "user.a", small, sizeof(small)), ENODATA);
        EXPECT_OK(list_names(fd, list, sizeof(list)));
        if (!streq(list, "user.big,user.bin,user.empty,user.new"))
                FAIL("after removing user.a, listxattr returned \"%s\"", list);
        EXPECT_ERRNO(fsetxattr(fd, "nonamespace", "x", 1, 0), EOPNOTSUPP);
        return RESULT_PASS;
}

static Result xattr_user(Ctx *c)
{
        _cleanup_close_ int fd = -1, dfd = -1;
        char small[4];

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_PASS(xattr_on(c, fd));
        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        EXPECT_OK(dfd = openat(c->dirfd, "d", O_RDONLY | O_DIRECTORY));
        EXPECT_PASS(xattr_on(c, dfd));
        /* attributes stay with the file across rename and show through links */
        EXPECT_OK(fsetxattr(fd, "user.keep", "k", 1, 0));
        EXPECT_OK(renameat(c->dirfd, "f", c->dirfd, "g"));
        EXPECT_OK(linkat(c->dirfd, "g", c->dirfd, "h", 0));
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d/h", c->dirfd);
        EXPECT_EQ(getxattr(path, "user.keep", small, sizeof(small)), 1);
        return RESULT_PASS;
}

/* user.* is for regular files and directories only; the rest say EPERM. */
static Result xattr_special(Ctx *c)
{
        char path[64];

        EXPECT_OK(symlinkat("target", c->dirfd, "l"));
        EXPECT_OK(mknodat(c->dirfd, "p", S_IFIFO | 0644, 0));
        snprintf(path, sizeof(path), "/proc/self/fd/%d/l", c->dirfd);
        EXPECT_ERRNO(lsetxattr(path, "user.x", "v", 1, 0), EPERM);
        EXPECT_ERRNO(lgetxattr(path, "user.x", NULL, 0), ENODATA);
        snprintf(path, sizeof(path), "/proc/self/fd/%d/p", c->dirfd);
        EXPECT_ERRNO(lsetxattr(path, "user.x", "v", 1, 0), EPERM);
        return RESULT_PASS;
}

/* Changing user.* attributes needs write access to the file. */
static Result xattr_perm_actor(Ctx *c, void *arg)
{
        _cleanup_close_ int fd = -1;
        char buf[8];

        EXPECT_OK(write_file(c->dirfd, "ro", "x", 1, 0644));
        EXPECT_OK(fd = openat(c->dirfd, "ro", O_RDONLY));
        EXPECT_OK(fsetxattr(fd, "user.a", "v", 1, 0));
        EXPECT_OK(fchmod(fd, 0444));
        EXPECT_ERRNO(fsetxattr(fd, "user.b", "v", 1, 0), EACCES);
        EXPECT_ERRNO(fremovexattr(fd, "user.a"), EACCES);
        EXPECT_EQ(fgetxattr(fd, "user.a", buf, sizeof(buf)), 1);
        EXPECT_OK(fchmod(fd, 0000));
        EXPECT_ERRNO(fgetxattr(fd, "user.a", buf, sizeof(buf)), EACCES);
        return RESULT_PASS;
}

static Result xattr_perm(Ctx *c)
{
        return as_actor(c, xattr_perm_actor, NULL);
}

/* trusted.* is for CAP_SYS_ADMIN only: others can neither set, read nor list it. */
static Result xattr_trusted_actor(Ctx *c, void *arg)
{
        _cleanup_close_ int fd = -1;
        char list[1024], buf[8];

        EXPECT_OK(fd = openat(c->dirfd, "f", O_RDONLY));
        EXPECT_ERRNO(fsetxattr(fd, "trusted.mine", "v", 1, 0), EPERM);
        if (arg) {
                EXPECT_ERRNO(fgetxattr(fd, "trusted.t", buf, sizeof(buf)), ENODATA);
                EXPECT_OK(list_names(fd, list, sizeof(list)));
                if (!streq(list, "user.u"))
                        FAIL("an unprivileged listxattr returned \"%s\", expected only user.u", list);
        }
        return RESULT_PASS;
}

static Result xattr_trusted(Ctx *c)
{
        _cleanup_close_ int fd = -1;
        char list[1024];

        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0666));
        EXPECT_OK(fsetxattr(fd, "user.u", "u", 1, 0));
        if (c->root) {
                EXPECT_OK(fchmod(fd, 0666));
                EXPECT_OK(fsetxattr(fd, "trusted.t", "trusted value", 13, 0));
                EXPECT_PASS(expect_value(c, fd, "trusted.t", "trusted value", 13));
                EXPECT_OK(list_names(fd, list, sizeof(list)));
                if (!streq(list, "trusted.t,user.u"))
                        FAIL("listxattr as root returned \"%s\"", list);
        }
        return as_actor(c, xattr_trusted_actor, c->root ? "root set one" : NULL);
}

static Result xattr_security(Ctx *c)
{
        _cleanup_close_ int fd = -1;
        char list[1024];

        if (!c->root)
                SKIP("needs root");
        EXPECT_OK(fd = openat(c->dirfd, "f", O_CREAT | O_RDWR, 0644));
        EXPECT_OK(fsetxattr(fd, "security.fsconform", "label", 5, 0));
        EXPECT_PASS(expect_value(c, fd, "security.fsconform", "label", 5));
        EXPECT_OK(list_names(fd, list, sizeof(list)));
        if (!strstr(list, "security.fsconform"))
                FAIL("listxattr returned \"%s\"", list);
        EXPECT_OK(fremovexattr(fd, "security.fsconform"));
        EXPECT_ERRNO(fgetxattr(fd, "security.fsconform", NULL, 0), ENODATA);
        return RESULT_PASS;
}

/* File capabilities (CAP_NET_RAW permitted), as setcap(8) would store them. */
static int set_file_caps(int dirfd, const char *name)
{
        struct vfs_cap_data caps = {
                .magic_etc = htole32(VFS_CAP_REVISION_2),
                .data = {{.permitted = htole32(1u << CAP_NET_RAW)}},
        };
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return fsetxattr(fd, "security.capability", &caps, XATTR_CAPS_SZ_2, 0) < 0 ? -errno : 0;
}

static bool has_file_caps(int dirfd, const char *name)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        return fd >= 0 && fgetxattr(fd, "security.capability", NULL, 0) > 0;
}

static Result caps_dropped_actor(Ctx *c, void *arg)
{
        _cleanup_close_ int fd = -1;

        EXPECT_OK(fd = openat(c->dirfd, "w", O_WRONLY));
        EXPECT_EQ(write(fd, "x", 1), 1);
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_OK(fd = openat(c->dirfd, "t", O_WRONLY));
        EXPECT_OK(ftruncate(fd, 1));
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_OK(fd = openat(c->dirfd, "o", O_WRONLY | O_TRUNC));
        EXPECT_OK(close(TAKE_FD(fd)));
        return RESULT_PASS;
}

/* A write, truncate or open(O_TRUNC) drops file capabilities, even root's, and so does chown. */
static Result caps_dropped(Ctx *c)
{
        static const char *const names[] = {"w", "t", "o", "root", "chowned"};
        _cleanup_close_ int fd = -1;

        if (!c->root)
                SKIP("needs CAP_SETFCAP");
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                EXPECT_OK(write_file(c->dirfd, names[i], "abc", 3, 0666));
                EXPECT_OK(fchmodat(c->dirfd, names[i], 0666, 0));
                EXPECT_OK(set_file_caps(c->dirfd, names[i]));
                EXPECT_TRUE(has_file_caps(c->dirfd, names[i]));
        }
        EXPECT_PASS(as_actor(c, caps_dropped_actor, NULL));
        EXPECT_OK(fd = openat(c->dirfd, "root", O_WRONLY));
        EXPECT_EQ(write(fd, "x", 1), 1);
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_OK(fchownat(c->dirfd, "chowned", c->actor_uid, c->actor_gid, 0));
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (has_file_caps(c->dirfd, names[i]))
                        FAIL("%s still has security.capability", names[i]);
        return RESULT_PASS;
}

const Check xattr_checks[] = {
        {"xattr-user", xattr_user},
        {"xattr-special", xattr_special},
        {"xattr-perm", xattr_perm},
        {"xattr-trusted", xattr_trusted},
        {"xattr-security", xattr_security},
        {"caps-dropped", caps_dropped},
        {},
};
