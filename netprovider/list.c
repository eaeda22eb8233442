/* SPDX-License-Identifier: MIT */
/*
 * winfsp-net list and delete: both walk the launcher's instances with
 * GetInfo. A user sees the instances they started; root sees all.
 */
#include <fsp/launch.h>

#include <signal.h>

#include "macro.h"
#include "mountpoint.h"
#include "net.h"

typedef struct Instances {
        FspInstanceInfo *infos;
        size_t n;
} Instances;

static void instances_done(Instances *l)
{
        for (size_t i = 0; i < l->n; i++)
                fsp_instance_info_done(&l->infos[i]);
        free(l->infos);
}

/* The caller's instances (all of them for root), with their details. */
static int instances_load(sd_bus *bus, Instances *ret)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        FspInstanceId *ids = NULL;
        Instances l = {};
        size_t n = 0;
        int r;

        r = fsp_launch_list(bus, &ids, &n, &error);
        if (r < 0)
                return net_fail_bus(r, &error, NULL);
        l.infos = calloc(n ? n : 1, sizeof(FspInstanceInfo));
        if (!l.infos) {
                fsp_instance_ids_free(ids, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                FspInstanceInfo info = {};

                sd_bus_error_free(&error);
                /* Gone in between, or not ours to see: skip it. */
                if (fsp_launch_get_info(bus, ids[i].class_name, ids[i].instance, &info, &error) < 0)
                        continue;
                if (getuid() != 0 && info.started_by != getuid()) {
                        fsp_instance_info_done(&info);
                        continue;
                }
                l.infos[l.n++] = info;
        }
        fsp_instance_ids_free(ids, n);
        *ret = l;
        return 0;
}

static void json_string(const char *s)
{
        putchar('"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        printf("\\%c", *p);
                else if (*p < 0x20 || *p == 0x7f)
                        printf("\\u%04x", *p);
                else
                        putchar(*p);
        }
        putchar('"');
}

static void print_json(const Instances *l)
{
        putchar('[');
        for (size_t i = 0; i < l->n; i++) {
                const FspInstanceInfo *info = &l->infos[i];
                _cleanup_free_ char *remote = fsp_remote_name_format(info->class_name, info->instance);

                printf("%s{\"remote\":", i ? "," : "");
                json_string(strempty(remote));
                printf(",\"class\":");
                json_string(info->class_name);
                printf(",\"instance\":");
                json_string(info->instance);
                printf(",\"mount_point\":");
                json_string(strempty(info->mount_point));
                printf(",\"state\":");
                json_string(strempty(info->state));
                printf(",\"pid\":%d,\"started_by\":%u}", (int) info->pid, (unsigned) info->started_by);
        }
        printf("]\n");
}

static void print_table(const Instances *l)
{
        int width = (int) strlen("REMOTE");

        for (size_t i = 0; i < l->n; i++) {
                _cleanup_free_ char *remote = fsp_remote_name_format(l->infos[i].class_name, l->infos[i].instance);
                if (remote)
                        width = MAX(width, (int) strlen(remote));
        }
        printf("%-*s  %-10s  %7s  %s\n", width, "REMOTE", "STATE", "PID", "MOUNT POINT");
        for (size_t i = 0; i < l->n; i++) {
                const FspInstanceInfo *info = &l->infos[i];
                _cleanup_free_ char *remote = fsp_remote_name_format(info->class_name, info->instance);

                printf("%-*s  %-10s  %7d  %s\n", width, strempty(remote), strempty(info->state), (int) info->pid,
                       isempty(info->mount_point) ? "-" : info->mount_point);
        }
}

int net_list(const char *bus_address, bool json)
{
        _cleanup_(instances_done) Instances l = {};
        sd_bus *bus = NULL;
        int r;

        net_log_set_context("list");
        r = fsp_launch_open(false, bus_address, &bus);
        if (r < 0)
                return net_fail(r, NET_EXIT_NO_LAUNCHER, "cannot connect to the system bus: %s", strerror(-r));
        r = instances_load(bus, &l);
        sd_bus_flush_close_unref(bus);
        if (r < 0)
                return r;
        if (json)
                print_json(&l);
        else
                print_table(&l);
        return 0;
}

/* The instance mounted at path, among the caller's. */
static int find_by_mount_point(sd_bus *bus, const char *path, char **ret_class, char **ret_instance)
{
        _cleanup_(instances_done) Instances l = {};
        _cleanup_free_ char *canonical = NULL;
        int r;

        r = mount_point_canonical(path, &canonical);
        if (r < 0)
                return net_fail(r, NET_EXIT_FAILURE, "%s", strerror(-r));
        r = instances_load(bus, &l);
        if (r < 0)
                return r;
        for (size_t i = 0; i < l.n; i++) {
                if (!l.infos[i].mount_point || !streq(l.infos[i].mount_point, canonical))
                        continue;
                *ret_class = strdup(l.infos[i].class_name);
                *ret_instance = strdup(l.infos[i].instance);
                if (!*ret_class || !*ret_instance)
                        return -ENOMEM;
                return 0;
        }
        return net_fail(-ESRCH, NET_EXIT_NO_SUCH_INSTANCE, "no instance of yours is mounted at %s", canonical);
}

static int resolve_target(sd_bus *bus, const char *target, char **ret_class, char **ret_instance)
{
        FspRemoteName remote = {};
        FspError err;
        int r;

        if (!net_looks_like_remote(target))
                return find_by_mount_point(bus, target, ret_class, ret_instance);
        r = fsp_remote_name_parse(target, &remote, &err);
        if (r < 0)
                return net_fail_remote_name(r, &err);
        *ret_class = TAKE_PTR(remote.class_name);
        *ret_instance = TAKE_PTR(remote.instance);
        fsp_remote_name_done(&remote);
        return 0;
}

int net_delete(const char *target, const char *bus_address)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *class_name = NULL, *instance = NULL, *remote = NULL;
        sd_bus *bus = NULL;
        int status = 0, r;

        net_log_set_context("delete %s", target);
        r = fsp_launch_open(false, bus_address, &bus);
        if (r < 0)
                return net_fail(r, NET_EXIT_NO_LAUNCHER, "cannot connect to the system bus: %s", strerror(-r));
        r = resolve_target(bus, target, &class_name, &instance);
        if (r >= 0)
                r = fsp_launch_stop(bus, class_name, instance, &status, &error);
        if (r < 0 && sd_bus_error_is_set(&error))
                r = net_fail_bus(r, &error, NULL);
        sd_bus_flush_close_unref(bus);
        if (r < 0)
                return r;

        /*
         * Asked to stop, file systems end by SIGTERM or exit with a status of
         * their own choosing (sshfs 1, memfs 0): each is a stop. Only SIGKILL
         * says something: it did not end in time.
         */
        remote = fsp_remote_name_format(class_name, instance);
        if (status == 128 + SIGKILL)
                printf("%s stopped (killed: it did not end within its StopTimeout= after SIGTERM)\n",
                       strempty(remote));
        else
                printf("%s stopped\n", strempty(remote));
        return 0;
}
