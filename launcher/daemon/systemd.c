/* SPDX-License-Identifier: MIT */
#include <fsp/names.h>
#include <systemd/sd-login.h>

#include "log.h"
#include "systemd.h"

struct Placement {
        Placement *next;
        Manager *manager;
        Instance *instance;
        sd_bus_slot *slot;
        char *scope;     /* the scope asked for */
        char *job;       /* the job that starts it: the process is in it once that job is done */
        bool with_pid;   /* its name has the pid: the plain one was taken */
};

bool systemd_should_place(Manager *m, const Instance *i)
{
        return i->unit || m->under_systemd;
}

char *systemd_unit_of_pid(pid_t pid)
{
        char *unit = NULL;
        if (sd_pid_get_unit(pid, &unit) < 0)
                return NULL;
        return unit;
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);

/*
 * The connection to systemd, subscribed to its job signals: a scope's
 * process is in the scope once the job that starts it is done, and only then
 * is it released (so even its first journal line is filed under its unit).
 */
static int open_systemd_bus(Manager *m)
{
        int r;

        if (m->systemd_bus)
                return 0;
        r = m->user_mode ? sd_bus_open_user(&m->systemd_bus) : sd_bus_open_system(&m->systemd_bus);
        if (r >= 0)
                r = sd_bus_attach_event(m->systemd_bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_match_signal(m->systemd_bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                        "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, m);
        if (r >= 0) /* sent before any StartTransientUnit on this connection, so answered first */
                r = sd_bus_call_method_async(m->systemd_bus, NULL, "org.freedesktop.systemd1",
                                             "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                             "Subscribe", NULL, NULL, NULL);
        if (r < 0)
                m->systemd_bus = sd_bus_flush_close_unref(m->systemd_bus);
        return r;
}

static void placement_free(Placement *p)
{
        Placement **pp = &p->manager->placements;

        while (*pp && *pp != p)
                pp = &(*pp)->next;
        if (*pp)
                *pp = p->next;
        sd_bus_slot_unref(p->slot);
        free(p->scope);
        free(p->job);
        free(p);
}

void systemd_forget_instance(Manager *m, Instance *i)
{
        for (Placement *p = m->placements, *next; p; p = next) {
                next = p->next;
                if (p->instance == i)
                        placement_free(p);
        }
}

static int start_scope(Manager *m, Placement *p);

static int on_placed(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
        Placement *p = userdata;
        Instance *i = p->instance;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        _cleanup_free_ char *message = e ? strdup(e->message ? e->message : e->name) : NULL;
        int r = e ? -sd_bus_error_get_errno(e) : 0;

        p->slot = sd_bus_slot_unref(p->slot);
        /* A scope of that name lingers from an earlier run (a quick restart): take one with the pid. */
        if (e && p->scope && !p->with_pid && sd_bus_error_has_name(e, "org.freedesktop.systemd1.UnitExists")) {
                p->with_pid = true;
                if ((r = start_scope(p->manager, p)) >= 0)
                        return 0;
                free(message);
                message = strdup(strerror(-r));
        }
        if (r >= 0 && p->scope) {
                const char *job = NULL;
                /* Started: wait for the job, then the process is in the scope. */
                if (sd_bus_message_read(reply, "o", &job) >= 0 && job && (p->job = strdup(job)))
                        return 0;
        }
        if (r >= 0 && p->scope && !i->unit)
                i->unit = TAKE_PTR(p->scope);
        placement_free(p);
        instance_release(i, r, strempty(message));
        return 0;
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        Manager *mgr = userdata;
        const char *job = NULL, *unit = NULL, *result = NULL;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0)
                return 0;
        for (Placement *p = mgr->placements; p; p = p->next) {
                if (!p->job || !streq(p->job, job))
                        continue;
                Instance *i = p->instance;
                bool done = streq(result, "done");
                _cleanup_free_ char *why = NULL;
                if (!done && asprintf(&why, "its scope %s did not start (%s)", unit, result) < 0)
                        why = NULL;
                if (done && !i->unit)
                        i->unit = TAKE_PTR(p->scope); /* its journal lines name it (OBJECT_SYSTEMD_UNIT=) */
                placement_free(p);
                instance_release(i, done ? 0 : -EIO, strempty(why));
                return 0;
        }
        return 0;
}

/* Unit names allow [A-Za-z0-9:_.\-]; anything else becomes \xNN, '/' becomes '-' (systemd-escape). */
static void append_escaped(char *buf, size_t n, const char *s)
{
        size_t len = strlen(buf);
        for (; *s && len + 5 < n; s++) {
                unsigned char c = (unsigned char) *s;
                if (c == '/')
                        buf[len++] = '-';
                else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                         c == ':' || c == '_' || (c == '.' && len > 0))
                        buf[len++] = (char) c;
                else
                        len += (size_t) snprintf(buf + len, n - len, "\\x%02x", c);
        }
        buf[len] = 0;
}

/* winfsp-CLASS-INSTANCE.scope, each part escaped as systemd-escape would; -PID when that name is taken. */
static int scope_name(const Instance *i, bool with_pid, char **ret)
{
        char buf[256] = "winfsp-", pid[32] = "";

        append_escaped(buf, 200, i->class_name);
        strcat(buf, "-");
        append_escaped(buf, 236, i->name);
        if (with_pid)
                snprintf(pid, sizeof(pid), "-%d", (int) i->pid);
        return asprintf(ret, "%s%s.scope", buf, pid) < 0 ? -ENOMEM : 0;
}

/* Resource control from the class: MemoryMax=, TasksMax=, CPUQuota=. */
static int append_limits(sd_bus_message *call, const FspClass *c)
{
        int r = 0;

        if (c->memory_max != FSP_RESOURCE_UNSET)
                r = sd_bus_message_append(call, "(sv)", "MemoryMax", "t",
                                          c->memory_max == FSP_RESOURCE_INFINITY ? UINT64_MAX : c->memory_max);
        if (r >= 0 && c->tasks_max != FSP_RESOURCE_UNSET)
                r = sd_bus_message_append(call, "(sv)", "TasksMax", "t",
                                          c->tasks_max == FSP_RESOURCE_INFINITY ? UINT64_MAX : c->tasks_max);
        if (r >= 0 && c->cpu_quota_per_sec_usec != FSP_RESOURCE_UNSET)
                r = sd_bus_message_append(call, "(sv)", "CPUQuotaPerSecUSec", "t", c->cpu_quota_per_sec_usec);
        return r;
}

static int start_scope(Manager *m, Placement *p)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_free_ char *description = NULL, *remote = NULL;
        Instance *i = p->instance;
        int r;

        free(p->scope);
        p->scope = NULL;
        if ((r = scope_name(i, p->with_pid, &p->scope)) < 0)
                return r;
        remote = fsp_remote_name_format(i->class_name, i->name);
        if (!remote || asprintf(&description, "winfsp file system %s%s%s", remote, i->mount_point ? " at " : "",
                                strempty(i->mount_point)) < 0)
                return -ENOMEM;
        r = sd_bus_message_new_method_call(m->systemd_bus, &call, "org.freedesktop.systemd1",
                                           "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                           "StartTransientUnit");
        if (r >= 0)
                r = sd_bus_message_append(call, "ss", p->scope, "fail");
        if (r >= 0)
                r = sd_bus_message_open_container(call, 'a', "(sv)");
        if (r >= 0)
                r = sd_bus_message_append(call, "(sv)(sv)(sv)(sv)", "PIDs", "au", 1, (uint32_t) i->pid,
                                          "Description", "s", description, "CollectMode", "s",
                                          "inactive-or-failed", "Slice", "s",
                                          i->class->slice ? i->class->slice : "winfsp.slice");
        if (r >= 0)
                r = append_limits(call, i->class);
        if (r >= 0)
                r = sd_bus_message_close_container(call);
        if (r >= 0)
                r = sd_bus_message_append(call, "a(sa(sv))", 0);
        if (r >= 0)
                r = sd_bus_call_async(m->systemd_bus, &p->slot, call, on_placed, p, 0);
        return r;
}

static int attach_to_unit(Manager *m, Placement *p)
{
        Instance *i = p->instance;

        return sd_bus_call_method_async(m->systemd_bus, &p->slot, "org.freedesktop.systemd1",
                                        "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                        "AttachProcessesToUnit", on_placed, p, "ssau", i->unit, "/", 1,
                                        (uint32_t) i->pid);
}

void systemd_place_instance(Manager *m, Instance *i)
{
        Placement *p = calloc(1, sizeof(*p));
        int r = p ? open_systemd_bus(m) : -ENOMEM;

        if (r >= 0) {
                *p = (Placement){ .next = m->placements, .manager = m, .instance = i };
                m->placements = p;
                r = i->unit ? attach_to_unit(m, p) : start_scope(m, p);
                if (r < 0)
                        placement_free(p);
        } else
                free(p);
        if (r < 0)
                instance_release(i, r, strerror(-r));
}
