/* SPDX-License-Identifier: MIT */
/*
 * The launcher's client side: one synchronous sd-bus call per operation, the
 * replies turned into plain C structs. Start and Stop wait without a time
 * limit: a start may legitimately take StartTimeout plus CredentialsTimeout,
 * and the launcher always answers (the bus answers for it if it dies).
 */
#include <fsp/launch.h>

#include "launch-error.h"
#include "macro.h"

/* sd-bus's "no time limit" for sd_bus_call(). */
#define CALL_NO_TIMEOUT UINT64_MAX

static int bus_open_address(const char *address, sd_bus **ret)
{
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r < 0)
                return r;
        r = sd_bus_set_bus_client(bus, true);
        if (r < 0)
                return r;
        r = sd_bus_negotiate_fds(bus, true);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

int fsp_launch_open(bool user, const char *address, sd_bus **ret)
{
        sd_bus *bus = NULL;
        int r;

        if (!ret)
                return -EINVAL;
        launch_error_map_register();
        if (!isempty(address))
                r = bus_open_address(address, &bus);
        else if (user)
                r = sd_bus_open_user(&bus);
        else
                r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        (void) sd_bus_set_description(bus, "winfsp-launcher-client");
        *ret = bus;
        return 0;
}

static int launch_new_call(sd_bus *bus, const char *member, sd_bus_message **ret)
{
        if (!bus)
                return -EINVAL;
        launch_error_map_register();
        return sd_bus_message_new_method_call(bus, ret, FSP_LAUNCHER_BUS_NAME, FSP_LAUNCHER_PATH,
                                              FSP_LAUNCHER_INTERFACE, member);
}

