/* SPDX-License-Identifier: MIT */
/*
 * The launcher client API (<fsp/launch.h>) against fsp-fake-launcher on a
 * private dbus-daemon: every call, every launcher error and its errno, keys
 * from a later version, wrong types, a slow start that outlives the default
 * method timeout, the three ways to find the bus, and no launcher at all.
 * Needs no privileges.
 *
 *   test-client PATH-TO-fsp-fake-launcher
 */
#include <fcntl.h>
#include <fsp/launch.h>
#include <fsp/secret.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "../helpers/test.h"
#include "macro.h"

static char test_dir[] = "/tmp/fsp-client.XXXXXX";
static char bus_address[512];
static char log_path[600];
static pid_t bus_pid = -1, fake_pid = -1;

/* ---------------------------------------------------------------- set-up */

/* Read one line from fd within seconds; -ETIMEDOUT if nothing came. */
static int read_line_within(int fd, char *buf, size_t size, int seconds)
{
        size_t n = 0;

        while (n < size - 1) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                ssize_t k;
                int r = poll(&p, 1, seconds * 1000);
                if (r == 0)
                        return -ETIMEDOUT;
                if (r < 0)
                        return -errno;
                k = read(fd, buf + n, 1);
                if (k <= 0)
                        return k == 0 ? -EPIPE : -errno;
                if (buf[n] == '\n')
                        break;
                n++;
        }
        buf[n] = 0;
        return 0;
}

/* Start argv with its fd 3 being the write end of a pipe; read the first line from it. */
static pid_t spawn_and_read_line(char *const argv[], char *line, size_t size)
{
        _cleanup_close_pair_ int p[2] = {-1, -1};
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (dup2(p[1], 3) < 0)
                        _exit(127);
                execvp(argv[0], argv);
                fprintf(stderr, "cannot run %s: %m\n", argv[0]);
                _exit(127);
        }
        p[1] = safe_close(p[1]);
        if (read_line_within(p[0], line, size, 10) < 0) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                return -ETIMEDOUT;
        }
        return pid;
}

static int write_file(const char *path, const char *text)
{
        _cleanup_fclose_ FILE *f = fopen(path, "we");
        if (!f)
                return -errno;
        fputs(text, f);
        return fflush(f) == 0 ? 0 : -errno;
}

static int bus_start(void)
{
        char conf[600], arg[700], text[2048];

        snprintf(conf, sizeof(conf), "%s/bus.conf", test_dir);
        snprintf(text, sizeof(text),
                 "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                 " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                 "<busconfig><type>session</type><listen>unix:path=%s/bus.sock</listen>\n"
                 "<auth>EXTERNAL</auth><policy context=\"default\"><allow send_destination=\"*\" "
                 "eavesdrop=\"true\"/>\n"
                 "<allow eavesdrop=\"true\"/>"
                 "<allow own=\"*\"/></policy></busconfig>\n",
                 test_dir);
        if (write_file(conf, text) < 0)
                return -EIO;
        snprintf(arg, sizeof(arg), "--config-file=%s", conf);
        char *argv[] = {"dbus-daemon", arg, "--nofork", "--nopidfile", "--print-address=3", NULL};
        bus_pid = spawn_and_read_line(argv, bus_address, sizeof(bus_address));
        return bus_pid < 0 ? (int) bus_pid : 0;
}

static int fake_start(const char *fake)
{
        char line[64];
        char *argv[] = {(char *) fake, "--address", bus_address, "--ready-fd", "3", "--log", log_path, NULL};

        fake_pid = spawn_and_read_line(argv, line, sizeof(line));
        return fake_pid < 0 ? (int) fake_pid : 0;
}

static void child_stop(pid_t *pid)
{
        if (*pid > 0) {
                kill(*pid, SIGTERM);
                waitpid(*pid, NULL, 0);
        }
        *pid = -1;
}

static void cleanup(void)
{
        char path[700];

        child_stop(&fake_pid);
        child_stop(&bus_pid);
        snprintf(path, sizeof(path), "%s/bus.conf", test_dir);
        unlink(path);
        unlink(log_path);
        rmdir(test_dir);
}

