/* SPDX-License-Identifier: MIT */
/*
 * Where an instance's processes live under systemd: in the unit of the
 * caller that asked for it (winfsp@.service, AttachToCallerUnit), or, for
 * JobControl=0 instances, in a transient scope of their own, so that
 * restarting the launcher's unit does not take them down. Asynchronous:
 * the child waits, unreleased, until systemd has answered.
 */
#pragma once

#include <stdbool.h>

#include "manager.h"

bool systemd_should_place(Manager *m, const Instance *i);

/* Ask systemd; instance_release() follows, possibly before this returns. */
void systemd_place_instance(Manager *m, Instance *i);

/* The instance goes: forget (cancel) a call still waiting for systemd's answer. */
void systemd_forget_instance(Manager *m, Instance *i);

/* The unit the process belongs to, from its cgroup; NULL when none. Caller frees. */
char *systemd_unit_of_pid(pid_t pid);
