/* SPDX-License-Identifier: MIT */
/*
 * mount.winfsp's command line as mount(8) and fstab produce it (the option
 * strings below are what util-linux 2.38 really passes to a helper), how
 * an -o list is split (ours, never passed on, for the launcher), the
 * refusal phrases of the programs the shipped classes run, the default
 * mount point names, and the user name an instance suggests.
 */
#include <fsp/names.h>
#include <limits.h>
#include <stdarg.h>

#include "credentials.h"
#include "macro.h"
#include "mount-options.h"
#include "mountpoint.h"
#include "refusal.h"
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
        CHECK_STR(a.options.user, "bob");
        CHECK_STR(a.options.remember, "forever");
        CHECK(a.verbose);
        CHECK(!a.sloppy && !a.fake && !a.no_mtab && !a.options.password_stdin);
        CHECK_INT(strv_length(a.options.passed), 1);
        CHECK_STR(a.options.passed[0], "rw");
        CHECK(a.options.dropped == NULL);
        mount_args_done(&a);

        /* Flags grouped, arguments attached or not, options before the positionals. */
        CHECK_INT(parse(&a, e, sizeof(e), "-sfnv", "-N", "1", "-twinfsp", "-opassword_stdin", "//a/b", "/m", NULL), 0);
        CHECK(a.sloppy && a.fake && a.no_mtab && a.verbose && a.options.password_stdin);
        CHECK_STR(a.namespace, "1");
        CHECK_STR(a.type, "winfsp");
        CHECK_STR(a.spec, "//a/b");
        CHECK_STR(a.dir, "/m");
        mount_args_done(&a);

        /* Several -o add up; a later user= wins; username= is the same. */
        CHECK_INT(parse(&a, e, sizeof(e), "//a/b", "/m", "-o", "user=x", "-o", "username=y,remember=session", NULL), 0);
        CHECK_STR(a.options.user, "y");
        CHECK_STR(a.options.remember, "session");
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

static char *joined(char **l)
{
        static char buf[512];
        size_t n = 0;

        buf[0] = 0;
        STRV_FOREACH(s, l)
                n += (size_t) snprintf(buf + n, sizeof(buf) - n, "%s%s", s == l ? "" : "|", *s);
        return buf;
}

