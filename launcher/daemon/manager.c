/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <fsp/launch.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include "children.h"
#include "detach.h"
#include "log.h"
#include "manager.h"
#include "staging.h"
#include "start-queue.h"
#include "state.h"
#include "systemd.h"

/* Past every instance's StopTimeout, the launcher stops waiting and leaves. */
#define SHUTDOWN_GRACE_USEC (5 * USEC_PER_SEC)

/* ------------------------------------------------------------ classes */

static void class_entries_free(ClassEntry *e, size_t n)
{
        for (size_t k = 0; k < n; k++) {
                free(e[k].name);
                fsp_class_unref(e[k].class);
                free(e[k].error);
        }
        free(e);
}

static void log_class_warning(const FspError *w, void *userdata)
{
        char buf[sizeof(w->file) + sizeof(w->text) + 128];
        log_warning("%s", fsp_error_format(w, buf, sizeof(buf)));
}

static int load_classes(Manager *m, ClassEntry **ret, size_t *ret_n, unsigned *ret_broken)
{
        _cleanup_(fsp_class_dirs_done) FspClassDirs dirs = { 0 };
        _cleanup_strv_free_ char **names = NULL;
        ClassEntry *entries;
        size_t n;
        unsigned broken = 0;
        int r;

        r = fsp_class_dirs_from_path(m->config_path, &dirs);
        if (r < 0)
                return r;
        r = fsp_class_dirs_list(&dirs, &names);
        if (r < 0)
                return r;
        n = strv_length(names);
        entries = calloc(n + 1, sizeof(ClassEntry));
        if (!entries)
                return -ENOMEM;
        for (size_t k = 0; k < n; k++) {
                _cleanup_free_ char *path = NULL;
                FspError e;
                char buf[sizeof(e.file) + sizeof(e.text) + 128];

                fsp_error_clear(&e);
                entries[k].name = TAKE_PTR(names[k]);
                r = fsp_class_dirs_find(&dirs, entries[k].name, &path);
                /* A launcher running as root runs only what only root may change (sshd's StrictModes). */
                if (r >= 0 && m->uid == 0)
                        r = fsp_class_load_file_trusted(entries[k].name, path, &entries[k].class, &e,
                                                        log_class_warning, NULL);
                else if (r >= 0)
                        r = fsp_class_load_file(entries[k].name, path, &entries[k].class, &e, log_class_warning,
                                                NULL);
                if (r < 0) {
                        if (e.code == 0)
                                snprintf(e.text, sizeof(e.text), "%s: %s", path ? path : entries[k].name,
                                         strerror(-r));
                        entries[k].error = strdup(fsp_error_format(&e, buf, sizeof(buf)));
                        log_error("class %s refused: %s", entries[k].name, strempty(entries[k].error));
                        broken++;
                }
        }
        *ret = entries;
        *ret_n = n;
        *ret_broken = broken;
        return 0;
}

int manager_reload(Manager *m)
{
        ClassEntry *entries;
        size_t n;
        unsigned broken;
        int r;

        r = load_classes(m, &entries, &n, &broken);
        if (r < 0)
                return log_error_errno(r, "Failed to read the class directories %s: %m", m->config_path);
        class_entries_free(m->classes, m->n_classes);
        m->classes = entries;
        m->n_classes = n;
        log_info("%zu classes loaded from %s%s", n - broken, m->config_path,
                 broken ? " (some refused)" : "");
        return 0;
}

const ClassEntry *manager_find_class(Manager *m, const char *name)
{
        for (size_t k = 0; k < m->n_classes; k++)
                if (streq(m->classes[k].name, name))
                        return &m->classes[k];
        return NULL;
}

/* ------------------------------------------------------------ instances */

static unsigned count_with_job_control(Manager *m)
{
        unsigned n = 0;
        for (Instance *i = m->instances; i; i = i->next)
                if (i->class->job_control || i->state == INSTANCE_STARTING || i->state == INSTANCE_STOPPING)
                        n++;
        return n;
}

void manager_instances_changed(Manager *m)
{
        (void) sd_notifyf(false, "STATUS=%u instance%s", m->n_instances, m->n_instances == 1 ? "" : "s");
        if (m->shutting_down && count_with_job_control(m) == 0)
                sd_event_exit(m->event, 0);
}

/* ------------------------------------------------------------ what instances tell */

