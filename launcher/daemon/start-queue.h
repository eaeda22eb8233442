/* SPDX-License-Identifier: MIT */
/*
 * Starts waiting their turn. A Start is answered from the bus in a few
 * microseconds (checks, the instance in the table); what costs (the forks)
 * happens from this queue, one start per turn of the loop, in turn between
 * the users that asked, and below the bus in priority: a burst of Starts
 * from one user neither holds up another user's calls nor its starts.
 */
#pragma once

#include <systemd/sd-event.h>

#include "instance.h"

typedef struct StartQueue StartQueue;

int start_queue_new(sd_event *e, StartQueue **ret);
StartQueue *start_queue_free(StartQueue *q);

/* instance_start(i, p) in its turn; the descriptors in p are duplicated now. */
int start_queue_add(StartQueue *q, Instance *i, uid_t uid, const InstanceStartParams *p);

/* i goes away (stopped while it waited): forget it. */
void start_queue_forget(StartQueue *q, Instance *i);
