/* SPDX-License-Identifier: MIT */
/*
 * fsp-fake-launcher: a stand-in for winfsp-launcher that speaks the same
 * D-Bus API (org.winfsp.Launcher1) with scripted answers, so the client
 * library and launchctl can be tested for every reply the real one can
 * give, including errors that are hard to provoke, slow replies and keys a
 * later version might add. It never spawns anything.
 *
 *   fsp-fake-launcher [--address ADDR] [--ready-fd FD] [--log FILE]
 *
 * Classes: memfs (plain), secure (Credentials=1, password "good pw"),
 * locked (nobody may start), broken (every start fails), slow (Start and
 * GetInfo answer after %1 milliseconds), error (the instance names the
 * error to return: "error/NoSuchClass" ...), badtype (GetInfo sends Pid as a
 * string). --log appends one line per request, with what it received;
 * Subscribe and Unsubscribe are logged with the sender and answered.
 */
#include <fsp/launch.h>
#include <fsp/secret.h>
#include <getopt.h>
#include <signal.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "bus-info.h"
#include "macro.h"

typedef struct FakeInstance {
        char *class_name;
        char *instance;
        char **args;
        uid_t started_by;
        uint64_t start_time;
        struct FakeInstance *next;
} FakeInstance;

typedef struct FakeClass {
        const char *name;
        const char *description;
        uint32_t credentials;
        bool can_start;
} FakeClass;

static const FakeClass fake_classes[] = {
        {"memfs", "In-memory file system", 0, true},
        {"secure", "Password \"protected\"\tmemfs", 1, true},
        {"locked", "Nobody may start this", 0, false},
        {"broken", "Fails at every start", 0, true},
        {"slow", "Answers late", 0, true},
        {"error", "Answers with the error its instance names", 0, true},
        {"badtype", "Sends a wrong type in GetInfo", 0, true},
};

static FakeInstance *instances;
static FILE *log_file;

_printf_(1, 2) static void log_line(const char *fmt, ...)
{
        va_list ap;
        if (!log_file)
                return;
        va_start(ap, fmt);
        vfprintf(log_file, fmt, ap);
        va_end(ap);
        fputc('\n', log_file);
        fflush(log_file);
}

static const FakeClass *class_find(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(fake_classes); i++)
                if (streq(fake_classes[i].name, name))
                        return &fake_classes[i];
        return NULL;
}

static FakeInstance *instance_find(const char *class_name, const char *instance)
{
        for (FakeInstance *i = instances; i; i = i->next)
                if (streq(i->class_name, class_name) && streq(i->instance, instance))
                        return i;
        return NULL;
}

static void instance_free(FakeInstance *i)
{
        free(i->class_name);
        free(i->instance);
        strv_free(i->args);
        free(i);
}

static void instance_remove(FakeInstance *gone)
{
        for (FakeInstance **p = &instances; *p; p = &(*p)->next)
                if (*p == gone) {
                        *p = gone->next;
                        instance_free(gone);
                        return;
                }
}

static uid_t sender_uid(sd_bus_message *m)
{
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t uid = (uid_t) -1;

        if (sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds) >= 0)
                (void) sd_bus_creds_get_euid(creds, &uid);
        return uid;
}

static uint64_t now_realtime_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static char *strv_join_log(char **l)
{
        size_t n = 1;
        char *s, *p;

        STRV_FOREACH (w, l)
                n += strlen(*w) + 3;
        s = p = calloc(1, n);
        if (!s)
                return NULL;
        STRV_FOREACH (w, l)
                p += sprintf(p, "%s[%s]", p == s ? "" : " ", *w);
        return s;
}

/* ---------------------------------------------------------------- delayed replies */

typedef struct Delayed {
        sd_bus_message *call;
        sd_event_source *timer;
} Delayed;

static int delayed_fire(sd_event_source *s, uint64_t usec, void *userdata)
{
        Delayed *d = userdata;
        (void) sd_bus_reply_method_return(d->call, NULL);
        sd_bus_message_unref(d->call);
        sd_event_source_unref(d->timer);
        free(d);
        return 0;
}

/* Answer m with an empty reply after msec milliseconds. */
static int reply_later(sd_bus_message *m, uint64_t msec)
{
        sd_event *e = sd_bus_get_event(sd_bus_message_get_bus(m));
        Delayed *d = calloc(1, sizeof(*d));
        uint64_t now;
        int r;

        if (!d)
                return -ENOMEM;
        d->call = sd_bus_message_ref(m);
        sd_event_now(e, CLOCK_MONOTONIC, &now);
        r = sd_event_add_time(e, &d->timer, CLOCK_MONOTONIC, now + msec * USEC_PER_MSEC, 0, delayed_fire, d);
        if (r < 0) {
                sd_bus_message_unref(d->call);
                free(d);
                return r;
        }
        return 1;
}

