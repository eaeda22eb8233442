/* SPDX-License-Identifier: MIT */
/*
 * mount.winfsp's command line as mount(8) and fstab produce it (the option
 * strings below are what util-linux 2.38 really passes to a helper), the
 * default mount point names, and the user name an instance suggests.
 */
#include <fsp/names.h>
#include <limits.h>
#include <stdarg.h>

#include "credentials.h"
#include "macro.h"
#include "mount-options.h"
#include "mountpoint.h"
#include "test.h"

static int parse(MountArgs *a, char *error, size_t n, ...)
{
        char *argv[32] = { (char *) "mount.winfsp" };
        int argc = 1;
        va_list ap;

        va_start(ap, n);
        for (char *s; (s = va_arg(ap, char *));)
                argv[argc++] = s;
        va_end(ap);
        error[0] = 0;
        return mount_args_parse(argc, argv, a, error, n);
}

static void test_command_line(void)
{
        MountArgs a;
        char e[256];

        CHECK_INT(parse(&a, e, sizeof(e), "//memfs/x", "/mnt/z", "-v", "-o", "rw,user=bob,remember", NULL), 0);
        CHECK_STR(a.spec, "//memfs/x");
        CHECK_STR(a.dir, "/mnt/z");
        CHECK_STR(a.user, "bob");
        CHECK_STR(a.remember, "forever");
        CHECK(a.verbose);
        CHECK(!a.sloppy && !a.fake && !a.no_mtab && !a.password_stdin);
        CHECK(a.unknown == NULL);
        CHECK_INT(strv_length(a.ignored), 1);
        mount_args_done(&a);

        /* Flags grouped, arguments attached or not, options before the positionals. */
        CHECK_INT(parse(&a, e, sizeof(e), "-sfnv", "-N", "1", "-twinfsp", "-opassword_stdin", "//a/b", "/m", NULL), 0);
        CHECK(a.sloppy && a.fake && a.no_mtab && a.verbose && a.password_stdin);
        CHECK_STR(a.namespace, "1");
        CHECK_STR(a.type, "winfsp");
        CHECK_STR(a.spec, "//a/b");
        CHECK_STR(a.dir, "/m");
        mount_args_done(&a);

        /* Several -o add up; a later user= wins. */
        CHECK_INT(parse(&a, e, sizeof(e), "//a/b", "/m", "-o", "user=x", "-o", "user=y,remember=session", NULL), 0);
        CHECK_STR(a.user, "y");
        CHECK_STR(a.remember, "session");
        mount_args_done(&a);

        CHECK_INT(parse(&a, e, sizeof(e), "-h", NULL), 0);
        CHECK(a.help);
        mount_args_done(&a);
        CHECK_INT(parse(&a, e, sizeof(e), "--help", NULL), 0);
        CHECK(a.help);
        mount_args_done(&a);

        CHECK_ERRNO(parse(&a, e, sizeof(e), "//a/b", NULL), EINVAL);
        CHECK_CONTAINS(e, "expected a remote name and a mount point");
        CHECK_ERRNO(parse(&a, e, sizeof(e), "//a/b", "/m", "/extra", NULL), EINVAL);
        CHECK_CONTAINS(e, "unexpected argument '/extra'");
        CHECK_ERRNO(parse(&a, e, sizeof(e), "//a/b", "/m", "-o", NULL), EINVAL);
        CHECK_CONTAINS(e, "option -o needs an argument");
        CHECK_ERRNO(parse(&a, e, sizeof(e), "//a/b", "/m", "-z", NULL), EINVAL);
        CHECK_CONTAINS(e, "unknown option -z");
        CHECK_ERRNO(parse(&a, e, sizeof(e), "//a/b", "/m", "-N", NULL), EINVAL);
        CHECK_CONTAINS(e, "option -N needs an argument");

        /* After "--" a word starting with '-' is a positional. */
        CHECK_INT(parse(&a, e, sizeof(e), "--", "//a/b", "-odd", NULL), 0);
        CHECK_STR(a.dir, "-odd");
        mount_args_done(&a);
}

