/* SPDX-License-Identifier: MIT */
/*
 * Mounting a remote: the one code path behind "winfsp-net use" and
 * mount.winfsp. Parse the remote, settle the mount point, learn from the
 * launcher whether the class wants credentials, log in (credentials.c),
 * and for --foreground stay with the instance (foreground.c).
 *
 * The template arguments: %1 the normalized remote, %2 the canonical mount
 * point, for Credentials=3 classes %3 the user name, then the extra ARGs
 * (%3.. or %4..).
 *
 * Root mounting on an autofs trigger answers an automount: the FUSE mount is
 * made here and handed to the launcher (automount.h says why).
 */
#include <fsp/launch.h>
#include <fsp/mount-options.h>

#include "automount.h"
#include "credentials.h"
#include "foreground.h"
#include "macro.h"
#include "mountpoint.h"
#include "net.h"
#include "refusal.h"

#define TEMPLATE_ARGS_MAX 9 /* %1..%9 */

typedef struct Use {
        const UseRequest *req;
        FspRemoteName remote;
        char *mount_point;
        sd_bus *bus;
        unsigned credentials;
        const char *mount_options; /* what goes to the launcher: the request's, or after -s its generic ones */
        bool attach;
        bool automount; /* the mount point is a pending automount: mount here, start with FuseFd */
} Use;

static void use_done(Use *u)
{
        fsp_remote_name_done(&u->remote);
        free(u->mount_point);
        sd_bus_flush_close_unref(u->bus);
}

static int build_args(const Use *u, const char *user, char ***ret)
{
        size_t n_extra = strv_length(u->req->extra_args), n = 0;
        char **args = calloc(3 + n_extra + 1, sizeof(char *));

        if (!args)
                return -ENOMEM;
        args[n++] = strdup(u->remote.normalized);
        args[n++] = strdup(u->mount_point);
        if (u->credentials == 3)
                args[n++] = strdup(strempty(user));
        STRV_FOREACH(a, u->req->extra_args)
                args[n++] = strdup(*a);
        for (size_t i = 0; i < n; i++)
                if (!args[i]) {
                        strv_free(args);
                        return -ENOMEM;
                }
        *ret = args;
        return 0;
}

static int start_call(Use *u, char **args, const char *mount_options, int secret_fd, int fuse_fd,
                      sd_bus_error *error)
{
        FspStartOptions options = FSP_START_OPTIONS_INIT;
        const char *class_name = u->remote.class_name, *instance = u->remote.instance;

        /* The plain calls when they do, so an older launcher still understands. */
        if (!u->attach && fuse_fd < 0 && !mount_options)
                return secret_fd >= 0 ? fsp_launch_start_with_secret(u->bus, class_name, instance, args,
                                                                     secret_fd, error)
                                      : fsp_launch_start(u->bus, class_name, instance, args, error);
        options.secret_fd = secret_fd;
        options.attach_to_caller_unit = u->attach;
        options.fuse_fd = fuse_fd;
        options.mount_options = mount_options;
        return fsp_launch_start_with_options(u->bus, class_name, instance, args, &options, error);
}

/* The file system is ready on the detached mount: put it at the mount point, or stop it. */
static int attach_or_stop(Use *u, FuseMount *fm)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = fuse_mount_attach(fm, u->mount_point);
        if (r >= 0)
                return 0;
        net_fail(r, NET_EXIT_FAILURE, "cannot put the FUSE mount at %s: %s; stopping the file system",
                 u->mount_point, strerror(-r));
        if (fsp_launch_stop(u->bus, u->remote.class_name, u->remote.instance, NULL, &error) < 0)
                net_log_warning("cannot stop %s: %s", u->remote.normalized,
                                error.message ? error.message : "no answer");
        return r;
}

/*
 * A start with a password that failed: was the password refused? The
 * launcher says so for a file system that answers (AuthenticationFailed);
 * one that never answers (CredentialsReply=none) exits, and its last words
 * in the StartFailed message tell (refusal.h). A time-out, or a program
 * that could not check the password at all, is no verdict on it.
 */
static bool password_refused(const sd_bus_error *error)
{
        switch (fsp_launch_error_from_bus(error)) {
        case FSP_LAUNCH_AUTHENTICATION_FAILED:
                return true;
        case FSP_LAUNCH_START_FAILED:
                return refusal_in_message(error->message);
        default:
                return false;
        }
}

/*
 * A mount made here (an automount) gets the generic flags (ro, noexec, ...)
 * of the caller's options from us, as MOUNT_ATTR_* bits; the launcher,
 * which never looks at that mount, gets the rest (or NULL when none is left).
 */
