/* SPDX-License-Identifier: MIT */
/*
 * The D-Bus face of the launcher: org.winfsp.Launcher1. It owns the calls
 * still waiting for an instance (Start until ready or failed, Stop until
 * the process is gone) and the signals; the manager tells it what happens.
 */
#pragma once

typedef struct Manager Manager;
typedef struct Bus Bus;

/* Connect (address, or the system/session bus), export the object, take the name. */
int bus_new(Manager *m, const char *address, Bus **ret);

/* Answer what still waits ("the launcher is shutting down") and disconnect. */
Bus *bus_free(Bus *b);
