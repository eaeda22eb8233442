/* SPDX-License-Identifier: MIT */
#include <grp.h>
#include <limits.h>

#include "bus-caller.h"
#include "macro.h"
#include "passwd.h"

void caller_done(Caller *c)
{
        free(c->groups);
        free(c->name);
        free(c->home);
        *c = (Caller){ 0 };
}

int user_groups(const char *name, gid_t gid, gid_t **ret, size_t *ret_n)
{
        int n = 64;

        for (int tries = 0; tries < 8; tries++) {
                gid_t *g = calloc((size_t) n, sizeof(gid_t));
                int want = n;

                if (!g)
                        return -ENOMEM;
                if (getgrouplist(name, gid, g, &want) >= 0) {
                        *ret = g;
                        *ret_n = (size_t) want;
                        return 0;
                }
                free(g);
                n = want > n ? want : n * 2;
        }
        return -E2BIG;
}

static int caller_copy(const Caller *from, Caller *ret)
{
        Caller c = *from;

        c.groups = from->fsp.n_groups ? malloc(from->fsp.n_groups * sizeof(gid_t)) : NULL;
        c.name = strdup(from->name);
        c.home = strdup(from->home);
        if ((from->fsp.n_groups && !c.groups) || !c.name || !c.home) {
                caller_done(&c);
                return -ENOMEM;
        }
        if (c.groups)
                memcpy(c.groups, from->groups, from->fsp.n_groups * sizeof(gid_t));
        c.fsp.groups = c.groups;
        *ret = c;
        return 0;
}

static int caller_query(sd_bus_message *m, Caller *ret)
{
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        _cleanup_(caller_done) Caller c = { 0 };
        _cleanup_free_ char *buf = NULL;
        const gid_t *gids = NULL;
        struct passwd pw;
        uid_t uid;
        int r, n, found;

        r = sd_bus_query_sender_creds(
                m,
                SD_BUS_CREDS_EUID | SD_BUS_CREDS_UID | SD_BUS_CREDS_EGID | SD_BUS_CREDS_GID |
                        SD_BUS_CREDS_SUPPLEMENTARY_GIDS | SD_BUS_CREDS_PID,
                &creds);
        if (r < 0)
                return r;
        if (sd_bus_creds_get_euid(creds, &uid) < 0 && (r = sd_bus_creds_get_uid(creds, &uid)) < 0)
                return r;
        (void) sd_bus_creds_get_pid(creds, &c.pid);
        c.fsp = FSP_CALLER_INIT(uid, (gid_t) -1);
        /* The process's own group, as the bus saw it; the passwd entry's only when the bus does not say. */
        if (sd_bus_creds_get_egid(creds, &c.fsp.gid) < 0 && sd_bus_creds_get_gid(creds, &c.fsp.gid) < 0)
                c.fsp.gid = (gid_t) -1;

        found = passwd_lookup(uid, NULL, &pw, &buf);
        if (found < 0)
                return found;
        if (found) {
                if (c.fsp.gid == (gid_t) -1)
                        c.fsp.gid = pw.pw_gid;
                c.fsp.has_passwd_entry = 1;
                c.name = strdup(pw.pw_name);
                c.home = strdup(pw.pw_dir);
        } else {
                c.fsp.has_passwd_entry = 0;
                if (asprintf(&c.name, "%u", (unsigned) uid) < 0)
                        c.name = NULL;
                c.home = strdup("/");
        }
        if (!c.name || !c.home)
                return -ENOMEM;

        /* The bus's own record of the groups is authoritative; else the passwd entry's. */
        n = sd_bus_creds_get_supplementary_gids(creds, &gids);
        if (n >= 0) {
                c.groups = calloc((size_t) n + 1, sizeof(gid_t));
                if (!c.groups)
                        return -ENOMEM;
                memcpy(c.groups, gids, (size_t) n * sizeof(gid_t));
                c.fsp.n_groups = (size_t) n;
        } else if (found && (r = user_groups(pw.pw_name, pw.pw_gid, &c.groups, &c.fsp.n_groups)) < 0)
                return r;
        c.fsp.groups = c.groups;
        *ret = c;
        c = (Caller){ 0 };
        return 0;
}

