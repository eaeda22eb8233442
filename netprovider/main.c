/* SPDX-License-Identifier: MIT */
/*
 * winfsp-net: use, delete, list and forget remote file systems
 * ("//class/instance") through the launcher. Run as mount.winfsp (a link to
 * the same program) it follows mount(8)'s calling convention instead.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>

#include "macro.h"
#include "mount-options.h"
#include "net.h"

typedef struct Args {
        const char *verb;
        char **positional; /* after the verb; points into argv */
        int n_positional;
        const char *user;
        const char *remember;
        const char *bus_address;
        NetOptions options; /* -o */
        bool password_stdin;
        bool mkdir;
        bool foreground;
        bool json;
} Args;

static void help(void)
{
        printf("Usage: winfsp-net use [OPTIONS] [MOUNTPOINT] //CLASS/INSTANCE[/MORE] [ARG...]\n"
               "       winfsp-net delete MOUNTPOINT|//CLASS/INSTANCE\n"
               "       winfsp-net list [--json]\n"
               "       winfsp-net forget //CLASS/INSTANCE\n"
               "\n"
               "Mount and unmount winfsp file systems through the launcher.\n"
               "\n"
               "Options:\n"
               "  -o, --options LIST          mount options: ro, noexec, ... and those the class accepts\n"
               "      --username NAME         the user name, for classes with Credentials=3\n"
               "      --user NAME             the same (deprecated: launchctl's --user is the per-user launcher)\n"
               "      --password-stdin        read the password from standard input\n"
               "      --remember=WHEN         keep the password: never, session or forever\n"
               "      --mkdir                 create a missing mount point\n"
               "      --foreground            stay until the file system ends (for winfsp@.service)\n"
               "      --json                  list: print JSON\n"
               "      --bus-address ADDRESS   talk to the launcher on this D-Bus address\n"
               "  -h, --help                  show this help\n"
               "      --version               show the version\n");
}

enum {
        OPT_USERNAME = 0x100,
        OPT_USER_DEPRECATED,
        OPT_PASSWORD_STDIN,
        OPT_REMEMBER,
        OPT_MKDIR,
        OPT_FOREGROUND,
        OPT_JSON,
        OPT_BUS_ADDRESS,
        OPT_VERSION,
};

