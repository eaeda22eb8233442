/* SPDX-License-Identifier: MIT */
/*
 * launchctl: WinFsp's control tool for the launcher's instances, over
 * <fsp/launch.h>. One command per run; a failure prints
 * "launchctl: <what>: <why>" and exits with the code of its error family.
 */
#include <getopt.h>
#include <stdarg.h>
#include <strings.h>

#include "launchctl.h"
#include "macro.h"

typedef struct Context {
        sd_bus *bus;
        bool user;
        bool json;
        const char *address;
} Context;

typedef struct Command {
        const char *name;
        const char *synopsis;   /* the arguments, for usage messages */
        int min_args, max_args; /* -1: any number */
        int (*run)(Context *c, char **args, int n_args);
} Command;

/* ---------------------------------------------------------------- errors */

/* Print "launchctl: <what>: <why>" and return the exit code for it. */
static int fail(const char *what, int r, const sd_bus_error *error)
{
        int code = fsp_launch_exit_status(r, error);

        if (code == FSP_EXIT_UNREACHABLE && sd_bus_error_is_set(error))
                fprintf(stderr, "launchctl: %s: the launcher cannot be reached (%s: %s)\n", what,
                        error->name, strempty(error->message));
        else if (sd_bus_error_is_set(error))
                fprintf(stderr, "launchctl: %s: %s\n", what,
                        isempty(error->message) ? error->name : error->message);
        else
                fprintf(stderr, "launchctl: %s: %s\n", what, strerror(-r));
        return code;
}

/* "start memfs share": what a message is about. */
static char *describe(const char *verb, char **args, int n_args)
{
        char *s = NULL;
        int r;

        if (n_args >= 2)
                r = asprintf(&s, "%s %s %s", verb, args[0], args[1]);
        else
                r = asprintf(&s, "%s", verb);
        return r < 0 ? NULL : s;
}

/* ---------------------------------------------------------------- commands */

static int run_start(Context *c, char **args, int n_args)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *what = describe("start", args, n_args);
        int r = fsp_launch_start(c->bus, args[0], args[1], args + 2, &error);
        return r < 0 ? fail(strempty(what), r, &error) : FSP_EXIT_OK;
}

static const char *secret_error(int r)
{
        if (r == -EMSGSIZE)
                return "the password is longer than 4096 bytes";
        if (r == -ECANCELED)
                return "no password given";
        return strerror(-r);
}

static int run_start_with_secret(Context *c, char **args, int n_args)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *what = describe("startWithSecret", args, n_args);
        _cleanup_close_ int fd = -1;
        FspSecret *secret = NULL;
        int r;

        r = secret_read(args[0], args[1], &secret);
        if (r < 0) {
                fprintf(stderr, "launchctl: %s: cannot read the password: %s\n", strempty(what),
                        secret_error(r));
                return FSP_EXIT_FAILURE;
        }
        /* The launcher gets a pipe to read it from; our copy is wiped before the call. */
        r = fsp_secret_to_pipe(secret, &fd);
        secret = fsp_secret_free(secret);
        if (r < 0)
                return fail(strempty(what), r, NULL);
        r = fsp_launch_start_with_secret(c->bus, args[0], args[1], args + 2, fd, &error);
        return r < 0 ? fail(strempty(what), r, &error) : FSP_EXIT_OK;
}

static int run_stop(Context *c, char **args, int n_args)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *what = describe("stop", args, n_args);
        int status = 0;
        int r = fsp_launch_stop(c->bus, args[0], args[1], &status, &error);
        if (r < 0)
                return fail(strempty(what), r, &error);
        print_stop_status(stdout, status, c->json);
        return FSP_EXIT_OK;
}

static int run_info(Context *c, char **args, int n_args)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(fsp_instance_info_done) FspInstanceInfo info = { 0 };
        _cleanup_free_ char *what = describe("info", args, n_args);
        int r = fsp_launch_get_info(c->bus, args[0], args[1], &info, &error);
        if (r < 0)
                return fail(strempty(what), r, &error);
        print_info(stdout, &info, c->json);
        return FSP_EXIT_OK;
}

static int run_list(Context *c, char **args, int n_args)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        FspInstanceId *ids = NULL;
        size_t n = 0;
        int r = fsp_launch_list(c->bus, &ids, &n, &error);
        if (r < 0)
                return fail("list", r, &error);
        print_list(stdout, ids, n, c->json);
        fsp_instance_ids_free(ids, n);
        return FSP_EXIT_OK;
}

static int run_classes(Context *c, char **args, int n_args)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        FspClassInfo *classes = NULL;
        size_t n = 0;
        int r = fsp_launch_list_classes(c->bus, &classes, &n, &error);
        if (r < 0)
                return fail("classes", r, &error);
        print_classes(stdout, classes, n, c->json);
        fsp_class_infos_free(classes, n);
        return FSP_EXIT_OK;
}

static int run_reload(Context *c, char **args, int n_args)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = fsp_launch_reload(c->bus, &error);
        return r < 0 ? fail("reload", r, &error) : FSP_EXIT_OK;
}

