/* SPDX-License-Identifier: MIT */
#include <fsp/security.h>
#include <grp.h>

#include "macro.h"
#include "test.h"

#define NOBODY_OWNER ((uid_t) -1)
#define STRANGER     4000000u /* a uid with no passwd entry and no session */

static FspSecurity *parse(const char *text)
{
        FspSecurity *s = NULL;
        FspError err;

        if (fsp_sddl_parse(text, &s, &err) < 0) {
                fprintf(stderr, "parse(%s): column %u: %s\n", text, err.column, err.text);
                exit(EXIT_FAILURE);
        }
        return s;
}

static bool check(const char *text, const FspCaller *c, uid_t owner, uint32_t rights)
{
        FspSecurity *s = parse(text);
        bool ok = fsp_security_check(s, c, owner, rights);
        fsp_security_free(s);
        return ok;
}

static void test_everyone_and_rights(void)
{
        FspCaller alice = FSP_CALLER_INIT(1000, 1000);

        CHECK(check("D:P(A;;RPWPLC;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_ALL));
        CHECK(check("D:P(A;;RP;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(!check("D:P(A;;RP;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_STOP));
        CHECK(!check("D:P(A;;RP;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_START | FSP_RIGHT_QUERY));
        /* Rights may be granted by several ACEs together. */
        CHECK(check("D:P(A;;RP;;;WD)(A;;LC;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_START | FSP_RIGHT_QUERY));
        CHECK(check("D:(A;;GA;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_ALL));
        CHECK(check("D:(A;;GX;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_START | FSP_RIGHT_STOP));
        CHECK(!check("D:(A;;GX;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_QUERY));
        CHECK(check("D:(A;;GR;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_QUERY));
        CHECK(!check("D:(A;;GR;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(!check("D:(A;;GW;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_STOP));
        CHECK(check("D:(A;;0x24;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_STOP | FSP_RIGHT_QUERY));
        CHECK(!check("D:(A;;0x24;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(check("D:(A;;0x10000000;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_ALL));
        CHECK(!check("D:(A;;0x0FFFFFCB;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        /* An empty DACL grants nothing; a right we do not know is never granted. */
        CHECK(!check("D:P", &alice, NOBODY_OWNER, FSP_RIGHT_QUERY));
        CHECK(!check("D:(A;;0xFFFFFFFF;;;WD)", &alice, NOBODY_OWNER, 0x100));
}

static void test_deny_wins(void)
{
        FspCaller alice = FSP_CALLER_INIT(1000, 1000);
        FspCaller bob = FSP_CALLER_INIT(1001, 1001);

        CHECK(!check("D:(A;;RPWPLC;;;WD)(D;;WP;;;S-1-22-1-1000)", &alice, NOBODY_OWNER, FSP_RIGHT_STOP));
        CHECK(!check("D:(D;;WP;;;S-1-22-1-1000)(A;;RPWPLC;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_STOP));
        /* The deny covers only its own rights and its own trustee. */
        CHECK(check("D:(D;;WP;;;S-1-22-1-1000)(A;;RPWPLC;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(check("D:(D;;WP;;;S-1-22-1-1000)(A;;RPWPLC;;;WD)", &bob, NOBODY_OWNER, FSP_RIGHT_STOP));
        /* Asking for several rights: one denied bit refuses all. */
        CHECK(!check("D:(A;;GA;;;WD)(D;;LC;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_START | FSP_RIGHT_QUERY));
        CHECK(!check("D:(A;;GA;;;WD)(D;;GR;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_QUERY));
        CHECK(!check("D:(D;;0x20000000;;;WD)(A;;GA;;;WD)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
}

static void test_system_and_root(void)
{
        FspCaller root = FSP_CALLER_INIT(0, 0), alice = FSP_CALLER_INIT(1000, 1000);

        CHECK(check(FSP_SECURITY_DEFAULT, &root, NOBODY_OWNER, FSP_RIGHT_ALL));
        CHECK(!check(FSP_SECURITY_DEFAULT, &alice, NOBODY_OWNER, FSP_RIGHT_QUERY));
        CHECK(check("D:(A;;RP;;;SY)", &root, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(!check("D:(A;;RP;;;SY)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(check("D:(A;;RP;;;BA)", &root, NOBODY_OWNER, FSP_RIGHT_START));
        /* Root has no bypass: the ACEs decide for it too. */
        CHECK(!check("D:(A;;RP;;;S-1-22-1-1000)", &root, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(!check("D:(A;;GA;;;WD)(D;;RP;;;SY)", &root, NOBODY_OWNER, FSP_RIGHT_START));
}

/* A group that exists here, for BA through a supplementary group. */
static bool find_some_group(char *name, size_t n, gid_t *ret_gid)
{
        static const char *const candidates[] = {"adm", "root", "daemon", "users", "nogroup"};

        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                struct group *g = getgrnam(candidates[i]);
                if (g) {
                        snprintf(name, n, "%s", g->gr_name);
                        *ret_gid = g->gr_gid;
                        return true;
                }
        }
        return false;
}

static void test_admins(void)
{
        char group[64], *groups[2] = {group, NULL};
        char *missing[] = {"no-such-group-winfsp-test", NULL};
        gid_t gid, supplementary[3] = {5555, 0, 6666};
        FspCaller alice = FSP_CALLER_INIT(1000, 1000);

        if (!find_some_group(group, sizeof(group), &gid)) {
                fprintf(stderr, "no usable group in /etc/group, BA membership not tested\n");
                return;
        }
        supplementary[1] = gid;
        CHECK_INT(fsp_security_set_admin_groups(groups), 0);
        CHECK(!check("D:(A;;RP;;;BA)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        alice.groups = supplementary;
        alice.n_groups = ELEMENTSOF(supplementary);
        CHECK(check("D:(A;;RP;;;BA)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        /* ... but not SY, and not when the list no longer names the group. */
        CHECK(!check("D:(A;;RP;;;SY)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK_INT(fsp_security_set_admin_groups(missing), 0);
        CHECK(!check("D:(A;;RP;;;BA)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        /* The primary group counts as well. */
        CHECK_INT(fsp_security_set_admin_groups(groups), 0);
        FspCaller carol = FSP_CALLER_INIT(1002, gid);
        CHECK(check("D:(A;;RP;;;BA)", &carol, NOBODY_OWNER, FSP_RIGHT_START));
        /* S-1-22-2-<gid> matches primary and supplementary groups. */
        char sddl[64];
        snprintf(sddl, sizeof(sddl), "D:(A;;RP;;;S-1-22-2-%u)", (unsigned) gid);
        CHECK(check(sddl, &alice, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(check(sddl, &carol, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(!check("D:(A;;RP;;;S-1-22-2-7777)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(check("D:(A;;RP;;;S-1-22-2-6666)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK_INT(fsp_security_set_admin_groups(NULL), 0);
}

static void test_authenticated_and_interactive(void)
{
        FspCaller c = FSP_CALLER_INIT(STRANGER, STRANGER);

        c.has_passwd_entry = 1;
        CHECK(check("D:(A;;RP;;;AU)", &c, NOBODY_OWNER, FSP_RIGHT_START));
        c.has_passwd_entry = 0;
        CHECK(!check("D:(A;;RP;;;AU)", &c, NOBODY_OWNER, FSP_RIGHT_START));
        c.has_passwd_entry = -1; /* looked up: this uid has no entry */
        CHECK(!check("D:(A;;RP;;;AU)", &c, NOBODY_OWNER, FSP_RIGHT_START));
        FspCaller root = FSP_CALLER_INIT(0, 0); /* root always has one */
        CHECK(check("D:(A;;RP;;;AU)", &root, NOBODY_OWNER, FSP_RIGHT_START));

        c.has_active_session = 1;
        CHECK(check("D:(A;;RP;;;IU)", &c, NOBODY_OWNER, FSP_RIGHT_START));
        c.has_active_session = 0;
        CHECK(!check("D:(A;;RP;;;IU)", &c, NOBODY_OWNER, FSP_RIGHT_START));
        c.has_active_session = -1; /* asked of logind: no sessions for this uid */
        CHECK(!check("D:(A;;RP;;;IU)", &c, NOBODY_OWNER, FSP_RIGHT_START));
}

static void test_owner(void)
{
        FspCaller alice = FSP_CALLER_INIT(1000, 1000), bob = FSP_CALLER_INIT(1001, 1001);

        CHECK(check("D:(A;;RPWPLC;;;OW)", &alice, 1000, FSP_RIGHT_START));
        CHECK(!check("D:(A;;RPWPLC;;;OW)", &bob, 1000, FSP_RIGHT_START));
        CHECK(!check("D:(A;;RPWPLC;;;OW)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        /* Whoever started an instance may stop and query it, whatever the ACEs say... */
        CHECK(check(FSP_SECURITY_DEFAULT, &alice, 1000, FSP_RIGHT_STOP));
        CHECK(check(FSP_SECURITY_DEFAULT, &alice, 1000, FSP_RIGHT_QUERY));
        CHECK(check(FSP_SECURITY_DEFAULT, &alice, 1000, FSP_RIGHT_STOP | FSP_RIGHT_QUERY));
        CHECK(check("D:(D;;GA;;;WD)", &alice, 1000, FSP_RIGHT_STOP));
        /* ... but not start it again, and nobody else gets that. */
        CHECK(!check(FSP_SECURITY_DEFAULT, &alice, 1000, FSP_RIGHT_START));
        CHECK(!check(FSP_SECURITY_DEFAULT, &alice, 1000, FSP_RIGHT_ALL));
        CHECK(!check(FSP_SECURITY_DEFAULT, &bob, 1000, FSP_RIGHT_STOP));
        /* A uid that is (uid_t) -1 is nobody's. */
        FspCaller minus = FSP_CALLER_INIT((uid_t) -1, 1000);
        CHECK(!check(FSP_SECURITY_DEFAULT, &minus, NOBODY_OWNER, FSP_RIGHT_STOP));
        CHECK(!check("D:(A;;RP;;;OW)", &minus, NOBODY_OWNER, FSP_RIGHT_START));
}

static void test_unix_users(void)
{
        FspCaller alice = FSP_CALLER_INIT(1000, 1000), bob = FSP_CALLER_INIT(1001, 1001);

        CHECK(check("D:(A;;RP;;;S-1-22-1-1000)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(!check("D:(A;;RP;;;S-1-22-1-1000)", &bob, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(check("D:(A;;RP;;;S-1-22-2-1001)", &bob, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(!check("D:(A;;RP;;;S-1-22-2-1001)", &alice, NOBODY_OWNER, FSP_RIGHT_START));
        CHECK(!fsp_security_check(NULL, &alice, NOBODY_OWNER, FSP_RIGHT_START));
}

int main(void)
{
        test_everyone_and_rights();
        test_deny_wins();
        test_system_and_root();
        test_admins();
        test_authenticated_and_interactive();
        test_owner();
        test_unix_users();
        return test_result();
}
