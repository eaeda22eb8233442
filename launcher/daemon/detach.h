/* SPDX-License-Identifier: MIT */
/*
 * Detaching a mount the launcher put somewhere, by its ID, never by a path
 * alone: the path is looked up from the dentry cache without following
 * symlinks (it can neither block nor be steered), and the mount is detached
 * only when the descriptor found there proves to be that mount. A path that
 * is not all in the cache is opened by a resolver child instead (it may have
 * to wait on a file system), and the mount detached from the loop later.
 */
#pragma once

#include <systemd/sd-event.h>

/* 1 detached, 0 not there (gone already), 2 left to a resolver child, -errno. what names it in logs. */
int detach_mount(sd_event *e, const char *path, int mnt_id, const char *what);

/* At the launcher's exit: give up what still waits for a resolver. */
void detach_cancel_all(void);