/* The fake's log, for checking what reached it. */
static char *fake_log(void)
{
        _cleanup_fclose_ FILE *f = fopen(log_path, "re");
        char *text = NULL;
        size_t n = 0;

        if (!f || getdelim(&text, &n, 0, f) < 0) {
                free(text);
                return strdup("");
        }
        return text;
}

/* ---------------------------------------------------------------- the tests */

static void check_bus_error(int r, const sd_bus_error *error, const char *name, int errno_value,
                            FspLaunchError kind, const char *message_part)
{
        CHECK_ERRNO(r, errno_value);
        CHECK_STR(error->name, name);
        CHECK_INT(sd_bus_error_get_errno(error), errno_value);
        CHECK_INT(fsp_launch_error_from_bus(error), kind);
        CHECK_CONTAINS(error->message, message_part);
}

static void test_open(void)
{
        _cleanup_(sd_bus_unrefp) sd_bus *a = NULL, *b = NULL, *c = NULL, *bad = NULL;
        const char *unique;

        /* An explicit address, then each environment variable. */
        CHECK_INT(fsp_launch_open(false, bus_address, &a), 0);
        CHECK(a && sd_bus_get_unique_name(a, &unique) >= 0);
        setenv("DBUS_SYSTEM_BUS_ADDRESS", bus_address, 1);
        CHECK_INT(fsp_launch_open(false, NULL, &b), 0);
        CHECK(b && sd_bus_get_unique_name(b, &unique) >= 0);
        setenv("DBUS_SESSION_BUS_ADDRESS", bus_address, 1);
        CHECK_INT(fsp_launch_open(true, NULL, &c), 0);
        CHECK(c && sd_bus_get_unique_name(c, &unique) >= 0);

        CHECK(fsp_launch_open(false, "unix:path=/nonexistent/bus.sock", &bad) < 0);
        CHECK(bad == NULL);
        CHECK_ERRNO(fsp_launch_open(false, NULL, NULL), EINVAL);
}

static void test_start_and_errors(sd_bus *bus)
{
        static const struct {
                const char *suffix;
                int errno_value;
                FspLaunchError kind;
        } errors[] = {
                {"NoSuchClass", ENOENT, FSP_LAUNCH_NO_SUCH_CLASS},
                {"NoSuchInstance", ESRCH, FSP_LAUNCH_NO_SUCH_INSTANCE},
                {"InstanceExists", EEXIST, FSP_LAUNCH_INSTANCE_EXISTS},
                {"AccessDenied", EACCES, FSP_LAUNCH_ACCESS_DENIED},
                {"AuthenticationFailed", EKEYREJECTED, FSP_LAUNCH_AUTHENTICATION_FAILED},
                {"Timeout", ETIMEDOUT, FSP_LAUNCH_TIMEOUT},
                {"InvalidArgument", EINVAL, FSP_LAUNCH_INVALID_ARGUMENT},
                {"ConfigurationError", ENOEXEC, FSP_LAUNCH_CONFIGURATION_ERROR},
                {"StartFailed", ECHILD, FSP_LAUNCH_START_FAILED},
                {"LimitExceeded", EDQUOT, FSP_LAUNCH_LIMIT_EXCEEDED},
        };
        /* One exit status per error family, in the order above; the table of launchctl(1). */
        static const int exit_statuses[] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 15};
        char *args[] = {"-x", "two words", "%1", "", NULL};
        _cleanup_free_ char *log = NULL;

        CHECK_INT(fsp_launch_start(bus, "memfs", "a", args, NULL), 0);
        CHECK_INT(fsp_launch_start(bus, "memfs", "no-args", NULL, NULL), 0);
        log = fake_log();
        CHECK_CONTAINS(log, "Start memfs a args=[-x] [two words] [%1] []");
        CHECK_CONTAINS(log, "Start memfs no-args args=\n");

        for (size_t i = 0; i < ELEMENTSOF(errors); i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                char name[128];

                snprintf(name, sizeof(name), FSP_LAUNCHER_ERROR "%s", errors[i].suffix);
                int r = fsp_launch_start(bus, "error", errors[i].suffix, NULL, &error);
                check_bus_error(r, &error, name, errors[i].errno_value, errors[i].kind, errors[i].suffix);
                CHECK_INT(fsp_launch_exit_status(r, &error), exit_statuses[i]);
        }
        CHECK_INT(FSP_EXIT_LIMIT_EXCEEDED, 15);

        _cleanup_(sd_bus_error_free) sd_bus_error e1 = SD_BUS_ERROR_NULL, e2 = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e3 = SD_BUS_ERROR_NULL;
        check_bus_error(fsp_launch_start(bus, "nope", "a", NULL, &e1), &e1, FSP_ERROR_NO_SUCH_CLASS, ENOENT,
                        FSP_LAUNCH_NO_SUCH_CLASS, "no such class 'nope'");
        check_bus_error(fsp_launch_start(bus, "memfs", "a", NULL, &e2), &e2, FSP_ERROR_INSTANCE_EXISTS,
                        EEXIST, FSP_LAUNCH_INSTANCE_EXISTS, "already running");
        check_bus_error(fsp_launch_start(bus, "broken", "b", NULL, &e3), &e3, FSP_ERROR_START_FAILED, ECHILD,
                        FSP_LAUNCH_START_FAILED, "cannot mount /nonexistent");

        /* A NULL error is allowed: the errno alone still tells. */
        CHECK_ERRNO(fsp_launch_start(bus, "locked", "a", NULL, NULL), EACCES);
        CHECK_ERRNO(fsp_launch_start(bus, NULL, "a", NULL, NULL), EINVAL);
        CHECK_ERRNO(fsp_launch_start(NULL, "memfs", "a", NULL, NULL), EINVAL);
        CHECK_INT(fsp_launch_error_from_bus(NULL), FSP_LAUNCH_OK);
}

