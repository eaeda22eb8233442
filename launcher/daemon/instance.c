/* SPDX-License-Identifier: MIT */
/*
 * The instance's state machine: starting -> running -> stopping, with
 * restarting in between for Recovery=1. The process itself is in
 * instance-exec.c, the credentials in instance-credentials.c, the back-off
 * in instance-recovery.c; what happens is told to the observer.
 */
#include <fcntl.h>
#include <fsp/launch.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>

#include "instance-internal.h"
#include "log.h"

static const char *const state_names[_INSTANCE_STATE_MAX] = {
        [INSTANCE_STARTING] = "starting",
        [INSTANCE_RUNNING] = "running",
        [INSTANCE_STOPPING] = "stopping",
        [INSTANCE_RESTARTING] = "restarting",
};

const char *instance_state_to_string(InstanceState s)
{
        return s >= 0 && s < _INSTANCE_STATE_MAX ? state_names[s] : "unknown";
}

void instance_identity_done(InstanceIdentity *id)
{
        free(id->caller_groups);
        free(id->caller_name);
        free(id->caller_home);
        free(id->groups);
        free(id->user_name);
        free(id->home);
        *id = (InstanceIdentity){ 0 };
}

uint64_t now_usec(clockid_t clock)
{
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

const char *duration_text(uint64_t usec, char buf[static 32])
{
        if (usec % USEC_PER_MINUTE == 0)
                snprintf(buf, 32, "%llu min", (unsigned long long) (usec / USEC_PER_MINUTE));
        else if (usec % USEC_PER_SEC == 0)
                snprintf(buf, 32, "%llu s", (unsigned long long) (usec / USEC_PER_SEC));
        else
                snprintf(buf, 32, "%llu ms", (unsigned long long) (usec / USEC_PER_MSEC));
        return buf;
}

const char *exit_text(int status, char buf[static 64])
{
        if (status > 128 && status < 128 + 65)
                snprintf(buf, 64, "signal %d (%s)", status - 128, strsignal(status - 128));
        else
                snprintf(buf, 64, "status %d", status);
        return buf;
}

sd_event_source *source_unref(sd_event_source *s)
{
        if (s) {
                sd_event_source_set_enabled(s, SD_EVENT_OFF);
                sd_event_source_unref(s);
        }
        return NULL;
}

#define OBSERVE(i, event, ...)                                                                             \
        do {                                                                                               \
                const InstanceObserver *_o = (i)->env->observer;                                           \
                if (_o && _o->event)                                                                       \
                        _o->event((i), ##__VA_ARGS__, (i)->env->observer_data);                            \
        } while (0)

/* ------------------------------------------------------------ creation */

int instance_new(const InstanceEnv *env, FspClass *c, const char *name, char *const *args,
                 InstanceIdentity *identity, Instance **ret)
{
        Instance *i = calloc(1, sizeof(*i));
        if (!i)
                return -ENOMEM;

        i->env = env;
        i->class = fsp_class_ref(c);
        i->stdout_fd = i->stderr_fd = i->error_fd = i->log_fd = i->go_fd = i->secret_source_fd = i->fuse_fd =
                i->pending_secret_fd = i->pin_fd = i->conn_mnt_fd = -1;
        i->last_exit_status = -1;
        i->state = INSTANCE_STARTING;
        i->class_name = strdup(c->name);
        i->name = strdup(name);
        if (!i->class_name || !i->name || strv_copy(args, &i->args) < 0) {
                instance_free(i);
                return -ENOMEM;
        }
        i->id = *identity;
        *identity = (InstanceIdentity){ 0 };
        *ret = i;
        return 0;
}

void instance_free(Instance *i)
{
        if (!i)
                return;
        instance_close_process_io(i);
        instance_mount_done(i);
        i->secret_source = source_unref(i->secret_source);
        i->secret_source_fd = safe_close(i->secret_source_fd);
        i->pending_secret_fd = safe_close(i->pending_secret_fd);
        i->fuse_fd = safe_close(i->fuse_fd);
        i->secret = fsp_secret_free(i->secret);
        erase_and_free(i->answer, ANSWER_MAX);
        line_buffer_done(&i->stdout_buf);
        line_buffer_done(&i->stderr_buf);
        free(i->restart_times);
        screen_stream_done(&i->stdout_screen);
        screen_stream_done(&i->stderr_screen);
        secret_screen_clear(&i->screen);
        free(i->start_error_name);
        free(i->start_error_message);
        last_lines_clear(&i->last_lines);
        instance_identity_done(&i->id);
        strv_free(i->args);
        strv_free(i->argv);
        free(i->mount_point);
        free(i->unit);
        free(i->status_text);
        free(i->class_name);
        free(i->name);
        fsp_class_unref(i->class);
        free(i);
}

/* ------------------------------------------------------------ ending */

void instance_kill(Instance *i, int sig)
{
        if (i->pid <= 0)
                return;
        /* The instance leads its own process group; before setsid() it has none yet. */
        if (kill(-i->pid, sig) < 0)
                (void) kill(i->pid, sig);
}

static int on_stop_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        Instance *i = userdata;
        char d[32];

        log_warning("%s/%s: still running %s after SIGTERM (StopTimeout=); sending SIGKILL", i->class_name,
                    i->name, duration_text(i->class->stop_timeout_usec, d));
        instance_kill(i, SIGKILL);
        return 0;
}

static void begin_termination(Instance *i)
{
        int r;

        i->state = INSTANCE_STOPPING;
        i->timer_source = source_unref(i->timer_source);
        i->credentials_source = source_unref(i->credentials_source);
        /* A child still waiting to be released gives up when the pipe closes. */
        i->go_fd = safe_close(i->go_fd);
        if (i->pid <= 0)
                return;
        instance_kill(i, SIGTERM);
        r = sd_event_add_time_relative(i->env->event, &i->timer_source, CLOCK_MONOTONIC,
                                       i->class->stop_timeout_usec, 0, on_stop_timeout, i);
        if (r < 0) {
                /* Without the escalation timer the stop could wait forever: escalate now. */
                log_warning_errno(r, "%s/%s: cannot arm the stop timeout (%m); sending SIGKILL", i->class_name,
                                  i->name);
                instance_kill(i, SIGKILL);
        }
        OBSERVE(i, changed);
}

void instance_fail_start(Instance *i, const char *error_name, const char *fmt, ...)
{
        va_list ap;

        if (i->start_error_name)
                return;
        i->start_error_name = strdup(error_name);
        va_start(ap, fmt);
        if (vasprintf(&i->start_error_message, fmt, ap) < 0)
                i->start_error_message = NULL;
        va_end(ap);
        log_warning("%s/%s: start failed: %s", i->class_name, i->name,
                    secret_screen_matches(&i->screen, strempty(i->start_error_message))
                            ? "(a message that contained the secret, not logged)"
                            : strempty(i->start_error_message));

        if (i->pid > 0)
                begin_termination(i);
        else
                instance_finish(i, i->last_exit_status);
}

void instance_finish(Instance *i, int status)
{
        if (i->start_error_name) {
                _cleanup_free_ char *words = last_lines_format(&i->last_lines), *message = NULL;
                const char *msg = i->start_error_message ? i->start_error_message : "the start failed";
                /* A refusal's words are the answer, already in the message. */
                bool show_words = !streq(i->start_error_name, FSP_ERROR_AUTHENTICATION_FAILED) &&
                                  !isempty(words);

                if (asprintf(&message, "%s%s%s", msg, show_words ? ". Its last output:" : "",
                             show_words ? words : "") < 0)
                        message = NULL;
                OBSERVE(i, start_failed, i->start_error_name, message ? message : msg);
        }
        if (i->ever_ready) {
                i->ever_ready = false;
                OBSERVE(i, ended, status);
        }
        instance_close_process_io(i);
        OBSERVE(i, finished, status);
}

/* ------------------------------------------------------------ readiness */

static void became_ready(Instance *i)
{
        char ms[32];

        i->state = INSTANCE_RUNNING;
        i->ever_ready = true;
        i->timer_source = source_unref(i->timer_source);
        i->credentials_source = source_unref(i->credentials_source);
        /* Its output stays screened through the hash; the secret itself is kept only for restarts. */
        if (!i->class->recovery)
                i->secret = fsp_secret_free(i->secret);
        last_lines_clear(&i->last_lines);
        snprintf(ms, sizeof(ms), "%.1f ms",
                 (double) (now_usec(CLOCK_REALTIME) - i->start_time_usec) / 1000.0);
        log_info("%s/%s: ready (pid %d, %s)", i->class_name, i->name, (int) i->pid, ms);
        OBSERVE(i, ready);
        OBSERVE(i, changed);
}

void instance_check_ready(Instance *i)
{
        if (i->state != INSTANCE_STARTING || i->start_error_name || i->pid <= 0 || !i->exec_done)
                return;
        if (instance_needs_answer(i) && !i->answered_ok)
                return;
        if (instance_mount_ready(i) <= 0)
                return;
        became_ready(i);
}

void instance_notify(Instance *i, const char *message)
{
        char *copy = strdup(message), *save = NULL;

        if (!copy)
                return;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (streq(line, "READY=1")) {
                        i->notified = true;
                        /* Its mount, if it made one, is taken before it counts as ready. */
                        instance_mount_check(i);
                        instance_check_ready(i);
                } else if (strneq(line, "STATUS=", 7))
                        (void) free_and_strdup(&i->status_text, secret_screen_matches(&i->screen, line + 7)
                                                                        ? "[a status that contained the secret was withheld]"
                                                                        : line + 7);
        }
        free(copy);
}

