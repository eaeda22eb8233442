/* SPDX-License-Identifier: MIT */
/*
 * org.winfsp.Launcher1: one handler per method — parse, identify the caller
 * from the bus's own credentials, check access, call the model, reply.
 */
#include <fsp/cmdline.h>
#include <fsp/launch.h>
#include <fsp/names.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sys/stat.h>

#include "launcher-bus.h"
#include "launcher-log.h"
#include "launcher-manager.h"
#include "launcher-systemd.h"

/* ------------------------------------------------------------ the caller */

typedef struct Caller {
        FspCaller fsp;
        gid_t *groups;
        pid_t pid;
        char *name; /* user name, or the uid as text */
        char *home;
} Caller;

static void caller_done(Caller *c)
{
        free(c->groups);
        free(c->name);
        free(c->home);
        *c = (Caller){ 0 };
}

/* Groups from the passwd entry, when the bus did not report them. */
static int groups_of_user(const struct passwd *pw, gid_t **ret, size_t *ret_n)
{
        int n = 64;
        for (int tries = 0; tries < 8; tries++) {
                gid_t *g = calloc((size_t) n, sizeof(gid_t));
                int want = n;
                if (!g)
                        return -ENOMEM;
                if (getgrouplist(pw->pw_name, pw->pw_gid, g, &want) >= 0) {
                        *ret = g;
                        *ret_n = (size_t) want;
                        return 0;
                }
                free(g);
                n = want > n ? want : n * 2;
        }
        return -E2BIG;
}

static int caller_query(sd_bus_message *m, Caller *ret)
{
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const gid_t *gids = NULL;
        struct passwd pwbuf, *pw = NULL;
        char buf[4096];
        uid_t uid;
        int r, n;

        *ret = (Caller){ 0 };
        r = sd_bus_query_sender_creds(
                m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_UID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS | SD_BUS_CREDS_PID,
                &creds);
        if (r < 0)
                return r;
        if (sd_bus_creds_get_euid(creds, &uid) < 0 && (r = sd_bus_creds_get_uid(creds, &uid)) < 0)
                return r;
        (void) sd_bus_creds_get_pid(creds, &ret->pid);
        ret->fsp = FSP_CALLER_INIT(uid, (gid_t) -1);

        (void) getpwuid_r(uid, &pwbuf, buf, sizeof(buf), &pw);
        if (pw) {
                ret->fsp.gid = pw->pw_gid;
                ret->fsp.has_passwd_entry = 1;
                ret->name = strdup(pw->pw_name);
                ret->home = strdup(pw->pw_dir);
        } else {
                ret->fsp.has_passwd_entry = 0;
                (void) asprintf(&ret->name, "%u", (unsigned) uid);
                ret->home = strdup("/");
        }
        if (!ret->name || !ret->home)
                return -ENOMEM;

        /* The bus's own record of the groups is authoritative; else the passwd entry's. */
        n = sd_bus_creds_get_supplementary_gids(creds, &gids);
        if (n >= 0) {
                ret->groups = calloc((size_t) n + 1, sizeof(gid_t));
                if (!ret->groups)
                        return -ENOMEM;
                memcpy(ret->groups, gids, (size_t) n * sizeof(gid_t));
                ret->fsp.n_groups = (size_t) n;
        } else if (pw && (r = groups_of_user(pw, &ret->groups, &ret->fsp.n_groups)) < 0)
                return r;
        ret->fsp.groups = ret->groups;
        return 0;
}

/*
 * Helpers below return 1 for "go on", 0 for "an error reply was sent", or
 * -errno; method handlers return 1 once a reply is sent or pending.
 */