static int secret_pipe(const char *text)
{
        FspSecret *s = NULL;
        int fd = -1;

        if (fsp_secret_new_from(text, strlen(text), &s) < 0 || fsp_secret_to_pipe(s, &fd) < 0)
                fd = -1;
        fsp_secret_free(s);
        return fd;
}

static void test_secrets(sd_bus *bus)
{
        _cleanup_(sd_bus_error_free) sd_bus_error e1 = SD_BUS_ERROR_NULL, e2 = SD_BUS_ERROR_NULL;
        _cleanup_close_ int good = secret_pipe("good pw"), bad = secret_pipe("bad pw");
        _cleanup_close_ int good2 = secret_pipe("good pw"), good3 = secret_pipe("good pw");
        FspStartOptions options = FSP_START_OPTIONS_INIT;
        _cleanup_free_ char *log = NULL;
        char *args[] = {"arg", NULL};

        CHECK(good >= 0 && bad >= 0);
        CHECK_INT(fsp_launch_start_with_secret(bus, "secure", "s1", args, good, NULL), 0);
        check_bus_error(fsp_launch_start_with_secret(bus, "secure", "s2", NULL, bad, &e1), &e1,
                        FSP_ERROR_AUTHENTICATION_FAILED, EKEYREJECTED, FSP_LAUNCH_AUTHENTICATION_FAILED,
                        "refused the password");
        check_bus_error(fsp_launch_start(bus, "secure", "s3", NULL, &e2), &e2, FSP_ERROR_CONFIGURATION_ERROR,
                        ENOEXEC, FSP_LAUNCH_CONFIGURATION_ERROR, "needs credentials");
        CHECK_ERRNO(fsp_launch_start_with_secret(bus, "secure", "s4", NULL, -1, NULL), EBADF);

        /* The options dictionary carries only what was asked for. */
        options.secret_fd = good2;
        options.attach_to_caller_unit = true;
        CHECK_INT(fsp_launch_start_with_options(bus, "secure", "o1", args, &options, NULL), 0);
        options.attach_to_caller_unit = false;
        options.secret_fd = good3;
        CHECK_INT(fsp_launch_start_with_options(bus, "secure", "o2", NULL, &options, NULL), 0);
        CHECK_INT(fsp_launch_start_with_options(bus, "memfs", "o3", NULL, NULL, NULL), 0);
        options = FSP_START_OPTIONS_INIT;
        CHECK(options.mount_options == NULL);
        options.mount_options = "ro,reconnect,x-systemd.automount";
        CHECK_INT(fsp_launch_start_with_options(bus, "memfs", "o4", NULL, &options, NULL), 0);
        options.mount_options = "";
        CHECK_INT(fsp_launch_start_with_options(bus, "memfs", "o5", NULL, &options, NULL), 0);

        log = fake_log();
        CHECK_CONTAINS(log, "StartWithSecret secure s1 args=[arg] secret=[good pw]");
        CHECK_CONTAINS(log, "StartWithSecret secure s2 args= secret=[bad pw]");
        CHECK_CONTAINS(log, "StartWithOptions secure o1 args=[arg] options=[Secret,AttachToCallerUnit=true] "
                            "secret=[good pw]");
        CHECK_CONTAINS(log, "StartWithOptions secure o2 args= options=[Secret] secret=[good pw]");
        CHECK_CONTAINS(log, "StartWithOptions memfs o3 args= options=[] secret=[(none)]");
        CHECK_CONTAINS(log, "StartWithOptions memfs o4 args= options=[MountOptions=ro,reconnect,x-systemd.automount] "
                            "secret=[(none)]");
        CHECK_CONTAINS(log, "StartWithOptions memfs o5 args= options=[MountOptions=] secret=[(none)]");
}

