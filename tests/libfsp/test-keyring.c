/* SPDX-License-Identifier: MIT */
/*
 * The keyring helpers against a real Secret Service (gnome-keyring on a
 * private session bus, set up by test-keyring.sh), and without one.
 *
 *   test-keyring            the store / lookup / forget cycle
 *   test-keyring --no-bus   no session bus: -ENXIO with a clear message
 *   test-keyring --no-service  a session bus without a Secret Service: the same
 */
#include <fsp/keyring.h>
#include <stdbool.h>
#include <stdio.h>

#include "../helpers/test.h"
#include "macro.h"

/* Look up and compare; "" expected means -ENOENT. */
static void check_lookup(const char *remote, const char *user, const char *expected)
{
        FspSecret *s = NULL;
        _cleanup_free_ char *message = NULL;
        int r = fsp_keyring_lookup(remote, "memfs", user, &s, &message);

        if (isempty(expected)) {
                CHECK_ERRNO(r, ENOENT);
                CHECK_CONTAINS(message, remote);
        } else {
                CHECK_INT(r, 0);
                if (r == 0) {
                        CHECK_STR(s->data, expected);
                        CHECK_INT(s->size, strlen(expected));
                }
        }
        fsp_secret_free(s);
}

static void store(const char *remote, const char *user, const char *password, FspRemember where)
{
        FspSecret *s = NULL;
        _cleanup_free_ char *message = NULL;
        int r;

        CHECK_INT(fsp_secret_new_from(password, strlen(password), &s), 0);
        r = fsp_keyring_store(remote, "memfs", user, s, where, &message);
        if (r < 0)
                fprintf(stderr, "store %s: %s\n", remote, strempty(message));
        CHECK_INT(r, 0);
        fsp_secret_free(s);
}

/* What secret-tool, an independent client, sees for remote. */
static char *secret_tool_search(const char *remote)
{
        char command[512], buf[4096];
        size_t n = 0;
        FILE *p;

        snprintf(command, sizeof(command), "secret-tool search --all remote '%s' 2>&1", remote);
        p = popen(command, "r");
        if (!p)
                return strdup("");
        while (n < sizeof(buf) - 1 && fgets(buf + n, (int) (sizeof(buf) - n), p))
                n += strlen(buf + n);
        buf[n] = 0;
        pclose(p);
        return strdup(buf);
}

static int count_items(const char *text)
{
        int n = 0;
        for (const char *p = text; (p = strstr(p, "label = ")); p++)
                n++;
        return n;
}

static void test_remember_names(void)
{
        CHECK_INT(fsp_remember_from_string("never"), FSP_REMEMBER_NEVER);
        CHECK_INT(fsp_remember_from_string("session"), FSP_REMEMBER_SESSION);
        CHECK_INT(fsp_remember_from_string("forever"), FSP_REMEMBER_FOREVER);
        CHECK_INT(fsp_remember_from_string("always"), _FSP_REMEMBER_INVALID);
        CHECK_INT(fsp_remember_from_string(NULL), _FSP_REMEMBER_INVALID);
        CHECK_STR(fsp_remember_to_string(FSP_REMEMBER_SESSION), "session");
        CHECK(fsp_remember_to_string(_FSP_REMEMBER_MAX) == NULL);
}

static void test_cycle(void)
{
        const char *x = "//memfs/x";
        _cleanup_free_ char *seen = NULL, *seen_session = NULL, *seen_gone = NULL;
        _cleanup_free_ char *message = NULL;

        check_lookup(x, NULL, "");

        store(x, NULL, "forever pw", FSP_REMEMBER_FOREVER);
        check_lookup(x, NULL, "forever pw");
        check_lookup(x, "", "forever pw");
        seen = secret_tool_search(x);
        CHECK_CONTAINS(seen, "winfsp password for //memfs/x");
        CHECK_CONTAINS(seen, "attribute.class = memfs");
        CHECK_INT(count_items(seen), 1);

        /* Storing again replaces, across collections: one password per remote and user. */
        store(x, NULL, "session pw \xc3\xa9 with spaces", FSP_REMEMBER_SESSION);
        check_lookup(x, NULL, "session pw \xc3\xa9 with spaces");
        seen_session = secret_tool_search(x);
        CHECK_INT(count_items(seen_session), 1);

        /* Another user of the same remote is another password; another remote is untouched. */
        store(x, "alice", "alice pw", FSP_REMEMBER_FOREVER);
        store("//memfs/y", NULL, "y pw", FSP_REMEMBER_FOREVER);
        check_lookup(x, "alice", "alice pw");
        check_lookup(x, NULL, "session pw \xc3\xa9 with spaces");
        check_lookup(x, "bob", "");

        /* "never" stores nothing. */
        store("//memfs/never", NULL, "not kept", FSP_REMEMBER_NEVER);
        check_lookup("//memfs/never", NULL, "");

        /* forget removes both of //memfs/x (the session one and alice's), nothing else. */
        CHECK_INT(fsp_keyring_forget(x, &message), 2);
        check_lookup(x, NULL, "");
        check_lookup(x, "alice", "");
        check_lookup("//memfs/y", NULL, "y pw");
        seen_gone = secret_tool_search(x);
        CHECK_INT(count_items(seen_gone), 0);
        CHECK_INT(fsp_keyring_forget(x, &message), 0);
        CHECK_INT(fsp_keyring_forget("//memfs/y", &message), 1);
}

