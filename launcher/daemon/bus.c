/* SPDX-License-Identifier: MIT */
/*
 * org.winfsp.Launcher1: one handler per method — parse, identify the caller
 * from the bus's own credentials, check access, call the model, reply (now,
 * or when the instance tells how it went).
 */
#include <fsp/launch.h>
#include <stdarg.h>

#include "bus-caller.h"
#include "bus-info.h"
#include "bus-signals.h"
#include "bus.h"
#include "log.h"
#include "manager.h"
#include "start-request.h"
#include "systemd.h"

/* A call that waits for an instance: a Start until it is ready or failed, a Stop until it is gone. */
typedef struct PendingCall PendingCall;
struct PendingCall {
        PendingCall *next;
        Instance *instance;
        sd_bus_message *call;
        bool is_stop;
};

struct Bus {
        Manager *manager;
        sd_bus *bus;
        PendingCall *pending;
        Subscribers subscribers;
};

/* ------------------------------------------------------------ replies */

static int reply_error(sd_bus_message *m, const char *name, const char *fmt, ...) _printf_(3, 4);
static int reply_error(sd_bus_message *m, const char *name, const char *fmt, ...)
{
        _cleanup_free_ char *text = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;
        va_end(ap);
        r = sd_bus_reply_method_errorf(m, name, "%s", text ? text : "out of memory");
        return r < 0 ? r : 0;
}

/* Method handlers return 1 once a reply is sent or pending. Helpers: 1 go on, 0 an error reply was sent. */
static int handled(int r)
{
        return r < 0 ? r : 1;
}

static int reply_caller_unknown(sd_bus_message *m, int r)
{
        return reply_error(m, FSP_ERROR_ACCESS_DENIED, "cannot identify the caller: %s", strerror(-r));
}

static int pending_add(Bus *b, Instance *i, sd_bus_message *call, bool is_stop)
{
        PendingCall *p = calloc(1, sizeof(*p));

        if (!p)
                return -ENOMEM;
        *p = (PendingCall){ .next = b->pending, .instance = i, .call = sd_bus_message_ref(call), .is_stop = is_stop };
        b->pending = p;
        return 0;
}

/* Answer every call of one kind waiting for i: with the status (Stop), success or an error (Start). */
static void pending_answer(Bus *b, Instance *i, bool stops, int status, const char *error_name,
                           const char *message)
{
        for (PendingCall **pp = &b->pending, *p; (p = *pp);) {
                if (p->instance != i || p->is_stop != stops) {
                        pp = &p->next;
                        continue;
                }
                if (error_name)
                        (void) sd_bus_reply_method_errorf(p->call, error_name, "%s", message);
                else if (stops)
                        (void) sd_bus_reply_method_return(p->call, "i", (int32_t) status);
                else
                        (void) sd_bus_reply_method_return(p->call, NULL);
                *pp = p->next;
                sd_bus_message_unref(p->call);
                free(p);
        }
}

/* ------------------------------------------------------------ what instances tell */

static void on_ready(Instance *i, void *userdata)
{
        Bus *b = userdata;

        pending_answer(b, i, false, 0, NULL, NULL);
        subscribers_emit(&b->subscribers, b->bus, i, "InstanceStarted", 0);
}

static void on_start_failed(Instance *i, const char *error_name, const char *message, void *userdata)
{
        pending_answer(userdata, i, false, 0, error_name, message);
}

static void on_ended(Instance *i, int status, void *userdata)
{
        Bus *b = userdata;

        subscribers_emit(&b->subscribers, b->bus, i, "InstanceStopped", status);
}

static void on_finished(Instance *i, int status, void *userdata)
{
        Bus *b = userdata;

        pending_answer(b, i, true, status, NULL, NULL);
        pending_answer(b, i, false, 0, FSP_ERROR_START_FAILED, "the instance ended before it was ready");
}

static const InstanceObserver bus_observer = {
        .ready = on_ready,
        .start_failed = on_start_failed,
        .ended = on_ended,
        .finished = on_finished,
};

/* ------------------------------------------------------------ Start */

