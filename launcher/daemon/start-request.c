/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fsp/cmdline.h>
#include <fsp/launch.h>
#include <fsp/names.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "manager.h"
#include "start-request.h"

void refusal_done(Refusal *r)
{
        free(r->text);
        *r = (Refusal){ 0 };
}

/* Say why, and return 0 (refused). */
static int refuse(Refusal *why, const char *error_name, const char *fmt, ...) _printf_(3, 4);
static int refuse(Refusal *why, const char *error_name, const char *fmt, ...)
{
        va_list ap;
        char *text;

        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;
        va_end(ap);
        if (!text)
                return -ENOMEM;
        free(why->text);
        why->error_name = error_name;
        why->text = text;
        return 0;
}


/* MountPoint= expanded with the caller's values: an absolute path, not checked yet. */
static int expand_mount_point(Refusal *why, const FspClass *c, const StartRequest *req, const Caller *caller,
                              char **ret)
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
        FspError e;

        if (fsp_template_expand(c->mount_point, &ctx, &expanded, &e) < 0)
                return refuse(why, FSP_ERROR_INVALID_ARGUMENT, "MountPoint=%s: %s", c->mount_point, e.text);
        if (isempty(expanded))
                return refuse(why, FSP_ERROR_INVALID_ARGUMENT,
                                   "class '%s' needs a mount point (MountPoint=%s expands to nothing)", c->name,
                                   c->mount_point);
        if (expanded[0] != '/')
                return refuse(why, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s' is not an absolute path",
                                   expanded);
        *ret = TAKE_PTR(expanded);
        return 1;
}

/*
 * The per-user launcher runs as the caller: the path is checked here and
 * the program mounts it itself (it cannot do more than the caller can).
 */