/*
 * Store a password the way a version before the canonical remote names did,
 * under "//memfs/memfs", with secret-tool (an independent client).
 */
static void store_old_spelling(const char *remote, const char *password)
{
        char command[512];
        FILE *p;

        snprintf(command, sizeof(command),
                 "secret-tool store --label='winfsp password for %s' xdg:schema " FSP_KEYRING_SCHEMA
                 " remote '%s' class memfs user ''",
                 remote, remote);
        p = popen(command, "w");
        CHECK(p != NULL);
        if (!p)
                return;
        fputs(password, p);
        CHECK_INT(pclose(p), 0);
}

/* "//memfs/memfs" and "//memfs" are one instance: one password, whichever spelling it was stored under. */
static void test_canonical_remote(void)
{
        _cleanup_free_ char *before = NULL, *after_old = NULL, *after_new = NULL, *message = NULL;

        store_old_spelling("//memfs/memfs", "old pw");
        before = secret_tool_search("//memfs/memfs");
        CHECK_INT(count_items(before), 1);

        /* Found under either spelling, and under the canonical one. */
        check_lookup("//memfs", NULL, "old pw");
        check_lookup("//memfs/memfs", NULL, "old pw");
        check_lookup("\\\\memfs\\memfs", NULL, "old pw");

        /* Storing replaces the old entry and writes the canonical spelling. */
        store("//memfs/memfs", NULL, "new pw", FSP_REMEMBER_FOREVER);
        after_old = secret_tool_search("//memfs/memfs");
        CHECK_INT(count_items(after_old), 0);
        after_new = secret_tool_search("//memfs");
        CHECK_INT(count_items(after_new), 1);
        CHECK_CONTAINS(after_new, "winfsp password for //memfs\n");
        check_lookup("//memfs/memfs", NULL, "new pw");

        /* The canonical entry wins over an old one stored again beside it; forget removes both. */
        store_old_spelling("//memfs/memfs", "older pw");
        check_lookup("//memfs", NULL, "new pw");
        CHECK_INT(fsp_keyring_forget("//memfs/memfs", &message), 2);
        check_lookup("//memfs", NULL, "");
        store_old_spelling("//memfs/memfs", "old pw");
        CHECK_INT(fsp_keyring_forget("//memfs", &message), 1);
        check_lookup("//memfs", NULL, "");

        /* Other instances have one spelling only. */
        store("//memfs//share/", NULL, "share pw", FSP_REMEMBER_SESSION);
        check_lookup("//memfs/share", NULL, "share pw");
        CHECK_INT(fsp_keyring_forget("//memfs/share", &message), 1);
}

static void test_bad_arguments(void)
{
        FspSecret *s = NULL;

        CHECK_ERRNO(fsp_keyring_lookup("", "memfs", NULL, &s, NULL), EINVAL);
        CHECK_ERRNO(fsp_keyring_lookup(NULL, "memfs", NULL, &s, NULL), EINVAL);
        CHECK_ERRNO(fsp_keyring_store("//memfs/x", "memfs", NULL, NULL, FSP_REMEMBER_SESSION, NULL), EINVAL);
        CHECK_ERRNO(fsp_keyring_forget("", NULL), EINVAL);
        CHECK_INT(fsp_secret_new_from("pw", 2, &s), 0);
        CHECK_ERRNO(fsp_keyring_store("//memfs/x", "memfs", NULL, s, (FspRemember) 7, NULL), EINVAL);
        fsp_secret_free(s);
}

/* With no session bus, or no keyring on it, every call says so, the same way. */
static void test_unreachable(bool have_bus)
{
        FspSecret *s = NULL;
        _cleanup_free_ char *m1 = NULL, *m2 = NULL, *m3 = NULL;

        CHECK((getenv("DBUS_SESSION_BUS_ADDRESS") != NULL) == have_bus);
        CHECK_ERRNO(fsp_keyring_lookup("//memfs/x", "memfs", NULL, &s, &m1), ENXIO);
        CHECK(s == NULL);
        CHECK_CONTAINS(m1, "looking up the password: no Secret Service (keyring) is reachable");
        if (!have_bus)
                CHECK_CONTAINS(m1, "no session bus");
        else
                CHECK_CONTAINS(m1, "org.freedesktop.secrets");
        fprintf(stderr, "message: %s\n", strempty(m1));

        CHECK_INT(fsp_secret_new_from("pw", 2, &s), 0);
        CHECK_ERRNO(fsp_keyring_store("//memfs/x", "memfs", NULL, s, FSP_REMEMBER_FOREVER, &m2), ENXIO);
        CHECK_CONTAINS(m2, "storing the password");
        CHECK_ERRNO(fsp_keyring_forget("//memfs/x", &m3), ENXIO);
        CHECK_CONTAINS(m3, "forgetting the password");
        fsp_secret_free(s);
}

int main(int argc, char **argv)
{
        test_remember_names();
        test_bad_arguments();
        if (argc > 1 && streq(argv[1], "--no-bus"))
                test_unreachable(false);
        else if (argc > 1 && streq(argv[1], "--no-service"))
                test_unreachable(true);
        else {
                test_cycle();
                test_canonical_remote();
        }
        return test_result();
}
