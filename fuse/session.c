/* SPDX-License-Identifier: MIT */
/*
 * Mount, tell the supervisor, serve, stop cleanly.
 *
 * Readiness goes through plain sd_notify(): the same binary then works as
 * a systemd Type=notify service and under the launcher, which sets
 * NOTIFY_SOCKET for its instances. The mount(2) is synchronous, so the
 * mount is visible in /proc/self/mountinfo before READY=1 is sent.
 */
#include <errno.h>
#include <fsp/fuse.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "device.h"
#include "macro.h"

/*
 * One session per process (libfuse's signal handlers are per process too):
 * the init() wrapper that applies the user's connection options after the
 * file system's own choices finds them here.
 */
static struct {
        struct fuse_lowlevel_ops ops;
        void (*fs_init)(void *userdata, struct fuse_conn_info *conn);
        struct fuse_conn_info_opts *conn_opts;
} wrapper;

static void wrapped_init(void *userdata, struct fuse_conn_info *conn)
{
        if (wrapper.fs_init)
                wrapper.fs_init(userdata, conn);
        if (wrapper.conn_opts)
                fuse_apply_conn_info_opts(wrapper.conn_opts, conn);
        /* -o splice_read: the device hooks read with read(2), so libfuse cannot splice (device.c). */
        conn->want &= ~(FUSE_CAP_SPLICE_READ & ~conn->capable);
}

static const char *program_name(const FspFuseOptions *o)
{
        const char *argv0 = o->args.argc > 0 ? o->args.argv[0] : "";
        const char *slash = strrchr(argv0, '/');
        return slash ? slash + 1 : argv0;
}

/* The mount source: -u PREFIX, else the program's name (as libfuse's high-level API does). */
static int add_fsname(FspFuseOptions *o)
{
        _cleanup_free_ char *opt = NULL;
        const char *source = o->volume_prefix ? o->volume_prefix : program_name(o);

        if (asprintf(&opt, "fsname=%s", source) < 0)
                return -ENOMEM;
        return fsp_fuse_options_add(o, opt);
}

bool fsp_fuse_mountpoint_is_fd(const char *mountpoint)
{
        const char *p = mountpoint;

        if (!p || strncmp(p, "/dev/fd/", 8) != 0 || !p[8])
                return false;
        for (p += 8; *p; p++)
                if (*p < '0' || *p > '9')
                        return false;
        return true;
}

/*
 * An absolute, symlink-free path, so STATUS= and /proc/self/mountinfo agree.
 * "/dev/fd/N" is kept as it is: libfuse takes it as a connection someone
 * (mount.winfsp answering an automount) already mounted.
 */
static int canonical_mountpoint(FspFuseOptions *o)
{
        char *path;

        if (!o->mountpoint) {
                fprintf(stderr, "%s: no mount point given (use -m MOUNTPOINT)\n", program_name(o));
                return -EINVAL;
        }
        if (fsp_fuse_mountpoint_is_fd(o->mountpoint))
                return 0;
        path = realpath(o->mountpoint, NULL);
        if (!path) {
                int r = -errno;
                fprintf(stderr, "%s: mount point %s: %s\n", program_name(o), o->mountpoint, strerror(-r));
                return r;
        }
        free(o->mountpoint);
        o->mountpoint = path;
        return 0;
}

static struct fuse_session *session_new(FspFuseOptions *o, const struct fuse_lowlevel_ops *ops, size_t ops_size,
                                        void *userdata)
{
        memset(&wrapper, 0, sizeof(wrapper));
        memcpy(&wrapper.ops, ops, MIN(ops_size, sizeof(wrapper.ops)));
        wrapper.fs_init = wrapper.ops.init;
        wrapper.ops.init = wrapped_init;

        /* Takes the connection options (max_write=, writeback_cache, ...) out of the arguments. */
        wrapper.conn_opts = fuse_parse_conn_info_opts(&o->args);
        if (!wrapper.conn_opts)
                return NULL;
        return fuse_session_new(&o->args, &wrapper.ops, sizeof(wrapper.ops), userdata);
}

