/* SPDX-License-Identifier: MIT */
/*
 * An instance's mount point. For the system launcher (MOUNT_PINNED) the
 * caller's path is opened with the caller's own permissions (resolver.c)
 * and checked on that fd. A program that runs as the caller mounts that
 * directory itself (in place: it can do nothing fusermount3 would not let
 * the caller do). Anyone else's program mounts a private staging directory
 * that only root can reach (<state-dir>/staging/NAME, owned by the
 * program's user), and the launcher moves the finished mount onto the
 * checked directory by fd. Unmounting goes through the mount's ID, checked
 * on an fd. So whatever happens to the names on the way — a directory
 * swapped for a symlink, a parent renamed — a program with more rights
 * than its caller mounts only on the inode that was checked, and its mount
 * only ever leaves from there.
 *
 * A new mount counts once it serves: a child as the program's user asks it
 * for its statfs, which the kernel answers only after the program has
 * answered INIT (sshfs mounts first and logs in after).
 *
 * The per-user launcher cannot mount (no privilege, nothing to guard):
 * its programs mount the path themselves (MOUNT_PATH), as fusermount3
 * allows them to. FuseFd (MOUNT_PREMOUNTED): root mounted the connection
 * itself and named the path.
 */
#include <fcntl.h>
#include <fsp/launch.h>
#include <fsp/mount-options.h>
#include <fsp/mount.h>
#include <fsp/names.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "instance-internal.h"
#include "detach.h"
#include "log.h"

#define RESOLVE_TIMEOUT_USEC (10 * USEC_PER_SEC)

int instance_set_mount_point(Instance *i, MountMode mode, const char *word, const char *path)
{
        i->mount_mode = mode;
        if ((word && free_and_strdup(&i->mount_word, word) < 0) || (path && free_and_strdup(&i->mount_point, path) < 0))
                return -ENOMEM;
        return 0;
}

/* ------------------------------------------------------------ options */

static uint64_t atime_attr(FspMountAtime a)
{
        switch (a) {
        case FSP_MOUNT_ATIME_NOATIME:
                return MOUNT_ATTR_NOATIME;
        case FSP_MOUNT_ATIME_STRICTATIME:
                return MOUNT_ATTR_STRICTATIME;
        default:
                return MOUNT_ATTR_RELATIME;
        }
}

int instance_set_mount_options(Instance *i, const char *caller_options, char **ret_error)
{
        _cleanup_(fsp_mount_options_done) FspMountOptions o = { 0 };
        FspError e;
        int r;

        fsp_error_clear(&e);
        r = fsp_mount_options_add(&o, strempty(i->class->mount_options), NULL, FSP_MOUNT_OPTIONS_LAUNCHER, &e);
        if (r >= 0) {
                size_t n_fuse = strv_length(o.fuse);
                r = fsp_mount_options_add(&o, strempty(caller_options), i->class->accept_options,
                                          FSP_MOUNT_OPTIONS_CALLER, &e);
                /* FUSE options decide who may enter the mount: the administrator's, in the class. */
                if (r >= 0 && strv_length(o.fuse) > n_fuse)
                        r = fsp_error_set(&e, -EINVAL, 0, 0,
                                          "option '%s' is the class's to set (MountOptions=), not the caller's",
                                          o.fuse[n_fuse]);
        }
        if (r < 0)
                return asprintf(ret_error, "%s", e.text) < 0 ? -ENOMEM : -EINVAL;
        STRV_FOREACH (d, o.dropped)
                log_debug("%s/%s: mount option '%s' is for mount(8), not the file system", i->class_name, i->name,
                          *d);
        i->attr_set = o.attr_set;
        i->attr_clear = o.attr_clear;
        if (o.atime != FSP_MOUNT_ATIME_UNSET) {
                i->attr_set |= atime_attr(o.atime);
                i->attr_clear |= MOUNT_ATTR__ATIME;
        }
        strv_free(i->fuse_options);
        i->fuse_options = TAKE_PTR(o.fuse);
        free(i->program_options);
        i->program_options = fsp_mount_options_join(o.program);
        return i->program_options ? 0 : -ENOMEM;
}

/* ------------------------------------------------------------ resolving */

static char *fd_path(int fd)
{
        char proc[64], buf[PATH_MAX];
        ssize_t n;

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        n = readlink(proc, buf, sizeof(buf) - 1);
        if (n < 0)
                return NULL;
        buf[n] = 0;
        return strdup(buf);
}

char *instance_mount_point_now(const Instance *i)
{
        /* The checked directory's path is where its mount sits (only root moves mounts). */
        char *p = i->pin_fd >= 0 ? fd_path(i->pin_fd) : NULL;

        return p ? p : i->mount_point ? strdup(i->mount_point) : NULL;
}

