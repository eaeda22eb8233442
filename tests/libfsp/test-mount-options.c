/* SPDX-License-Identifier: MIT */
#include <fsp/mount-options.h>
#include <linux/mount.h>

#include "macro.h"
#include "test.h"

#define ALWAYS (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)

static char *const sshfs_accept[] = { "reconnect", "ServerAliveInterval", "cache=no", NULL };

/* Join a vector as "a|b|c" for one comparison. */
static const char *joined(char **l)
{
        static char buf[8192];

        buf[0] = 0;
        STRV_FOREACH (w, l)
                snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", buf[0] ? "|" : "", *w);
        return buf;
}

static void check_refused_(const char *file, int line, const char *text, char *const *accept,
                           FspMountOptionsSource source, unsigned column, const char *msg)
{
        FspMountOptions o = {};
        FspError err;
        int r = fsp_mount_options_add(&o, text, accept, source, &err);

        test_checks++;
        if (r != -EINVAL || err.column != column || !strstr(err.text, msg) || o.attr_set || o.fuse ||
            o.program || o.dropped) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: add(%s) = %d, column %u, \"%s\"; expected column %u, \"%s\"\n",
                        file, line, text, r, r < 0 ? err.column : 0, r < 0 ? err.text : "", column, msg);
        }
        fsp_mount_options_done(&o);
}
#define check_refused(text, accept, column, msg) \
        check_refused_(__FILE__, __LINE__, text, accept, FSP_MOUNT_OPTIONS_CALLER, column, msg)
#define check_refused_launcher(text, column, msg) \
        check_refused_(__FILE__, __LINE__, text, NULL, FSP_MOUNT_OPTIONS_LAUNCHER, column, msg)

static void test_classify(void)
{
        CHECK_INT(fsp_mount_option_classify("ro"), FSP_MOUNT_OPTION_GENERIC);
        CHECK_INT(fsp_mount_option_classify("nodiratime"), FSP_MOUNT_OPTION_GENERIC);
        CHECK_INT(fsp_mount_option_classify("ro=1"), FSP_MOUNT_OPTION_GENERIC); /* refused when added */
        CHECK_INT(fsp_mount_option_classify("allow_other"), FSP_MOUNT_OPTION_FUSE);
        CHECK_INT(fsp_mount_option_classify("max_read=4096"), FSP_MOUNT_OPTION_FUSE);
        CHECK_INT(fsp_mount_option_classify("_netdev"), FSP_MOUNT_OPTION_DROPPED);
        CHECK_INT(fsp_mount_option_classify("comment=systemd.automount"), FSP_MOUNT_OPTION_DROPPED);
        CHECK_INT(fsp_mount_option_classify("x-systemd.automount"), FSP_MOUNT_OPTION_DROPPED);
        CHECK_INT(fsp_mount_option_classify("x-mount.mkdir=0755"), FSP_MOUNT_OPTION_DROPPED);
        CHECK_INT(fsp_mount_option_classify("X-mount.owner=x"), FSP_MOUNT_OPTION_DROPPED);
        CHECK_INT(fsp_mount_option_classify("user=alice"), FSP_MOUNT_OPTION_DROPPED);
        CHECK_INT(fsp_mount_option_classify("suid"), FSP_MOUNT_OPTION_REFUSED);
        CHECK_INT(fsp_mount_option_classify("dev"), FSP_MOUNT_OPTION_REFUSED);
        CHECK_INT(fsp_mount_option_classify("reconnect"), FSP_MOUNT_OPTION_PROGRAM);
        CHECK_INT(fsp_mount_option_classify("rox"), FSP_MOUNT_OPTION_PROGRAM);
        CHECK_INT(fsp_mount_option_classify("devices"), FSP_MOUNT_OPTION_PROGRAM);
        CHECK_INT(fsp_mount_option_classify(""), _FSP_MOUNT_OPTION_KIND_INVALID);
        CHECK_INT(fsp_mount_option_classify(NULL), _FSP_MOUNT_OPTION_KIND_INVALID);
}