/* The exit statuses of failures that are not the launcher's answers. */
static void test_exit_statuses(void)
{
        _cleanup_(sd_bus_error_free) sd_bus_error unknown = SD_BUS_ERROR_NULL, denied = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error other = SD_BUS_ERROR_NULL;

        sd_bus_error_set(&unknown, SD_BUS_ERROR_SERVICE_UNKNOWN, "no launcher");
        sd_bus_error_set(&denied, SD_BUS_ERROR_ACCESS_DENIED, "policy");
        sd_bus_error_set(&other, "org.example.Error.Odd", "odd");
        CHECK_INT(fsp_launch_exit_status(-EHOSTUNREACH, &unknown), FSP_EXIT_UNREACHABLE);
        CHECK_INT(fsp_launch_exit_status(-EACCES, &denied), FSP_EXIT_ACCESS_DENIED);
        CHECK_INT(fsp_launch_exit_status(-EIO, &other), FSP_EXIT_FAILURE);
        CHECK_INT(fsp_launch_exit_status(-ECONNREFUSED, NULL), FSP_EXIT_UNREACHABLE);
        CHECK_INT(fsp_launch_exit_status(-ENOMEM, NULL), FSP_EXIT_FAILURE);
}

static void test_subscribe(sd_bus *bus)
{
        _cleanup_free_ char *log = NULL;
        const char *unique = NULL;
        char line[256];

        CHECK_INT(fsp_launch_subscribe(bus, NULL), 0);
        CHECK_INT(fsp_launch_unsubscribe(bus, NULL), 0);
        CHECK(sd_bus_get_unique_name(bus, &unique) >= 0);
        log = fake_log();
        snprintf(line, sizeof(line), "Subscribe %s\nUnsubscribe %s\n", strempty(unique), strempty(unique));
        CHECK_CONTAINS(log, line);
        CHECK_ERRNO(fsp_launch_subscribe(NULL, NULL), EINVAL);
}