static int caller_copy(const Caller *from, Caller *ret)
{
        *ret = *from;
        ret->groups = from->fsp.n_groups ? malloc(from->fsp.n_groups * sizeof(gid_t)) : NULL;
        ret->name = strdup(from->name);
        ret->home = strdup(from->home);
        if ((from->fsp.n_groups && !ret->groups) || !ret->name || !ret->home) {
                caller_done(ret);
                return -ENOMEM;
        }
        if (ret->groups)
                memcpy(ret->groups, from->groups, from->fsp.n_groups * sizeof(gid_t));
        ret->fsp.groups = ret->groups;
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

static int caller_get(sd_bus_message *m, Caller *ret)
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

void bus_caller_cache_clear(void)
{
        for (unsigned k = 0; k < CALLER_CACHE_SIZE; k++)
                caller_cache_slot_clear(k);
}

static int reply_error(sd_bus_message *m, const char *name, const char *fmt, ...) _printf_(3, 4);
static int reply_error(sd_bus_message *m, const char *name, const char *fmt, ...)
{
        _cleanup_free_ char *text = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;
        va_end(ap);
        r = sd_bus_reply_method_errorf(m, name, "%s", text ? text : "out of memory");
        return r < 0 ? r : 0;
}

static int handled(int r)
{
        return r < 0 ? r : 1;
}

static int reply_caller_unknown(sd_bus_message *m, int r)
{
        return reply_error(m, FSP_ERROR_ACCESS_DENIED, "cannot identify the caller: %s", strerror(-r));
}

/* ------------------------------------------------------------ Start */

typedef struct StartRequest {
        const char *class_name;
        const char *instance;
        char **args;
        int secret_fd;
        int fuse_fd; /* FuseFd: /dev/fuse, already mounted at the mount point by the caller */
        bool attach;
} StartRequest;

/* MountPoint= expanded, absolute, existing, canonical; a non-root caller must own it. */
static int resolve_mount_point(sd_bus_message *m, const FspClass *c, const StartRequest *req,
                               const Caller *caller, char **ret)
{
        FspExpandContext ctx = {
                .executable = c->executable,
                .args = req->args,
                .user = caller->name,
                .home = caller->home,
                .class_name = c->name,
                .instance = req->instance,
        };
        _cleanup_free_ char *expanded = NULL;
        char canonical[PATH_MAX];
        struct stat st;
        FspError e;

        *ret = NULL;
        if (!c->mount_point)
                return 1;
        if (fsp_template_expand(c->mount_point, &ctx, &expanded, &e) < 0)
                return reply_error(m, FSP_ERROR_INVALID_ARGUMENT, "MountPoint=%s: %s", c->mount_point,
                                   e.text);
        if (isempty(expanded))
                return reply_error(m, FSP_ERROR_INVALID_ARGUMENT,
                                   "class '%s' needs a mount point (MountPoint=%s expands to nothing)",
                                   c->name, c->mount_point);
        if (expanded[0] != '/')
                return reply_error(m, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s' is not an absolute path",
                                   expanded);
        if (!realpath(expanded, canonical) || stat(canonical, &st) < 0)
                return reply_error(m, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s': %s", expanded,
                                   strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return reply_error(m, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s' is not a directory",
                                   canonical);
        if (caller->fsp.uid != 0 && st.st_uid != caller->fsp.uid)
                return reply_error(m, FSP_ERROR_ACCESS_DENIED,
                                   "mount point '%s' belongs to uid %u, not to you (uid %u)", canonical,
                                   (unsigned) st.st_uid, (unsigned) caller->fsp.uid);
        *ret = strdup(canonical);
        return *ret ? 1 : -ENOMEM;
}

/* The argument MountPoint= names when it is "%N" alone (0-based), else -1. */
static int mount_point_argument(const FspClass *c, char **args)
{
        const char *t = c->mount_point;
        if (!t || t[0] != '%' || t[1] < '1' || t[1] > '9' || t[2] != 0)
                return -1;
        size_t k = (size_t) (t[1] - '1');
        return k < strv_length(args) ? (int) k : -1;
}

/* A path as mountinfo would show it: absolute, no empty, "." or ".." elements. */
static bool path_is_normalized(const char *p)
{
        if (p[0] != '/' || (p[1] == 0))
                return p[0] == '/';
        for (const char *e = p + 1;;) {
                size_t n = strcspn(e, "/");
                if (n == 0 || (n == 1 && e[0] == '.') || (n == 2 && e[0] == '.' && e[1] == '.'))
                        return false;
                if (!e[n])
                        return true;
                e += n + 1;
        }
}

/*
 * FuseFd: the caller (root, typically mount.winfsp answering an automount)
 * has mounted /dev/fuse at the mount point itself. The path is not touched
 * here: while an automount is pending, looking it up would wait for this very
 * start. The file system gets the connection as fd 3, and "/dev/fd/3" as its
 * mount point argument.
 */
static int take_premounted(sd_bus_message *m, const FspClass *c, StartRequest *req, const Caller *caller,
                           char **ret_mount_point)
{
        int k = mount_point_argument(c, req->args);
        char *dev;

        if (caller->fsp.uid != 0)
                return reply_error(m, FSP_ERROR_ACCESS_DENIED,
                                   "only root may pass a mounted FUSE connection");
        if (k < 0)
                return reply_error(
                        m, FSP_ERROR_CONFIGURATION_ERROR,
                        "class '%s' cannot take a mounted FUSE connection: its MountPoint= is not one "
                        "argument (%%1..%%9) that was given",
                        c->name);
        if (!path_is_normalized(req->args[k]))
                return reply_error(m, FSP_ERROR_INVALID_ARGUMENT,
                                   "mount point '%s' is not a canonical absolute path", req->args[k]);
        if (!(dev = strdup("/dev/fd/3")))
                return -ENOMEM;
        *ret_mount_point = req->args[k];
        req->args[k] = dev;
        return 1;
}

/* "%2" alone: the file system is handed the very path that was checked. */
static int pin_mount_point_argument(const FspClass *c, char **args, const char *canonical)
{
        int k = mount_point_argument(c, args);
        return k < 0 ? 0 : free_and_strdup(&args[k], canonical);
}

static int resolve_identity(sd_bus_message *m, Manager *mgr, const FspClass *c, const Caller *caller,
                            InstanceIdentity *ret)
{
        struct passwd pwbuf, *pw = NULL;
        char buf[4096];

        *ret = (InstanceIdentity){ .started_by = caller->fsp.uid };
        ret->caller_name = strdup(caller->name);
        ret->caller_home = strdup(caller->home);
        if (!ret->caller_name || !ret->caller_home)
                return -ENOMEM;
        if (!c->run_as) {
                ret->uid = mgr->uid;
                (void) getpwuid_r(mgr->uid, &pwbuf, buf, sizeof(buf), &pw);
        } else if (streq(c->run_as, "."))
                (void) getpwuid_r(caller->fsp.uid, &pwbuf, buf, sizeof(buf), &pw);
        else
                (void) getpwnam_r(c->run_as, &pwbuf, buf, sizeof(buf), &pw);
        if (c->run_as && !pw)
                return reply_error(m, FSP_ERROR_CONFIGURATION_ERROR, "class '%s': RunAs=%s: no such user",
                                   c->name, streq(c->run_as, ".") ? caller->name : c->run_as);
        if (pw) {
                ret->uid = pw->pw_uid;
                ret->gid = pw->pw_gid;
                ret->user_name = strdup(pw->pw_name);
                ret->home = strdup(pw->pw_dir);
        }
        if (ret->uid == mgr->uid)
                return 1; /* as the launcher itself: nothing to change */
        if (mgr->uid != 0)
                return reply_error(
                        m, FSP_ERROR_CONFIGURATION_ERROR,
                        "class '%s': RunAs=%s needs the system launcher (this one runs as uid %u)", c->name,
                        c->run_as, (unsigned) mgr->uid);
        ret->change_user = true;
        if (groups_of_user(pw, &ret->groups, &ret->n_groups) < 0)
                return -ENOMEM;
        return 1;
}

static int check_start_request(sd_bus_message *m, Manager *mgr, const StartRequest *req,
                               const Caller *caller, FspClass **ret_class)
{
        const ClassEntry *entry;
        FspError e;
        size_t n_args = strv_length(req->args);
        Instance *other;

        if (mgr->shutting_down)
                return reply_error(m, FSP_ERROR_START_FAILED, "the launcher is shutting down");
        if (fsp_instance_name_check(req->instance, &e) < 0)
                return reply_error(m, FSP_ERROR_INVALID_ARGUMENT, "invalid instance name: %s", e.text);
        if (n_args > FSP_CMDLINE_MAX_ARGS)
                return reply_error(m, FSP_ERROR_INVALID_ARGUMENT,
                                   "too many arguments: %zu given, at most %d", n_args,
                                   FSP_CMDLINE_MAX_ARGS);
        entry = fsp_class_name_is_valid(req->class_name) ? manager_find_class(mgr, req->class_name) : NULL;
        if (!entry)
                return reply_error(m, FSP_ERROR_NO_SUCH_CLASS, "no such class '%s'", req->class_name);
        if (!entry->class)
                return reply_error(m, FSP_ERROR_CONFIGURATION_ERROR, "class '%s' is unusable: %s",
                                   entry->name, strempty(entry->error));
        if (!fsp_security_check(entry->class->security, &caller->fsp, (uid_t) -1, FSP_RIGHT_START))
                return reply_error(m, FSP_ERROR_ACCESS_DENIED,
                                   "%s (uid %u) may not start instances of class '%s'", caller->name,
                                   (unsigned) caller->fsp.uid, entry->name);
        if (entry->class->credentials != FSP_CREDENTIALS_NONE && req->secret_fd < 0)
                return reply_error(m, FSP_ERROR_CONFIGURATION_ERROR,
                                   "class '%s' needs credentials (Credentials=%d): use StartWithSecret",
                                   entry->name, entry->class->credentials);
        if (entry->class->credentials == FSP_CREDENTIALS_NONE && req->secret_fd >= 0)
                return reply_error(m, FSP_ERROR_CONFIGURATION_ERROR,
                                   "class '%s' takes no credentials (Credentials=0): use Start",
                                   entry->name);
        if ((other = manager_find_instance(mgr, req->class_name, req->instance)))
                return reply_error(m, FSP_ERROR_INSTANCE_EXISTS, "%s/%s already exists (%s)",
                                   other->class_name, other->name, instance_state_to_string(other->state));
        if (req->attach && caller->fsp.uid != 0)
                return reply_error(m, FSP_ERROR_ACCESS_DENIED,
                                   "only root may attach an instance to its unit");
        *ret_class = entry->class;
        return 1;
}

static int start_request(sd_bus_message *m, Manager *mgr, StartRequest *req)
{
        _cleanup_(caller_done) Caller caller = { 0 };
        _cleanup_(instance_identity_done) InstanceIdentity id = { 0 };
        _cleanup_free_ char *mount_point = NULL, *unit = NULL;
        FspClass *c = NULL;
        Instance *i, *other;
        int r;

        r = caller_get(m, &caller);
        if (r < 0)
                return reply_caller_unknown(m, r);
        r = check_start_request(m, mgr, req, &caller, &c);
        if (r <= 0)
                return r;
        if (req->fuse_fd >= 0)
                r = take_premounted(m, c, req, &caller, &mount_point);
        else
                r = resolve_mount_point(m, c, req, &caller, &mount_point);
        if (r <= 0)
                return r;
        if (mount_point && (other = manager_find_instance_by_mount_point(mgr, mount_point)))
                return reply_error(m, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s' is in use by %s/%s",
                                   mount_point, other->class_name, other->name);
        if (mount_point && req->fuse_fd < 0 && (r = pin_mount_point_argument(c, req->args, mount_point)) < 0)
                return r;
        if (req->attach && !(unit = systemd_unit_of_pid(caller.pid)))
                return reply_error(m, FSP_ERROR_INVALID_ARGUMENT,
                                   "the caller (pid %d) is not in a systemd unit", (int) caller.pid);
        r = resolve_identity(m, mgr, c, &caller, &id);
        if (r <= 0)
                return r;
        r = instance_new(mgr, c, req->instance, req->args, mount_point, &id, &i);
        if (r < 0)
                return r;
        if (req->fuse_fd >= 0 && (r = instance_set_fuse_fd(i, req->fuse_fd)) < 0) {
                instance_free(i);
                return r;
        }
        log_info("%s/%s: start requested by %s (uid %u)%s", i->class_name, i->name, caller.name,
                 (unsigned) caller.fsp.uid, req->fuse_fd >= 0 ? ", on a FUSE connection it mounted" : "");
        instance_start(i, m, req->secret_fd, unit);
        return 0;
}

static int method_start(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_strv_free_ char **args = NULL;
        StartRequest req = { .secret_fd = -1, .fuse_fd = -1 };
        int r;

        r = sd_bus_message_read(m, "ss", &req.class_name, &req.instance);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &args);
        if (r < 0)
                return r;
        req.args = args;
        return handled(start_request(m, userdata, &req));
}

static int method_start_with_secret(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_strv_free_ char **args = NULL;
        StartRequest req = { .secret_fd = -1, .fuse_fd = -1 };
        int r;

        r = sd_bus_message_read(m, "ss", &req.class_name, &req.instance);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &args);
        if (r >= 0)
                r = sd_bus_message_read(m, "h", &req.secret_fd);
        if (r < 0)
                return r;
        req.args = args;
        return handled(start_request(m, userdata, &req));
}

