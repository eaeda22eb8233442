/* SPDX-License-Identifier: MIT */
/*
 * InstanceStarted and InstanceStopped go only to the peers that asked for
 * them (Subscribe) and may query the instance: each gets its own copy,
 * addressed to it. A broadcast would tell every local user the names of
 * everyone's instances.
 */
#include <fsp/launch.h>

#include "bus-caller.h"
#include "bus-signals.h"
#include "log.h"
#include "macro.h"

typedef struct Subscriber Subscriber;
struct Subscriber {
        Subscriber *next;
        Subscribers *owner;
        char *name; /* unique bus name */
        Caller caller;
        sd_bus_track *track;
};

/* Hard bound on how many peers may subscribe: each costs a message per signal. */
#define SUBSCRIBERS_MAX 4096

static void subscriber_free(Subscriber *s)
{
        for (Subscriber **pp = &s->owner->list; *pp; pp = &(*pp)->next)
                if (*pp == s) {
                        *pp = s->next;
                        s->owner->n--;
                        break;
                }
        sd_bus_track_unref(s->track);
        caller_done(&s->caller);
        free(s->name);
        free(s);
}

static Subscriber *subscriber_find(Subscribers *subs, const char *name)
{
        for (Subscriber *s = subs->list; s; s = s->next)
                if (streq(s->name, name))
                        return s;
        return NULL;
}

/* The peer left the bus. */
static int on_gone(sd_bus_track *t, void *userdata)
{
        subscriber_free(userdata);
        return 0;
}

int subscribers_add(Subscribers *subs, sd_bus_message *m)
{
        const char *name = sd_bus_message_get_sender(m);
        Subscriber *s;
        int r;

        if (!name)
                return -EINVAL;
        if (subscriber_find(subs, name))
                return 0;
        if (subs->n >= SUBSCRIBERS_MAX)
                return -EUSERS;
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->owner = subs;
        s->name = strdup(name);
        r = s->name ? caller_get(m, &s->caller) : -ENOMEM;
        if (r >= 0)
                r = sd_bus_track_new(sd_bus_message_get_bus(m), &s->track, on_gone, s);
        if (r >= 0)
                r = sd_bus_track_add_name(s->track, name);
        if (r < 0) {
                sd_bus_track_unref(s->track);
                caller_done(&s->caller);
                free(s->name);
                free(s);
                return r;
        }
        s->next = subs->list;
        subs->list = s;
        subs->n++;
        return 0;
}

void subscribers_remove(Subscribers *subs, const char *name)
{
        Subscriber *s = name ? subscriber_find(subs, name) : NULL;

        if (s)
                subscriber_free(s);
}

void subscribers_clear(Subscribers *subs)
{
        while (subs->list)
                subscriber_free(subs->list);
}

void subscribers_emit(Subscribers *subs, sd_bus *bus, const Instance *i, const char *member, int status)
{
        for (Subscriber *s = subs->list; s; s = s->next) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
                int r;

                if (!fsp_security_check(i->class->security, &s->caller.fsp, i->id.started_by, FSP_RIGHT_QUERY))
                        continue;
                r = sd_bus_message_new_signal(bus, &m, FSP_LAUNCHER_PATH, FSP_LAUNCHER_INTERFACE, member);
                if (r >= 0)
                        r = sd_bus_message_set_destination(m, s->name);
                if (r >= 0)
                        r = streq(member, "InstanceStopped")
                                    ? sd_bus_message_append(m, "ssi", i->class_name, i->name, status)
                                    : sd_bus_message_append(m, "ss", i->class_name, i->name);
                if (r >= 0)
                        r = sd_bus_send(bus, m, NULL);
                if (r < 0)
                        log_debug_errno(r, "cannot send %s to %s: %m", member, s->name);
        }
}