static int check_mount_point_path(Refusal *why, const char *expanded, const Caller *caller, char **ret)
{
        char canonical[PATH_MAX];
        struct stat st;

        if (!realpath(expanded, canonical) || stat(canonical, &st) < 0)
                return refuse(why, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s': %s", expanded, strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return refuse(why, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s' is not a directory", canonical);
        if (caller->fsp.uid != 0 && st.st_uid != caller->fsp.uid)
                return refuse(why, FSP_ERROR_ACCESS_DENIED, "mount point '%s' belongs to uid %u, not to you (uid %u)",
                                   canonical, (unsigned) st.st_uid, (unsigned) caller->fsp.uid);
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
static int take_premounted(Refusal *why, const FspClass *c, StartRequest *req, const Caller *caller,
                           char **ret_mount_point)
{
        int k = mount_point_argument(c, req->args);
        char *dev;

        if (caller->fsp.uid != 0)
                return refuse(why, FSP_ERROR_ACCESS_DENIED, "only root may pass a mounted FUSE connection");
        if (k < 0)
                return refuse(why, FSP_ERROR_CONFIGURATION_ERROR,
                                   "class '%s' cannot take a mounted FUSE connection: its MountPoint= is not one "
                                   "argument (%%1..%%9) that was given",
                                   c->name);
        if (!path_is_normalized(req->args[k]))
                return refuse(why, FSP_ERROR_INVALID_ARGUMENT,
                                   "mount point '%s' is not a canonical absolute path", req->args[k]);
        if (!(dev = strdup("/dev/fd/3")))
                return -ENOMEM;
        *ret_mount_point = req->args[k];
        req->args[k] = dev;
        return 1;
}

static int check_start_request(Refusal *why, Manager *mgr, const StartRequest *req, const Caller *caller,
                               FspClass **ret_class)
{
        const ClassEntry *entry;
        FspError e;
        size_t n_args = strv_length(req->args);
        Instance *other;

        if (mgr->shutting_down)
                return refuse(why, FSP_ERROR_START_FAILED, "the launcher is shutting down");
        if (fsp_instance_name_check(req->instance, &e) < 0)
                return refuse(why, FSP_ERROR_INVALID_ARGUMENT, "invalid instance name: %s", e.text);
        if (n_args > FSP_CMDLINE_MAX_ARGS)
                return refuse(why, FSP_ERROR_INVALID_ARGUMENT, "too many arguments: %zu given, at most %d",
                                   n_args, FSP_CMDLINE_MAX_ARGS);
        entry = fsp_class_name_is_valid(req->class_name) ? manager_find_class(mgr, req->class_name) : NULL;
        if (!entry)
                return refuse(why, FSP_ERROR_NO_SUCH_CLASS, "no such class '%s'", req->class_name);
        if (!entry->class)
                return refuse(why, FSP_ERROR_CONFIGURATION_ERROR, "class '%s' is unusable: %s", entry->name,
                                   strempty(entry->error));
        if (!fsp_security_check(entry->class->security, &caller->fsp, (uid_t) -1, FSP_RIGHT_START))
                return refuse(why, FSP_ERROR_ACCESS_DENIED, "%s (uid %u) may not start instances of class '%s'",
                                   caller->name, (unsigned) caller->fsp.uid, entry->name);
        if (entry->class->credentials != FSP_CREDENTIALS_NONE && req->secret_fd < 0)
                return refuse(why, FSP_ERROR_CONFIGURATION_ERROR,
                                   "class '%s' needs credentials (Credentials=%d): use StartWithSecret",
                                   entry->name, entry->class->credentials);
        if (entry->class->credentials == FSP_CREDENTIALS_NONE && req->secret_fd >= 0)
                return refuse(why, FSP_ERROR_CONFIGURATION_ERROR,
                                   "class '%s' takes no credentials (Credentials=0): use Start", entry->name);
        /* Bounded for everyone but root (and the per-user launcher's own user). */
        if (caller->fsp.uid != 0 && caller->fsp.uid != mgr->uid && mgr->max_instances_per_user > 0 &&
            manager_count_instances_of(mgr, caller->fsp.uid) >= mgr->max_instances_per_user)
                return refuse(why, FSP_ERROR_LIMIT_EXCEEDED,
                                   "%s (uid %u) has %u instances, as many as the launcher allows one user "
                                   "(--max-instances-per-user=%u)",
                                   caller->name, (unsigned) caller->fsp.uid, mgr->max_instances_per_user,
                                   mgr->max_instances_per_user);
        if (caller->fsp.uid != 0 && caller->fsp.uid != mgr->uid && entry->class->max_instances_per_user > 0 &&
            manager_count_class_instances_of(mgr, entry->class->name, caller->fsp.uid) >=
                    entry->class->max_instances_per_user)
                return refuse(why, FSP_ERROR_LIMIT_EXCEEDED,
                                   "%s (uid %u) has %u instances of class '%s', as many as it allows one user "
                                   "(MaxInstancesPerUser=%u)",
                                   caller->name, (unsigned) caller->fsp.uid, entry->class->max_instances_per_user,
                                   entry->name, entry->class->max_instances_per_user);
        if ((other = manager_find_instance(mgr, req->class_name, req->instance)))
                return refuse(why, FSP_ERROR_INSTANCE_EXISTS, "%s/%s already exists (%s)", other->class_name,
                                   other->name, instance_state_to_string(other->state));
        if (req->attach && caller->fsp.uid != 0)
                return refuse(why, FSP_ERROR_ACCESS_DENIED, "only root may attach an instance to its unit");
        *ret_class = entry->class;
        return 1;
}


void mount_plan_done(MountPlan *p)
{
        free(p->word);
        free(p->path);
}

static int plan_mount(Refusal *why, Manager *mgr, const FspClass *c, StartRequest *req, const Caller *caller,
                      MountPlan *plan)
{
        Instance *other;
        int r;

        if (req->fuse_fd >= 0) {
                plan->mode = MOUNT_PREMOUNTED;
                r = take_premounted(why, c, req, caller, &plan->path);
        } else if (!c->mount_point)
                return 1;
        else {
                r = expand_mount_point(why, c, req, caller, &plan->word);
                if (r <= 0)
                        return r;
                /* The system launcher pins it (instance-mount.c); the per-user one checks the path. */
                plan->mode = mgr->uid == 0 ? MOUNT_PINNED : MOUNT_PATH;
                if (plan->mode == MOUNT_PATH)
                        r = check_mount_point_path(why, plan->word, caller, &plan->path);
        }
        if (r <= 0)
                return r;
        if (plan->path && (other = manager_find_instance_by_mount_point(mgr, plan->path)))
                return refuse(why, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s' is in use by another instance",
                                   plan->path);
        return 1;
}


int start_request_check(Manager *mgr, StartRequest *req, const Caller *caller, FspClass **ret_class,
                        MountPlan *ret_plan, Refusal *why)
{
        _cleanup_(mount_plan_done) MountPlan plan = { .mode = MOUNT_NONE };
        FspClass *c = NULL;
        int r;

        r = check_start_request(why, mgr, req, caller, &c);
        if (r <= 0)
                return r;
        r = plan_mount(why, mgr, c, req, caller, &plan);
        if (r <= 0)
                return r;
        *ret_class = c;
        *ret_plan = plan;
        plan = (MountPlan){ .mode = MOUNT_NONE };
        return 1;
}