static void test_generic(void)
{
        FspMountOptions o = {};
        FspError err;

        /* Nothing given: still nosuid,nodev. */
        CHECK_INT(fsp_mount_options_add(&o, NULL, NULL, FSP_MOUNT_OPTIONS_CALLER, &err), 0);
        CHECK_INT(o.attr_set, ALWAYS);
        CHECK_INT(o.attr_clear, 0);
        CHECK_INT(o.atime, FSP_MOUNT_ATIME_UNSET);
        CHECK_INT(strv_length(o.program), 0);
        fsp_mount_options_done(&o);

        CHECK_INT(fsp_mount_options_add(&o, "ro,noexec,nodiratime,noatime", NULL, FSP_MOUNT_OPTIONS_CALLER,
                                        &err),
                  0);
        CHECK_INT(o.attr_set, ALWAYS | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME |
                                      MOUNT_ATTR_NOATIME);
        CHECK_INT(o.attr_clear, MOUNT_ATTR__ATIME);
        CHECK_INT(o.atime, FSP_MOUNT_ATIME_NOATIME);

        /* A later list wins: rw and exec undo ro and noexec, strictatime replaces noatime. */
        CHECK_INT(fsp_mount_options_add(&o, "rw,exec,strictatime", NULL, FSP_MOUNT_OPTIONS_CALLER, &err), 0);
        CHECK_INT(o.attr_set, ALWAYS | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_STRICTATIME);
        CHECK_INT(o.attr_clear, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME);
        CHECK_INT(o.atime, FSP_MOUNT_ATIME_STRICTATIME);

        /* relatime is the value 0 of the atime field: cleared, not set. */
        CHECK_INT(fsp_mount_options_add(&o, "relatime,ro,rw,ro", NULL, FSP_MOUNT_OPTIONS_CALLER, &err), 0);
        CHECK_INT(o.attr_set & MOUNT_ATTR__ATIME, 0);
        CHECK_INT(o.atime, FSP_MOUNT_ATIME_RELATIME);
        CHECK_INT(o.attr_set & MOUNT_ATTR_RDONLY, MOUNT_ATTR_RDONLY);
        CHECK_INT(o.attr_clear & MOUNT_ATTR_RDONLY, 0);

        /* nosuid,nodev given or not: the same. */
        CHECK_INT(fsp_mount_options_add(&o, "nosuid,nodev", NULL, FSP_MOUNT_OPTIONS_LAUNCHER, &err), 0);
        CHECK_INT(o.attr_set & ALWAYS, ALWAYS);
        CHECK_INT(o.attr_clear & ALWAYS, 0);
        fsp_mount_options_done(&o);
        CHECK(o.attr_set == 0 && !o.fuse && !o.program && !o.dropped);
}

static void test_kinds(void)
{
        FspMountOptions o = {};
        FspError err;
        _cleanup_free_ char *percent_o = NULL;

        CHECK_INT(fsp_mount_options_add(
                          &o,
                          "allow_other,_netdev,reconnect,x-systemd.automount,ServerAliveInterval=15,"
                          "  max_read=131072,cache=no,nofail,comment=x,default_permissions,"
                          "reconnect=1",
                          sshfs_accept, FSP_MOUNT_OPTIONS_CALLER, &err),
                  0);
        CHECK_STR(joined(o.fuse), "allow_other|max_read=131072|default_permissions");
        CHECK_STR(joined(o.program), "reconnect|ServerAliveInterval=15|cache=no|reconnect=1");
        CHECK_STR(joined(o.dropped), "_netdev|x-systemd.automount|nofail|comment=x");
        CHECK_STR(percent_o = fsp_mount_options_join(o.program),
                  "reconnect,ServerAliveInterval=15,cache=no,reconnect=1");
        fsp_mount_options_done(&o);

        /* A class's MountOptions=: generic and FUSE options only. */
        CHECK_INT(fsp_mount_options_add(&o, "allow_other, default_permissions,\tnoexec,blksize=4096", NULL,
                                        FSP_MOUNT_OPTIONS_LAUNCHER, &err),
                  0);
        CHECK_STR(joined(o.fuse), "allow_other|default_permissions|blksize=4096");
        CHECK_INT(o.attr_set, ALWAYS | MOUNT_ATTR_NOEXEC);
        fsp_mount_options_done(&o);

        char *none[] = { NULL };
        _cleanup_free_ char *empty = fsp_mount_options_join(none), *empty2 = fsp_mount_options_join(NULL);
        CHECK_STR(empty, "");
        CHECK_STR(empty2, "");
}