void instance_mounts_changed(Instance *i)
{
        instance_mount_check(i);
}

/* ------------------------------------------------------------ starting */

void instance_start_continue(Instance *i)
{
        int fd = TAKE_FD(i->pending_secret_fd), r;

        if (fd < 0) {
                instance_spawn_or_fail(i);
                return;
        }
        r = instance_read_secret(i, fd);
        safe_close(fd);
        if (r < 0)
                instance_fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "could not read the secret: %s",
                                    r == -EBADFD ? "it must be a pipe, a socket, a memfd or a regular file"
                                                 : strerror(-r));
}

void instance_start(Instance *i, const InstanceStartParams *p)
{
        int r;

        if (p->fuse_fd >= 0 && (i->fuse_fd = fcntl(p->fuse_fd, F_DUPFD_CLOEXEC, 3)) < 0) {
                instance_fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "could not take the FUSE connection: %s",
                                    strerror(errno));
                return;
        }
        if (p->secret_fd >= 0 && (i->pending_secret_fd = fcntl(p->secret_fd, F_DUPFD_CLOEXEC, 3)) < 0) {
                instance_fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "could not read the secret: %s",
                                    strerror(errno));
                return;
        }
        i->start_time_usec = now_usec(CLOCK_REALTIME);
        OBSERVE(i, changed);
        if (i->mount_mode != MOUNT_PINNED) {
                instance_start_continue(i);
                return;
        }
        r = instance_mount_resolve(i);
        if (r < 0)
                instance_fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "mount point '%s': %s", i->mount_word,
                                    r == -EINVAL ? "not an absolute path" : strerror(-r));
}

