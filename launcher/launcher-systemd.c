/* SPDX-License-Identifier: MIT */
#include <systemd/sd-login.h>

#include "launcher-log.h"
#include "launcher-systemd.h"

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

static int on_placed(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
        Instance *i = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        i->attach_slot = sd_bus_slot_unref(i->attach_slot);
        if (e)
                instance_placed(i, -sd_bus_error_get_errno(e), e->message ? e->message : e->name);
        else
                instance_placed(i, 0, NULL);
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

static int start_scope(Manager *m, Instance *i)
{
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
                r = sd_bus_call_async(m->systemd_bus, &i->attach_slot, call, on_placed, i, 0);
        return r;
}

static int attach_to_unit(Manager *m, Instance *i)
{
        return sd_bus_call_method_async(m->systemd_bus, &i->attach_slot, "org.freedesktop.systemd1",
                                        "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                        "AttachProcessesToUnit", on_placed, i, "ssau", i->unit, "/", 1,
                                        (uint32_t) i->pid);
}

void systemd_place_instance(Manager *m, Instance *i)
{
        int r = open_systemd_bus(m);

        if (r >= 0)
                r = i->unit ? attach_to_unit(m, i) : start_scope(m, i);
        if (r < 0) {
                errno = -r;
                instance_placed(i, r, strerror(-r));
        }
}
