/* SPDX-License-Identifier: MIT */
/*
 * Staying with an instance, for winfsp@.service (Type=notify). One sd-event
 * loop watches: SIGTERM/SIGINT (stop the instance, exit 0), the launcher's
 * InstanceStopped signal (exit with the instance's verdict), the instance's
 * process through a pidfd (it may die while the launcher is away), and the
 * launcher's bus name (gone, and the instance with it: fail).
 */
#include <fsp/launch.h>
#include <signal.h>
#include <sys/syscall.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <systemd/sd-login.h>

#include "foreground.h"
#include "macro.h"
#include "net.h"

/* How long to wait for InstanceStopped after the process is seen gone. */
#define VERDICT_GRACE_USEC (5 * USEC_PER_SEC)

struct Supervisor {
        sd_bus *bus;
        sd_event *event;
        char *class_name;
        char *instance;
        char *remote;
        sd_bus_slot *stopped_slot;
        sd_bus_slot *owner_slot;
        sd_event_source *pidfd_source;
        sd_event_source *grace_timer;
        pid_t pid;
        bool launcher_gone;
        sigset_t old_mask;
};

bool supervisor_should_attach(void)
{
        _cleanup_free_ char *unit = NULL;
        size_t n;

        if (getuid() != 0)
                return false;
        if (!isempty(getenv("INVOCATION_ID")))
                return true;
        if (sd_pid_get_unit(0, &unit) < 0)
                return false;
        n = strlen(unit);
        return n > 8 && streq(unit + n - 8, ".service");
}

static void finish(Supervisor *s, int r)
{
        sd_event_exit(s->event, r);
}

/* "//memfs/x has ended <how>": exit with NET_EXIT_FS_FAILED. */
static int fail(Supervisor *s, const char *how)
{
        int r = net_fail(-ECHILD, NET_EXIT_FS_FAILED, "%s has ended %s", s->remote, how);
        sd_notifyf(false, "STATUS=%s has ended %s", s->remote, how);
        finish(s, r);
        return 0;
}

static int on_pid_exit(sd_event_source *source, int fd, uint32_t revents, void *userdata);

/* Follow the instance's current process (it changes when Recovery=1 restarts it). */
static void watch_pid(Supervisor *s, pid_t pid)
{
        int fd;

        if (pid <= 0 || pid == s->pid)
                return;
        s->pidfd_source = sd_event_source_disable_unref(s->pidfd_source);
        s->pid = pid;
        fd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0) {
                net_log_verbose("cannot watch process %d: %m", (int) pid);
                return;
        }
        if (sd_event_add_io(s->event, &s->pidfd_source, fd, EPOLLIN, on_pid_exit, s) < 0) {
                close(fd);
                return;
        }
        sd_event_source_set_io_fd_own(s->pidfd_source, true);
}

/* 1: the launcher still has the instance (running, or restarting); 0: it has not; <0: no answer. */
static int check_instance(Supervisor *s)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        FspInstanceInfo info = {};
        int r;

        r = fsp_launch_get_info(s->bus, s->class_name, s->instance, &info, &error);
        if (r < 0)
                return fsp_launch_error_from_bus(&error) == FSP_LAUNCH_NO_SUCH_INSTANCE ? 0 : r;
        watch_pid(s, info.pid);
        fsp_instance_info_done(&info);
        return 1;
}

static int on_grace_over(sd_event_source *source, uint64_t usec, void *userdata)
{
        Supervisor *s = userdata;

        s->grace_timer = sd_event_source_unref(s->grace_timer);
        if (check_instance(s) > 0)
                return 0;
        return fail(s, "and the launcher did not say how");
}

static int on_pid_exit(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
        Supervisor *s = userdata;

        s->pidfd_source = sd_event_source_disable_unref(s->pidfd_source);
        if (s->launcher_gone)
                return fail(s, "while the launcher was away");
        /* The launcher tells how it ended (InstanceStopped); give it a moment to. */
        if (!s->grace_timer)
                sd_event_add_time_relative(s->event, &s->grace_timer, CLOCK_MONOTONIC, VERDICT_GRACE_USEC, 0,
                                           on_grace_over, s);
        return 0;
}

static int on_instance_stopped(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        Supervisor *s = userdata;
        const char *class_name, *instance;
        int32_t status;

        if (sd_bus_message_read(m, "ssi", &class_name, &instance, &status) < 0)
                return 0;
        if (!streq(class_name, s->class_name) || !streq(instance, s->instance))
                return 0;
        /* Exit 0 (memfs after umount) or SIGTERM (someone's Stop) is an end, not a failure. */
        if (status == 0 || status == 128 + SIGTERM) {
                const char *how = status == 0 ? "has ended" : "was stopped";

                net_log_verbose("%s %s (status %d)", s->remote, how, (int) status);
                sd_notifyf(false, "STATUS=%s %s", s->remote, how);
                finish(s, 0);
                return 0;
        }
        /* With Recovery=1 the launcher starts it again: keep watching the new process. */
        char how[64];

        if (check_instance(s) > 0)
                return 0;
        snprintf(how, sizeof(how), "with status %d", (int) status);
        return fail(s, how);
}

