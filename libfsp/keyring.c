/* SPDX-License-Identifier: MIT */
/*
 * Remembered passwords in the Secret Service (libsecret). GLib stays inside
 * this file: callers see FspSecret, -errno and a malloc'd message.
 *
 * At most one password is kept per (remote, class, user): storing removes
 * any earlier one first, whichever collection held it, so a lookup never
 * has to guess between a stale "forever" entry and a fresh "session" one.
 *
 * A remote is stored under its canonical spelling (fsp_remote_name_parse()).
 * Before "//class/class" and "//class" were made one name, each was its own
 * spelling, so passwords stored then may sit under "//class/class": they are
 * still found, replaced by a store and removed by forget.
 */
#include <fsp/keyring.h>
#include <fsp/names.h>
#include <stdarg.h>

/* Before GLib's headers, which replace MIN and MAX with equivalent ones. */
#include "macro.h"

#include <libsecret/secret.h>

static const SecretSchema keyring_schema = {
        .name = FSP_KEYRING_SCHEMA,
        .flags = SECRET_SCHEMA_NONE,
        .attributes =
                {
                        {"remote", SECRET_SCHEMA_ATTRIBUTE_STRING},
                        {"class", SECRET_SCHEMA_ATTRIBUTE_STRING},
                        {"user", SECRET_SCHEMA_ATTRIBUTE_STRING},
                        {NULL, 0},
                },
};

static const char *const remember_names[_FSP_REMEMBER_MAX] = {
        [FSP_REMEMBER_NEVER] = "never",
        [FSP_REMEMBER_SESSION] = "session",
        [FSP_REMEMBER_FOREVER] = "forever",
};

FspRemember fsp_remember_from_string(const char *s)
{
        for (size_t i = 0; s && i < ELEMENTSOF(remember_names); i++)
                if (streq(s, remember_names[i]))
                        return (FspRemember) i;
        return _FSP_REMEMBER_INVALID;
}

const char *fsp_remember_to_string(FspRemember r)
{
        if (r < 0 || r >= _FSP_REMEMBER_MAX)
                return NULL;
        return remember_names[r];
}

static void g_error_freep(GError **e)
{
        if (*e)
                g_error_free(*e);
}

static void g_hash_table_unrefp(GHashTable **h)
{
        if (*h)
                g_hash_table_unref(*h);
}

static void items_freep(GList **l)
{
        g_list_free_full(*l, g_object_unref);
}

_printf_(3, 4) static int keyring_fail(char **ret_message, int code, const char *fmt, ...)
{
        va_list ap;

        if (ret_message) {
                char *m = NULL;
                va_start(ap, fmt);
                if (vasprintf(&m, fmt, ap) < 0)
                        m = NULL;
                va_end(ap);
                free(*ret_message);
                *ret_message = m;
        }
        return code;
}

static bool error_means_unreachable(const GError *e)
{
        if (e->domain == G_IO_ERROR)
                return e->code != G_IO_ERROR_CANCELLED;
        if (e->domain == G_SPAWN_ERROR)
                return true; /* D-Bus autolaunch failed */
        if (e->domain == G_DBUS_ERROR)
                return e->code == G_DBUS_ERROR_SERVICE_UNKNOWN ||
                       e->code == G_DBUS_ERROR_NAME_HAS_NO_OWNER || e->code == G_DBUS_ERROR_NO_SERVER ||
                       e->code == G_DBUS_ERROR_DISCONNECTED || e->code == G_DBUS_ERROR_NO_REPLY ||
                       e->code == G_DBUS_ERROR_SPAWN_EXEC_FAILED ||
                       e->code == G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND ||
                       e->code == G_DBUS_ERROR_SPAWN_FAILED || e->code == G_DBUS_ERROR_FILE_NOT_FOUND;
        return false;
}

