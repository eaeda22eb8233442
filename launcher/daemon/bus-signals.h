/* SPDX-License-Identifier: MIT */
/* Who hears about instances: the peers that subscribed, each only of the instances it may query. */
#pragma once

#include <systemd/sd-bus.h>

#include "instance.h"

typedef struct Subscriber Subscriber;

typedef struct Subscribers {
        Subscriber *list;
        unsigned n;
} Subscribers;

/* The sender of m subscribes (again: no-op); it is forgotten when it leaves the bus. */
int subscribers_add(Subscribers *subs, sd_bus_message *m);
void subscribers_remove(Subscribers *subs, const char *name);
void subscribers_clear(Subscribers *subs);

/* InstanceStarted (status unused) or InstanceStopped, to each subscriber that may query i. */
void subscribers_emit(Subscribers *subs, sd_bus *bus, const Instance *i, const char *member, int status);