static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        Supervisor *s = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 ||
            !streq(name, FSP_LAUNCHER_BUS_NAME))
                return 0;
        s->launcher_gone = isempty(new_owner);
        if (!s->launcher_gone)
                return 0;
        /* A JobControl=0 instance outlives the launcher; one that did not is gone. */
        if (s->pid <= 0 || (kill(s->pid, 0) < 0 && errno == ESRCH))
                return fail(s, "with the launcher");
        net_log_verbose("the launcher went away; %s is still running", s->remote);
        return 0;
}

static int on_stop_signal(sd_event_source *source, const struct signalfd_siginfo *si, void *userdata)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        Supervisor *s = userdata;
        int status = 0, r;

        sd_notifyf(false, "STOPPING=1\nSTATUS=Unmounting %s", s->remote);
        r = fsp_launch_stop(s->bus, s->class_name, s->instance, &status, &error);
        if (r < 0 && fsp_launch_error_from_bus(&error) != FSP_LAUNCH_NO_SUCH_INSTANCE) {
                finish(s, net_fail_bus(r, &error, "cannot stop the instance"));
                return 0;
        }
        net_log_verbose("stopped %s (status %d)", s->remote, status);
        finish(s, 0);
        return 0;
}

Supervisor *supervisor_free(Supervisor *s)
{
        if (!s)
                return NULL;
        sd_event_source_disable_unref(s->pidfd_source);
        sd_event_source_unref(s->grace_timer);
        sd_bus_slot_unref(s->stopped_slot);
        sd_bus_slot_unref(s->owner_slot);
        if (s->event)
                sd_bus_detach_event(s->bus);
        sd_event_unref(s->event);
        sd_bus_unref(s->bus);
        sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
        free(s->class_name);
        free(s->instance);
        free(s->remote);
        free(s);
        return NULL;
}

static void supervisor_freep(Supervisor **s)
{
        supervisor_free(*s);
}

int supervisor_new(sd_bus *bus, const char *class_name, const char *instance, const char *remote,
                   Supervisor **ret)
{
        _cleanup_(supervisor_freep) Supervisor *s = calloc(1, sizeof(Supervisor));
        sigset_t mask;
        int r;

        if (!s)
                return -ENOMEM;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, &s->old_mask);

        s->bus = sd_bus_ref(bus);
        s->class_name = strdup(class_name);
        s->instance = strdup(instance);
        s->remote = strdup(remote);
        if (!s->class_name || !s->instance || !s->remote)
                return -ENOMEM;

        r = sd_bus_match_signal(bus, &s->stopped_slot, FSP_LAUNCHER_BUS_NAME, FSP_LAUNCHER_PATH,
                                FSP_LAUNCHER_INTERFACE, "InstanceStopped", on_instance_stopped, s);
        if (r < 0)
                return r;
        /* The launcher sends its signals only to those who subscribed (and may see the instance). */
        r = sd_bus_call_method(bus, FSP_LAUNCHER_BUS_NAME, FSP_LAUNCHER_PATH, FSP_LAUNCHER_INTERFACE, "Subscribe",
                               NULL, NULL, NULL);
        if (r < 0)
                return r;
        r = sd_bus_add_match(bus, &s->owner_slot,
                             "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                             "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                             "arg0='" FSP_LAUNCHER_BUS_NAME "'",
                             on_owner_changed, s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int supervisor_run(Supervisor *s, const char *mount_point)
{
        int r;

        r = sd_event_new(&s->event);
        if (r < 0)
                return net_fail(r, NET_EXIT_FAILURE, "cannot set up the event loop: %s", strerror(-r));
        r = sd_bus_attach_event(s->bus, s->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_event_add_signal(s->event, NULL, SIGTERM, on_stop_signal, s);
        if (r >= 0)
                r = sd_event_add_signal(s->event, NULL, SIGINT, on_stop_signal, s);
        if (r < 0)
                return net_fail(r, NET_EXIT_FAILURE, "cannot set up the event loop: %s", strerror(-r));

        /* Gone already? The InstanceStopped signal is queued and gives the verdict. */
        if (check_instance(s) == 0)
                sd_event_add_time_relative(s->event, &s->grace_timer, CLOCK_MONOTONIC, VERDICT_GRACE_USEC, 0,
                                           on_grace_over, s);

        sd_notifyf(false, "READY=1\nSTATUS=%s mounted at %s", s->remote, mount_point);
        return sd_event_loop(s->event);
}