/* A call message for Start* with its common head: class, instance, args. */
static int start_call_new(sd_bus *bus, const char *member, const char *class_name, const char *instance,
                          char *const *args, sd_bus_message **ret)
{
        static char *const no_args[] = { NULL };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        if (!class_name || !instance)
                return -EINVAL;
        r = launch_new_call(bus, member, &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", class_name, instance);
        if (r < 0)
                return r;
        r = sd_bus_message_append_strv(m, (char **) (args ? args : no_args));
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static int call_no_reply(sd_bus *bus, sd_bus_message *m, uint64_t timeout, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_call(bus, m, timeout, error, &reply);
        return r < 0 ? r : 0;
}

int fsp_launch_start(sd_bus *bus, const char *class_name, const char *instance, char *const *args,
                     sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = start_call_new(bus, "Start", class_name, instance, args, &m);
        if (r < 0)
                return r;
        return call_no_reply(bus, m, CALL_NO_TIMEOUT, error);
}

int fsp_launch_start_with_secret(sd_bus *bus, const char *class_name, const char *instance,
                                 char *const *args, int secret_fd, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        if (secret_fd < 0)
                return -EBADF;
        r = start_call_new(bus, "StartWithSecret", class_name, instance, args, &m);
        if (r < 0)
                return r;
        /* sd-bus duplicates the descriptor: the caller keeps and closes its own. */
        r = sd_bus_message_append(m, "h", secret_fd);
        if (r < 0)
                return r;
        return call_no_reply(bus, m, CALL_NO_TIMEOUT, error);
}

static int append_start_options(sd_bus_message *m, const FspStartOptions *options)
{
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        if (options && options->secret_fd >= 0) {
                r = sd_bus_message_append(m, "{sv}", "Secret", "h", options->secret_fd);
                if (r < 0)
                        return r;
        }
        if (options && options->attach_to_caller_unit) {
                r = sd_bus_message_append(m, "{sv}", "AttachToCallerUnit", "b", 1);
                if (r < 0)
                        return r;
        }
        if (options && options->fuse_fd >= 0) {
                r = sd_bus_message_append(m, "{sv}", "FuseFd", "h", options->fuse_fd);
                if (r < 0)
                        return r;
        }
        if (options && options->mount_options) {
                r = sd_bus_message_append(m, "{sv}", "MountOptions", "s", options->mount_options);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

int fsp_launch_start_with_options(sd_bus *bus, const char *class_name, const char *instance,
                                  char *const *args, const FspStartOptions *options, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = start_call_new(bus, "StartWithOptions", class_name, instance, args, &m);
        if (r < 0)
                return r;
        r = append_start_options(m, options);
        if (r < 0)
                return r;
        return call_no_reply(bus, m, CALL_NO_TIMEOUT, error);
}

/* A call with (s class, s instance) in, as GetInfo and Stop take. */
static int call_instance(sd_bus *bus, const char *member, const char *class_name, const char *instance,
                         uint64_t timeout, sd_bus_error *error, sd_bus_message **ret_reply)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        if (!class_name || !instance)
                return -EINVAL;
        r = launch_new_call(bus, member, &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", class_name, instance);
        if (r < 0)
                return r;
        return sd_bus_call(bus, m, timeout, error, ret_reply);
}

int fsp_launch_stop(sd_bus *bus, const char *class_name, const char *instance, int *ret_status,
                    sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int32_t status;
        int r;

        r = call_instance(bus, "Stop", class_name, instance, CALL_NO_TIMEOUT, error, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "i", &status);
        if (r < 0)
                return r;
        if (ret_status)
                *ret_status = status;
        return 0;
}

/* A call that takes no arguments, as Reload, List and ListClasses are. */
static int call_plain(sd_bus *bus, const char *member, sd_bus_error *error, sd_bus_message **ret_reply)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = launch_new_call(bus, member, &m);
        if (r < 0)
                return r;
        return sd_bus_call(bus, m, 0, error, ret_reply);
}

static int call_no_arguments(sd_bus *bus, const char *member, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = call_plain(bus, member, error, &reply);
        return r < 0 ? r : 0;
}

int fsp_launch_reload(sd_bus *bus, sd_bus_error *error)
{
        return call_no_arguments(bus, "Reload", error);
}

int fsp_launch_subscribe(sd_bus *bus, sd_bus_error *error)
{
        return call_no_arguments(bus, "Subscribe", error);
}

int fsp_launch_unsubscribe(sd_bus *bus, sd_bus_error *error)
{
        return call_no_arguments(bus, "Unsubscribe", error);
}

/* ---------------------------------------------------------------- GetInfo */

/* Read a variant holding a string into a fresh copy, replacing *p. */
static int read_variant_string(sd_bus_message *m, char **p)
{
        const char *s;
        int r = sd_bus_message_read(m, "v", "s", &s);
        if (r < 0)
                return r;
        return free_and_strdup(p, s);
}

static int read_variant_strv(sd_bus_message *m, char ***p)
{
        char **l = NULL;
        int r = sd_bus_message_enter_container(m, 'v', "as");
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        strv_free(*p);
        *p = l;
        return sd_bus_message_exit_container(m);
}

static int read_variant_u32(sd_bus_message *m, uint32_t *ret)
{
        return sd_bus_message_read(m, "v", "u", ret);
}

/* One GetInfo entry; keys this version does not know are skipped. */
static int info_read_entry(sd_bus_message *m, const char *key, void *userdata)
{
        FspInstanceInfo *info = userdata;
        uint32_t u;
        int r;

        if (streq(key, "Class"))
                return read_variant_string(m, &info->class_name);
        if (streq(key, "Instance"))
                return read_variant_string(m, &info->instance);
        if (streq(key, "Argv"))
                return read_variant_strv(m, &info->argv);
        if (streq(key, "State"))
                return read_variant_string(m, &info->state);
        if (streq(key, "MountPoint"))
                return read_variant_string(m, &info->mount_point);
        if (streq(key, "StartTime"))
                return sd_bus_message_read(m, "v", "t", &info->start_time_usec);
        if (streq(key, "Restarts"))
                return read_variant_u32(m, &info->restarts);
        if (streq(key, "LastExitStatus"))
                return sd_bus_message_read(m, "v", "i", &info->last_exit_status);
        if (streq(key, "Pid") || streq(key, "StartedBy") || streq(key, "RunAs")) {
                r = read_variant_u32(m, &u);
                if (r < 0)
                        return r;
                if (streq(key, "Pid"))
                        info->pid = (pid_t) u;
                else if (streq(key, "StartedBy"))
                        info->started_by = (uid_t) u;
                else
                        info->run_as = (uid_t) u;
                return 0;
        }
        return sd_bus_message_skip(m, "v");
}

/* Iterate over an a{sv}, calling read_entry(m, key, userdata) positioned at each value. */
static int read_dict(sd_bus_message *m, int (*read_entry)(sd_bus_message *, const char *, void *),
                     void *userdata)
{
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        for (;;) {
                const char *key;

                r = sd_bus_message_enter_container(m, 'e', "sv");
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                r = read_entry(m, key, userdata);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_exit_container(m);
}

/* Strings the launcher left out become "", so callers can print without checks. */
static int info_fill_defaults(FspInstanceInfo *info)
{
        char **strings[] = { &info->class_name, &info->instance, &info->state, &info->mount_point };

        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                if (!*strings[i] && !(*strings[i] = strdup("")))
                        return -ENOMEM;
        if (!info->argv && !(info->argv = calloc(1, sizeof(char *))))
                return -ENOMEM;
        return 0;
}

int fsp_launch_get_info(sd_bus *bus, const char *class_name, const char *instance, FspInstanceInfo *ret,
                        sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(fsp_instance_info_done) FspInstanceInfo info = { .last_exit_status = -1 };
        int r;

        if (!ret)
                return -EINVAL;
        r = call_instance(bus, "GetInfo", class_name, instance, 0, error, &reply);
        if (r < 0)
                return r;
        r = read_dict(reply, info_read_entry, &info);
        if (r < 0)
                return r;
        r = info_fill_defaults(&info);
        if (r < 0)
                return r;
        *ret = info;
        info = (FspInstanceInfo){ 0 };
        return 0;
}

void fsp_instance_info_done(FspInstanceInfo *info)
{
        if (!info)
                return;
        free(info->class_name);
        free(info->instance);
        strv_free(info->argv);
        free(info->state);
        free(info->mount_point);
        *info = (FspInstanceInfo){ .last_exit_status = -1 };
}

/* ---------------------------------------------------------------- List, ListClasses */

static void instance_id_done(FspInstanceId *id)
{
        free(id->class_name);
        free(id->instance);
}

static void class_info_done(FspClassInfo *c)
{
        free(c->name);
        free(c->description);
}

/* The same, as an Array's item_done. */
static void instance_id_item_done(void *item)
{
        instance_id_done(item);
}

static void class_info_item_done(void *item)
{
        class_info_done(item);
}

/* A C array being filled from a D-Bus array, and how to free one element. */
typedef struct Array {
        void *items;
        size_t n, allocated, size;
        void (*item_done)(void *item);
} Array;

static void array_done(Array *a)
{
        for (size_t k = 0; k < a->n; k++)
                a->item_done((uint8_t *) a->items + k * a->size);
        free(a->items);
}

/*
 * Read the D-Bus array of contents in reply into a fresh C array: read_item
 * fills one element in place and returns 1, or 0 at the end of the array.
 */
static int read_array(sd_bus_message *reply, const char *contents, size_t size,
                      int (*read_item)(sd_bus_message *, void *), void (*item_done)(void *), void **ret,
                      size_t *ret_n)
{
        _cleanup_(array_done) Array a = {.size = size, .item_done = item_done};
        int r;

        r = sd_bus_message_enter_container(reply, 'a', contents);
        if (r < 0)
                return r;
        for (;;) {
                if (a.n == a.allocated) {
                        size_t want = MAX(a.allocated * 2, (size_t) 8);
                        void *p = reallocarray(a.items, want, size);
                        if (!p)
                                return -ENOMEM;
                        a.items = p;
                        a.allocated = want;
                }
                r = read_item(reply, (uint8_t *) a.items + a.n * size);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                a.n++;
        }
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(a.items);
        *ret_n = a.n;
        a.n = 0;
        return 0;
}

/* One (ss) of List into *ret; 0 at the end of the array. */
static int instance_id_read(sd_bus_message *reply, void *ret)
{
        FspInstanceId *id = ret;
        const char *c, *i;
        int r = sd_bus_message_read(reply, "(ss)", &c, &i);

        if (r <= 0)
                return r;
        *id = (FspInstanceId){ strdup(c), strdup(i) };
        if (!id->class_name || !id->instance) {
                instance_id_done(id);
                return -ENOMEM;
        }
        return 1;
}

int fsp_launch_list(sd_bus *bus, FspInstanceId **ret, size_t *ret_n, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        if (!ret || !ret_n)
                return -EINVAL;
        r = call_plain(bus, "List", error, &reply);
        if (r < 0)
                return r;
        return read_array(reply, "(ss)", sizeof(FspInstanceId), instance_id_read,
                          instance_id_item_done, (void **) ret, ret_n);
}

void fsp_instance_ids_free(FspInstanceId *ids, size_t n)
{
        for (size_t k = 0; ids && k < n; k++)
                instance_id_done(&ids[k]);
        free(ids);
}

static int class_read_entry(sd_bus_message *m, const char *key, void *userdata)
{
        FspClassInfo *c = userdata;
        int b, r;

        if (streq(key, "Description"))
                return read_variant_string(m, &c->description);
        if (streq(key, "Credentials"))
                return read_variant_u32(m, &c->credentials);
        if (streq(key, "CanStart")) {
                r = sd_bus_message_read(m, "v", "b", &b);
                if (r >= 0)
                        c->can_start = b;
                return r;
        }
        return sd_bus_message_skip(m, "v");
}

/* One (sa{sv}) of ListClasses into *ret; 0 at the end of the array. */
static int class_read(sd_bus_message *reply, void *ret)
{
        _cleanup_(class_info_done) FspClassInfo c = { 0 };
        const char *name;
        int r;

        r = sd_bus_message_enter_container(reply, 'r', "sa{sv}");
        if (r <= 0)
                return r;
        r = sd_bus_message_read(reply, "s", &name);
        if (r < 0)
                return r;
        c.name = strdup(name);
        if (!c.name)
                return -ENOMEM;
        r = read_dict(reply, class_read_entry, &c);
        if (r < 0)
                return r;
        if (!c.description && !(c.description = strdup("")))
                return -ENOMEM;
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;
        *(FspClassInfo *) ret = c;
        c = (FspClassInfo){ 0 };
        return 1;
}

int fsp_launch_list_classes(sd_bus *bus, FspClassInfo **ret, size_t *ret_n, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        if (!ret || !ret_n)
                return -EINVAL;
        r = call_plain(bus, "ListClasses", error, &reply);
        if (r < 0)
                return r;
        return read_array(reply, "(sa{sv})", sizeof(FspClassInfo), class_read,
                          class_info_item_done, (void **) ret, ret_n);
}

void fsp_class_infos_free(FspClassInfo *infos, size_t n)
{
        for (size_t k = 0; infos && k < n; k++)
                class_info_done(&infos[k]);
        free(infos);
}
