/* SPDX-License-Identifier: MIT */
/*
 * The spawner: a small process the launcher forks at start, before it holds
 * anything, that forks the instances' processes for it, so that a start
 * costs the same however much memory the launcher has grown to (fork()
 * copies the page tables of the process that calls it). The processes it
 * forks are the launcher's children (CLONE_PARENT).
 */
#pragma once

#include <sys/types.h>

#include "spawn.h"

/* Fork the spawner. Call once, early. Without one, spawner_spawn() says so and the launcher forks itself. */
int spawner_start(void);

/*
 * Have p started with error_fd as the exec-error pipe's write end (see
 * spawn_process()). 0: *ret_pid is the caller's child. -ENOTCONN: no
 * spawner (gone, never started) or a request too big for it: fork in
 * process instead. Other -errno: the fork failed.
 */
int spawner_spawn(const SpawnParams *p, int error_fd, pid_t *ret_pid);

/* The spawner's pid, 0 if there is none (for tests). */
pid_t spawner_pid(void);