static int split_for_automount(const char *mount_options, uint64_t *ret_attr_set, char **ret_rest)
{
        _cleanup_free_ char *copy = strdup(strempty(mount_options)), *rest = NULL;
        FspMountOptions o = {};
        FspError err;
        char *save = NULL;
        size_t n = 0;
        int r = 0;

        if (!copy || !(rest = calloc(1, strlen(copy) + 1)))
                return -ENOMEM;
        for (char *opt = strtok_r(copy, ",", &save); opt && r >= 0; opt = strtok_r(NULL, ",", &save)) {
                if (fsp_mount_option_classify(opt) == FSP_MOUNT_OPTION_GENERIC)
                        r = fsp_mount_options_add(&o, opt, NULL, FSP_MOUNT_OPTIONS_CALLER, &err);
                else
                        n += (size_t) sprintf(rest + n, "%s%s", n ? "," : "", opt);
        }
        if (r >= 0) {
                *ret_attr_set = o.attr_set;
                *ret_rest = n ? TAKE_PTR(rest) : NULL;
        }
        fsp_mount_options_done(&o);
        return r;
}

/*
 * One start, with or without a secret; the secret travels as a pipe, never
 * as a string. Answering an automount, each start gets a FUSE connection
 * of its own: a refused one ends with its file system.
 */
static int start_once(Use *u, char **args, const FspSecret *password, sd_bus_error *error)
{
        _cleanup_(fuse_mount_done) FuseMount fm = FUSE_MOUNT_INIT;
        _cleanup_free_ char *program_options = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        if (password) {
                r = fsp_secret_to_pipe(password, &fd);
                if (r < 0)
                        return net_fail(r, NET_EXIT_FAILURE, "cannot hand the password over: %s", strerror(-r));
        }
        if (u->automount) {
                uint64_t attr_set;
                char why[512];

                r = split_for_automount(u->mount_options, &attr_set, &program_options);
                if (r < 0)
                        return net_fail(r, NET_EXIT_INVALID_ARGUMENT, "mount options: %s", strerror(-r));
                r = fuse_mount_new_detached(u->remote.normalized, u->remote.class_name, attr_set, &fm, why,
                                            sizeof(why));
                if (r < 0)
                        return net_fail(r, NET_EXIT_FAILURE, "%s", why);
        }

        net_log_verbose("starting class %s instance %s at %s%s%s%s", u->remote.class_name, u->remote.instance,
                        u->mount_point, u->mount_options ? " with options " : "", strempty(u->mount_options),
                        u->automount ? " (answering an automount: on a FUSE mount made here)" : "");
        r = start_call(u, args, u->automount ? program_options : u->mount_options, fd, fm.fuse_fd, error);
        fm.fuse_fd = safe_close(fm.fuse_fd); /* the file system has its own copy, or has ended */
        if (r >= 0 && u->automount)
                return attach_or_stop(u, &fm);
        return r;
}

static bool same_text(const char *a, const char *b)
{
        return a == b || (a && b && streq(a, b));
}

/* A start as the credentials code asks for it: 0, -EKEYREJECTED (refused: try another), or reported. */
static int start_attempt(const char *user, const FspSecret *password, char **ret_reason, void *userdata)
{
        Use *u = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **args = NULL;
        int r;

        r = build_args(u, user, &args);
        if (r < 0)
                return net_fail(r, NET_EXIT_FAILURE, "%s", strerror(-r));
        r = start_once(u, args, password, &error);
        /* mount -s: options the class does not take are ignored; the generic ones still apply. */
        if (r < 0 && u->req->sloppy && fsp_launch_error_from_bus(&error) == FSP_LAUNCH_INVALID_ARGUMENT &&
            !same_text(u->mount_options, u->req->generic_mount_options)) {
                net_log_verbose("%s; starting again with only the generic options (-s)", error.message);
                u->mount_options = u->req->generic_mount_options;
                sd_bus_error_free(&error);
                r = start_once(u, args, password, &error);
        }
        if (r >= 0 || !sd_bus_error_is_set(&error))
                return r;

        if (password && password_refused(&error)) {
                if (ret_reason && error.message)
                        *ret_reason = strdup(error.message);
                return -EKEYREJECTED;
        }
        return net_fail_bus(r, &error, NULL);
}

/* Credentials= of the class, as ListClasses tells; 0 when the class is not listed (Start will say why). */
static int class_credentials(Use *u)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        FspClassInfo *classes = NULL;
        size_t n = 0;
        int r;

        r = fsp_launch_list_classes(u->bus, &classes, &n, &error);
        if (r < 0)
                return net_fail_bus(r, &error, NULL);

        u->credentials = 0;
        for (size_t i = 0; i < n; i++) {
                if (!streq(classes[i].name, u->remote.class_name))
                        continue;
                u->credentials = classes[i].credentials;
                if (u->credentials != 0 && !classes[i].can_start) {
                        fsp_class_infos_free(classes, n);
                        return net_fail(-EACCES, NET_EXIT_ACCESS_DENIED,
                                        "class '%s' does not let you start instances", u->remote.class_name);
                }
        }
        fsp_class_infos_free(classes, n);
        return 0;
}