static void test_get_info(sd_bus *bus)
{
        _cleanup_(sd_bus_error_free) sd_bus_error e1 = SD_BUS_ERROR_NULL, e2 = SD_BUS_ERROR_NULL;
        _cleanup_(fsp_instance_info_done) FspInstanceInfo info = {0}, untouched = {.pid = 4242};
        uint64_t now = (uint64_t) time(NULL) * USEC_PER_SEC;

        CHECK_INT(fsp_launch_get_info(bus, "memfs", "a", &info, NULL), 0);
        CHECK_STR(info.class_name, "memfs");
        CHECK_STR(info.instance, "a");
        CHECK_INT(strv_length(info.argv), 5);
        CHECK_STR(info.argv[0], "/usr/bin/fake-fs");
        CHECK_STR(info.argv[2], "two words");
        CHECK_STR(info.argv[4], "");
        CHECK_INT(info.pid, fake_pid);
        CHECK_STR(info.state, "running");
        CHECK_STR(info.mount_point, "/mnt/a");
        CHECK_INT(info.started_by, geteuid());
        CHECK_INT(info.run_as, 0);
        CHECK(info.start_time_usec + 60 * USEC_PER_SEC > now &&
              info.start_time_usec < now + 60 * USEC_PER_SEC);
        CHECK_INT(info.restarts, 2);
        CHECK_INT(info.last_exit_status, -1);

        check_bus_error(fsp_launch_get_info(bus, "memfs", "nothing", &untouched, &e1), &e1,
                        FSP_ERROR_NO_SUCH_INSTANCE, ESRCH, FSP_LAUNCH_NO_SUCH_INSTANCE,
                        "no instance memfs/nothing");
        check_bus_error(fsp_launch_get_info(bus, "nope", "a", &untouched, &e2), &e2, FSP_ERROR_NO_SUCH_CLASS,
                        ENOENT, FSP_LAUNCH_NO_SUCH_CLASS, "no such class");

        /* A reply with a known key of the wrong type is refused, and *ret is left alone. */
        CHECK_INT(fsp_launch_start(bus, "badtype", "t", NULL, NULL), 0);
        CHECK(fsp_launch_get_info(bus, "badtype", "t", &untouched, NULL) < 0);
        CHECK_INT(untouched.pid, 4242);
        CHECK(untouched.class_name == NULL);
        CHECK_ERRNO(fsp_launch_get_info(bus, "memfs", "a", NULL, NULL), EINVAL);
}

static int compare_ids(const void *a, const void *b)
{
        const FspInstanceId *x = a, *y = b;
        int c = strcmp(x->class_name, y->class_name);
        return c ? c : strcmp(x->instance, y->instance);
}

static void test_lists(sd_bus *bus)
{
        FspInstanceId *ids = NULL;
        FspClassInfo *classes = NULL;
        size_t n = 0;

        CHECK_INT(fsp_launch_list(bus, &ids, &n, NULL), 0);
        /* memfs a, no-args, o3, o4, o5; secure s1, o1, o2; badtype t */
        CHECK_INT(n, 9);
        if (n == 9) {
                qsort(ids, n, sizeof(*ids), compare_ids);
                CHECK_STR(ids[0].class_name, "badtype");
                CHECK_STR(ids[1].class_name, "memfs");
                CHECK_STR(ids[1].instance, "a");
                CHECK_STR(ids[8].instance, "s1");
        }
        fsp_instance_ids_free(ids, n);

        CHECK_INT(fsp_launch_list_classes(bus, &classes, &n, NULL), 0);
        CHECK_INT(n, 7);
        if (n == 7) {
                CHECK_STR(classes[0].name, "memfs");
                CHECK_STR(classes[0].description, "In-memory file system");
                CHECK_INT(classes[0].credentials, 0);
                CHECK(classes[0].can_start);
                CHECK_STR(classes[1].name, "secure");
                CHECK_STR(classes[1].description, "Password \"protected\"\tmemfs");
                CHECK_INT(classes[1].credentials, 1);
                CHECK_STR(classes[2].name, "locked");
                CHECK(!classes[2].can_start);
        }
        fsp_class_infos_free(classes, n);
        CHECK_ERRNO(fsp_launch_list(bus, NULL, &n, NULL), EINVAL);
}

static void test_stop_and_reload(sd_bus *bus)
{
        _cleanup_(sd_bus_error_free) sd_bus_error e1 = SD_BUS_ERROR_NULL;
        char *args[] = {"status=143", NULL};
        int status = -1;

        CHECK_INT(fsp_launch_stop(bus, "memfs", "a", &status, NULL), 0);
        CHECK_INT(status, 0);
        CHECK_INT(fsp_launch_start(bus, "memfs", "killed", args, NULL), 0);
        CHECK_INT(fsp_launch_stop(bus, "memfs", "killed", &status, NULL), 0);
        CHECK_INT(status, 143);
        CHECK_INT(fsp_launch_stop(bus, "memfs", "no-args", NULL, NULL), 0);
        check_bus_error(fsp_launch_stop(bus, "memfs", "a", &status, &e1), &e1, FSP_ERROR_NO_SUCH_INSTANCE,
                        ESRCH, FSP_LAUNCH_NO_SUCH_INSTANCE, "memfs/a");

        if (geteuid() == 0)
                CHECK_INT(fsp_launch_reload(bus, NULL), 0);
        else
                CHECK_ERRNO(fsp_launch_reload(bus, NULL), EACCES);
}