/* ---------------------------------------------------------------- Start* */

static int reply_error_named(sd_bus_error *error, const char *suffix)
{
        char name[256];
        snprintf(name, sizeof(name), FSP_LAUNCHER_ERROR "%s", suffix);
        return sd_bus_error_setf(error, name, "the fake launcher was told to fail with %s", suffix);
}

/* What a launcher checks before it starts anything, in its order; 0 when all is well. */
static int start_check(const char *class_name, const char *instance, const FspSecret *secret,
                       sd_bus_error *error)
{
        const FakeClass *c = class_find(class_name);

        if (!c)
                return sd_bus_error_setf(error, FSP_ERROR_NO_SUCH_CLASS, "no such class '%s'", class_name);
        if (isempty(instance) || strstr(instance, ".."))
                return sd_bus_error_setf(error, FSP_ERROR_INVALID_ARGUMENT, "invalid instance name '%s'",
                                         instance);
        if (streq(class_name, "error"))
                return reply_error_named(error, instance);
        if (!c->can_start)
                return sd_bus_error_setf(error, FSP_ERROR_ACCESS_DENIED,
                                         "you may not start instances of class '%s'", class_name);
        if (streq(class_name, "broken"))
                return sd_bus_error_setf(error, FSP_ERROR_START_FAILED,
                                         "%s/%s exited with status 1 before it was ready; its last words:\n"
                                         "fake: cannot mount /nonexistent",
                                         class_name, instance);
        if (c->credentials && !secret)
                return sd_bus_error_setf(error, FSP_ERROR_CONFIGURATION_ERROR,
                                         "class '%s' needs credentials: use StartWithSecret", class_name);
        if (!c->credentials && secret)
                return sd_bus_error_setf(error, FSP_ERROR_CONFIGURATION_ERROR,
                                         "class '%s' takes no credentials", class_name);
        if (secret && !streq(secret->data, "good pw"))
                return sd_bus_error_setf(error, FSP_ERROR_AUTHENTICATION_FAILED,
                                         "%s/%s refused the password", class_name, instance);
        if (instance_find(class_name, instance))
                return sd_bus_error_setf(error, FSP_ERROR_INSTANCE_EXISTS, "%s/%s is already running",
                                         class_name, instance);
        return 0;
}

/* The common part of every Start*: check, remember, reply (late for "slow"). */
static int start_common(sd_bus_message *m, const char *class_name, const char *instance, char **args,
                        const FspSecret *secret, sd_bus_error *error)
{
        FakeInstance *i;
        int r;

        r = start_check(class_name, instance, secret, error);
        if (r < 0)
                return r;
        i = calloc(1, sizeof(*i));
        if (!i)
                return -ENOMEM;
        *i = (FakeInstance){strdup(class_name), strdup(instance),    NULL,
                            sender_uid(m),      now_realtime_usec(), instances};
        r = strv_copy(args, &i->args);
        if (r < 0 || !i->class_name || !i->instance) {
                instance_free(i);
                return -ENOMEM;
        }
        instances = i;
        if (streq(class_name, "slow"))
                return reply_later(m, args && args[0] ? strtoull(args[0], NULL, 10) : 0);
        return sd_bus_reply_method_return(m, NULL);
}

static int read_start_head(sd_bus_message *m, const char **ret_class, const char **ret_instance,
                           char ***ret_args)
{
        int r = sd_bus_message_read(m, "ss", ret_class, ret_instance);
        if (r < 0)
                return r;
        return sd_bus_message_read_strv(m, ret_args);
}

static int read_secret_fd(int fd, FspSecret **ret)
{
        return fsp_secret_read_fd(fd, FSP_SECRET_MAX, 5 * USEC_PER_SEC, ret);
}

static int method_start(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_strv_free_ char **args = NULL;
        _cleanup_free_ char *joined = NULL;
        const char *c, *i;
        int r = read_start_head(m, &c, &i, &args);
        if (r < 0)
                return r;
        joined = strv_join_log(args);
        log_line("Start %s %s args=%s", c, i, strempty(joined));
        return start_common(m, c, i, args, NULL, error);
}

