/* SPDX-License-Identifier: MIT */
/*
 * The access check: which ACEs match the caller, deny wins, and the one
 * rule outside the ACEs (whoever started an instance may stop and query it).
 * Facts about the caller that cost a lookup (admin groups, passwd, logind)
 * are only fetched when an ACE needs them.
 */
#include <fsp/security.h>
#include <grp.h>
#include <pwd.h>
#include <systemd/sd-login.h>

#include "macro.h"
#include "passwd.h"
#include "sddl-internal.h"

static char **admin_groups; /* NULL: the default list */
static const char *const default_admin_groups[] = {"sudo", "wheel", "admin", NULL};

int fsp_security_set_admin_groups(char *const *names)
{
        char **copy = NULL; /* NULL names: back to the default list */

        if (names) {
                int r = strv_copy(names, &copy);
                if (r < 0)
                        return r;
        }
        strv_free(admin_groups);
        admin_groups = copy;
        return 0;
}

/* The gid of a group name, or -ENOENT/-errno. */
static int group_lookup(const char *name, gid_t *ret)
{
        long hint = sysconf(_SC_GETGR_R_SIZE_MAX);
        size_t size = hint > 0 ? (size_t) hint : 1024;

        for (;;) {
                _cleanup_free_ char *buf = malloc(size);
                struct group grp, *result = NULL;
                int r;

                if (!buf)
                        return -ENOMEM;
                r = getgrnam_r(name, &grp, buf, size, &result);
                if (r == ERANGE && size < 1024 * 1024) {
                        size *= 2;
                        continue;
                }
                if (r != 0)
                        return -r;
                if (!result)
                        return -ENOENT;
                *ret = result->gr_gid;
                return 0;
        }
}

static bool caller_in_group(const FspCaller *c, gid_t gid)
{
        if (c->gid == gid)
                return true;
        for (size_t i = 0; i < c->n_groups; i++)
                if (c->groups && c->groups[i] == gid)
                        return true;
        return false;
}

static bool caller_is_admin(const FspCaller *c)
{
        const char *const *names = admin_groups ? (const char *const *) admin_groups : default_admin_groups;

        if (c->uid == 0)
                return true;
        for (size_t i = 0; names[i]; i++) {
                gid_t gid = (gid_t) -1;
                if (group_lookup(names[i], &gid) >= 0 && caller_in_group(c, gid))
                        return true;
        }
        return false;
}

static bool uid_has_passwd_entry(uid_t uid)
{
        _cleanup_free_ char *buf = NULL;
        struct passwd pw;

        return passwd_lookup(uid, NULL, &pw, &buf) > 0;
}

/* What the caller is, found out once per check and only when an ACE asks. */
typedef struct CallerFacts {
        const FspCaller *caller;
        uid_t owner_uid;
        int admin, passwd, session; /* -1: not known yet */
} CallerFacts;

static bool facts_admin(CallerFacts *f)
{
        if (f->admin < 0)
                f->admin = caller_is_admin(f->caller);
        return f->admin;
}

static bool facts_passwd(CallerFacts *f)
{
        if (f->passwd < 0)
                f->passwd = f->caller->has_passwd_entry >= 0 ? f->caller->has_passwd_entry > 0
                                                             : uid_has_passwd_entry(f->caller->uid);
        return f->passwd;
}

static bool facts_session(CallerFacts *f)
{
        if (f->session < 0)
                f->session = f->caller->has_active_session >= 0
                                     ? f->caller->has_active_session > 0
                                     : sd_uid_get_sessions(f->caller->uid, 1, NULL) > 0;
        return f->session;
}

static bool trustee_matches(const Trustee *t, CallerFacts *f)
{
        switch (t->type) {
        case TRUSTEE_EVERYONE:
                return true;
        case TRUSTEE_SYSTEM:
                return f->caller->uid == 0;
        case TRUSTEE_ADMINS:
                return facts_admin(f);
        case TRUSTEE_AUTHENTICATED:
                return facts_passwd(f);
        case TRUSTEE_INTERACTIVE:
                return facts_session(f);
        case TRUSTEE_OWNER:
                return f->owner_uid != (uid_t) -1 && f->caller->uid == f->owner_uid;
        case TRUSTEE_UID:
                return f->caller->uid == (uid_t) t->id;
        case TRUSTEE_GID:
                return caller_in_group(f->caller, (gid_t) t->id);
        default:
                return false;
        }
}

bool fsp_security_check(const FspSecurity *s, const FspCaller *caller, uid_t owner_uid, uint32_t rights)
{
        CallerFacts facts = {
                .caller = caller, .owner_uid = owner_uid, .admin = -1, .passwd = -1, .session = -1};
        uint32_t allowed = 0, denied = 0;

        if (!caller)
                return false;
        /* Whoever started an instance may always stop and query it. */
        if (owner_uid != (uid_t) -1 && caller->uid == owner_uid &&
            (rights & ~(uint32_t) (FSP_RIGHT_STOP | FSP_RIGHT_QUERY)) == 0)
                return true;
        if (!s)
                return false;

        for (size_t i = 0; i < s->n_aces; i++) {
                const Ace *ace = &s->aces[i];
                /* Skip ACEs that cannot change the answer before paying for a lookup. */
                if ((ace->rights & rights) == 0 || !trustee_matches(&ace->trustee, &facts))
                        continue;
                if (ace->deny)
                        denied |= ace->rights;
                else
                        allowed |= ace->rights;
        }
        return (rights & ~allowed) == 0 && (rights & denied) == 0;
}