static int read_start_options(sd_bus_message *m, StartRequest *req)
{
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;
                if ((r = sd_bus_message_read(m, "s", &key)) < 0)
                        return r;
                if (streq(key, "Secret"))
                        r = sd_bus_message_read(m, "v", "h", &req->secret_fd);
                else if (streq(key, "FuseFd"))
                        r = sd_bus_message_read(m, "v", "h", &req->fuse_fd);
                else if (streq(key, "AttachToCallerUnit")) {
                        int b = 0;
                        r = sd_bus_message_read(m, "v", "b", &b);
                        req->attach = b;
                } else
                        return reply_error(m, FSP_ERROR_INVALID_ARGUMENT, "unknown start option '%s'", key);
                if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        return r < 0 ? r : 1;
}

static int method_start_with_options(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_strv_free_ char **args = NULL;
        StartRequest req = { .secret_fd = -1, .fuse_fd = -1 };
        int r;

        r = sd_bus_message_read(m, "ss", &req.class_name, &req.instance);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &args);
        if (r >= 0)
                r = read_start_options(m, &req);
        if (r <= 0)
                return handled(r);
        req.args = args;
        return handled(start_request(m, userdata, &req));
}

/* ------------------------------------------------------------ Stop, GetInfo, List */

/* The instance, if the caller may do rights on it; otherwise an error was sent and NULL returned. */
static Instance *find_for(sd_bus_message *m, Manager *mgr, uint32_t rights, int *ret)
{
        _cleanup_(caller_done) Caller caller = { 0 };
        const char *class_name, *name;
        Instance *i;
        int r;

        r = sd_bus_message_read(m, "ss", &class_name, &name);
        if (r < 0) {
                *ret = r;
                return NULL;
        }
        r = caller_get(m, &caller);
        if (r < 0) {
                *ret = reply_caller_unknown(m, r);
                return NULL;
        }
        i = manager_find_instance(mgr, class_name, name);
        if (!i) {
                *ret = reply_error(m, FSP_ERROR_NO_SUCH_INSTANCE, "no instance %s/%s", class_name, name);
                return NULL;
        }
        if (!fsp_security_check(i->class->security, &caller.fsp, i->id.started_by, rights)) {
                *ret = reply_error(m, FSP_ERROR_ACCESS_DENIED, "%s (uid %u) may not %s %s/%s", caller.name,
                                   (unsigned) caller.fsp.uid, rights == FSP_RIGHT_STOP ? "stop" : "query",
                                   class_name, name);
                return NULL;
        }
        return i;
}