/* Start must outlive the bus's method timeout; other calls must not. */
static void test_slow(sd_bus *bus)
{
        char *args[] = {"1500", NULL};
        FspInstanceInfo info;
        struct timespec t0, t1;

        CHECK_INT(sd_bus_set_method_call_timeout(bus, 500 * USEC_PER_MSEC), 0);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        CHECK_INT(fsp_launch_start(bus, "slow", "s", args, NULL), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        CHECK(t1.tv_sec - t0.tv_sec >= 1);
        CHECK_ERRNO(fsp_launch_get_info(bus, "slow", "s", &info, NULL), ETIMEDOUT);
        CHECK_INT(sd_bus_set_method_call_timeout(bus, 25 * USEC_PER_SEC), 0);
}

/* Kill the fake once its log shows it received what. In a child, polling with a deadline. */
static pid_t kill_fake_when_logged(const char *what)
{
        pid_t pid = fork();

        if (pid != 0)
                return pid;
        for (int i = 0; i < 1000; i++) {
                _cleanup_free_ char *log = fake_log();
                if (strstr(log, what)) {
                        kill(fake_pid, SIGKILL);
                        _exit(0);
                }
                poll(NULL, 0, 10);
        }
        _exit(1);
}

/* The launcher dies while a start waits (with no time limit): the bus answers for it. */
static void test_launcher_dies(sd_bus *bus)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char *args[] = {"600000", NULL};
        int status = -1;
        pid_t killer = kill_fake_when_logged("Start slow dying");

        CHECK(fsp_launch_start(bus, "slow", "dying", args, &error) < 0);
        CHECK_STR(error.name, "org.freedesktop.DBus.Error.NoReply");
        CHECK_INT(fsp_launch_error_from_bus(&error), FSP_LAUNCH_BUS_ERROR);
        CHECK(waitpid(killer, &status, 0) == killer && WIFEXITED(status) && WEXITSTATUS(status) == 0);
        waitpid(fake_pid, NULL, 0);
        fake_pid = -1;
}

/* No launcher on the bus: a bus error, not one of the launcher's. */
static void test_no_launcher(sd_bus *bus)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = fsp_launch_start(bus, "memfs", "a", NULL, &error);
        CHECK(r < 0);
        CHECK_STR(error.name, "org.freedesktop.DBus.Error.ServiceUnknown");
        CHECK_INT(fsp_launch_error_from_bus(&error), FSP_LAUNCH_BUS_ERROR);
}

int main(int argc, char **argv)
{
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;

        if (argc < 2) {
                fprintf(stderr, "usage: test-client PATH-TO-fsp-fake-launcher\n");
                return 2;
        }
        if (system("command -v dbus-daemon >/dev/null") != 0) {
                fprintf(stderr, "SKIP: dbus-daemon is not installed\n");
                return TEST_SKIP;
        }
        if (!mkdtemp(test_dir))
                return EXIT_FAILURE;
        snprintf(log_path, sizeof(log_path), "%s/fake.log", test_dir);
        atexit(cleanup);
        if (bus_start() < 0 || fake_start(argv[1]) < 0) {
                fprintf(stderr, "FAIL: cannot start the private bus or the fake launcher\n");
                return EXIT_FAILURE;
        }

        test_open();
        CHECK_INT(fsp_launch_open(false, bus_address, &bus), 0);
        if (!bus)
                return test_result();
        test_start_and_errors(bus);
        test_secrets(bus);
        test_get_info(bus);
        test_lists(bus);
        test_stop_and_reload(bus);
        test_exit_statuses();
        test_subscribe(bus);
        test_slow(bus);
        test_launcher_dies(bus);
        test_no_launcher(bus);
        return test_result();
}