static void test_refused(void)
{
        char long_list[FSP_MOUNT_OPTIONS_MAX + 64];

        check_refused("suid", NULL, 1,
                      "option 'suid' is refused: mounts made by the launcher are always "
                      "nosuid,nodev");
        check_refused("ro,dev", NULL, 4, "option 'dev' is refused");
        check_refused("ro,suid=1", sshfs_accept, 4, "option 'suid=1' is refused");
        check_refused("ro=1", NULL, 1, "option 'ro' takes no value");
        check_refused("allow_other=yes", NULL, 1, "option 'allow_other' takes no value");
        check_refused("max_read", NULL, 1, "option 'max_read' needs a number of bytes");
        check_refused("max_read=0", NULL, 1, "max_read");
        check_refused("max_read=4294967296", NULL, 1, "max_read");
        check_refused("max_read=12x", NULL, 1, "max_read");
        check_refused("max_read=-1", NULL, 1, "max_read");
        check_refused("blksize=1000", NULL, 1, "option 'blksize' needs a power of two");
        check_refused("blksize=256", NULL, 1, "blksize");
        check_refused("blksize=131072", NULL, 1, "blksize");

        /* Program options: only what AcceptOptions= lists. */
        check_refused("reconnect", NULL, 1,
                      "option 'reconnect' is not accepted: this class accepts no options");
        check_refused(
                "ro,IdentityFile=/root/.ssh/id_rsa", sshfs_accept, 4,
                "option 'IdentityFile=/root/.ssh/id_rsa' is not accepted; this class accepts reconnect, "
                "ServerAliveInterval, cache=no");
        check_refused("cache=yes", sshfs_accept, 1, "option 'cache=yes' is not accepted");
        check_refused("cache", sshfs_accept, 1, "option 'cache' is not accepted");
        check_refused("reconnectx", sshfs_accept, 1, "not accepted");
        check_refused("Reconnect", sshfs_accept, 1, "not accepted");

        /* Hostile text: empty items, control characters, bad UTF-8, no name. */
        check_refused(",ro", NULL, 1, "empty option");
        check_refused("ro,", NULL, 4, "empty option");
        check_refused("ro,,rw", NULL, 4, "empty option");
        check_refused("ro, ,rw", NULL, 5, "empty option");
        check_refused(" ", NULL, 2, "empty option");
        check_refused("reconnect,cache=no\n,x", sshfs_accept, 19,
                      "option 'cache=no?' contains control character 0x0a");
        check_refused("ro,a\x1b[31m", sshfs_accept, 5, "option 'a?[31m' contains control character 0x1b");
        check_refused("reconnect=\x7f", sshfs_accept, 11, "control character 0x7f");
        check_refused("reconnect=\tx", sshfs_accept, 11, "control character 0x09");
        check_refused("reconnect=caf\xc3", sshfs_accept, 14,
                      "option 'reconnect=caf?' is not valid UTF-8 (byte 0xc3)");
        check_refused("reconnect=\xed\xa0\x80", sshfs_accept, 11, "not valid UTF-8");
        check_refused("=x", NULL, 1, "option '=x' has no name before '='");
        check_refused("ro,=", NULL, 4, "no name");

        /* Too long: refused as a whole; a long option is cut in the message. */
        memset(long_list, 'a', sizeof(long_list) - 1);
        long_list[sizeof(long_list) - 1] = 0;
        check_refused(long_list, NULL, FSP_MOUNT_OPTIONS_MAX + 1, "longer than 4096 bytes");
        long_list[FSP_MOUNT_OPTIONS_MAX] = 0;
        check_refused(long_list, NULL, 1, "aaaaaaaa...' is not accepted");
        for (size_t i = 1; i < FSP_MOUNT_OPTIONS_MAX; i += 2)
                long_list[i] = ',';
        check_refused(long_list, NULL, 1, "option 'a' is not accepted");

        /* A class's MountOptions= takes nothing a program or mount(8) would. */
        check_refused_launcher("reconnect", 1, "'reconnect' is not an option the launcher applies");
        check_refused_launcher("noexec,_netdev", 8, "'_netdev' is not an option the launcher applies");
        check_refused_launcher("suid", 1, "is refused");
}

