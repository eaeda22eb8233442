/* SPDX-License-Identifier: MIT */
/* The D-Bus face of the launcher: org.winfsp.Launcher1 (see launcher-bus.c). */
#pragma once

typedef struct Manager Manager;

/* Connect (address, or the system/session bus), export the object, take the name. */
int bus_setup(Manager *m, const char *address);

/* Forget the remembered callers (at exit). */
void bus_caller_cache_clear(void);
