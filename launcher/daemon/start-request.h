/* SPDX-License-Identifier: MIT */
/*
 * A Start call judged before anything is made: the names, the class and
 * the caller's right to it, the limits, and how the mount point is handled
 * (expanded and pinned later, checked by path, or taken premounted). No
 * D-Bus here: a refusal comes back as an error name and a sentence, which
 * bus.c sends as the reply.
 */
#pragma once

#include "bus-caller.h"
#include "instance.h"

typedef struct Manager Manager;

typedef struct StartRequest {
        const char *class_name;
        const char *instance;
        char **args;
        int secret_fd;
        int fuse_fd; /* FuseFd: /dev/fuse, already mounted at the mount point by the caller */
        bool attach;
        const char *mount_options; /* MountOptions: the caller's -o list */
} StartRequest;

/* How the mount point is handled, and the path (or word) that names it. */
typedef struct MountPlan {
        MountMode mode;
        char *word; /* the expanded MountPoint=, as a word of the command line */
        char *path; /* checked path (MOUNT_PATH, MOUNT_PREMOUNTED) */
} MountPlan;

void mount_plan_done(MountPlan *p);

/* Why a start is refused: an org.winfsp.Launcher1.Error name and what to tell the caller. */
typedef struct Refusal {
        const char *error_name;
        char *text;
} Refusal;

void refusal_done(Refusal *r);

/*
 * May caller start req, and how is its mount point handled? 1: yes,
 * *ret_class and *ret_plan filled (req->args may be rewritten for a
 * premounted connection); 0: refused, *why says so; -errno on failure.
 */
int start_request_check(Manager *mgr, StartRequest *req, const Caller *caller, FspClass **ret_class,
                        MountPlan *ret_plan, Refusal *why);