/* The resolved directory: check it on the fd, then go on with the start. */
static void on_resolved(int fd, int error, void *userdata)
{
        Instance *i = userdata;
        _cleanup_close_ int pin = fd;
        struct stat st;

        i->resolver = resolver_free(i->resolver);
        if (error == -ETIMEDOUT) {
                instance_fail_start(i, FSP_ERROR_TIMEOUT, "mount point '%s' could not be looked up within %llu s",
                                    i->mount_word, (unsigned long long) (RESOLVE_TIMEOUT_USEC / USEC_PER_SEC));
                return;
        }
        if (error == -ENOTDIR) {
                instance_fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s' is not a directory",
                                    i->mount_word);
                return;
        }
        if (error < 0) {
                instance_fail_start(i, error == -EACCES || error == -EPERM ? FSP_ERROR_ACCESS_DENIED
                                                                             : FSP_ERROR_INVALID_ARGUMENT,
                                    "mount point '%s': %s", i->mount_word, strerror(-error));
                return;
        }
        if (fstat(pin, &st) < 0) {
                instance_fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s': %s", i->mount_word,
                                    strerror(errno));
                return;
        }
        free(i->mount_point);
        i->mount_point = fd_path(pin);
        if (!i->mount_point) {
                instance_fail_start(i, FSP_ERROR_START_FAILED, "mount point '%s': %s", i->mount_word,
                                    strerror(errno));
                return;
        }
        if (!S_ISDIR(st.st_mode)) {
                instance_fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s' is not a directory",
                                    i->mount_point);
                return;
        }
        if (i->id.started_by != 0 && st.st_uid != i->id.started_by) {
                instance_fail_start(i, FSP_ERROR_ACCESS_DENIED, "mount point '%s' belongs to uid %u, not to you (uid %u)",
                                    i->mount_point, (unsigned) st.st_uid, (unsigned) i->id.started_by);
                return;
        }
        i->pin_dev = st.st_dev;
        i->pin_ino = st.st_ino;
        i->pin_fd = TAKE_FD(pin);
        if (i->env->mount_point_taken && i->env->mount_point_taken(i, i->env->observer_data)) {
                i->pin_fd = safe_close(i->pin_fd);
                instance_fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s' is in use by another instance",
                                    i->mount_point);
                return;
        }
        instance_start_continue(i);
}

int instance_mount_resolve(Instance *i)
{
        ResolveCredentials creds = {
                .change = i->id.started_by != 0,
                .uid = i->id.started_by,
                .gid = i->id.caller_gid,
                .groups = i->id.caller_groups,
                .n_groups = i->id.n_caller_groups,
        };

        if (i->mount_word[0] != '/')
                return -EINVAL;
        return resolver_start(i->env->event, i->mount_word, &creds, RESOLVE_TIMEOUT_USEC, on_resolved, i,
                              &i->resolver);
}

/* ------------------------------------------------------------ staging */

/* Detach whatever is mounted on the staging directory (only root can reach it), then remove it. */
static void staging_remove(Instance *i)
{
        if (!i->staging)
                return;
        for (int k = 0; k < 16 && umount2(i->staging, MNT_DETACH | UMOUNT_NOFOLLOW) >= 0; k++)
                ;
        if (rmdir(i->staging) < 0 && errno != ENOENT)
                log_warning_errno(errno, "%s/%s: cannot remove %s: %m", i->class_name, i->name, i->staging);
        free(i->staging);
        i->staging = NULL;
}

/*
 * A program that runs as the caller (RunAs=., or a class run as root
 * started by root) may mount the checked directory itself: it can do
 * nothing there the caller could not do with fusermount3, and it keeps the
 * path it was given (some, such as go-fuse programs, use it after
 * mounting). Anyone else's program mounts a staging directory.
 */
static bool program_is_caller(const Instance *i)
{
        uid_t program_uid = i->id.change_user ? i->id.uid : geteuid();
        return program_uid == i->id.started_by;
}

/*
 * A private directory the program mounts: <staging>/<random>, owned by the
 * program's user when it runs as someone (fusermount3 wants that), else
 * like the checked directory, whose owner and mode a file system such as
 * memfs gives its root.
 */