#define RELAY(m, event, ...)                                                                               \
        do {                                                                                               \
                if ((m)->observer && (m)->observer->event)                                                 \
                        (m)->observer->event(__VA_ARGS__, (m)->observer_data);                             \
        } while (0)

static void on_instance_ready(Instance *i, void *userdata)
{
        Manager *m = userdata;

        state_save(m, i);
        RELAY(m, ready, i);
}

static void on_instance_start_failed(Instance *i, const char *error_name, const char *message, void *userdata)
{
        Manager *m = userdata;
        RELAY(m, start_failed, i, error_name, message);
}

static void on_instance_ended(Instance *i, int status, void *userdata)
{
        Manager *m = userdata;

        state_remove(m, i);
        RELAY(m, ended, i, status);
}

static void on_instance_finished(Instance *i, int status, void *userdata)
{
        Manager *m = userdata;

        RELAY(m, finished, i, status);
        manager_remove_instance(m, i);
        manager_instances_changed(m);
}

static void on_instance_changed(Instance *i, void *userdata)
{
        Manager *m = userdata;

        manager_instances_changed(m);
        RELAY(m, changed, i);
}

static void on_instance_spawned(Instance *i, void *userdata)
{
        systemd_place_instance(userdata, i);
}

static void on_instance_mounted(Instance *i, void *userdata)
{
        state_mount_save(userdata, i);
}

static void on_instance_unmounted(Instance *i, int mnt_id, void *userdata)
{
        state_mount_remove(userdata, mnt_id);
}

static const InstanceObserver manager_instance_observer = {
        .ready = on_instance_ready,
        .start_failed = on_instance_start_failed,
        .ended = on_instance_ended,
        .finished = on_instance_finished,
        .changed = on_instance_changed,
        .spawned = on_instance_spawned,
        .mounted = on_instance_mounted,
        .unmounted = on_instance_unmounted,
};

int manager_queue_start(Manager *m, Instance *i, const InstanceStartParams *p)
{
        return start_queue_add(m->start_queue, i, i->id.started_by, p);
}

void manager_remove_instance(Manager *m, Instance *i)
{
        start_queue_forget(m->start_queue, i);
        systemd_forget_instance(m, i);
        manager_table_unlink(m, i);
        instance_free(i);
}

void manager_set_observer(Manager *m, const InstanceObserver *observer, void *userdata)
{
        m->observer = observer;
        m->observer_data = userdata;
}

int manager_add_instance(Manager *m, FspClass *c, const char *name, char *const *args,
                         InstanceIdentity *identity, const char *unit, Instance **ret)
{
        Instance *i;
        int r;

        r = instance_new(&m->instance_env, c, name, args, identity, &i);
        if (r < 0)
                return r;
        if (unit && !(i->unit = strdup(unit))) {
                instance_free(i);
                return -ENOMEM;
        }
        i->hold_until_released = systemd_should_place(m, i);
        manager_table_link(m, i);
        *ret = i;
        return 0;
}

/* ------------------------------------------------------------ the notify socket */

static int on_notify(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Manager *m = userdata;
        char buf[4096];
        union {
                struct cmsghdr h;
                uint8_t buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control)
        };
        struct ucred *cred = NULL;
        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);

        if (n < 0)
                return 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
                        cred = (struct ucred *) CMSG_DATA(c);
                else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        /* We take no fds from instances. */
                        int *fds = (int *) CMSG_DATA(c);
                        for (size_t k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++)
                                close(fds[k]);
                }
        }
        if (!cred || (size_t) n >= sizeof(buf))
                return 0;
        buf[n] = 0;

        /* The sender is the instance, or a process in its session (it is the session leader). */
        pid_t sid = getsid(cred->pid);
        for (Instance *i = m->instances; i; i = i->next)
                if (i->pid > 0 && (i->pid == cred->pid || i->pid == sid)) {
                        instance_notify(i, buf);
                        break;
                }
        return 0;
}

static int setup_notify_socket(Manager *m)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        uint64_t nonce;
        int one = 1, r;

        m->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (m->notify_fd < 0)
                return -errno;
        if (setsockopt(m->notify_fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
                return -errno;
        /* Abstract, so instances running as any user can reach it; a name nobody can guess ahead. */
        if (getrandom(&nonce, sizeof(nonce), 0) != (ssize_t) sizeof(nonce))
                return -errno;
        r = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "winfsp-launcher/%d/%016llx", (int) getpid(),
                     (unsigned long long) nonce);
        if (bind(m->notify_fd, (struct sockaddr *) &sa, offsetof(struct sockaddr_un, sun_path) + 1 + r) < 0)
                return -errno;
        if (asprintf(&m->notify_socket, "@%s", sa.sun_path + 1) < 0)
                return -ENOMEM;
        return sd_event_add_io(m->event, &m->notify_source, m->notify_fd, EPOLLIN, on_notify, m);
}