static const Command commands[] = {
        { "start", "CLASS INSTANCE [ARGS...]", 2, -1, run_start },
        { "startWithSecret", "CLASS INSTANCE [ARGS...]", 2, -1, run_start_with_secret },
        { "stop", "CLASS INSTANCE", 2, 2, run_stop },
        { "info", "CLASS INSTANCE", 2, 2, run_info },
        { "list", "", 0, 0, run_list },
        { "classes", "", 0, 0, run_classes },
        { "reload", "", 0, 0, run_reload },
};

/* WinFsp users type "startwithsecret": names are matched without regard to case. */
static const Command *command_find(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (strcasecmp(commands[i].name, name) == 0)
                        return &commands[i];
        return NULL;
}

/* ---------------------------------------------------------------- main */

static void help(void)
{
        printf("launchctl [OPTIONS] COMMAND [ARGS...]\n"
               "\n"
               "Start, stop and inspect the file-system instances of the winfsp launcher.\n"
               "\n"
               "Commands (names are case-insensitive):\n"
               "  start CLASS INSTANCE [ARGS...]  Start an instance; return once it is ready\n"
               "  startWithSecret CLASS INSTANCE [ARGS...]\n"
               "                                  The same, with a password from stdin or a prompt\n"
               "  stop CLASS INSTANCE             Stop an instance; return once it has exited\n"
               "  info CLASS INSTANCE             Show an instance: pid, state, mount point...\n"
               "  list                            List the instances you may see\n"
               "  classes                         List the service classes\n"
               "  reload                          Make the launcher read its classes again\n"
               "\n"
               "Options:\n"
               "  -h --help               Show this help\n"
               "     --version            Show the version\n"
               "     --user               Talk to your own launcher, on the session bus\n"
               "     --json               Print info, list, classes and stop as JSON\n"
               "     --bus-address ADDR   Connect to the bus at ADDR\n"
               "\n"
               "Exit status: 0 done, 1 other failure, 2 usage, 3 no such class, 4 no such\n"
               "instance, 5 instance exists, 6 access denied, 7 authentication failed,\n"
               "8 timeout, 9 invalid argument, 10 configuration error, 11 start failed,\n"
               "12 the launcher cannot be reached. See launchctl(1).\n");
}

_printf_(1, 2) static int usage_error(const char *fmt, ...)
{
        va_list ap;

        fputs("launchctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\nTry 'launchctl --help'.\n", stderr);
        return FSP_EXIT_USAGE;
}

enum { OPT_VERSION = 0x100, OPT_USER, OPT_JSON, OPT_BUS_ADDRESS };

/*
 * Options come before the command; everything after it is the command's, so
 * an instance argument may start with '-'. Returns 1 to go on, 0 when done
 * (--help, --version), or minus an exit code.
 */
static int parse_options(int argc, char **argv, Context *c)
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, OPT_VERSION },
                { "user", no_argument, NULL, OPT_USER },
                { "json", no_argument, NULL, OPT_JSON },
                { "bus-address", required_argument, NULL, OPT_BUS_ADDRESS },
                {},
        };
        int o;

        opterr = 0;
        while ((o = getopt_long(argc, argv, "+:h", options, NULL)) >= 0)
                switch (o) {
                case 'h':
                        help();
                        return 0;
                case OPT_VERSION:
                        printf("launchctl (winfsp for Linux) %s\n", FSP_VERSION);
                        return 0;
                case OPT_USER:
                        c->user = true;
                        break;
                case OPT_JSON:
                        c->json = true;
                        break;
                case OPT_BUS_ADDRESS:
                        c->address = optarg;
                        break;
                case ':':
                        return -usage_error("option '%s' needs an argument", argv[optind - 1]);
                default:
                        return -usage_error("unknown option '%s'", argv[optind - 1]);
                }
        return 1;
}

static int check_arguments(const Command *cmd, int n_args)
{
        if (n_args >= cmd->min_args && (cmd->max_args < 0 || n_args <= cmd->max_args))
                return FSP_EXIT_OK;
        fprintf(stderr, "launchctl: %s: %s arguments\nUsage: launchctl %s%s%s\n", cmd->name,
                n_args < cmd->min_args ? "missing" : "too many", cmd->name, *cmd->synopsis ? " " : "",
                cmd->synopsis);
        return FSP_EXIT_USAGE;
}

int main(int argc, char **argv)
{
        Context c = { 0 };
        const Command *cmd;
        int r;

        r = parse_options(argc, argv, &c);
        if (r <= 0)
                return -r;
        if (optind >= argc)
                return usage_error("no command given");
        cmd = command_find(argv[optind]);
        if (!cmd)
                return usage_error("unknown command '%s'", argv[optind]);
        r = check_arguments(cmd, argc - optind - 1);
        if (r != FSP_EXIT_OK)
                return r;

        r = fsp_launch_open(c.user, c.address, &c.bus);
        if (r < 0) {
                fprintf(stderr, "launchctl: cannot connect to the %s: %s\n",
                        c.address ? c.address
                        : c.user  ? "session bus"
                                  : "system bus",
                        strerror(-r));
                return FSP_EXIT_UNREACHABLE;
        }
        r = cmd->run(&c, argv + optind + 1, argc - optind - 1);
        sd_bus_flush_close_unref(c.bus);
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "launchctl: cannot write the output: %m\n");
                if (r == FSP_EXIT_OK)
                        r = FSP_EXIT_FAILURE;
        }
        return r;
}
