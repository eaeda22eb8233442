/* SPDX-License-Identifier: MIT */
/*
 * The ends of the launcher's children, from one SIGCHLD source on the loop
 * instead of a pidfd each (an fd per instance counts when there are tens of
 * thousands). A child is told about while it is still a zombie (WNOWAIT): its
 * pid and process group stay its own until its handler reaps it. A child
 * traced by someone else (a debugger, LeakSanitizer) is told about when it
 * becomes waitable, whenever that is: SIGCHLD comes then.
 */
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

typedef void (*ChildFn)(pid_t pid, const siginfo_t *si, void *userdata);

/* Watch SIGCHLD on e (the signal must be blocked). */
int children_setup(sd_event *e);
void children_done(void);

/* fn is called once when pid can be reaped; it reaps it (else it is reaped after it returns). */
int children_watch(pid_t pid, ChildFn fn, void *userdata);
void children_forget(pid_t pid);