static int parse_request(Use *u, FspRemember *ret_remember)
{
        const UseRequest *req = u->req;
        FspError err;
        int r;

        r = fsp_remote_name_parse(req->remote, &u->remote, &err);
        if (r < 0)
                return net_fail_remote_name(r, &err);
        if (req->mount_helper)
                net_log_set_context("mount %s on %s", u->remote.normalized, strempty(req->mount_point));
        else
                net_log_set_context("use %s", u->remote.normalized);

        *ret_remember = _FSP_REMEMBER_INVALID;
        if (req->remember) {
                *ret_remember = fsp_remember_from_string(req->remember);
                if (*ret_remember < 0)
                        return net_fail(-EINVAL, NET_EXIT_USAGE,
                                        "invalid remember value '%s': never, session or forever", req->remember);
        }
        return 0;
}

static int check_arg_count(const Use *u)
{
        size_t fixed = u->credentials == 3 ? 3 : 2, n = strv_length(u->req->extra_args);

        if (fixed + n > TEMPLATE_ARGS_MAX)
                return net_fail(-E2BIG, NET_EXIT_USAGE,
                                "too many arguments: %zu given, at most %zu after the remote name for this class",
                                n, TEMPLATE_ARGS_MAX - fixed);
        return 0;
}

/* Root mounting on an autofs trigger: systemd (or automount) waits for this very mount. */
static int check_automount(Use *u)
{
        int r;

        if (geteuid() != 0)
                return 0;
        r = automount_is_trigger(u->mount_point);
        if (r < 0)
                return net_fail(r, NET_EXIT_FAILURE, "cannot read /proc/self/mountinfo: %s", strerror(-r));
        u->automount = r > 0;
        if (u->automount)
                net_log_verbose("%s is an automount trigger: mounting it here", u->mount_point);
        return 0;
}

static void say_mounted(const Use *u)
{
        if (u->req->mount_helper)
                net_log_verbose("%s mounted at %s", u->remote.normalized, u->mount_point);
        else {
                printf("%s mounted at %s\n", u->remote.normalized, u->mount_point);
                fflush(stdout);
        }
}

static int log_in_or_start(Use *u, FspRemember remember)
{
        const UseRequest *req = u->req;
        Login login = {
                .remote = &u->remote,
                .credentials = u->credentials,
                .user = req->user,
                .password_stdin = req->password_stdin,
                .remember = remember,
        };

        if (u->credentials != 3 && req->user)
                net_log_warning("class '%s' takes no user name: '%s' is ignored", u->remote.class_name, req->user);
        if (u->credentials == 0)
                return start_attempt(NULL, NULL, NULL, u);
        return login_run(&login, start_attempt, u);
}

int net_use(const UseRequest *req)
{
        _cleanup_(use_done) Use u = { .req = req, .mount_options = req->mount_options };
        Supervisor *supervisor = NULL;
        FspRemember remember;
        int r;

        r = parse_request(&u, &remember);
        if (r < 0)
                return r;
        r = mount_point_resolve(req->mount_point, &u.remote, req->mkdir,
                                req->mount_helper ? "the option x-mount.mkdir creates it" : "--mkdir creates it",
                                &u.mount_point);
        if (r < 0)
                return r;
        r = check_automount(&u);
        if (r < 0)
                return r;

        r = fsp_launch_open(false, req->bus_address, &u.bus);
        if (r < 0)
                return net_fail(r, NET_EXIT_NO_LAUNCHER, "cannot connect to the system bus: %s", strerror(-r));
        r = class_credentials(&u);
        if (r >= 0)
                r = check_arg_count(&u);
        if (r < 0)
                return r;

        if (req->fake) {
                net_log_verbose("would start class %s instance %s at %s (credentials %u, options '%s'); not "
                                "started (-f)", u.remote.class_name, u.remote.instance, u.mount_point,
                                u.credentials, strempty(u.mount_options));
                return 0;
        }

        if (req->foreground) {
                u.attach = supervisor_should_attach();
                r = supervisor_new(u.bus, u.remote.class_name, u.remote.instance, u.remote.normalized, &supervisor);
                if (r < 0)
                        return net_fail(r, NET_EXIT_FAILURE, "cannot watch the instance: %s", strerror(-r));
        }

        r = log_in_or_start(&u, remember);
        if (r < 0) {
                supervisor_free(supervisor);
                return r;
        }
        say_mounted(&u);
        if (!supervisor)
                return 0;

        r = supervisor_run(supervisor, u.mount_point);
        supervisor_free(supervisor);
        return r;
}