static int staging_create(Instance *i)
{
        if (!i->env->staging_dir)
                return -ENOTDIR; /* the launcher could not make it: see its log */
        struct stat st;
        uint64_t nonce;
        char *path = NULL;
        uid_t uid = i->id.uid;
        gid_t gid = i->id.gid;
        mode_t mode = 0700;

        if (getrandom(&nonce, sizeof(nonce), 0) != (ssize_t) sizeof(nonce))
                return -errno;
        if (asprintf(&path, "%s/%016llx", i->env->staging_dir, (unsigned long long) nonce) < 0)
                return -ENOMEM;
        if (mkdir(path, 0700) < 0) {
                int r = -errno;
                free(path);
                return r;
        }
        i->staging = path;
        if (fstat(i->pin_fd, &st) < 0)
                return -errno;
        if (!i->id.change_user || (st.st_uid == i->id.uid)) {
                uid = st.st_uid;
                gid = st.st_gid;
                mode = st.st_mode & 07777;
        }
        if (chown(path, uid, gid) < 0 || chmod(path, mode) < 0) {
                int r = -errno;
                staging_remove(i);
                return r;
        }
        return 0;
}

const char *instance_mount_program_path(const Instance *i)
{
        if (i->mount_mode == MOUNT_PINNED && i->class->mount_by == FSP_MOUNT_BY_LAUNCHER)
                return "/dev/fd/3";
        if (i->mount_mode == MOUNT_PINNED && !i->in_place)
                return i->staging;
        return i->mount_point;
}

/* fusermount3's rule: a user other than root may ask for allow_other only where fuse.conf allows it. */
static bool users_may_allow_other(void)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/fuse.conf", "re");
        char line[256];

        while (f && fgets(line, sizeof(line), f))
                if (strneq(line, "user_allow_other", 16) && strchr(" \t\r\n", line[16]))
                        return true;
        return false;
}

/* MountBy=launcher: the FUSE connection, mounted nowhere yet; the program gets it as fd 3. */
static int connection_create(Instance *i)
{
        _cleanup_free_ char *source = fsp_remote_name_format(i->class_name, i->name);
        FspFuseMountParams p = {
                .source = source,
                .subtype = i->class_name,
                .user_id = i->id.uid,
                .group_id = i->id.gid,
        };
        char why[512];
        int r;

        if (!source)
                return -ENOMEM;
        STRV_FOREACH (o, i->fuse_options) {
                if (streq(*o, "allow_other"))
                        p.allow_other = true;
                else if (streq(*o, "default_permissions"))
                        p.default_permissions = true;
                else if (strneq(*o, "max_read=", 9))
                        p.max_read = (unsigned) strtoul(*o + 9, NULL, 10);
                else if (strneq(*o, "blksize=", 8))
                        p.blksize = (unsigned) strtoul(*o + 8, NULL, 10);
        }
        if (p.allow_other && i->id.uid != 0 && !users_may_allow_other()) {
                log_warning("%s/%s: allow_other left out: it runs as uid %u and /etc/fuse.conf has no "
                            "user_allow_other",
                            i->class_name, i->name, (unsigned) i->id.uid);
                p.allow_other = false;
        }
        i->conn_mnt_fd = safe_close(i->conn_mnt_fd);
        i->fuse_fd = safe_close(i->fuse_fd);
        r = fsp_fuse_mount_detached(&p, &i->fuse_fd, &i->conn_mnt_fd, why, sizeof(why));
        if (r < 0)
                log_warning("%s/%s: %s", i->class_name, i->name, why);
        return r;
}

int instance_mount_prepare(Instance *i)
{
        switch (i->mount_mode) {
        case MOUNT_PINNED:
                staging_remove(i); /* a restart's fresh start */
                if (i->class->mount_by == FSP_MOUNT_BY_LAUNCHER)
                        return connection_create(i);
                i->in_place = program_is_caller(i);
                if (i->in_place) {
                        _cleanup_free_ char *path = instance_mount_point_now(i);
                        if (!path)
                                return -ENOMEM;
                        free(i->mount_point);
                        i->mount_point = TAKE_PTR(path);
                        (void) mount_snapshot(i->mount_point, &i->mounts_before);
                        return 0;
                }
                return staging_create(i);
        case MOUNT_PATH:
                (void) mount_snapshot(i->mount_point, &i->mounts_before);
                return 0;
        default:
                return 0;
        }
}

/* ------------------------------------------------------------ the mount appears */