/* ------------------------------------------------------------ mounts */

static int on_mountinfo(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Manager *m = userdata;

        for (Instance *i = m->instances, *next; i; i = next) {
                next = i->next;
                if (i->state == INSTANCE_STARTING && !i->mounted)
                        instance_mounts_changed(i);
        }
        return 0;
}

static int setup_mount_watch(Manager *m)
{
        m->mountinfo_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        if (m->mountinfo_fd < 0)
                return -errno;
        return sd_event_add_io(m->event, &m->mountinfo_source, m->mountinfo_fd, EPOLLPRI, on_mountinfo, m);
}

/* ------------------------------------------------------------ signals and shutdown */

static int on_shutdown_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        Manager *m = userdata;

        log_error("instances still running after their stop timeouts; killing them");
        for (Instance *i = m->instances; i; i = i->next)
                if (i->pid > 0 && i->class->job_control)
                        (void) kill(-i->pid, SIGKILL);
        return sd_event_exit(m->event, 1);
}

static void begin_shutdown(Manager *m)
{
        uint64_t longest = 0;
        int r;

        if (m->shutting_down)
                return;
        m->shutting_down = m->instance_env.shutting_down = true;
        (void) sd_notify(false, "STOPPING=1");
        log_info("stopping %u instance%s", m->n_instances, m->n_instances == 1 ? "" : "s");
        for (Instance *i = m->instances, *next; i; i = next) {
                next = i->next;
                longest = MAX(longest, i->class->stop_timeout_usec);
                if (i->class->job_control || i->state != INSTANCE_RUNNING)
                        instance_stop(i);
        }
        r = sd_event_add_time_relative(m->event, &m->shutdown_timer, CLOCK_MONOTONIC,
                                       longest + SHUTDOWN_GRACE_USEC, 0, on_shutdown_timeout, m);
        if (r < 0)
                log_warning_errno(r, "cannot time the shutdown (%m); waiting for the instances without a limit");
        manager_instances_changed(m);
}

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        begin_shutdown(userdata);
        return 0;
}

static int on_hangup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        Manager *m = userdata;

        (void) sd_notify(false, "RELOADING=1");
        (void) manager_reload(m);
        (void) sd_notify(false, "READY=1");
        return 0;
}

static int setup_signals(Manager *m)
{
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        /* Writes to an instance's pipe after it died must fail, not kill us. */
        signal(SIGPIPE, SIG_IGN);
        if ((r = sd_event_add_signal(m->event, NULL, SIGTERM, on_terminate, m)) < 0 ||
            (r = sd_event_add_signal(m->event, NULL, SIGINT, on_terminate, m)) < 0 ||
            (r = sd_event_add_signal(m->event, NULL, SIGHUP, on_hangup, m)) < 0)
                return r;
        return 0;
}

/* ------------------------------------------------------------ life */

static char *default_state_dir(bool user_mode)
{
        const char *runtime = getenv("XDG_RUNTIME_DIR");
        char *s = NULL;

        if (!user_mode)
                return strdup("/run/winfsp");
        if (!runtime)
                return NULL;
        return asprintf(&s, "%s/winfsp", runtime) < 0 ? NULL : s;
}

/* With --user, ~/.config/winfsp/conf.d comes before the system directories. */
static char *default_config_path(bool user_mode)
{
        const char *config = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        char *s = NULL;

        if (!user_mode)
                return strdup(FSP_CONFD_PATH);
        if (config)
                return asprintf(&s, "%s/winfsp/conf.d:%s", config, FSP_CONFD_PATH) < 0 ? NULL : s;
        if (home)
                return asprintf(&s, "%s/.config/winfsp/conf.d:%s", home, FSP_CONFD_PATH) < 0 ? NULL : s;
        return strdup(FSP_CONFD_PATH);
}