/* The message may quote what was typed: control bytes are shown as '?'. */
_printf_(1, 2) static int usage_error(const char *fmt, ...)
{
        char message[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(message, sizeof(message), fmt, ap);
        va_end(ap);
        for (char *p = message; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        *p = '?';
        fprintf(stderr, "winfsp-net: %s\nTry 'winfsp-net --help'.\n", message);
        return NET_EXIT_USAGE;
}

/* 0: run; >0: exit with that status now (help, version, usage error). -1 stands for "exit 0". */
static int parse_args(int argc, char **argv, Args *a)
{
        static const struct option options[] = {
                { "options", required_argument, NULL, 'o' },
                { "username", required_argument, NULL, OPT_USERNAME },
                { "user", required_argument, NULL, OPT_USER_DEPRECATED },
                { "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
                { "remember", required_argument, NULL, OPT_REMEMBER },
                { "mkdir", no_argument, NULL, OPT_MKDIR },
                { "foreground", no_argument, NULL, OPT_FOREGROUND },
                { "json", no_argument, NULL, OPT_JSON },
                { "bus-address", required_argument, NULL, OPT_BUS_ADDRESS },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, OPT_VERSION },
                {},
        };
        int c;

        char error[512];
        int r;

        opterr = 0;
        while ((c = getopt_long(argc, argv, "ho:", options, NULL)) >= 0) {
                switch (c) {
                case OPT_USERNAME: a->user = optarg; break;
                case OPT_USER_DEPRECATED:
                        /* launchctl's --user is the per-user launcher: ours was renamed, not reused. */
                        fprintf(stderr, "winfsp-net: --user NAME is deprecated: use --username NAME\n");
                        a->user = optarg;
                        break;
                case 'o':
                        r = net_options_parse(optarg, NET_OPTIONS_FROM_NET, &a->options, error, sizeof(error));
                        if (r == -ENOMEM)
                                return usage_error("%s", strerror(ENOMEM));
                        if (r < 0)
                                return usage_error("-o %s: %s", optarg, error);
                        break;
                case OPT_PASSWORD_STDIN: a->password_stdin = true; break;
                case OPT_REMEMBER: a->remember = optarg; break;
                case OPT_MKDIR: a->mkdir = true; break;
                case OPT_FOREGROUND: a->foreground = true; break;
                case OPT_JSON: a->json = true; break;
                case OPT_BUS_ADDRESS: a->bus_address = optarg; break;
                case 'h':
                        help();
                        return -1;
                case OPT_VERSION:
                        printf("winfsp-net %s\n", FSP_VERSION);
                        return -1;
                default:
                        if (optopt >= OPT_USERNAME || optopt == 'o')
                                return usage_error("option '%s' needs an argument", argv[optind - 1]);
                        return usage_error("unknown option '%s'", argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return usage_error("%s", "no command given (use, delete, list or forget)");
        a->verb = argv[optind];
        a->positional = argv + optind + 1;
        a->n_positional = argc - optind - 1;
        return 0;
}

static int run_use(const Args *a)
{
        const NetOptions *o = &a->options;
        _cleanup_free_ char *mount_options = net_options_passed(o);
        UseRequest req = {
                /* The long options win over the same said with -o. */
                .user = a->user ? a->user : o->user,
                .remember = a->remember ? a->remember : o->remember,
                .bus_address = a->bus_address,
                .mount_options = mount_options,
                .password_stdin = a->password_stdin || o->password_stdin,
                .mkdir = a->mkdir || o->mkdir,
                .foreground = a->foreground,
        };
        int first_remote;

        if (o->passed && !mount_options)
                return usage_error("%s", strerror(ENOMEM));
        STRV_FOREACH(d, o->dropped)
                fprintf(stderr, "winfsp-net: option '%s' is for mount(8) or systemd: not passed on\n", *d);

        if (a->n_positional < 1)
                return usage_error("%s", "use: no remote name given (//CLASS/INSTANCE)");
        /* [MOUNTPOINT] //CLASS/INSTANCE [ARG...]: the remote is the first or the second word. */
        first_remote = net_looks_like_remote(a->positional[0]) ? 0 : 1;
        if (first_remote >= a->n_positional)
                return usage_error("use: '%s' is not a remote name (//CLASS/INSTANCE)", a->positional[0]);
        if (first_remote == 1)
                req.mount_point = a->positional[0];
        req.remote = a->positional[first_remote];
        req.extra_args = a->positional + first_remote + 1;
        net_log_set_context("use %s", req.remote);
        return net_use(&req) < 0 ? (int) net_exit_status() : 0;
}

static int run_verb(const Args *a)
{
        if (streq(a->verb, "use"))
                return run_use(a);
        if (streq(a->verb, "delete")) {
                if (a->n_positional != 1)
                        return usage_error("%s", "delete: expected one mount point or remote name");
                return net_delete(a->positional[0], a->bus_address) < 0 ? (int) net_exit_status() : 0;
        }
        if (streq(a->verb, "list")) {
                if (a->n_positional != 0)
                        return usage_error("list: unexpected argument '%s'", a->positional[0]);
                return net_list(a->bus_address, a->json) < 0 ? (int) net_exit_status() : 0;
        }
        if (streq(a->verb, "forget")) {
                if (a->n_positional != 1)
                        return usage_error("%s", "forget: expected one remote name");
                return net_forget(a->positional[0]) < 0 ? (int) net_exit_status() : 0;
        }
        return usage_error("unknown command '%s' (use, delete, list or forget)", a->verb);
}

int main(int argc, char **argv)
{
        _cleanup_free_ char *self = strdup(argc > 0 ? argv[0] : "winfsp-net");
        Args a = {};
        int r;

        if (self && strneq(basename(self), "mount.", 6))
                return mount_winfsp_main(argc, argv);

        r = parse_args(argc, argv, &a);
        if (r == 0 && a.json && !streq(a.verb, "list"))
                r = usage_error("%s", "--json applies to list only");
        if (r == 0 && (a.options.passed || a.options.dropped) && !streq(a.verb, "use"))
                r = usage_error("%s", "-o applies to use only");
        if (r == 0)
                r = run_verb(&a);
        net_options_done(&a.options);
        return r < 0 ? 0 : r;
}