static int method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        int r = 0;
        Instance *i = find_for(m, userdata, FSP_RIGHT_STOP, &r);

        if (!i)
                return handled(r);
        instance_stop(i, m);
        return 1;
}

static int append_info(sd_bus_message *reply, const Instance *i)
{
        int r;

        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}", "Class", "s", i->class_name, "Instance", "s",
                                          i->name);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", "Argv");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', "as");
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, i->argv ? i->argv : (char *[]){ NULL });
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_append(
                        reply, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}", "Pid", "u", (uint32_t) MAX(i->pid, 0),
                        "State", "s", instance_state_to_string(i->state), "MountPoint", "s",
                        strempty(i->mount_point), "StartedBy", "u", (uint32_t) i->id.started_by, "RunAs",
                        "u", (uint32_t) i->id.uid, "StartTime", "t", i->start_time_usec, "Restarts", "u",
                        (uint32_t) i->restarts, "LastExitStatus", "i", (int32_t) i->last_exit_status,
                        "Status", "s", strempty(i->status_text));
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int method_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = 0;
        Instance *i = find_for(m, userdata, FSP_RIGHT_QUERY, &r);

        if (!i)
                return handled(r);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = append_info(reply, i);
        if (r < 0)
                return r;
        return handled(sd_bus_send(NULL, reply, NULL));
}

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(caller_done) Caller caller = { 0 };
        Manager *mgr = userdata;
        int r;

        r = caller_get(m, &caller);
        if (r < 0)
                return handled(reply_caller_unknown(m, r));
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ss)");
        for (Instance *i = mgr->instances; r >= 0 && i; i = i->next)
                if (fsp_security_check(i->class->security, &caller.fsp, i->id.started_by, FSP_RIGHT_QUERY))
                        r = sd_bus_message_append(reply, "(ss)", i->class_name, i->name);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return handled(sd_bus_send(NULL, reply, NULL));
}