static void test_options(void)
{
        NetOptions o = {};
        char e[256];

        /* What mount(8) passes for fstab's permission words ("user", "user=NAME"), plus fstab-only words. */
        CHECK_INT(net_options_parse("ro,noexec,nosuid,nodev,foo=1,user,_netdev,nofail", NET_OPTIONS_FROM_MOUNT, &o,
                                    e, sizeof(e)), 0);
        CHECK_STR(joined(o.passed), "ro|noexec|nosuid|nodev|foo=1");
        CHECK_STR(joined(o.dropped), "user|_netdev|nofail");
        CHECK(o.user == NULL); /* bare "user" is fstab's permission word, not a name */
        net_options_done(&o);

        CHECK_INT(net_options_parse("rw,nosuid,user=bob,exec,dev,suid", NET_OPTIONS_FROM_MOUNT, &o, e, sizeof(e)), 0);
        CHECK_STR(o.user, "bob");
        CHECK_STR(joined(o.passed), "rw|nosuid|exec");
        CHECK_STR(joined(o.dropped), "dev|suid"); /* mount(8)'s, for user=NAME: the mount is nosuid,nodev */
        net_options_done(&o);

        /* Typed for winfsp-net, suid reaches the launcher, which refuses it. */
        CHECK_INT(net_options_parse("suid,port=2222", NET_OPTIONS_FROM_NET, &o, e, sizeof(e)), 0);
        CHECK_STR(joined(o.passed), "suid|port=2222");
        _cleanup_free_ char *passed = net_options_passed(&o);
        CHECK_STR(passed, "suid,port=2222");
        net_options_done(&o);
        CHECK(net_options_passed(&o) == NULL);

        CHECK_INT(net_options_parse("defaults,auto,noauto,users,owner,group", NET_OPTIONS_FROM_MOUNT, &o, e,
                                    sizeof(e)), 0);
        CHECK_INT(net_options_parse("x-systemd.automount,x-systemd.idle-timeout=60,X-mount.mkdir", NET_OPTIONS_FROM_MOUNT,
                                    &o, e, sizeof(e)), 0);
        CHECK_INT(net_options_parse("comment=\"a,b\",comment=systemd.automount", NET_OPTIONS_FROM_MOUNT, &o, e,
                                    sizeof(e)), 0);
        CHECK(o.passed == NULL);
        CHECK_INT(strv_length(o.dropped), 11);
        CHECK_STR(o.dropped[9], "comment=a,b");
        CHECK(!o.mkdir); /* X-mount.mkdir is not x-mount.mkdir */
        net_options_done(&o);

        CHECK_INT(net_options_parse("x-mount.mkdir=0755,remember=never,user=\"al ice\",password_stdin",
                                    NET_OPTIONS_FROM_NET, &o, e, sizeof(e)), 0);
        CHECK(o.mkdir && o.password_stdin);
        CHECK_STR(o.remember, "never");
        CHECK_STR(o.user, "al ice");
        CHECK_STR(joined(o.dropped), "x-mount.mkdir=0755");
        CHECK(o.passed == NULL);
        net_options_done(&o);

        /* Empty elements are skipped; a quoted value loses its quotes. */
        CHECK_INT(net_options_parse("ro,,cache=\"no\",", NET_OPTIONS_FROM_NET, &o, e, sizeof(e)), 0);
        CHECK_STR(joined(o.passed), "ro|cache=no");
        net_options_done(&o);

        CHECK_ERRNO(net_options_parse("remember=always", NET_OPTIONS_FROM_NET, &o, e, sizeof(e)), EINVAL);
        CHECK_CONTAINS(e, "remember=always: expected never, session or forever");
        CHECK_ERRNO(net_options_parse("user=", NET_OPTIONS_FROM_NET, &o, e, sizeof(e)), EINVAL);
        CHECK_CONTAINS(e, "user= needs a user name");
        CHECK_ERRNO(net_options_parse("username=", NET_OPTIONS_FROM_NET, &o, e, sizeof(e)), EINVAL);
        CHECK_CONTAINS(e, "username= needs a user name");
        CHECK_ERRNO(net_options_parse("password_stdin=yes", NET_OPTIONS_FROM_NET, &o, e, sizeof(e)), EINVAL);
        CHECK_CONTAINS(e, "password_stdin takes no value");
        CHECK_ERRNO(net_options_parse("rw,comment=\"open", NET_OPTIONS_FROM_NET, &o, e, sizeof(e)), EINVAL);
        CHECK_CONTAINS(e, "unterminated quote in options at column 4");
        CHECK_ERRNO(net_options_parse("idmap=\"a,b\"", NET_OPTIONS_FROM_NET, &o, e, sizeof(e)), EINVAL);
        CHECK_CONTAINS(e, "option idmap=a,b: a value for the file system cannot contain a comma");
        net_options_done(&o);
}

/* The last words of the real programs (Debian 12), as the launcher quotes them. */
static void test_refusal(void)
{
        CHECK(refusal_in_message("sshfs/alice@h exited with status 1 before it was ready. Its last output:\n"
                                 "  alice@127.0.0.1: Permission denied (publickey,password).\n"
                                 "  read: Connection reset by peer"));
        CHECK(refusal_in_message("... failed to unlock master key: cipher: message authentication failed\n"
                                 "Password incorrect."));
        CHECK(refusal_in_message("... Error decoding volume key, password incorrect"));
        CHECK(refusal_in_message("Failed to load config file: Couldn't decrypt configuration, most likely wrong "
                                 "password."));
        CHECK(refusal_in_message("ssh: handshake failed: ssh: unable to authenticate, attempted methods"));
        CHECK(refusal_in_message("memfs-secure/x refused the credentials: NO wrong password"));

        /* A crash, a missing server, an unreadable file: no verdict on the password. */
        CHECK(!refusal_in_message(NULL));
        CHECK(!refusal_in_message("sshfs/a@h exited with status 1 before it was ready. Its last output:\n"
                                  "  ssh: connect to host 127.0.0.1 port 1: Connection refused\n"
                                  "  read: Connection reset by peer"));
        CHECK(!refusal_in_message("memfs: --secret-hash /etc/winfsp/x.hash: Permission denied"));
        CHECK(!refusal_in_message("gocryptfs/v exited with status 23: open /v/gocryptfs.conf: permission denied"));
        CHECK(!refusal_in_message("was killed by signal SEGV"));
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
        test_refusal();
        test_name();
        test_canonical();
        test_user_from_instance();
        return test_result();
}