int fsp_fuse_mount(FspFuseOptions *o, const struct fuse_lowlevel_ops *ops, size_t ops_size, void *userdata,
                   struct fuse_session **ret)
{
        struct fuse_session *se;
        int r;

        r = canonical_mountpoint(o);
        if (r < 0)
                return r;
        r = add_fsname(o);
        if (r < 0)
                return r;

        se = session_new(o, ops, ops_size, userdata);
        if (!se) /* libfuse has said why on stderr */
                return -EINVAL;

        /* Before mounting: a stop signal from now on leaves the loop instead of killing us mid-mount. */
        if (fuse_set_signal_handlers(se) < 0) {
                fuse_session_destroy(se);
                return -EIO;
        }
        if (fuse_session_mount(se, o->mountpoint) < 0) {
                fprintf(stderr, "%s: cannot mount on %s\n", program_name(o), o->mountpoint);
                fuse_remove_signal_handlers(se);
                fuse_session_destroy(se);
                return -EIO;
        }
        r = device_install(se);
        if (r < 0) {
                fprintf(stderr, "%s: cannot hook the FUSE device: %s\n", program_name(o), strerror(-r));
                fuse_session_unmount(se);
                fuse_remove_signal_handlers(se);
                fuse_session_destroy(se);
                return r;
        }
        *ret = se;
        return 0;
}

/* Characters that would break the one-line STATUS= field become '?'. */
static void notify_mounted(const FspFuseOptions *o)
{
        _cleanup_free_ char *status = NULL;
        const char *source = o->volume_prefix ? o->volume_prefix : program_name(o);

        if (asprintf(&status, "READY=1\nSTATUS=Mounted %s on %s", source, o->mountpoint) < 0) {
                (void) sd_notify(0, "READY=1");
                return;
        }
        for (char *p = strchr(status, '\n') + 1; *p; p++)
                if ((unsigned char) *p < ' ')
                        *p = '?';
        (void) sd_notify(0, status);
        /* And one line in the log (the journal, under the launcher or systemd). */
        fprintf(stderr, "%s: %s\n", program_name(o), strchr(status, '\n') + strlen("\nSTATUS="));
}

static int session_loop(const FspFuseOptions *o, struct fuse_session *se)
{
        struct fuse_loop_config *config = fuse_loop_cfg_create();
        int r;

        if (!config)
                return -ENOMEM;
        if (o->max_threads)
                fuse_loop_cfg_set_max_threads(config, o->max_threads);
        /* More idle threads than threads would only be a misleading number. */
        if (o->max_idle_threads || o->max_threads)
                fuse_loop_cfg_set_idle_threads(config, o->max_idle_threads ? o->max_idle_threads : o->max_threads);
        fuse_loop_cfg_set_clone_fd(config, o->clone_fd);
        affinity_set_enabled(!o->no_follow_caller);
        r = fuse_session_loop_mt(se, config);
        fuse_loop_cfg_destroy(config);
        return r;
}

int fsp_fuse_run(FspFuseOptions *o, struct fuse_session *se)
{
        int r;

        notify_mounted(o);
        r = session_loop(o, se);
        (void) sd_notify(0, "STOPPING=1\nSTATUS=Unmounting");

        fuse_remove_signal_handlers(se);
        /* As root this is umount2(MNT_DETACH): open files do not keep the mount point busy. */
        fuse_session_unmount(se);
        fuse_session_destroy(se);
        free(wrapper.conn_opts);
        wrapper.conn_opts = NULL;

        /* 0: unmounted from outside; > 0: the stop signal's number. Both are a clean stop. */
        if (r < 0) {
                fprintf(stderr, "%s: the FUSE session failed: %s\n", program_name(o), strerror(-r));
                return r;
        }
        return 0;
}