static void test_options(void)
{
        MountArgs a = {};
        char e[256];

        /* What mount(8) passes for fstab's permission words, plus fstab-only words. */
        CHECK_INT(mount_options_parse("rw,noexec,nosuid,nodev,user,_netdev,nofail", &a, e, sizeof(e)), 0);
        CHECK_INT(mount_options_parse("defaults,auto,noauto,users,nouser,owner,group,exec,suid,dev", &a, e,
                                      sizeof(e)), 0);
        CHECK_INT(mount_options_parse("x-systemd.automount,x-systemd.idle-timeout=60,X-mount.mkdir", &a, e,
                                      sizeof(e)), 0);
        CHECK_INT(mount_options_parse("comment=\"a,b\",comment=systemd.automount", &a, e, sizeof(e)), 0);
        CHECK(a.unknown == NULL);
        CHECK(a.user == NULL); /* bare "user" is fstab's permission word, not a name */
        CHECK_INT(strv_length(a.ignored), 22);
        CHECK_STR(a.ignored[20], "comment=\"a,b\"");
        mount_args_done(&a);

        /* Unknown ones are collected (an error unless -s), each named. */
        CHECK_INT(mount_options_parse("ro,foo=1,bar,rw=1,,", &a, e, sizeof(e)), 0);
        CHECK_INT(strv_length(a.unknown), 4);
        CHECK_STR(a.unknown[0], "ro");
        CHECK_STR(a.unknown[1], "foo=1");
        CHECK_STR(a.unknown[2], "bar");
        CHECK_STR(a.unknown[3], "rw=1");
        mount_args_done(&a);

        CHECK_INT(mount_options_parse("remember=never,user=\"al ice\"", &a, e, sizeof(e)), 0);
        CHECK_STR(a.remember, "never");
        CHECK_STR(a.user, "al ice");
        mount_args_done(&a);

        CHECK_ERRNO(mount_options_parse("remember=always", &a, e, sizeof(e)), EINVAL);
        CHECK_CONTAINS(e, "remember=always: expected never, session or forever");
        CHECK_ERRNO(mount_options_parse("user=", &a, e, sizeof(e)), EINVAL);
        CHECK_CONTAINS(e, "user= needs a user name");
        CHECK_ERRNO(mount_options_parse("password_stdin=yes", &a, e, sizeof(e)), EINVAL);
        CHECK_CONTAINS(e, "password_stdin takes no value");
        CHECK_ERRNO(mount_options_parse("rw,comment=\"open", &a, e, sizeof(e)), EINVAL);
        CHECK_CONTAINS(e, "unterminated quote in options at column 4");
        mount_args_done(&a);
}

static void check_name(const char *remote, const char *want)
{
        FspRemoteName name = {};
        char *got = NULL;

        CHECK_INT(fsp_remote_name_parse(remote, &name, NULL), 0);
        CHECK_INT(mount_point_name(&name, &got), 0);
        CHECK_STR(got, want);
        free(got);
        fsp_remote_name_done(&name);
}

static void test_name(void)
{
        FspRemoteName name = {};
        char long_remote[300], *got = NULL;

        /* Readable, no escape for the names people use, no nesting. */
        check_name("//memfs", "memfs");
        check_name("//memfs/memfs", "memfs");
        check_name("//memfs/share", "memfs:share");
        check_name("//memfs-secure/s", "memfs-secure:s");
        check_name("//memfs/a-b", "memfs:a-b");
        check_name("\\\\memfs\\share\\sub", "memfs:share:sub");
        check_name("//memfs/a b", "memfs:a b");
        check_name("//memfs/.hidden", "memfs:.hidden");
        check_name("//memfs/caf\xc3\xa9", "memfs:caf\xc3\xa9");
        check_name("//memfs/x_z.w@h+1", "memfs:x_z.w@h+1");
        /* Unique: a ':' or '%' of the instance is not a '/'. */
        check_name("//memfs/a:b", "memfs:a%3Ab");
        check_name("//memfs/a/b", "memfs:a:b");
        check_name("//memfs/100%", "memfs:100%25");
        check_name("//memfs-share", "memfs-share");

        /* 250 bytes that each need escaping cannot make a file name. */
        strcpy(long_remote, "//memfs/");
        memset(long_remote + 8, ':', 250);
        long_remote[258] = 0;
        CHECK_INT(fsp_remote_name_parse(long_remote, &name, NULL), 0);
        CHECK_ERRNO(mount_point_name(&name, &got), ENAMETOOLONG);
        fsp_remote_name_done(&name);
}

static void test_canonical(void)
{
        char *p = NULL;

        /* A path that does not resolve (a dead mount, say) is still made comparable. */
        CHECK_INT(mount_point_canonical("/nonexistent-fsp//a/./b/../c/", &p), 0);
        CHECK_STR(p, "/nonexistent-fsp/a/c");
        free(p);
        CHECK_INT(mount_point_canonical("/nonexistent-fsp/../../..", &p), 0);
        CHECK_STR(p, "/");
        free(p);
        CHECK_INT(mount_point_canonical("/nonexistent-fsp/a/b", &p), 0);
        CHECK_STR(p, "/nonexistent-fsp/a/b");
        free(p);
        CHECK_INT(mount_point_canonical("/nonexistent-fsp", &p), 0);
        CHECK_STR(p, "/nonexistent-fsp");
        free(p);
        CHECK_INT(mount_point_canonical("/nonexistent-fsp/x/..", &p), 0);
        CHECK_STR(p, "/nonexistent-fsp");
        free(p);
        CHECK_INT(mount_point_canonical("/", &p), 0);
        CHECK_STR(p, "/");
        free(p);
}

static void test_user_from_instance(void)
{
        char *u;

        CHECK_STR((u = login_user_from_instance("alice@share")), "alice");
        free(u);
        CHECK_STR((u = login_user_from_instance("a@b@share/x@y")), "a@b");
        free(u);
        CHECK(login_user_from_instance("share") == NULL);
        CHECK(login_user_from_instance("@share") == NULL);
        CHECK(login_user_from_instance("share/alice@x") == NULL);
}

int main(void)
{
        test_command_line();
        test_options();
        test_name();
        test_canonical();
        test_user_from_instance();
        return test_result();
}