static int method_start_with_secret(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_strv_free_ char **args = NULL;
        _cleanup_free_ char *joined = NULL;
        FspSecret *secret = NULL;
        const char *c, *i;
        int fd, r;

        r = read_start_head(m, &c, &i, &args);
        if (r >= 0)
                r = sd_bus_message_read(m, "h", &fd);
        if (r < 0)
                return r;
        r = read_secret_fd(fd, &secret);
        if (r < 0)
                return sd_bus_error_set_errnof(error, -r, "cannot read the secret: %m");
        joined = strv_join_log(args);
        log_line("StartWithSecret %s %s args=%s secret=[%s]", c, i, strempty(joined), secret->data);
        r = start_common(m, c, i, args, secret, error);
        fsp_secret_free(secret);
        return r;
}

/* StartWithOptions' a{sv}: the secret fd and the names of the keys seen. */
static int read_options(sd_bus_message *m, FspSecret **ret_secret, char *keys, size_t keys_size)
{
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;
                char seen[256];
                size_t used;
                int fd, b;

                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "Secret")) {
                        r = sd_bus_message_read(m, "v", "h", &fd);
                        if (r >= 0)
                                r = read_secret_fd(fd, ret_secret);
                } else if (streq(key, "AttachToCallerUnit")) {
                        r = sd_bus_message_read(m, "v", "b", &b);
                        key = b ? "AttachToCallerUnit=true" : "AttachToCallerUnit=false";
                } else if (streq(key, "MountOptions")) {
                        const char *text;
                        r = sd_bus_message_read(m, "v", "s", &text);
                        if (r >= 0)
                                snprintf(seen, sizeof(seen), "MountOptions=%s", text);
                        key = seen;
                } else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;
                /* A log line that would be cut is an error: the test reads these lines. */
                used = strlen(keys);
                if (snprintf(keys + used, keys_size - used, "%s%s", used ? "," : "", key) >= (int) (keys_size - used))
                        return -ENOBUFS;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int method_start_with_options(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_strv_free_ char **args = NULL;
        _cleanup_free_ char *joined = NULL;
        FspSecret *secret = NULL;
        char keys[256] = "";
        const char *c, *i;
        int r;

        r = read_start_head(m, &c, &i, &args);
        if (r >= 0)
                r = read_options(m, &secret, keys, sizeof(keys));
        if (r < 0) {
                fsp_secret_free(secret);
                return r;
        }
        joined = strv_join_log(args);
        log_line("StartWithOptions %s %s args=%s options=[%s] secret=[%s]", c, i, strempty(joined), keys,
                 secret ? secret->data : "(none)");
        r = start_common(m, c, i, args, secret, error);
        fsp_secret_free(secret);
        return r;
}

/* ---------------------------------------------------------------- the others */

static int method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        const char *c, *i;
        FakeInstance *inst;
        int32_t status = 0;
        int r = sd_bus_message_read(m, "ss", &c, &i);
        if (r < 0)
                return r;
        log_line("Stop %s %s", c, i);
        inst = instance_find(c, i);
        if (!inst)
                return sd_bus_error_setf(error, FSP_ERROR_NO_SUCH_INSTANCE, "no instance %s/%s", c, i);
        /* "status=N" as the first argument: the exit status to report. */
        if (inst->args && inst->args[0] && strneq(inst->args[0], "status=", 7))
                status = atoi(inst->args[0] + 7);
        instance_remove(inst);
        return sd_bus_reply_method_return(m, "i", status);
}

/* What a launcher of a later version might send, of a type no client reads: must be skipped. */
static int append_future_key(sd_bus_message *reply)
{
        return sd_bus_message_append(reply, "{sv}", "FutureKey", "a{ss}", 1, "x", "y");
}

/* class badtype: a dictionary whose Pid has the wrong type (the only entry not from the real encoder). */
static int append_bad_info(sd_bus_message *reply, const FakeInstance *i)
{
        return sd_bus_message_append(reply, "{sv}{sv}{sv}", "Class", "s", i->class_name, "Instance", "s", i->instance,
                                     "Pid", "s", "not a number");
}

