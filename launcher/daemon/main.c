/* SPDX-License-Identifier: MIT */
/*
 * winfsp-launcher: starts, stops and supervises named instances of FUSE file
 * systems on behalf of D-Bus clients (org.winfsp.Launcher1). See
 * winfsp-launcher(8).
 */
#include <fcntl.h>
#include <getopt.h>
#include <sys/resource.h>

#include "bus.h"
#include "fork-fds.h"
#include "spawner.h"
#include "log.h"
#include "manager.h"

static void help(void)
{
        printf("Usage: winfsp-launcher [OPTIONS]\n"
               "\n"
               "Start and supervise instances of file-system classes for D-Bus clients\n"
               "(org.winfsp.Launcher1 on the system bus).\n"
               "\n"
               "  -h --help                 Show this help and exit\n"
               "     --version              Show the version and exit\n"
               "     --user                 Serve one user on the session bus; ~/.config/winfsp/conf.d\n"
               "                            comes before the system class directories\n"
               "     --bus-address ADDRESS  Connect to this bus instead of the system or session bus\n"
               "     --config-path DIR[:DIR...]\n"
               "                            Read classes from these directories, first one wins\n"
               "                            (default: %s)\n"
               "     --state-dir DIR        Keep runtime state here (default: /run/winfsp, or\n"
               "                            $XDG_RUNTIME_DIR/winfsp with --user)\n"
               "     --admin-groups GROUP[,GROUP...]\n"
               "                            Members of these groups count as administrators (BA)\n"
               "                            (default: sudo,wheel,admin)\n"
               "     --max-instances-per-user N\n"
               "                            How many instances one user other than root may run\n"
               "                            (default: %u; 0: no limit)\n"
               "     --log-level LEVEL      debug, info, notice, warning or err (default: info)\n",
               FSP_CONFD_PATH, MAX_INSTANCES_PER_USER_DEFAULT);
}

static int parse_level(const char *s)
{
        static const char *const names[] = { "emerg",   "alert",  "crit", "err",
                                             "warning", "notice", "info", "debug" };
        for (size_t k = 0; k < ELEMENTSOF(names); k++)
                if (streq(s, names[k]))
                        return (int) k;
        return -EINVAL;
}

static char **split_commas(const char *s)
{
        char *copy = strdup(s), *save = NULL;
        char **l = calloc(strlen(s) / 2 + 2, sizeof(char *));
        size_t n = 0;

        if (!copy || !l) {
                free(copy);
                free(l);
                return NULL;
        }
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                l[n++] = strdup(t);
        free(copy);
        return l;
}

enum {
        ARG_VERSION = 0x100,
        ARG_USER,
        ARG_BUS_ADDRESS,
        ARG_CONFIG_PATH,
        ARG_STATE_DIR,
        ARG_ADMIN_GROUPS,
        ARG_LOG_LEVEL,
        ARG_MAX_INSTANCES_PER_USER,
};

static int parse_argv(int argc, char *argv[], ManagerOptions *o, const char **ret_bus_address)
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "user", no_argument, NULL, ARG_USER },
                { "bus-address", required_argument, NULL, ARG_BUS_ADDRESS },
                { "config-path", required_argument, NULL, ARG_CONFIG_PATH },
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                { "admin-groups", required_argument, NULL, ARG_ADMIN_GROUPS },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "max-instances-per-user", required_argument, NULL, ARG_MAX_INSTANCES_PER_USER },
                {},
        };
        int c, level;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("winfsp-launcher %s\n", FSP_VERSION);
                        return 0;
                case ARG_USER:
                        o->user_mode = true;
                        break;
                case ARG_BUS_ADDRESS:
                        *ret_bus_address = optarg;
                        break;
                case ARG_CONFIG_PATH:
                        o->config_path = optarg;
                        break;
                case ARG_STATE_DIR:
                        o->state_dir = optarg;
                        break;
                case ARG_ADMIN_GROUPS:
                        strv_free(o->admin_groups);
                        o->admin_groups = split_commas(optarg);
                        if (!o->admin_groups)
                                return -ENOMEM;
                        break;
                case ARG_MAX_INSTANCES_PER_USER: {
                        char *end = NULL;
                        unsigned long v;
                        errno = 0;
                        v = strtoul(optarg, &end, 10);
                        if (errno || !end || *end || optarg[0] == '-' || v > 1000000) {
                                fprintf(stderr,
                                        "winfsp-launcher: --max-instances-per-user: '%s' is not a number from 0 "
                                        "to 1000000\n",
                                        optarg);
                                return -EINVAL;
                        }
                        o->max_instances_per_user = (unsigned) v;
                        break;
                }
                case ARG_LOG_LEVEL:
                        level = parse_level(optarg);
                        if (level < 0) {
                                fprintf(stderr, "winfsp-launcher: --log-level: unknown level '%s'\n",
                                        optarg);
                                return -EINVAL;
                        }
                        log_max_level = level;
                        break;
                default:
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "winfsp-launcher: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

/*
 * Every instance costs the launcher a few fds (its pipes, its pidfd, its
 * mount point): systemd's soft limit of 1024 would let a few hundred
 * instances starve everyone. The hard limit is what may be used.
 */
static void raise_fd_limit(ManagerOptions *o)
{
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return;
        o->nofile_soft = rl.rlim_cur; /* what instances get back: select() cannot count past 1024 */
        if (rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        log_warning_errno(errno, "cannot raise the open-file limit to %llu: %m",
                                          (unsigned long long) rl.rlim_max);
        }
}

/* Instances must get fds 0-2 that are really open; so must we. */
static void ensure_stdio(void)
{
        for (int fd = 0; fd < 3; fd++)
                if (fcntl(fd, F_GETFD) < 0) {
                        int n = open("/dev/null", O_RDWR);
                        if (n >= 0 && n != fd) {
                                dup2(n, fd);
                                close(n);
                        }
                }
}

int main(int argc, char *argv[])
{
        ManagerOptions o = { .max_instances_per_user = MAX_INSTANCES_PER_USER_DEFAULT };
        const char *bus_address = NULL;
        Manager *m = NULL;
        Bus *b = NULL;
        int r;

        ensure_stdio();
        setvbuf(stderr, NULL, _IOLBF, 0);
        log_open();
        r = parse_argv(argc, argv, &o, &bus_address);
        if (r <= 0) {
                strv_free(o.admin_groups);
                return r < 0 ? 2 : 0;
        }
        raise_fd_limit(&o);
        /* Before the manager opens anything: the numbers children get their descriptors on. */
        r = fork_fds_init();
        if (r < 0)
                log_debug_errno(r, "forking children the plain way (copying every descriptor): %m");
        /* Forked while the launcher is small: forking from it stays as cheap as this. */
        r = spawner_start();
        if (r < 0)
                log_warning_errno(r, "no spawner; starting programs from the launcher itself: %m");
        r = manager_new(&o, &m);
        strv_free(o.admin_groups);
        if (r < 0)
                return 1;
        /* Adopted before the name is taken: a client that sees the launcher sees its instances. */
        manager_adopt(m);
        r = bus_new(m, bus_address, &b);
        if (r < 0) {
                manager_free(m);
                return 1;
        }
        r = manager_run(m);
        bus_free(b);
        manager_free(m);
        log_info("exiting");
        return r < 0 ? 1 : 0;
}