static void test_all_or_nothing(void)
{
        FspMountOptions o = {};
        FspError err;

        CHECK_INT(fsp_mount_options_add(&o, "ro,allow_other,reconnect,nofail", sshfs_accept,
                                        FSP_MOUNT_OPTIONS_CALLER, &err),
                  0);
        CHECK_ERRNO(fsp_mount_options_add(&o, "rw,noatime,max_read=1,cache=no,_netdev,suid", sshfs_accept,
                                          FSP_MOUNT_OPTIONS_CALLER, &err),
                    EINVAL);
        CHECK_INT(err.column, 40);
        CHECK_INT(o.attr_set, ALWAYS | MOUNT_ATTR_RDONLY);
        CHECK_INT(o.attr_clear, 0);
        CHECK_INT(o.atime, FSP_MOUNT_ATIME_UNSET);
        CHECK_STR(joined(o.fuse), "allow_other");
        CHECK_STR(joined(o.program), "reconnect");
        CHECK_STR(joined(o.dropped), "nofail");
        fsp_mount_options_done(&o);
        CHECK_ERRNO(fsp_mount_options_add(NULL, "ro", NULL, FSP_MOUNT_OPTIONS_CALLER, &err), EINVAL);
}

static void test_accept(void)
{
        _cleanup_strv_free_ char **accept = NULL, **none = NULL;
        FspError err;

        CHECK_INT(fsp_accept_options_parse("reconnect, ServerAliveInterval,cache=no,\tfollow_symlinks",
                                           &accept, &err),
                  0);
        CHECK_STR(joined(accept), "reconnect|ServerAliveInterval|cache=no|follow_symlinks");
        CHECK(fsp_accept_options_match(accept, "reconnect"));
        CHECK(fsp_accept_options_match(accept, "reconnect=anything"));
        CHECK(fsp_accept_options_match(accept, "cache=no"));
        CHECK(!fsp_accept_options_match(accept, "cache=yes"));
        CHECK(!fsp_accept_options_match(accept, "cache"));
        CHECK(!fsp_accept_options_match(accept, "Reconnect"));
        CHECK(!fsp_accept_options_match(NULL, "reconnect"));

        CHECK_INT(fsp_accept_options_parse("", &none, &err), 0);
        CHECK(none && !none[0]);

        static const struct {
                const char *text;
                unsigned column;
                const char *msg;
        } bad[] = {
                { "ro", 1, "'ro' is a generic mount option the launcher applies; it need not be accepted" },
                { "a,allow_other", 3,
                  "'allow_other' is an option of the FUSE connection; set it in MountOptions=" },
                { "x-systemd.automount", 1, "is for mount(8) and fstab" },
                { "suid", 1, "refused" },
                { "a,,b", 3, "empty option" },
                { "a\x01", 2, "control character 0x01" },
                { "=v", 1, "no name" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char **l = NULL;
                int r = fsp_accept_options_parse(bad[i].text, &l, &err);
                CHECK_ERRNO(r, EINVAL);
                CHECK_INT(err.column, bad[i].column);
                CHECK_CONTAINS(err.text, bad[i].msg);
                CHECK(l == NULL);
        }
}

int main(void)
{
        test_classify();
        test_generic();
        test_kinds();
        test_refused();
        test_all_or_nothing();
        test_accept();
        return test_result();
}