/*
 * Who a connection is does not change while it lives, and unique bus names
 * are never reused: the answers are kept for the last few senders, which
 * spares every call a round trip to the bus (GetConnectionCredentials) and a
 * passwd lookup.
 */
#define CALLER_CACHE_SIZE 64

static struct {
        char *sender;
        Caller caller;
} caller_cache[CALLER_CACHE_SIZE];
static unsigned caller_cache_next;

static void caller_cache_slot_clear(unsigned k)
{
        free(caller_cache[k].sender);
        caller_cache[k].sender = NULL;
        caller_done(&caller_cache[k].caller);
}

int caller_get(sd_bus_message *m, Caller *ret)
{
        const char *sender = sd_bus_message_get_sender(m);
        unsigned k;
        int r;

        for (k = 0; sender && k < CALLER_CACHE_SIZE; k++)
                if (caller_cache[k].sender && streq(caller_cache[k].sender, sender))
                        return caller_copy(&caller_cache[k].caller, ret);
        r = caller_query(m, ret);
        if (r < 0 || !sender)
                return r;
        k = caller_cache_next++ % CALLER_CACHE_SIZE;
        caller_cache_slot_clear(k);
        caller_cache[k].sender = strdup(sender);
        if (!caller_cache[k].sender || caller_copy(ret, &caller_cache[k].caller) < 0)
                caller_cache_slot_clear(k);
        return 0;
}

void caller_cache_clear(void)
{
        for (unsigned k = 0; k < CALLER_CACHE_SIZE; k++)
                caller_cache_slot_clear(k);
}

int identity_resolve(const FspClass *c, uid_t launcher_uid, const Caller *caller, InstanceIdentity *ret,
                     char **ret_error)
{
        _cleanup_(instance_identity_done) InstanceIdentity id = { .started_by = caller->fsp.uid };
        _cleanup_free_ char *buf = NULL;
        struct passwd pw;
        int found;

        id.caller_name = strdup(caller->name);
        id.caller_home = strdup(caller->home);
        id.caller_gid = caller->fsp.gid;
        if (caller->fsp.n_groups > 0) {
                id.caller_groups = malloc(caller->fsp.n_groups * sizeof(gid_t));
                if (!id.caller_groups)
                        return -ENOMEM;
                memcpy(id.caller_groups, caller->fsp.groups, caller->fsp.n_groups * sizeof(gid_t));
                id.n_caller_groups = caller->fsp.n_groups;
        }
        if (!id.caller_name || !id.caller_home)
                return -ENOMEM;
        if (!c->run_as)
                found = passwd_lookup(launcher_uid, NULL, &pw, &buf);
        else if (streq(c->run_as, "."))
                found = passwd_lookup(caller->fsp.uid, NULL, &pw, &buf);
        else
                found = passwd_lookup(0, c->run_as, &pw, &buf);
        if (found < 0)
                return found;
        if (c->run_as && !found) {
                if (asprintf(ret_error, "class '%s': RunAs=%s: no such user", c->name,
                             streq(c->run_as, ".") ? caller->name : c->run_as) < 0)
                        return -ENOMEM;
                return -ESRCH;
        }
        id.uid = launcher_uid;
        if (found) {
                id.uid = pw.pw_uid;
                id.gid = pw.pw_gid;
                id.user_name = strdup(pw.pw_name);
                id.home = strdup(pw.pw_dir);
                if (!id.user_name || !id.home)
                        return -ENOMEM;
        }
        if (id.uid != launcher_uid) {
                if (launcher_uid != 0) {
                        if (asprintf(ret_error,
                                     "class '%s': RunAs=%s needs the system launcher (this one runs as uid %u)",
                                     c->name, c->run_as, (unsigned) launcher_uid) < 0)
                                return -ENOMEM;
                        return -EPERM;
                }
                id.change_user = true;
                int r = user_groups(pw.pw_name, pw.pw_gid, &id.groups, &id.n_groups);
                if (r < 0)
                        return r;
        }
        *ret = id;
        id = (InstanceIdentity){ 0 };
        return 0;
}
