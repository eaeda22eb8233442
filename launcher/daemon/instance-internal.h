/* SPDX-License-Identifier: MIT */
/*
 * What the parts of an instance share (instance.c the state machine,
 * instance-exec.c the process, instance-credentials.c the secret and its
 * handshake, instance-recovery.c restarts). Not for other modules.
 */
#pragma once

#include <time.h>

#include "instance.h"
#include "macro.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define ANSWER_MAX 256

/* ---- instance.c */
uint64_t now_usec(clockid_t clock);
/* "5 min", "30 s", "1500 ms": for messages. */
const char *duration_text(uint64_t usec, char buf[static 32]);
/* 3 -> "status 3", 137 -> "signal 9 (Killed)". */
const char *exit_text(int status, char buf[static 64]);
sd_event_source *source_unref(sd_event_source *s);

/*
 * The start failed: remember why (the first reason wins), make sure the
 * process is gone, and only then tell the observer, so a failure means
 * nothing is left running.
 */
void instance_fail_start(Instance *i, const char *error_name, const char *fmt, ...) _printf_(3, 4);
void instance_check_ready(Instance *i);
void instance_kill(Instance *i, int sig);
/* The process ended (status -1: unknown). Decide what follows. */
void instance_process_exited(Instance *i, int status);
/* The process is gone for good: tell the observer, which frees the instance. */
void instance_finish(Instance *i, int status);

/* ---- instance-exec.c */
/* Spawn the process for the current attempt; failures become a failed start. */
void instance_spawn_or_fail(Instance *i);
/* Drop the process's event sources and pipes (not the secret). */
void instance_close_process_io(Instance *i);
/* Pass on what the pipes hold now. */
void instance_drain_output(Instance *i);
/* Bytes it wrote on stdout that did not come through the pipe's event (after its OK). */
void instance_feed_stdout(Instance *i, const char *data, size_t n);
/* Its output has ended: what the secret's screen still holds goes now. */
void instance_flush_output(Instance *i);
int instance_watch_process(Instance *i, int pidfd);
int instance_watch_output(Instance *i);

/* ---- instance-credentials.c */
bool instance_needs_credentials(const Instance *i);
/* Credentials=1|3 with CredentialsReply=OK: an answer is awaited. */
bool instance_needs_answer(const Instance *i);
/* Something goes to its stdin (CredentialsStdin= is not none). */
bool instance_writes_stdin(const Instance *i);
/* %S: a sealed memfd holding the password and a newline. */
int instance_secret_file(Instance *i, int *ret_fd);
/* Start reading the client's secret fd; the spawn follows when it is complete. */
int instance_read_secret(Instance *i, int fd);
/* Before the spawn: what the process will need for the handshake. */
int instance_credentials_prepare(Instance *i);
/* After the spawn: write the secret to its stdin (then EOF) and start the answer's clock. */
void instance_credentials_send(Instance *i, int stdin_fd);
bool instance_awaiting_answer(const Instance *i);
/* Read the answer: 1 decided, 0 incomplete, -EAGAIN nothing more now. */
int instance_read_answer(Instance *i);

/* ---- instance.c, continued */
/* The mount point is checked: read the secret, or spawn. */
void instance_start_continue(Instance *i);

/* ---- instance-mount.c */
/* MOUNT_PINNED: open the mount point as the caller; instance_start_continue() follows. */
int instance_mount_resolve(Instance *i);
/* Before a spawn: the staging directory (PINNED), the mounts already there (PATH). */
int instance_mount_prepare(Instance *i);
/* The path the program is told to mount. */
const char *instance_mount_program_path(const Instance *i);
/* Whether the mount is where it belongs now (1), not yet (0), or failed (< 0, the start failed). */
int instance_mount_ready(Instance *i);
/* A mount may have appeared (mountinfo changed, READY=1): take it. */
void instance_mount_check(Instance *i);
/* The process is gone: detach its mount through its fd, remove the staging directory. */
void instance_mount_release(Instance *i);
/* At free: close what is held, detach nothing. */
void instance_mount_done(Instance *i);

/* ---- instance-recovery.c */
void instance_schedule_restart(Instance *i);