static bool mount_point_taken(const Instance *self, void *userdata)
{
        Manager *m = userdata;

        _cleanup_free_ char *path = instance_mount_point_now(self);

        for (Instance *i = m->instances; i; i = i->next) {
                if (i == self || i->pin_fd < 0)
                        continue;
                if (i->pin_dev == self->pin_dev && i->pin_ino == self->pin_ino)
                        return true;
                /* The root of i's mount, sitting on i's directory, has that directory's path. */
                _cleanup_free_ char *other = instance_mount_point_now(i);
                if (i->mnt_id > 0 && path && other && streq(path, other))
                        return true;
        }
        return false;
}

static bool running_under_systemd(void)
{
        _cleanup_free_ char *unit = systemd_unit_of_pid(0);
        return unit && sd_booted() > 0 && getenv("INVOCATION_ID");
}

int manager_new(const ManagerOptions *o, Manager **ret)
{
        Manager *m = calloc(1, sizeof(*m));
        int r;

        if (!m)
                return -ENOMEM;
        m->notify_fd = m->mountinfo_fd = -1;
        m->user_mode = o->user_mode;
        m->uid = getuid();
        m->max_instances_per_user = o->max_instances_per_user;
        (void) !getrandom(&m->hash_key, sizeof(m->hash_key), GRND_NONBLOCK); /* unkeyed still works */
        m->config_path = o->config_path ? strdup(o->config_path) : default_config_path(o->user_mode);
        m->state_dir = o->state_dir ? strdup(o->state_dir) : default_state_dir(o->user_mode);
        if (!m->config_path || !m->state_dir) {
                manager_free(m);
                return log_error_errno(-EINVAL, "No state directory (is XDG_RUNTIME_DIR set?)");
        }
        m->under_systemd = running_under_systemd();
        if (o->admin_groups && (r = fsp_security_set_admin_groups(o->admin_groups)) < 0)
                goto fail;

        if ((r = sd_event_default(&m->event)) < 0 || (r = setup_signals(m)) < 0 ||
            (r = sd_event_set_watchdog(m->event, true)) < 0 || (r = children_setup(m->event)) < 0 ||
            (r = start_queue_new(m->event, &m->start_queue)) < 0 ||
            (r = setup_notify_socket(m)) < 0 ||
            (r = setup_mount_watch(m)) < 0) {
                log_error_errno(r, "Failed to set up the event loop: %m");
                goto fail;
        }
        /* Without it the launcher still runs; what would mount through it fails, saying why. */
        if (m->uid == 0)
                (void) staging_setup(m->state_dir, &m->staging_dir, &m->staging_mount_id);
        m->instance_env = (InstanceEnv){
                .event = m->event,
                .notify_socket = m->notify_socket,
                .user_mode = m->user_mode,
                .staging_dir = m->staging_dir,
                .staging_mount_id = m->staging_mount_id,
                .nofile_soft = o->nofile_soft,
                .observer = &manager_instance_observer,
                .observer_data = m,
                .mount_point_taken = mount_point_taken,
        };
        if ((r = manager_reload(m)) < 0)
                goto fail;
        *ret = m;
        return 0;
fail:
        manager_free(m);
        return r;
}

void manager_adopt(Manager *m)
{
        state_adopt(m);
        state_mount_sweep(m);
        manager_instances_changed(m);
}

Manager *manager_free(Manager *m)
{
        if (!m)
                return NULL;
        while (m->instances)
                manager_remove_instance(m, m->instances);
        detach_cancel_all();
        m->start_queue = start_queue_free(m->start_queue);
        children_done();
        staging_teardown(m->state_dir, m->staging_dir);
        class_entries_free(m->classes, m->n_classes);
        sd_event_source_unref(m->notify_source);
        sd_event_source_unref(m->mountinfo_source);
        sd_event_source_unref(m->shutdown_timer);
        safe_close(m->notify_fd);
        safe_close(m->mountinfo_fd);
        sd_bus_flush_close_unref(m->systemd_bus);
        sd_event_unref(m->event);
        free(m->notify_socket);
        free(m->config_path);
        free(m->state_dir);
        free(m->staging_dir);
        free(m->buckets);
        free(m);
        return NULL;
}

int manager_run(Manager *m)
{
        int r;

        (void) sd_notifyf(false, "READY=1\nSTATUS=%u instance%s", m->n_instances,
                          m->n_instances == 1 ? "" : "s");
        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        /* JobControl=0 instances keep running; their state stays for the next launcher. */
        for (Instance *i = m->instances; i; i = i->next)
                if (i->pid > 0)
                        state_keep(m, i);
        return r;
}
