/* SPDX-License-Identifier: MIT */
/*
 * mount.winfsp: what mount(8) runs for "mount -t winfsp" and winfsp lines
 * in /etc/fstab (also through systemd's .mount and .automount units). It
 * turns mount(8)'s convention into a UseRequest and goes the same way as
 * "winfsp-net use"; its exit codes are mount(8)'s.
 */
#include <sys/stat.h>

#include "macro.h"
#include "mount-options.h"
#include "net.h"

/* mount(8)'s exit codes (see its EXIT STATUS). */
enum {
        MOUNT_EX_SUCCESS = 0,
        MOUNT_EX_USAGE = 1,   /* incorrect invocation or permissions */
        MOUNT_EX_SYSERR = 2,  /* system error */
        MOUNT_EX_FAIL = 32,   /* mount failure */
};

static void help(void)
{
        printf("Usage: mount.winfsp //CLASS/INSTANCE DIR [-sfnvh] [-N NAMESPACE] [-o OPTIONS] [-t TYPE]\n"
               "\n"
               "Mount a winfsp file system; run by mount(8) for \"mount -t winfsp\" and /etc/fstab.\n"
               "\n"
               "  -o OPTIONS    comma-separated options; mount.winfsp's own:\n"
               "                  username=NAME    the user name, for classes with Credentials=3\n"
               "                                   (also user=NAME)\n"
               "                  remember[=WHEN]  keep the password: never, session or forever\n"
               "                                   (bare \"remember\" means forever)\n"
               "                  password_stdin   read the password from standard input\n"
               "                  x-mount.mkdir    create a missing mount point\n"
               "                for the mount: ro, rw, noexec, exec, nosuid, nodev, noatime, relatime,\n"
               "                  strictatime, nodiratime; options the class accepts (AcceptOptions=)\n"
               "                never passed on: defaults, auto, noauto, nofail, _netdev, user, users,\n"
               "                  owner, group, suid, dev, comment=..., x-*, X-*\n"
               "  -s            sloppy: start without the options the class does not accept\n"
               "  -f            fake: do everything but start the file system\n"
               "  -n            do not write /etc/mtab (never written anyway)\n"
               "  -v            verbose\n"
               "  -N NAMESPACE  mount namespace; only the current one is supported\n"
               "  -t TYPE       file system type; must be winfsp\n"
               "  -h, --help    show this help\n");
}

static int to_mount_exit(NetExit e)
{
        switch (e) {
        case NET_EXIT_OK:
                return MOUNT_EX_SUCCESS;
        case NET_EXIT_USAGE:
        case NET_EXIT_INVALID_ARGUMENT:
        case NET_EXIT_ACCESS_DENIED:
                return MOUNT_EX_USAGE;
        case NET_EXIT_NO_LAUNCHER:
                return MOUNT_EX_SYSERR;
        default:
                return MOUNT_EX_FAIL;
        }
}

/* -N: a path to a mount namespace (or a pid). Only our own is supported. */
static int check_namespace(const char *ns)
{
        _cleanup_free_ char *path = NULL;
        struct stat ours, theirs;
        char *end;

        errno = 0;
        strtol(ns, &end, 10);
        if (!*end && end != ns && errno == 0) {
                if (asprintf(&path, "/proc/%s/ns/mnt", ns) < 0)
                        return -ENOMEM;
                ns = path;
        }
        if (stat("/proc/self/ns/mnt", &ours) < 0)
                return net_fail(-errno, NET_EXIT_FAILURE, "cannot find the current mount namespace: %m");
        if (stat(ns, &theirs) < 0)
                return net_fail(-errno, NET_EXIT_USAGE, "mount namespace %s: %m", ns);
        if (ours.st_dev != theirs.st_dev || ours.st_ino != theirs.st_ino)
                return net_fail(-EOPNOTSUPP, NET_EXIT_USAGE,
                                "mount namespace %s is not the current one: mounting into another namespace "
                                "is not supported", ns);
        return 0;
}

static int check_args(const MountArgs *a)
{
        if (a->type && !streq(a->type, "winfsp"))
                return net_fail(-EINVAL, NET_EXIT_USAGE, "file system type '%s' is not winfsp", a->type);
        if (a->namespace) {
                int r = check_namespace(a->namespace);
                if (r < 0)
                        return r;
        }
        STRV_FOREACH(o, a->options.dropped)
                net_log_verbose("option '%s' is not passed on (it is for mount(8) or systemd, or the mount is "
                                "nosuid,nodev anyway)", *o);
        return 0;
}

int mount_winfsp_main(int argc, char **argv)
{
        MountArgs a = {};
        char error[512] = "";
        int r;

        net_log_set_program("mount.winfsp");
        r = mount_args_parse(argc, argv, &a, error, sizeof(error));
        if (r < 0) {
                for (char *p = error; *p; p++) /* it may quote what was typed */
                        if ((unsigned char) *p < 0x20 || *p == 0x7f)
                                *p = '?';
                fprintf(stderr, "mount.winfsp: %s\n", error[0] ? error : strerror(-r));
                fprintf(stderr, "Try 'mount.winfsp --help'.\n");
                return MOUNT_EX_USAGE;
        }
        if (a.help) {
                help();
                mount_args_done(&a);
                return MOUNT_EX_SUCCESS;
        }

        net_log_set_verbose(a.verbose);
        net_log_set_context("mount %s on %s", a.spec, a.dir);
        r = check_args(&a);
        if (r >= 0) {
                _cleanup_free_ char *mount_options = net_options_passed(&a.options);
                _cleanup_free_ char *generic = net_options_generic(&a.options);
                UseRequest req = {
                        .remote = a.spec,
                        .mount_point = a.dir,
                        .user = a.options.user,
                        .remember = a.options.remember,
                        .mount_options = mount_options,
                        .generic_mount_options = generic,
                        .password_stdin = a.options.password_stdin,
                        .mkdir = a.options.mkdir,
                        .fake = a.fake,
                        .sloppy = a.sloppy,
                        .mount_helper = true,
                };
                r = a.options.passed && !mount_options ? -ENOMEM : net_use(&req);
        }
        mount_args_done(&a);
        return r < 0 ? to_mount_exit(net_exit_status()) : MOUNT_EX_SUCCESS;
}