/* Turn a libsecret failure into -errno and a message saying what we were doing. */
static int keyring_error(const GError *e, const char *what, char **ret_message)
{
        if (!e) /* libsecret fails without a GError when a prompt is dismissed */
                return keyring_fail(ret_message, -ECANCELED, "%s: the keyring prompt was dismissed", what);
        if (error_means_unreachable(e) && !getenv("DBUS_SESSION_BUS_ADDRESS"))
                return keyring_fail(ret_message, -ENXIO,
                                    "%s: no Secret Service (keyring) is reachable: no session bus "
                                    "(DBUS_SESSION_BUS_ADDRESS is not set; %s)",
                                    what, e->message);
        if (error_means_unreachable(e))
                return keyring_fail(ret_message, -ENXIO, "%s: no Secret Service (keyring) is reachable: %s",
                                    what, e->message);
        if (e->domain == G_IO_ERROR && e->code == G_IO_ERROR_CANCELLED)
                return keyring_fail(ret_message, -ECANCELED, "%s: the keyring prompt was dismissed", what);
        if (e->domain == SECRET_ERROR && e->code == SECRET_ERROR_IS_LOCKED)
                return keyring_fail(ret_message, -EACCES, "%s: the keyring is locked", what);
        if (e->domain == SECRET_ERROR && e->code == SECRET_ERROR_NO_SUCH_OBJECT)
                return keyring_fail(ret_message, -ENOENT, "%s: the keyring has no such collection: %s", what,
                                    e->message);
        return keyring_fail(ret_message, -EIO, "%s: the keyring failed: %s", what, e->message);
}

/* The attributes to match; NULL values are left out (they match anything). */
static GHashTable *attributes_new(const char *remote, const char *class_name, const char *user)
{
        GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);

        g_hash_table_insert(h, (gpointer) "remote", (gpointer) remote);
        if (class_name)
                g_hash_table_insert(h, (gpointer) "class", (gpointer) class_name);
        if (user)
                g_hash_table_insert(h, (gpointer) "user", (gpointer) user);
        return h;
}

/* The spellings a password for remote may be stored under: the canonical one, and the old one or NULL. */
typedef struct Spellings {
        char *canonical;
        char *old;
} Spellings;

static void spellings_done(Spellings *s)
{
        free(s->canonical);
        free(s->old);
}

static int spellings_of(const char *remote, Spellings *ret)
{
        _cleanup_(fsp_remote_name_done) FspRemoteName r = {};
        Spellings s = {};

        if (fsp_remote_name_parse(remote, &r, NULL) < 0) /* not one of ours: taken as it is */
                s.canonical = strdup(remote);
        else {
                s.canonical = TAKE_PTR(r.normalized);
                if (streq(r.instance, r.class_name) && asprintf(&s.old, "//%s/%s", r.class_name, r.instance) < 0) {
                        s.old = NULL;
                        spellings_done(&s);
                        return -ENOMEM;
                }
        }
        if (!s.canonical) {
                spellings_done(&s);
                return -ENOMEM;
        }
        *ret = s;
        return 0;
}

/* The password stored under exactly remote, or NULL. */
static int lookup_spelling(const char *remote, const char *class_name, const char *user, gchar **ret,
                           char **ret_message)
{
        _cleanup_(g_hash_table_unrefp) GHashTable *attributes = attributes_new(remote, class_name, user);
        _cleanup_(g_error_freep) GError *e = NULL;

        *ret = secret_password_lookupv_nonpageable_sync(&keyring_schema, attributes, NULL, &e);
        return e ? keyring_error(e, "looking up the password", ret_message) : 0;
}

