/* SPDX-License-Identifier: MIT */
#include <systemd/sd-login.h>

#include "log.h"
#include "systemd.h"

struct Placement {
        Placement *next;
        Manager *manager;
        Instance *instance;
        sd_bus_slot *slot;
};

bool systemd_should_place(Manager *m, const Instance *i)
{
        return i->unit || (m->under_systemd && !i->class->job_control);
}

char *systemd_unit_of_pid(pid_t pid)
{
        char *unit = NULL;
        if (sd_pid_get_unit(pid, &unit) < 0)
                return NULL;
        return unit;
}

static int open_systemd_bus(Manager *m)
{
        int r;

        if (m->systemd_bus)
                return 0;
        r = m->user_mode ? sd_bus_open_user(&m->systemd_bus) : sd_bus_open_system(&m->systemd_bus);
        if (r < 0)
                return r;
        return sd_bus_attach_event(m->systemd_bus, m->event, SD_EVENT_PRIORITY_NORMAL);
}

static void placement_free(Placement *p)
{
        Placement **pp = &p->manager->placements;

        while (*pp && *pp != p)
                pp = &(*pp)->next;
        if (*pp)
                *pp = p->next;
        sd_bus_slot_unref(p->slot);
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

static int on_placed(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
        Placement *p = userdata;
        Instance *i = p->instance;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        _cleanup_free_ char *message = e ? strdup(e->message ? e->message : e->name) : NULL;
        int r = e ? -sd_bus_error_get_errno(e) : 0;

        placement_free(p);
        instance_release(i, r, strempty(message));
        return 0;
}

/* Unit names allow [A-Za-z0-9:_.\-]; anything else becomes \xNN, '/' becomes '-'. */
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

static void scope_name(const Instance *i, char buf[static 256])
{
        char pid[32];

        snprintf(buf, 256, "winfsp-");
        append_escaped(buf, 200, i->class_name);
        strcat(buf, "-");
        append_escaped(buf, 200, i->name);
        snprintf(pid, sizeof(pid), "-%d.scope", (int) i->pid);
        strcat(buf, pid);
}

static int start_scope(Manager *m, Placement *p)
{
        Instance *i = p->instance;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        char name[256], description[512];
        int r;

        scope_name(i, name);
        snprintf(description, sizeof(description), "winfsp instance %s/%s", i->class_name, i->name);
        r = sd_bus_message_new_method_call(m->systemd_bus, &call, "org.freedesktop.systemd1",
                                           "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                           "StartTransientUnit");
        if (r >= 0)
                r = sd_bus_message_append(call, "ss", name, "fail");
        if (r >= 0)
                r = sd_bus_message_append(call, "a(sv)", 3, "PIDs", "au", 1, (uint32_t) i->pid,
                                          "Description", "s", description, "CollectMode", "s",
                                          "inactive-or-failed");
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