/* GetInfo's dictionary, encoded by the launcher's own encoder (launcher/daemon/bus-info.c). */
static int append_info(sd_bus_message *reply, const FakeInstance *i)
{
        _cleanup_free_ char *mount_point = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        size_t n = strv_length(i->args);
        int r;

        if (asprintf(&mount_point, "/mnt/%s", i->instance) < 0 || !(argv = calloc(n + 2, sizeof(char *))) ||
            !(argv[0] = strdup("/usr/bin/fake-fs")))
                return -ENOMEM;
        for (size_t k = 0; k < n; k++)
                if (!(argv[k + 1] = strdup(i->args[k])))
                        return -ENOMEM;
        BusInstanceInfo info = {
                .class_name = i->class_name,
                .instance = i->instance,
                .argv = argv,
                .pid = getpid(),
                .state = "running",
                .mount_point = mount_point,
                .started_by = i->started_by,
                .run_as = 0,
                .start_time_usec = i->start_time,
                .restarts = 2,
                .last_exit_status = -1,
        };
        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = append_future_key(reply);
        if (r >= 0)
                r = streq(i->class_name, "badtype") ? append_bad_info(reply, i) : bus_append_instance_info(reply, &info);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int method_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *c, *i;
        FakeInstance *inst;
        int r = sd_bus_message_read(m, "ss", &c, &i);
        if (r < 0)
                return r;
        log_line("GetInfo %s %s", c, i);
        if (!class_find(c))
                return sd_bus_error_setf(error, FSP_ERROR_NO_SUCH_CLASS, "no such class '%s'", c);
        inst = instance_find(c, i);
        if (!inst)
                return sd_bus_error_setf(error, FSP_ERROR_NO_SUCH_INSTANCE, "no instance %s/%s", c, i);
        if (streq(c, "slow") && inst->args && inst->args[0])
                return reply_later(m, strtoull(inst->args[0], NULL, 10));
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = append_info(reply, inst);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        log_line("List");
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ss)");
        for (FakeInstance *i = instances; i && r >= 0; i = i->next)
                r = sd_bus_message_append(reply, "(ss)", i->class_name, i->instance);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int append_class(sd_bus_message *reply, const FakeClass *c)
{
        int r = sd_bus_message_open_container(reply, 'r', "sa{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "sa{sv}", c->name, 4, "Description", "s", c->description,
                                          "FutureKey", "(uu)", 1, 2, "Credentials", "u", c->credentials,
                                          "CanStart", "b", c->can_start);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int method_list_classes(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        log_line("ListClasses");
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sa{sv})");
        for (size_t k = 0; k < ELEMENTSOF(fake_classes) && r >= 0; k++)
                r = append_class(reply, &fake_classes[k]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_reload(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        log_line("Reload uid=%u", (unsigned) sender_uid(m));
        if (sender_uid(m) != 0)
                return sd_bus_error_set(error, FSP_ERROR_ACCESS_DENIED, "only root may reload the classes");
        return sd_bus_reply_method_return(m, NULL);
}

static int method_subscribe(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        log_line("%s %s", sd_bus_message_get_member(m), strempty(sd_bus_message_get_sender(m)));
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable fake_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Start", "ssas", "", method_start, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("StartWithSecret", "ssash", "", method_start_with_secret, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("StartWithOptions", "ssasa{sv}", "", method_start_with_options,
                      SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Stop", "ss", "i", method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("GetInfo", "ss", "a{sv}", method_get_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("List", "", "a(ss)", method_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ListClasses", "", "a(sa{sv})", method_list_classes, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reload", "", "", method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Subscribe", "", "", method_subscribe, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Unsubscribe", "", "", method_subscribe, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

/* ---------------------------------------------------------------- main */

static int bus_connect(const char *address, sd_bus **ret)
{
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        int r;

        if (!address)
                return sd_bus_open_system(ret);
        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, true);
        if (r >= 0)
                r = sd_bus_negotiate_fds(bus, true);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

static int serve(const char *address, int ready_fd)
{
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
        if (r >= 0)
                r = bus_connect(address, &bus);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, FSP_LAUNCHER_PATH, FSP_LAUNCHER_INTERFACE,
                                             fake_vtable, NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, FSP_LAUNCHER_BUS_NAME, 0);
        if (r >= 0)
                r = sd_bus_attach_event(bus, event, 0);
        if (r < 0) {
                fprintf(stderr, "fsp-fake-launcher: %s\n", strerror(-r));
                return 1;
        }
        if (ready_fd >= 0) {
                (void) !write(ready_fd, "ready\n", 6);
                close(ready_fd);
        }
        r = sd_event_loop(event);
        while (instances)
                instance_remove(instances);
        return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
        static const struct option options[] = {
                {"address", required_argument, NULL, 'a'},
                {"ready-fd", required_argument, NULL, 'r'},
                {"log", required_argument, NULL, 'l'},
                {},
        };
        const char *address = NULL;
        int ready_fd = -1, c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'a':
                        address = optarg;
                        break;
                case 'r':
                        ready_fd = atoi(optarg);
                        break;
                case 'l':
                        log_file = fopen(optarg, "ae");
                        if (!log_file) {
                                fprintf(stderr, "fsp-fake-launcher: %s: %m\n", optarg);
                                return 2;
                        }
                        break;
                default:
                        return 2;
                }
        r = serve(address, ready_fd);
        if (log_file)
                fclose(log_file);
        return r;
}