/* Judged in start-request.c; made here, answered when the instance is ready or failed. */
static int start_request(sd_bus_message *m, Bus *b, StartRequest *req)
{
        _cleanup_(caller_done) Caller caller = { 0 };
        _cleanup_(instance_identity_done) InstanceIdentity id = { 0 };
        _cleanup_(mount_plan_done) MountPlan plan = { .mode = MOUNT_NONE };
        _cleanup_(refusal_done) Refusal refusal = { 0 };
        _cleanup_free_ char *unit = NULL, *why = NULL;
        InstanceStartParams params = INSTANCE_START_PARAMS_INIT;
        Manager *mgr = b->manager;
        FspClass *c = NULL;
        Instance *i;
        int r;

        r = caller_get(m, &caller);
        if (r < 0)
                return reply_caller_unknown(m, r);
        r = start_request_check(mgr, req, &caller, &c, &plan, &refusal);
        if (r == 0)
                return reply_error(m, refusal.error_name, "%s", refusal.text);
        if (r < 0)
                return r;
        if (req->attach && !(unit = systemd_unit_of_pid(caller.pid)))
                return reply_error(m, FSP_ERROR_INVALID_ARGUMENT, "the caller (pid %d) is not in a systemd unit",
                                   (int) caller.pid);
        r = identity_resolve(c, mgr->uid, &caller, &id, &why);
        if (r < 0 && why)
                return reply_error(m, FSP_ERROR_CONFIGURATION_ERROR, "%s", why);
        if (r < 0)
                return r;
        r = manager_add_instance(mgr, c, req->instance, req->args, &id, unit, &i);
        if (r < 0)
                return r;
        if ((plan.mode != MOUNT_NONE && (r = instance_set_mount_point(i, plan.mode, plan.word, plan.path)) < 0) ||
            (r = instance_set_mount_options(i, req->mount_options, &why)) < 0 ||
            (r = pending_add(b, i, m, false)) < 0) {
                manager_remove_instance(mgr, i);
                if (why)
                        return reply_error(m, FSP_ERROR_INVALID_ARGUMENT, "%s", why);
                return r;
        }
        log_info("%s/%s: start requested by %s (uid %u)%s", i->class_name, i->name, caller.name,
                 (unsigned) caller.fsp.uid, req->fuse_fd >= 0 ? ", on a FUSE connection it mounted" : "");
        params.secret_fd = req->secret_fd;
        params.fuse_fd = req->fuse_fd;
        r = manager_queue_start(mgr, i, &params);
        if (r < 0) {
                pending_answer(b, i, false, 0, FSP_ERROR_START_FAILED, "out of memory");
                manager_remove_instance(mgr, i);
                return 0;
        }
        return 0;
}

static int read_start(sd_bus_message *m, StartRequest *req, char ***args)
{
        int r = sd_bus_message_read(m, "ss", &req->class_name, &req->instance);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, args);
        req->args = *args;
        return r;
}

static int method_start(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_strv_free_ char **args = NULL;
        StartRequest req = { .secret_fd = -1, .fuse_fd = -1 };
        int r = read_start(m, &req, &args);

        if (r < 0)
                return r;
        return handled(start_request(m, userdata, &req));
}

static int method_start_with_secret(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_strv_free_ char **args = NULL;
        StartRequest req = { .secret_fd = -1, .fuse_fd = -1 };
        int r = read_start(m, &req, &args);

        if (r >= 0)
                r = sd_bus_message_read(m, "h", &req.secret_fd);
        if (r < 0)
                return r;
        return handled(start_request(m, userdata, &req));
}

static int read_start_options(sd_bus_message *m, StartRequest *req)
{
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;
                if ((r = sd_bus_message_read(m, "s", &key)) < 0)
                        return r;
                if (streq(key, "Secret"))
                        r = sd_bus_message_read(m, "v", "h", &req->secret_fd);
                else if (streq(key, "FuseFd"))
                        r = sd_bus_message_read(m, "v", "h", &req->fuse_fd);
                else if (streq(key, "MountOptions"))
                        r = sd_bus_message_read(m, "v", "s", &req->mount_options);
                else if (streq(key, "AttachToCallerUnit")) {
                        int v = 0;
                        r = sd_bus_message_read(m, "v", "b", &v);
                        req->attach = v;
                } else
                        return reply_error(m, FSP_ERROR_INVALID_ARGUMENT, "unknown start option '%s'", key);
                if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        return r < 0 ? r : 1;
}

static int method_start_with_options(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_strv_free_ char **args = NULL;
        StartRequest req = { .secret_fd = -1, .fuse_fd = -1 };
        int r = read_start(m, &req, &args);

        if (r >= 0)
                r = read_start_options(m, &req);
        if (r <= 0)
                return handled(r);
        return handled(start_request(m, userdata, &req));
}

/* ------------------------------------------------------------ Stop, GetInfo */