static int method_list_classes(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(caller_done) Caller caller = { 0 };
        Manager *mgr = userdata;
        int r;

        r = caller_get(m, &caller);
        if (r < 0)
                return handled(reply_caller_unknown(m, r));
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sa{sv})");
        for (size_t k = 0; r >= 0 && k < mgr->n_classes; k++) {
                const ClassEntry *e = &mgr->classes[k];
                if (e->class)
                        r = sd_bus_message_append(reply, "(sa{sv})", e->name, 3, "Description", "s",
                                                  e->class->description, "Credentials", "u",
                                                  (uint32_t) e->class->credentials, "CanStart", "b",
                                                  fsp_security_check(e->class->security, &caller.fsp,
                                                                     (uid_t) -1, FSP_RIGHT_START));
                else
                        r = sd_bus_message_append(reply, "(sa{sv})", e->name, 3, "Description", "s", "",
                                                  "CanStart", "b", 0, "Error", "s", strempty(e->error));
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return handled(sd_bus_send(NULL, reply, NULL));
}

static int method_reload(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_(caller_done) Caller caller = { 0 };
        Manager *mgr = userdata;
        int r;

        r = caller_get(m, &caller);
        if (r < 0)
                return handled(reply_caller_unknown(m, r));
        if (caller.fsp.uid != 0 && caller.fsp.uid != mgr->uid)
                return handled(reply_error(m, FSP_ERROR_ACCESS_DENIED, "only root may reload the launcher"));
        r = manager_reload(mgr);
        if (r < 0)
                return handled(
                        reply_error(m, FSP_ERROR_CONFIGURATION_ERROR, "reload failed: %s", strerror(-r)));
        return handled(sd_bus_reply_method_return(m, NULL));
}

