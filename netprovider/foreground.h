/* SPDX-License-Identifier: MIT */
/*
 * winfsp-net use --foreground: the main process of winfsp@.service. It
 * stays while the instance runs, tells systemd when it is mounted, stops
 * the instance when the unit is stopped, and fails when the file system
 * dies on its own.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

typedef struct Supervisor Supervisor;

/*
 * Prepare before the start, so nothing is missed: SIGTERM and SIGINT are
 * blocked (taken up by the event loop later) and the launcher's signals are
 * subscribed to.
 */
int supervisor_new(sd_bus *bus, const char *class_name, const char *instance, const char *remote,
                   Supervisor **ret);

/*
 * After a successful start: READY=1, then wait. Returns 0 after
 * SIGTERM/SIGINT (the instance was stopped) or when the instance ended
 * with status 0; a negative errno, reported (NET_EXIT_FS_FAILED), when it
 * ended with a failure or vanished with the launcher.
 */
int supervisor_run(Supervisor *s, const char *mount_point);

Supervisor *supervisor_free(Supervisor *s);

/* Whether this process runs as root in a systemd service, so AttachToCallerUnit makes sense. */
bool supervisor_should_attach(void);