/* The instance, if the caller may do rights on it; otherwise an error was sent and NULL returned. */
static Instance *find_for(sd_bus_message *m, Manager *mgr, uint32_t rights, int *ret)
{
        _cleanup_(caller_done) Caller caller = { 0 };
        const char *class_name, *name;
        Instance *i;
        int r;

        r = sd_bus_message_read(m, "ss", &class_name, &name);
        if (r < 0) {
                *ret = r;
                return NULL;
        }
        r = caller_get(m, &caller);
        if (r < 0) {
                *ret = reply_caller_unknown(m, r);
                return NULL;
        }
        i = manager_find_instance(mgr, class_name, name);
        /* One the caller may not even query answers exactly as one that does not exist. */
        if (!i || !fsp_security_check(i->class->security, &caller.fsp, i->id.started_by, FSP_RIGHT_QUERY)) {
                *ret = reply_error(m, FSP_ERROR_NO_SUCH_INSTANCE, "no instance %s/%s", class_name, name);
                return NULL;
        }
        if (!fsp_security_check(i->class->security, &caller.fsp, i->id.started_by, rights)) {
                *ret = reply_error(m, FSP_ERROR_ACCESS_DENIED, "%s (uid %u) may not %s %s/%s", caller.name,
                                   (unsigned) caller.fsp.uid, rights == FSP_RIGHT_STOP ? "stop" : "query",
                                   class_name, name);
                return NULL;
        }
        return i;
}

static int method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Bus *b = userdata;
        int r = 0;
        Instance *i = find_for(m, b->manager, FSP_RIGHT_STOP, &r);

        if (!i)
                return handled(r);
        r = pending_add(b, i, m, true);
        if (r < 0)
                return r;
        instance_stop(i);
        return 1;
}

static int method_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Bus *b = userdata;
        int r = 0;
        Instance *i = find_for(m, b->manager, FSP_RIGHT_QUERY, &r);

        if (!i)
                return handled(r);
        _cleanup_free_ char *mount_point = instance_mount_point_now(i);
        BusInstanceInfo info = {
                .class_name = i->class_name,
                .instance = i->name,
                .argv = i->argv,
                .pid = i->pid,
                .state = instance_state_to_string(i->state),
                .mount_point = mount_point,
                .started_by = i->id.started_by,
                .run_as = i->id.uid,
                .start_time_usec = i->start_time_usec,
                .restarts = i->restarts,
                .last_exit_status = i->last_exit_status,
                .status = i->status_text,
        };
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = bus_append_instance_info(reply, &info);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return handled(sd_bus_send(NULL, reply, NULL));
}

/* ------------------------------------------------------------ List, ListClasses, Reload */

typedef int (*AppendFn)(sd_bus_message *reply, Manager *mgr, const Caller *caller);

/* A reply that is one array, filled for the caller by append. */
static int reply_array(sd_bus_message *m, Manager *mgr, const char *contents, AppendFn append)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(caller_done) Caller caller = { 0 };
        int r;

        r = caller_get(m, &caller);
        if (r < 0)
                return handled(reply_caller_unknown(m, r));
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', contents);
        if (r >= 0)
                r = append(reply, mgr, &caller);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return handled(sd_bus_send(NULL, reply, NULL));
}

static int append_instances(sd_bus_message *reply, Manager *mgr, const Caller *caller)
{
        int r = 0;

        for (Instance *i = mgr->instances; r >= 0 && i; i = i->next)
                if (fsp_security_check(i->class->security, &caller->fsp, i->id.started_by, FSP_RIGHT_QUERY))
                        r = sd_bus_message_append(reply, "(ss)", i->class_name, i->name);
        return r;
}

static int append_classes(sd_bus_message *reply, Manager *mgr, const Caller *caller)
{
        int r = 0;

        for (size_t k = 0; r >= 0 && k < mgr->n_classes; k++) {
                const ClassEntry *e = &mgr->classes[k];
                if (e->class)
                        r = sd_bus_message_append(reply, "(sa{sv})", e->name, 3, "Description", "s",
                                                  e->class->description, "Credentials", "u",
                                                  (uint32_t) e->class->credentials, "CanStart", "b",
                                                  fsp_security_check(e->class->security, &caller->fsp, (uid_t) -1,
                                                                     FSP_RIGHT_START));
                else
                        r = sd_bus_message_append(reply, "(sa{sv})", e->name, 3, "Description", "s", "", "CanStart",
                                                  "b", 0, "Error", "s", strempty(e->error));
        }
        return r;
}

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Bus *b = userdata;
        return reply_array(m, b->manager, "(ss)", append_instances);
}

static int method_list_classes(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Bus *b = userdata;
        return reply_array(m, b->manager, "(sa{sv})", append_classes);
}