/* The mount fd names, with the attributes asked for, put on the checked directory: it is the instance's now. */
static int place(Instance *i, int fd, int id)
{
        int r;

        r = fsp_mount_setattr(fd, i->attr_set | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, i->attr_clear);
        if (r < 0)
                return r;
        /* In place it is on the checked directory already; a staged or detached one is moved there. */
        if (!i->in_place || i->class->mount_by == FSP_MOUNT_BY_LAUNCHER) {
                r = fsp_mount_move(fd, i->pin_fd);
                if (r < 0)
                        return r;
        }
        /* Not kept open: an fd on the mount would make a plain umount of it fail (busy). */
        if (id <= 0) {
                FspMountIdentity mid;
                r = fsp_mount_identify(fd, &mid);
                if (r < 0)
                        return r;
                id = mid.id;
        }
        i->mnt_id = id;
        log_debug("%s/%s: its mount is at %s", i->class_name, i->name, i->mount_point);
        if (i->env->observer && i->env->observer->mounted)
                i->env->observer->mounted(i, i->env->observer_data);
        return 1;
}

/* What is mounted on the staging directory: 1 a FUSE mount (*ret_id), 0 nothing yet, -EMEDIUMTYPE something else. */
static int staged_mount(Instance *i, int *ret_id)
{
        _cleanup_close_ int fd = open(i->staging, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        FspMountIdentity mid;
        int r;

        if (fd < 0)
                return -errno;
        r = fsp_mount_identify(fd, &mid);
        if (r < 0)
                return r;
        if (!mid.found || mid.id == i->env->staging_mount_id)
                return 0; /* nothing mounted yet: the staging directory itself */
        if (!mid.fuse)
                return -EMEDIUMTYPE;
        *ret_id = mid.id;
        return 1;
}

/*
 * A new FUSE mount where the program was told to mount: its path (for the
 * probe) and number. 1 found, 0 not yet, -EMEDIUMTYPE something else was
 * mounted in the staging directory, -errno.
 */
static int find_new_mount(Instance *i, char **ret_path, int *ret_id)
{
        _cleanup_free_ char *path = NULL;
        FspMountIdentity mid;
        int r, id;

        switch (i->mount_mode) {
        case MOUNT_PINNED:
                if (i->in_place) {
                        /* On the checked directory, wherever it is now. */
                        r = fsp_mount_identify(i->pin_fd, &mid);
                        if (r < 0)
                                return r;
                        path = instance_mount_point_now(i);
                        if (!path)
                                return -ENOMEM;
                        r = mount_find_new_fuse(path, &i->mounts_before, mid.id, &id);
                        if (r <= 0)
                                return r;
                        break;
                }
                if (!i->staging)
                        return 0; /* MountBy=launcher: it goes in place once ready */
                r = staged_mount(i, &id);
                if (r <= 0)
                        return r;
                path = strdup(i->staging);
                break;
        case MOUNT_PATH:
                r = mount_find_new_fuse(i->mount_point, &i->mounts_before, -1, &id);
                if (r <= 0)
                        return r;
                path = strdup(i->mount_point);
                break;
        default:
                return 0;
        }
        if (!path)
                return -ENOMEM;
        *ret_path = TAKE_PTR(path);
        *ret_id = id;
        return 1;
}

/* The new mount answered: the instance's, put in place. */
static void on_probed(int fd, int error, void *userdata)
{
        Instance *i = userdata;
        _cleanup_close_ int root = fd;
        FspMountIdentity mid;
        int r;

        i->probe = resolver_free(i->probe);
        if (error < 0) {
                /* Its connection is gone (the program's exit tells the rest), or StartTimeout comes. */
                log_debug("%s/%s: its mount did not answer: %s", i->class_name, i->name, strerror(-error));
                return;
        }
        if (i->state != INSTANCE_STARTING && i->state != INSTANCE_RUNNING)
                return;
        r = fsp_mount_identify(root, &mid);
        if (r < 0 || mid.id != i->probe_id) {
                /* Another mount by now: look again. */
                instance_mount_check(i);
                return;
        }
        if (i->mount_mode == MOUNT_PINNED) {
                r = place(i, root, mid.id);
                if (r < 0) {
                        instance_fail_start(i, FSP_ERROR_START_FAILED, "%s/%s: cannot put its mount at %s: %s",
                                            i->class_name, i->name, i->mount_point, strerror(-r));
                        return;
                }
                if (!i->in_place)
                        staging_remove(i);
        }
        i->mounted = true;
        instance_check_ready(i);
}

int instance_mount_ready(Instance *i)
{
        int r;

        switch (i->mount_mode) {
        case MOUNT_NONE:
                return 1;
        case MOUNT_PREMOUNTED:
                return i->notified; /* the caller puts it in place once the start returns */
        case MOUNT_PINNED:
                if (i->class->mount_by != FSP_MOUNT_BY_LAUNCHER)
                        break;
                /* The connection goes on the mount point once the program says it serves it. */
                if (i->mounted)
                        return 1;
                if (!i->notified && !(instance_needs_answer(i) && i->answered_ok))
                        return 0;
                r = place(i, i->conn_mnt_fd, 0);
                i->conn_mnt_fd = safe_close(i->conn_mnt_fd);
                if (r < 0) {
                        instance_fail_start(i, FSP_ERROR_START_FAILED, "%s/%s: cannot put its mount at %s: %s",
                                            i->class_name, i->name, i->mount_point, strerror(-r));
                        return r;
                }
                i->mounted = true;
                return 1;
        default:
                break;
        }
        /* A mount that is there but has not answered yet is waited for, even after READY=1. */
        return i->mounted || (i->notified && !i->probe);
}

void instance_mount_check(Instance *i)
{
        _cleanup_free_ char *path = NULL;
        ResolveCredentials creds = {
                .change = i->id.change_user,
                .uid = i->id.uid,
                .gid = i->id.gid,
                .groups = i->id.groups,
                .n_groups = i->id.n_groups,
        };
        int r, id;

        if (i->state != INSTANCE_STARTING || i->mounted || i->pid <= 0 || i->probe)
                return;
        r = find_new_mount(i, &path, &id);
        if (r == 0)
                return;
        if (r > 0) {
                /*
                 * Mounted is not serving: sshfs, for one, mounts and then logs
                 * in. It serves once a question as the program's user is answered.
                 */
                r = resolver_probe(i->env->event, path, &creds, i->class->start_timeout_usec, on_probed, i,
                                   &i->probe);
                if (r >= 0) {
                        i->probe_id = id;
                        return;
                }
        }
        instance_fail_start(i, FSP_ERROR_START_FAILED, "%s/%s: cannot put its mount at %s: %s", i->class_name,
                            i->name, i->mount_point,
                            r == -EMEDIUMTYPE ? "what it mounted is not a FUSE file system" : strerror(-r));
}

/* ------------------------------------------------------------ the process is gone */

/* Its mount, found at the checked directory's path and detached once the fd there proves it is the one. */
static void detach_pinned(Instance *i)
{
        _cleanup_free_ char *path = instance_mount_point_now(i);
        int r;

        if (i->mnt_id <= 0 || !path)
                return;
        _cleanup_free_ char *what = NULL;
        if (asprintf(&what, "%s/%s", i->class_name, i->name) < 0)
                what = NULL;
        r = detach_mount(i->env->event, path, i->mnt_id, strempty(what));
        if (r > 0)
                log_debug("%s/%s: detached its mount at %s", i->class_name, i->name, path);
        if (i->env->observer && i->env->observer->unmounted)
                i->env->observer->unmounted(i, i->mnt_id, i->env->observer_data);
        i->mnt_id = 0;
}

void instance_mount_release(Instance *i)
{
        int r = 0;

        switch (i->mount_mode) {
        case MOUNT_PINNED:
                i->probe = resolver_free(i->probe);
                /* Its own mount, when it mounted in place and died before it answered. */
                if (i->in_place && i->mnt_id <= 0) {
                        _cleanup_free_ char *path = NULL;
                        (void) find_new_mount(i, &path, &i->mnt_id);
                }
                detach_pinned(i);
                staging_remove(i);
                i->conn_mnt_fd = safe_close(i->conn_mnt_fd); /* never moved: it goes with its fd */
                i->mounted = false;
                return;
        case MOUNT_PATH:
        case MOUNT_PREMOUNTED:
                i->probe = resolver_free(i->probe);
                i->mounted = false;
                r = mount_detach_fuse(i->mount_point,
                                      i->adopted || i->mount_mode == MOUNT_PREMOUNTED ? NULL : &i->mounts_before);
                if (r > 0)
                        log_info("%s/%s: detached the FUSE mount it left at %s", i->class_name, i->name,
                                 i->mount_point);
                return;
        default:
                return;
        }
}

void instance_mount_done(Instance *i)
{
        /* Freed while it still runs (JobControl=0 at the launcher's exit): its mount stays. */
        i->resolver = resolver_free(i->resolver);
        i->probe = resolver_free(i->probe);
        i->pin_fd = safe_close(i->pin_fd);
        i->conn_mnt_fd = safe_close(i->conn_mnt_fd);
        strv_free(i->fuse_options);
        i->fuse_options = NULL;
        free(i->program_options);
        i->program_options = NULL;
        if (i->staging && rmdir(i->staging) < 0 && errno != ENOENT)
                log_debug_errno(errno, "%s/%s: %s stays (%m)", i->class_name, i->name, i->staging);
        free(i->staging);
        i->staging = NULL;
        free(i->mount_word);
        i->mount_word = NULL;
}