int fsp_keyring_lookup(const char *remote, const char *class_name, const char *user, FspSecret **ret,
                       char **ret_message)
{
        _cleanup_(spellings_done) Spellings names = {};
        gchar *password = NULL;
        int r;

        if (isempty(remote) || !ret)
                return -EINVAL;
        r = spellings_of(remote, &names);
        if (r < 0)
                return r;
        r = lookup_spelling(names.canonical, class_name, strempty(user), &password, ret_message);
        if (r >= 0 && !password && names.old)
                r = lookup_spelling(names.old, class_name, strempty(user), &password, ret_message);
        if (r < 0)
                return r;
        if (!password)
                return keyring_fail(ret_message, -ENOENT, "no password stored for %s", names.canonical);

        r = fsp_secret_new_from(password, strlen(password), ret);
        secret_password_free(password); /* wipes libsecret's copy */
        if (r < 0)
                return keyring_fail(ret_message, r, "the stored password for %s does not fit in memory",
                                    remote);
        return 0;
}

/* Delete every item matching attributes, in any collection; how many went. */
static int keyring_delete_matching(GHashTable *attributes, const char *what, char **ret_message)
{
        _cleanup_(items_freep) GList *items = NULL;
        _cleanup_(g_error_freep) GError *e = NULL;
        int n = 0;

        items = secret_service_search_sync(NULL, &keyring_schema, attributes,
                                           SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK, NULL, &e);
        if (e)
                return keyring_error(e, what, ret_message);
        for (GList *l = items; l; l = l->next) {
                if (!secret_item_delete_sync(l->data, NULL, &e))
                        return keyring_error(e, what, ret_message);
                n++;
        }
        return n;
}

static char *keyring_label(const char *remote, const char *user)
{
        char *label = NULL;
        int r;

        if (isempty(user))
                r = asprintf(&label, "winfsp password for %s", remote);
        else
                r = asprintf(&label, "winfsp password for %s on %s", user, remote);
        return r < 0 ? NULL : label;
}

int fsp_keyring_store(const char *remote, const char *class_name, const char *user, const FspSecret *secret,
                      FspRemember where, char **ret_message)
{
        _cleanup_(g_hash_table_unrefp) GHashTable *attributes = NULL, *old_attributes = NULL;
        _cleanup_(g_error_freep) GError *e = NULL;
        _cleanup_(spellings_done) Spellings names = {};
        _cleanup_free_ char *label = NULL;
        const char *collection;
        int r;

        if (isempty(remote) || !class_name || !secret || !secret->data)
                return -EINVAL;
        if (where == FSP_REMEMBER_NEVER)
                return 0;
        if (where == FSP_REMEMBER_SESSION)
                collection = SECRET_COLLECTION_SESSION;
        else if (where == FSP_REMEMBER_FOREVER)
                collection = SECRET_COLLECTION_DEFAULT;
        else
                return -EINVAL;

        r = spellings_of(remote, &names);
        if (r < 0)
                return r;
        label = keyring_label(names.canonical, user);
        if (!label)
                return -ENOMEM;
        if (names.old) {
                old_attributes = attributes_new(names.old, class_name, strempty(user));
                r = keyring_delete_matching(old_attributes, "storing the password", ret_message);
                if (r < 0)
                        return r;
        }
        attributes = attributes_new(names.canonical, class_name, strempty(user));
        r = keyring_delete_matching(attributes, "storing the password", ret_message);
        if (r < 0)
                return r;
        if (!secret_password_storev_sync(&keyring_schema, attributes, collection, label, secret->data, NULL,
                                         &e))
                return keyring_error(e, "storing the password", ret_message);
        return 0;
}

/* Delete every password stored under exactly remote; how many went. */
static int forget_spelling(const char *remote, char **ret_message)
{
        _cleanup_(g_hash_table_unrefp) GHashTable *attributes = attributes_new(remote, NULL, NULL);

        return keyring_delete_matching(attributes, "forgetting the password", ret_message);
}

int fsp_keyring_forget(const char *remote, char **ret_message)
{
        _cleanup_(spellings_done) Spellings names = {};
        int r, n;

        if (isempty(remote))
                return -EINVAL;
        r = spellings_of(remote, &names);
        if (r < 0)
                return r;
        n = forget_spelling(names.canonical, ret_message);
        if (n < 0 || !names.old)
                return n;
        r = forget_spelling(names.old, ret_message);
        return r < 0 ? r : n + r;
}