static int method_reload(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_(caller_done) Caller caller = { 0 };
        Bus *b = userdata;
        int r;

        r = caller_get(m, &caller);
        if (r < 0)
                return handled(reply_caller_unknown(m, r));
        if (caller.fsp.uid != 0 && caller.fsp.uid != b->manager->uid)
                return handled(reply_error(m, FSP_ERROR_ACCESS_DENIED, "only root may reload the launcher"));
        r = manager_reload(b->manager);
        if (r < 0)
                return handled(reply_error(m, FSP_ERROR_CONFIGURATION_ERROR, "reload failed: %s", strerror(-r)));
        return handled(sd_bus_reply_method_return(m, NULL));
}

static int method_subscribe(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Bus *b = userdata;
        int r = subscribers_add(&b->subscribers, m);

        if (r == -EUSERS)
                return handled(reply_error(m, FSP_ERROR_LIMIT_EXCEEDED, "too many subscribers"));
        if (r < 0)
                return r;
        return handled(sd_bus_reply_method_return(m, NULL));
}

static int method_unsubscribe(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Bus *b = userdata;

        subscribers_remove(&b->subscribers, sd_bus_message_get_sender(m));
        return handled(sd_bus_reply_method_return(m, NULL));
}

static const sd_bus_vtable launcher_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("Start", SD_BUS_ARGS("s", class, "s", instance, "as", args), SD_BUS_NO_RESULT,
                                method_start, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StartWithSecret", SD_BUS_ARGS("s", class, "s", instance, "as", args, "h", secret),
                                SD_BUS_NO_RESULT, method_start_with_secret, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StartWithOptions",
                                SD_BUS_ARGS("s", class, "s", instance, "as", args, "a{sv}", options),
                                SD_BUS_NO_RESULT, method_start_with_options, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Stop", SD_BUS_ARGS("s", class, "s", instance), SD_BUS_RESULT("i", status),
                                method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetInfo", SD_BUS_ARGS("s", class, "s", instance), SD_BUS_RESULT("a{sv}", info),
                                method_get_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("List", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ss)", instances), method_list,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListClasses", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(sa{sv})", classes),
                                method_list_classes, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_reload,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Subscribe", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_subscribe,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Unsubscribe", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_unsubscribe,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("InstanceStarted", SD_BUS_ARGS("s", class, "s", instance), 0),
        SD_BUS_SIGNAL_WITH_ARGS("InstanceStopped", SD_BUS_ARGS("s", class, "s", instance, "i", status), 0),
        SD_BUS_VTABLE_END,
};

/* ------------------------------------------------------------ life */

static int connect_bus(Bus *b, const char *address)
{
        int r;

        if (!address)
                return b->manager->user_mode ? sd_bus_open_user(&b->bus) : sd_bus_open_system(&b->bus);
        r = sd_bus_new(&b->bus);
        if (r >= 0)
                r = sd_bus_set_address(b->bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(b->bus, true);
        if (r >= 0)
                r = sd_bus_start(b->bus);
        return r;
}

int bus_new(Manager *m, const char *address, Bus **ret)
{
        Bus *b = calloc(1, sizeof(*b));
        int r;

        if (!b)
                return -ENOMEM;
        b->manager = m;
        r = connect_bus(b, address);
        if (r < 0) {
                log_error_errno(r, "Failed to connect to the %s bus: %m",
                                address ? address : m->user_mode ? "session" : "system");
                goto fail;
        }
        r = sd_bus_add_object_vtable(b->bus, NULL, FSP_LAUNCHER_PATH, FSP_LAUNCHER_INTERFACE, launcher_vtable, b);
        if (r < 0) {
                log_error_errno(r, "Failed to register the D-Bus object: %m");
                goto fail;
        }
        r = sd_bus_attach_event(b->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                log_error_errno(r, "Failed to attach the bus to the event loop: %m");
                goto fail;
        }
        r = sd_bus_request_name(b->bus, FSP_LAUNCHER_BUS_NAME, 0);
        if (r < 0) {
                if (r == -EEXIST)
                        log_error("Another launcher already owns %s", FSP_LAUNCHER_BUS_NAME);
                else
                        log_error_errno(r, "Failed to acquire %s: %m", FSP_LAUNCHER_BUS_NAME);
                goto fail;
        }
        manager_set_observer(m, &bus_observer, b);
        *ret = b;
        return 0;
fail:
        bus_free(b);
        return r;
}

Bus *bus_free(Bus *b)
{
        if (!b)
                return NULL;
        manager_set_observer(b->manager, NULL, NULL);
        while (b->pending) {
                PendingCall *p = b->pending;
                b->pending = p->next;
                (void) sd_bus_reply_method_errorf(p->call, FSP_ERROR_START_FAILED, "the launcher is shutting down");
                sd_bus_message_unref(p->call);
                free(p);
        }
        subscribers_clear(&b->subscribers);
        sd_bus_flush_close_unref(b->bus);
        caller_cache_clear();
        free(b);
        return NULL;
}