static const sd_bus_vtable launcher_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("Start", SD_BUS_ARGS("s", class, "s", instance, "as", args),
                                SD_BUS_NO_RESULT, method_start, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StartWithSecret",
                                SD_BUS_ARGS("s", class, "s", instance, "as", args, "h", secret),
                                SD_BUS_NO_RESULT, method_start_with_secret, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StartWithOptions",
                                SD_BUS_ARGS("s", class, "s", instance, "as", args, "a{sv}", options),
                                SD_BUS_NO_RESULT, method_start_with_options, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Stop", SD_BUS_ARGS("s", class, "s", instance), SD_BUS_RESULT("i", status),
                                method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetInfo", SD_BUS_ARGS("s", class, "s", instance),
                                SD_BUS_RESULT("a{sv}", info), method_get_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("List", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ss)", instances), method_list,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListClasses", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(sa{sv})", classes),
                                method_list_classes, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_reload,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("InstanceStarted", SD_BUS_ARGS("s", class, "s", instance), 0),
        SD_BUS_SIGNAL_WITH_ARGS("InstanceStopped", SD_BUS_ARGS("s", class, "s", instance, "i", status), 0),
        SD_BUS_VTABLE_END,
};

int bus_setup(Manager *m, const char *address)
{
        int r;

        if (address) {
                r = sd_bus_new(&m->bus);
                if (r >= 0)
                        r = sd_bus_set_address(m->bus, address);
                if (r >= 0)
                        r = sd_bus_set_bus_client(m->bus, true);
                if (r >= 0)
                        r = sd_bus_start(m->bus);
        } else
                r = m->user_mode ? sd_bus_open_user(&m->bus) : sd_bus_open_system(&m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the %s bus: %m",
                                       address        ? address
                                       : m->user_mode ? "session"
                                                      : "system");
        r = sd_bus_add_object_vtable(m->bus, NULL, FSP_LAUNCHER_PATH, FSP_LAUNCHER_INTERFACE,
                                     launcher_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register the D-Bus object: %m");
        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        r = sd_bus_request_name(m->bus, FSP_LAUNCHER_BUS_NAME, 0);
        if (r == -EEXIST)
                return log_error_errno(r, "Another launcher already owns %s", FSP_LAUNCHER_BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire %s: %m", FSP_LAUNCHER_BUS_NAME);
        return 0;
}