void instance_release(Instance *i, int r, const char *message)
{
        if (r < 0 && i->unit) {
                instance_fail_start(i, FSP_ERROR_START_FAILED, "could not move %s/%s into %s: %s",
                                    i->class_name, i->name, i->unit, message);
                return;
        }
        if (r < 0)
                log_warning(
                        "%s/%s: could not give it a scope of its own (%s); it stays in the launcher's group",
                        i->class_name, i->name, message);
        if (i->go_fd >= 0) {
                (void) !write(i->go_fd, "g", 1);
                i->go_fd = safe_close(i->go_fd);
        }
}

/* ------------------------------------------------------------ the process ended */

void instance_process_exited(Instance *i, int status)
{
        char st[64];

        /* Read the answer and the last words before deciding anything. */
        while (instance_awaiting_answer(i) && instance_read_answer(i) == 0)
                ;
        instance_drain_output(i);
        instance_flush_output(i);

        /* Whatever it left in its process group goes too; the group's number is
         * still ours while the leader is unreaped. Then reap it. */
        (void) kill(-i->pid, SIGKILL);
        if (!i->adopted) {
                siginfo_t si;
                (void) waitid(P_PID, (id_t) i->pid, &si, WEXITED | WNOHANG);
        }
        i->pid = 0;
        i->last_exit_status = status;
        i->child_source = source_unref(i->child_source);
        instance_mount_release(i);

        /* The first start reports to its caller; a restart attempt just tries again. */
        if (i->state == INSTANCE_STARTING && !i->start_error_name &&
            (i->restarts == 0 || !i->class->recovery)) {
                instance_fail_start(i, FSP_ERROR_START_FAILED, "%s/%s exited with %s before it was ready",
                                    i->class_name, i->name, exit_text(status, st));
                return;
        }
        if (i->state == INSTANCE_RUNNING || i->state == INSTANCE_STARTING)
                log_full(status == 0 ? LOG_INFO : LOG_WARNING, "%s/%s: exited with %s", i->class_name,
                         i->name, exit_text(status, st));
        else
                log_info("%s/%s: stopped (%s)", i->class_name, i->name, exit_text(status, st));

        if (!i->stop_requested && !i->env->shutting_down && i->class->recovery && status != 0 &&
            i->mount_mode != MOUNT_PREMOUNTED && !(i->start_error_name && i->restarts == 0)) {
                if (i->ever_ready) {
                        i->ever_ready = false;
                        OBSERVE(i, ended, status);
                }
                instance_schedule_restart(i);
                return;
        }
        instance_finish(i, status);
}

/* ------------------------------------------------------------ stopping */

void instance_stop(Instance *i)
{
        i->stop_requested = true;
        switch (i->state) {
        case INSTANCE_RESTARTING:
                instance_finish(i, i->last_exit_status);
                return;
        case INSTANCE_STOPPING:
                return;
        case INSTANCE_STARTING:
                if (i->pid <= 0) {
                        /* Still checking the mount point or reading the secret: nothing runs yet. */
                        i->last_exit_status = 0;
                        instance_fail_start(i, FSP_ERROR_START_FAILED, "%s/%s was stopped before it started",
                                            i->class_name, i->name);
                        return;
                }
                if (!i->start_error_name) {
                        i->start_error_name = strdup(FSP_ERROR_START_FAILED);
                        (void) asprintf(&i->start_error_message, "%s/%s was stopped before it was ready",
                                        i->class_name, i->name);
                }
                break;
        case INSTANCE_RUNNING:
        default:
                break;
        }
        log_info("%s/%s: stopping", i->class_name, i->name);
        begin_termination(i);
}
