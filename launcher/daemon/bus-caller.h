/* SPDX-License-Identifier: MIT */
/*
 * Who is calling: the uid, groups and pid the bus itself reports for the
 * sender (never a field of the message), with the user's name and home
 * from the passwd database. Kept per unique bus name, which is never reused.
 */
#pragma once

#include <fsp/security.h>
#include <pwd.h>
#include <systemd/sd-bus.h>

typedef struct Caller {
        FspCaller fsp; /* uid, gid, groups (pointing into groups below) */
        gid_t *groups;
        pid_t pid;
        char *name; /* user name, or the uid as text */
        char *home;
} Caller;

void caller_done(Caller *c);

/* The sender of m. */
int caller_get(sd_bus_message *m, Caller *ret);

/* Forget the remembered callers (at exit). */
void caller_cache_clear(void);

/* The groups of a user (its primary group first), as initgroups(3) would set them. */
int user_groups(const char *name, gid_t gid, gid_t **ret, size_t *ret_n);

#include "instance.h"

/*
 * As whom an instance of c started by caller runs (RunAs=), for a launcher
 * running as launcher_uid. On a refusal, -EPERM or -ESRCH and *ret_error
 * says why (the caller frees it).
 */
int identity_resolve(const FspClass *c, uid_t launcher_uid, const Caller *caller, InstanceIdentity *ret,
                     char **ret_error);
