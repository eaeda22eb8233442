/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <fsp/cmdline.h>
#include <fsp/launch.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "launcher-instance.h"
#include "launcher-log.h"
#include "launcher-manager.h"
#include "launcher-spawn.h"
#include "launcher-systemd.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define ANSWER_MAX          256
#define WITHHELD_LINE       "[a line that contained the secret was withheld]"
#define RESTART_DELAY_FIRST (1 * USEC_PER_SEC)
#define RESTART_DELAY_MAX   (60 * USEC_PER_SEC)

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
        free(id->caller_name);
        free(id->caller_home);
        free(id->groups);
        free(id->user_name);
        free(id->home);
        *id = (InstanceIdentity){ 0 };
}

static uint64_t now_usec(clockid_t clock)
{
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

/* "5 min", "30 s", "1500 ms": for messages. */
static const char *duration_text(uint64_t usec, char buf[static 32])
{
        if (usec % USEC_PER_MINUTE == 0)
                snprintf(buf, 32, "%llu min", (unsigned long long) (usec / USEC_PER_MINUTE));
        else if (usec % USEC_PER_SEC == 0)
                snprintf(buf, 32, "%llu s", (unsigned long long) (usec / USEC_PER_SEC));
        else
                snprintf(buf, 32, "%llu ms", (unsigned long long) (usec / USEC_PER_MSEC));
        return buf;
}

/* 3 -> "status 3", 137 -> "signal 9 (Killed)". */
static const char *exit_text(int status, char buf[static 64])
{
        if (status > 128 && status < 128 + 65)
                snprintf(buf, 64, "signal %d (%s)", status - 128, strsignal(status - 128));
        else
                snprintf(buf, 64, "status %d", status);
        return buf;
}

static sd_event_source *source_unref(sd_event_source *s)
{
        if (s) {
                sd_event_source_set_enabled(s, SD_EVENT_OFF);
                sd_event_source_unref(s);
        }
        return NULL;
}

static bool needs_credentials(const Instance *i)
{
        return i->class->credentials != FSP_CREDENTIALS_NONE;
}

/* Whether text the file system wrote holds the secret it was given. */
static bool shows_secret(const Instance *i, const char *text)
{
        return i->secret && i->secret->size > 0 && strstr(text, i->secret->data);
}

/* ------------------------------------------------------------ creation */

int instance_new(Manager *m, FspClass *c, const char *name, char *const *args, const char *mount_point,
                 InstanceIdentity *identity, Instance **ret)
{
        Instance *i = calloc(1, sizeof(*i));
        if (!i)
                return -ENOMEM;

        i->manager = m;
        i->class = fsp_class_ref(c);
        i->stdout_fd = i->stderr_fd = i->error_fd = i->log_fd = i->go_fd = i->secret_source_fd = i->fuse_fd =
                -1;
        i->last_exit_status = -1;
        i->state = INSTANCE_STARTING;
        i->class_name = strdup(c->name);
        i->name = strdup(name);
        if (mount_point)
                i->mount_point = strdup(mount_point);
        if (!i->class_name || !i->name || (mount_point && !i->mount_point) ||
            strv_copy(args, &i->args) < 0) {
                instance_free(i);
                return -ENOMEM;
        }
        i->id = *identity;
        *identity = (InstanceIdentity){ 0 };
        manager_link_instance(m, i);
        *ret = i;
        return 0;
}

static void reply_pending_with_error(Instance *i, const char *name, const char *message)
{
        if (i->start_call) {
                sd_bus_reply_method_errorf(i->start_call, name, "%s", message);
                i->start_call = sd_bus_message_unref(i->start_call);
        }
        for (size_t k = 0; k < i->n_stop_calls; k++) {
                sd_bus_reply_method_errorf(i->stop_calls[k], name, "%s", message);
                sd_bus_message_unref(i->stop_calls[k]);
        }
        i->n_stop_calls = 0;
}

static void close_process_io(Instance *i)
{
        i->child_source = source_unref(i->child_source);
        i->stdout_source = source_unref(i->stdout_source);
        i->stderr_source = source_unref(i->stderr_source);
        i->error_source = source_unref(i->error_source);
        i->timer_source = source_unref(i->timer_source);
        i->credentials_source = source_unref(i->credentials_source);
        i->attach_slot = sd_bus_slot_unref(i->attach_slot);
        i->stdout_fd = safe_close(i->stdout_fd);
        i->stderr_fd = safe_close(i->stderr_fd);
        i->error_fd = safe_close(i->error_fd);
        i->log_fd = safe_close(i->log_fd);
        i->go_fd = safe_close(i->go_fd);
}

void instance_free(Instance *i)
{
        if (!i)
                return;
        reply_pending_with_error(i, FSP_ERROR_START_FAILED, "the launcher is shutting down");
        close_process_io(i);
        i->secret_source = source_unref(i->secret_source);
        i->secret_source_fd = safe_close(i->secret_source_fd);
        i->fuse_fd = safe_close(i->fuse_fd);
        i->secret = fsp_secret_free(i->secret);
        if (i->manager && (i->prev || i->next || i->manager->instances == i))
                manager_unlink_instance(i->manager, i);
        erase_and_free(i->answer, ANSWER_MAX);
        free(i->stop_calls);
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

/* ------------------------------------------------------------ output */

/* A line that carries the secret is never passed on, whatever the file system prints. */
static void output_line(Instance *i, bool is_stderr, const char *line)
{
        if (shows_secret(i, line))
                line = WITHHELD_LINE;
        /* Its last words are only ever told to a start call still waiting. */
        if (i->start_call)
                last_lines_add(&i->last_lines, line);
        if (i->log_fd >= 0) {
                dprintf(i->log_fd, "%s\n", line);
                return;
        }
        OutputTarget t = {
                .identifier = i->class_name,
                .class_name = i->class_name,
                .instance = i->name,
                .pid = i->pid,
                .unit = i->unit,
        };
        output_forward_line(&t, is_stderr, line);
}

static void stdout_line(void *userdata, const char *line)
{
        output_line(userdata, false, line);
}

static void stderr_line(void *userdata, const char *line)
{
        output_line(userdata, true, line);
}

/* A line still being written that holds the secret goes out withheld now, while the secret is known. */
static void screen_partial_line(Instance *i, LineBuffer *b, bool is_stderr)
{
        if (i->secret && i->secret->size > 0 && b->size > 0 &&
            memmem(b->data, b->size, i->secret->data, i->secret->size)) {
                b->size = 0;
                output_line(i, is_stderr, WITHHELD_LINE);
        }
}

/* What is in the pipes now; a child the instance left may still hold them open. */
static void drain_output(Instance *i)
{
        while (i->stdout_fd >= 0 && output_read_lines(i->stdout_fd, &i->stdout_buf, stdout_line, i) > 0)
                ;
        while (i->stderr_fd >= 0 && output_read_lines(i->stderr_fd, &i->stderr_buf, stderr_line, i) > 0)
                ;
}

/* ------------------------------------------------------------ failing a start */

static void instance_kill(Instance *i, int sig)
{
        if (i->pid <= 0)
                return;
        /* The instance leads its own process group; before setsid() it has none yet. */
        if (kill(-i->pid, sig) < 0)
                (void) kill(i->pid, sig);
}

static int on_stop_timeout(sd_event_source *s, uint64_t usec, void *userdata);

static void begin_termination(Instance *i)
{
        i->state = INSTANCE_STOPPING;
        i->timer_source = source_unref(i->timer_source);
        i->credentials_source = source_unref(i->credentials_source);
        /* A child still waiting to be released gives up when the pipe closes. */
        i->go_fd = safe_close(i->go_fd);
        if (i->pid <= 0)
                return;
        instance_kill(i, SIGTERM);
        sd_event_add_time_relative(i->manager->event, &i->timer_source, CLOCK_MONOTONIC,
                                   i->class->stop_timeout_usec, 0, on_stop_timeout, i);
}

static void finish(Instance *i, int status);

/*
 * The start failed: remember why, make sure the process is gone, and only
 * then answer the caller, so an error means nothing is left running.
 */
_printf_(3, 4) static void fail_start(Instance *i, const char *error_name, const char *fmt, ...)
{
        va_list ap;

        if (i->start_error_name)
                return; /* the first reason is the one reported */
        i->start_error_name = strdup(error_name);
        va_start(ap, fmt);
        if (vasprintf(&i->start_error_message, fmt, ap) < 0)
                i->start_error_message = NULL;
        va_end(ap);
        log_warning("%s/%s: start failed: %s", i->class_name, i->name, strempty(i->start_error_message));

        if (i->pid > 0)
                begin_termination(i);
        else
                finish(i, i->last_exit_status);
}

/* ------------------------------------------------------------ readiness */

static void became_ready(Instance *i)
{
        char ms[32];

        i->state = INSTANCE_RUNNING;
        i->ever_ready = true;
        i->timer_source = source_unref(i->timer_source);
        i->credentials_source = source_unref(i->credentials_source);
        if (!i->class->recovery) {
                /* What it printed before its OK is screened for the secret before the secret goes. */
                drain_output(i);
                screen_partial_line(i, &i->stdout_buf, false);
                screen_partial_line(i, &i->stderr_buf, true);
                i->secret = fsp_secret_free(i->secret);
        }
        snprintf(ms, sizeof(ms), "%.1f ms",
                 (double) (now_usec(CLOCK_REALTIME) - i->start_time_usec) / 1000.0);
        log_info("%s/%s: ready (pid %d, %s)", i->class_name, i->name, (int) i->pid, ms);
        if (i->start_call) {
                sd_bus_reply_method_return(i->start_call, NULL);
                i->start_call = sd_bus_message_unref(i->start_call);
        }
        manager_emit_instance_started(i->manager, i);
        manager_instances_changed(i->manager);
}

static void check_ready(Instance *i)
{
        if (i->state != INSTANCE_STARTING || i->start_error_name || i->pid <= 0 || !i->exec_done)
                return;
        if (needs_credentials(i) && !i->answered_ok)
                return;
        if (i->mount_point && !i->notified && (i->premounted || !i->mounted))
                return;
        became_ready(i);
}

void instance_notify(Instance *i, const char *message)
{
        char *copy = strdupa(message), *save = NULL;

        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (streq(line, "READY=1")) {
                        i->notified = true;
                        check_ready(i);
                } else if (strneq(line, "STATUS=", 7))
                        (void) free_and_strdup(&i->status_text, line + 7);
        }
}

void instance_mounts_changed(Instance *i)
{
        int r;

        if (i->state != INSTANCE_STARTING || !i->mount_point || i->mounted || i->premounted)
                return;
        r = mount_find_new(i->mount_point, &i->mounts_before, NULL);
        if (r > 0) {
                i->mounted = true;
                check_ready(i);
        }
}

static int on_start_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        Instance *i = userdata;
        char d[32];

        fail_start(i, FSP_ERROR_TIMEOUT, "%s/%s was not ready within %s (StartTimeout=); it was stopped",
                   i->class_name, i->name, duration_text(i->class->start_timeout_usec, d));
        return 0;
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

/* ------------------------------------------------------------ credentials */

/* 1: the answer is OK, 0: not complete yet, -1: anything else. */
static int answer_verdict(const char *a, size_t n)
{
        const char *nl = memchr(a, '\n', n);

        if (nl) {
                size_t len = (size_t) (nl - a);
                if (len > 0 && a[len - 1] == '\r')
                        len--;
                return len == 2 && a[0] == 'O' && a[1] == 'K' ? 1 : -1;
        }
        if (n == 2 && a[0] == 'O' && a[1] == 'K')
                return 1; /* WinFsp file systems may answer without a newline */
        if (n == 0 || (n == 1 && a[0] == 'O'))
                return 0;
        if (n == 3 && a[0] == 'O' && a[1] == 'K' && a[2] == '\r')
                return 0;
        return n >= ANSWER_MAX ? -1 : 0;
}

/* The first line of a refusal, for the error message. */
static char *answer_line(const Instance *i)
{
        size_t n = i->answer_size;
        const char *nl = memchr(i->answer, '\n', n);
        if (nl)
                n = (size_t) (nl - i->answer);
        if (n > 0 && i->answer[n - 1] == '\r')
                n--;
        char *s = strndup(i->answer, n);
        if (s && shows_secret(i, s)) {
                free(s);
                s = strdup("(an answer that contained the secret, not shown)");
        }
        return s;
}

static void refuse(Instance *i)
{
        _cleanup_free_ char *line = answer_line(i);
        if (isempty(line))
                fail_start(i, FSP_ERROR_AUTHENTICATION_FAILED,
                           "%s/%s refused the credentials (it closed its output without answering OK)",
                           i->class_name, i->name);
        else
                fail_start(i, FSP_ERROR_AUTHENTICATION_FAILED, "%s/%s refused the credentials: %s",
                           i->class_name, i->name, line);
}

/*
 * Read the answer to the credentials: 1 once it is decided, 0 while it is
 * incomplete, -EAGAIN when nothing more is there now. At exit, silence is
 * not a refusal: the exit itself is reported.
 */
static int read_answer(Instance *i, bool at_exit)
{
        ssize_t k = read(i->stdout_fd, i->answer + i->answer_size, ANSWER_MAX - i->answer_size);
        int verdict;

        if (k < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return -EAGAIN;
                refuse(i);
                return 1;
        }
        if (k == 0) {
                if (answer_verdict(i->answer, i->answer_size) == 1)
                        goto accepted;
                if (!(at_exit && i->answer_size == 0))
                        refuse(i);
                return 1;
        }
        i->answer_size += (size_t) k;
        verdict = answer_verdict(i->answer, i->answer_size);
        if (verdict == 0)
                return 0;
        if (verdict < 0) {
                refuse(i);
                return 1;
        }
accepted:
        i->answered_ok = true;
        i->credentials_source = source_unref(i->credentials_source);
        log_info("%s/%s: credentials accepted", i->class_name, i->name);
        {
                /* Whatever followed the answer is ordinary output. */
                const char *nl = memchr(i->answer, '\n', i->answer_size);
                if (nl)
                        output_feed(&i->stdout_buf, nl + 1, i->answer_size - (size_t) (nl + 1 - i->answer),
                                    stdout_line, i);
        }
        check_ready(i);
        return 1;
}

static bool awaiting_answer(const Instance *i)
{
        return needs_credentials(i) && !i->answered_ok && !i->start_error_name && i->stdout_fd >= 0 &&
               i->answer;
}

static int on_credentials_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        Instance *i = userdata;
        char d[32];

        i->credentials_source = source_unref(i->credentials_source);
        if (i->answer && i->answer_size > 0 && !i->answered_ok)
                refuse(i);
        else
                fail_start(i, FSP_ERROR_TIMEOUT,
                           "%s/%s did not answer the credentials within %s (CredentialsTimeout=); it was "
                           "stopped",
                           i->class_name, i->name, duration_text(i->class->credentials_timeout_usec, d));
        return 0;
}

/* ------------------------------------------------------------ process events */

static int on_stdout(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Instance *i = userdata;
        int r;

        if (awaiting_answer(i)) {
                (void) read_answer(i, false);
                return 0;
        }
        r = output_read_lines(fd, &i->stdout_buf, stdout_line, i);
        if (r <= 0 && r != -EAGAIN)
                i->stdout_source = source_unref(i->stdout_source);
        return 0;
}

static int on_stderr(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Instance *i = userdata;
        int r = output_read_lines(fd, &i->stderr_buf, stderr_line, i);

        if (r <= 0 && r != -EAGAIN)
                i->stderr_source = source_unref(i->stderr_source);
        return 0;
}

/* The exec-error pipe: EOF alone means exec succeeded. */
static int on_exec_result(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Instance *i = userdata;
        SpawnFailure f;
        ssize_t k = read(fd, &f, sizeof(f));

        if (k < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        i->error_source = source_unref(i->error_source);
        i->error_fd = safe_close(i->error_fd);
        if (k == (ssize_t) sizeof(f)) {
                errno = f.error;
                fail_start(i, FSP_ERROR_START_FAILED, "%s/%s: could not %s %s: %m", i->class_name, i->name,
                           spawn_stage_to_string(f.stage),
                           f.stage == SPAWN_STAGE_EXEC    ? i->argv[0]
                           : f.stage == SPAWN_STAGE_CHDIR ? i->class->work_directory
                                                          : "");
                return 0;
        }
        i->exec_done = true;
        check_ready(i);
        return 0;
}

static void schedule_restart(Instance *i);

static int encode_status(const siginfo_t *si)
{
        return si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status;
}

/* The process ended (status -1: unknown, for an adopted one). Decide what follows. */
static void process_exited(Instance *i, int status)
{
        pid_t pid = i->pid;
        char st[64];
        bool requested = i->n_stop_calls > 0 || i->manager->shutting_down;

        /* Read the exec result, the answer and the last words before deciding anything. */
        if (i->error_source)
                on_exec_result(i->error_source, i->error_fd, EPOLLIN, i);
        while (awaiting_answer(i) && read_answer(i, true) == 0)
                ;
        drain_output(i);

        /* Whatever it left in its process group goes too; the group's number is
         * still ours while the leader is unreaped. Then reap it. */
        (void) kill(-pid, SIGKILL);
        if (!i->adopted && i->child_source) {
                siginfo_t si;
                (void) waitid(P_PIDFD, sd_event_source_get_io_fd(i->child_source), &si, WEXITED | WNOHANG);
        }
        i->pid = 0;
        i->last_exit_status = status;
        i->child_source = source_unref(i->child_source);
        if (i->mount_point) {
                int r = mount_detach_fuse(i->mount_point,
                                          i->adopted || i->premounted ? NULL : &i->mounts_before);
                if (r > 0)
                        log_info("%s/%s: detached the FUSE mount it left at %s", i->class_name, i->name,
                                 i->mount_point);
        }

        if (i->state == INSTANCE_STARTING && !i->start_error_name &&
            (i->start_call || !i->class->recovery)) {
                fail_start(i, FSP_ERROR_START_FAILED, "%s/%s exited with %s before it was ready",
                           i->class_name, i->name, exit_text(status, st));
                return;
        }
        if (i->state == INSTANCE_RUNNING || i->state == INSTANCE_STARTING)
                log_full(status == 0 ? LOG_INFO : LOG_WARNING, "%s/%s: exited with %s", i->class_name,
                         i->name, exit_text(status, st));
        else
                log_info("%s/%s: stopped (%s)", i->class_name, i->name, exit_text(status, st));

        if (!requested && !i->start_call && i->class->recovery && status != 0 && !i->premounted) {
                if (i->ever_ready)
                        manager_emit_instance_stopped(i->manager, i, status);
                i->ever_ready = false;
                schedule_restart(i);
                return;
        }
        finish(i, status);
}

/*
 * The pidfd, watched edge-triggered: every wake-up is seen. A child that has
 * exited may not be waitable yet (while a tracer such as a debugger or
 * LeakSanitizer still holds it); the wake-up when it becomes waitable comes
 * later, and a one-shot watch would have missed it.
 */
static int on_pidfd(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Instance *i = userdata;
        siginfo_t si = { 0 };

        if (i->adopted) { /* not our child: gone is all we can know */
                process_exited(i, -1);
                return 0;
        }
        if (waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
                if (errno == ECHILD)
                        process_exited(i, -1);
                return 0;
        }
        if (si.si_pid == 0)
                return 0;
        process_exited(i, encode_status(&si));
        return 0;
}

static int watch_process(Instance *i, int pidfd)
{
        int r = sd_event_add_io(i->manager->event, &i->child_source, pidfd, EPOLLIN | EPOLLET, on_pidfd, i);
        if (r < 0) {
                close(pidfd);
                return r;
        }
        return sd_event_source_set_io_fd_own(i->child_source, true);
}

void instance_adopt(Instance *i, pid_t pid, int pidfd, int stdout_fd, int stderr_fd)
{
        sd_event *e = i->manager->event;

        i->adopted = true;
        i->pid = i->recorded_pid = pid;
        i->state = INSTANCE_RUNNING;
        i->ever_ready = i->exec_done = true;
        (void) watch_process(i, pidfd);
        i->stdout_fd = stdout_fd;
        i->stderr_fd = stderr_fd;
        if (stdout_fd >= 0) {
                (void) fcntl(stdout_fd, F_SETFL, O_NONBLOCK);
                sd_event_add_io(e, &i->stdout_source, stdout_fd, EPOLLIN, on_stdout, i);
        }
        if (stderr_fd >= 0) {
                (void) fcntl(stderr_fd, F_SETFL, O_NONBLOCK);
                sd_event_add_io(e, &i->stderr_source, stderr_fd, EPOLLIN, on_stderr, i);
        }
}

/* The process is gone: answer everyone, announce, forget. */
static void finish(Instance *i, int status)
{
        if (i->start_call) {
                _cleanup_free_ char *words = last_lines_format(&i->last_lines);
                const char *name = i->start_error_name ? i->start_error_name : FSP_ERROR_START_FAILED;
                const char *msg = i->start_error_message ? i->start_error_message : "the start failed";
                bool show_words = !streq(name, FSP_ERROR_AUTHENTICATION_FAILED) && !isempty(words);

                sd_bus_reply_method_errorf(i->start_call, name, "%s%s%s", msg,
                                           show_words ? ". Its last output:" : "", show_words ? words : "");
                i->start_call = sd_bus_message_unref(i->start_call);
        }
        for (size_t k = 0; k < i->n_stop_calls; k++) {
                sd_bus_reply_method_return(i->stop_calls[k], "i", status);
                sd_bus_message_unref(i->stop_calls[k]);
        }
        i->n_stop_calls = 0;
        if (i->ever_ready)
                manager_emit_instance_stopped(i->manager, i, status);
        Manager *m = i->manager;
        instance_free(i);
        manager_instances_changed(m);
}

/* ------------------------------------------------------------ spawning */

static char **build_environment(Instance *i)
{
        const char *lang = getenv("LANG");
        char **env = calloc(16, sizeof(char *));
        size_t n = 0;

        if (!env)
                return NULL;
#define ADD(...)                                          \
        do {                                              \
                if (asprintf(&env[n], __VA_ARGS__) < 0) { \
                        env[n] = NULL;                    \
                        return strv_free(env);            \
                }                                         \
                n++;                                      \
        } while (0)
        ADD("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        ADD("HOME=%s", i->id.home ? i->id.home : "/");
        if (i->id.user_name) {
                ADD("USER=%s", i->id.user_name);
                ADD("LOGNAME=%s", i->id.user_name);
        }
        if (lang)
                ADD("LANG=%s", lang);
        ADD("NOTIFY_SOCKET=%s", i->manager->notify_socket);
        ADD("WINFSP_CLASS=%s", i->class_name);
        ADD("WINFSP_INSTANCE=%s", i->name);
        if (i->manager->user_mode) {
                const char *e;
                if ((e = getenv("XDG_RUNTIME_DIR")))
                        ADD("XDG_RUNTIME_DIR=%s", e);
                if ((e = getenv("DBUS_SESSION_BUS_ADDRESS")))
                        ADD("DBUS_SESSION_BUS_ADDRESS=%s", e);
        }
#undef ADD
        return env;
}

static FspExpandContext expand_context(const Instance *i)
{
        return (FspExpandContext){
                .executable = i->class->executable,
                .args = i->args,
                .user = i->id.caller_name,
                .home = i->id.caller_home,
                .realtime_usec = i->start_time_usec,
                .class_name = i->class_name,
                .instance = i->name,
        };
}

/* argv = Executable followed by the expanded CommandLine words. */
static int build_argv(Instance *i, char **ret_error)
{
        FspExpandContext ctx = expand_context(i);
        _cleanup_strv_free_ char **words = NULL;
        FspError e;
        char **argv;
        size_t n;
        int r;

        r = fsp_cmdline_expand(i->class->command_line, &ctx, &words, &e);
        if (r < 0) {
                *ret_error = strdup(e.text);
                return r;
        }
        n = strv_length(words);
        argv = calloc(n + 2, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        argv[0] = strdup(i->class->executable);
        if (!argv[0]) {
                free(argv);
                return -ENOMEM;
        }
        for (size_t k = 0; k < n; k++)
                argv[k + 1] = TAKE_PTR(words[k]);
        strv_free(i->argv);
        i->argv = argv;
        return 0;
}

/* Stderr=path: the file, appended to, created 0600 and owned by the instance's user. */
static int open_log_file(Instance *i, char **ret_error)
{
        FspExpandContext ctx = expand_context(i);
        _cleanup_free_ char *path = NULL;
        FspError e;
        int fd, r;

        r = fsp_template_expand(i->class->stderr_path, &ctx, &path, &e);
        if (r < 0)
                return asprintf(ret_error, "Stderr=: %s", e.text) < 0 ? -ENOMEM : r;
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
        if (fd < 0) {
                r = -errno;
                return asprintf(ret_error, "cannot open Stderr=%s: %s", path, strerror(-r)) < 0 ? -ENOMEM
                                                                                                : r;
        }
        if (i->id.change_user)
                (void) fchown(fd, i->id.uid, i->id.gid);
        i->log_fd = fd;
        return 0;
}

static int make_pipe(int ret[2], bool parent_reads)
{
        if (pipe2(ret, O_CLOEXEC) < 0)
                return -errno;
        (void) fcntl(ret[parent_reads ? 0 : 1], F_SETFL, O_NONBLOCK);
        return 0;
}

static void reset_process_state(Instance *i)
{
        i->exec_done = i->notified = i->mounted = i->answered_ok = false;
        i->answer_size = 0;
        i->stdout_buf.size = i->stderr_buf.size = 0;
        last_lines_clear(&i->last_lines);
        free(i->status_text);
        i->status_text = NULL;
}

static int spawn(Instance *i, char **ret_error)
{
        _cleanup_close_pair_ int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 },
                                 go[2] = { -1, -1 };
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_close_ int devnull = -1;
        bool place = systemd_should_place(i->manager, i);
        sd_event *e = i->manager->event;
        int r;

        reset_process_state(i);
        i->start_time_usec = now_usec(CLOCK_REALTIME);
        r = build_argv(i, ret_error);
        if (r < 0)
                return r;
        if (i->class->stderr_path && (r = open_log_file(i, ret_error)) < 0)
                return r;
        env = build_environment(i);
        if (!env)
                return -ENOMEM;
        if (needs_credentials(i)) {
                if ((r = make_pipe(in, false)) < 0)
                        return r;
                if (!i->answer && !(i->answer = calloc(1, ANSWER_MAX)))
                        return -ENOMEM;
        } else if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
                return -errno;
        if ((r = make_pipe(out, true)) < 0 || (r = make_pipe(err, true)) < 0)
                return r;
        if (place && pipe2(go, O_CLOEXEC) < 0)
                return -errno;
        if (i->mount_point && !i->premounted)
                (void) mount_snapshot(i->mount_point, &i->mounts_before);

        SpawnParams p = {
                .path = i->class->executable,
                .argv = i->argv,
                .envp = env,
                .change_user = i->id.change_user,
                .uid = i->id.uid,
                .gid = i->id.gid,
                .groups = i->id.groups,
                .n_groups = i->id.n_groups,
                .work_directory = i->class->work_directory,
                .stdin_fd = in[0] >= 0 ? in[0] : devnull,
                .stdout_fd = out[1],
                .stderr_fd = err[1],
                .fd3 = i->fuse_fd,
                .die_with_parent = i->class->job_control,
                .go_fd = go[0],
        };
        r = spawn_process(&p, &i->pid, &i->error_fd);
        if (r < 0)
                return r;
        /* The file system holds the connection now; a restart could not resume it. */
        i->fuse_fd = safe_close(i->fuse_fd);
        i->stdout_fd = TAKE_FD(out[0]);
        i->stderr_fd = TAKE_FD(err[0]);
        i->go_fd = TAKE_FD(go[1]);
        log_info("%s/%s: started %s as pid %d", i->class_name, i->name, i->argv[0], (int) i->pid);

        int pidfd = (int) syscall(SYS_pidfd_open, i->pid, 0);
        if (pidfd < 0) {
                /* Cannot watch it: do not leave it running, nor a zombie. */
                r = -errno;
                instance_kill(i, SIGKILL);
                (void) waitpid(i->pid, NULL, 0);
                i->pid = 0;
                return r;
        }
        if ((r = watch_process(i, pidfd)) < 0 ||
            (r = sd_event_add_io(e, &i->error_source, i->error_fd, EPOLLIN, on_exec_result, i)) < 0 ||
            (r = sd_event_add_io(e, &i->stdout_source, i->stdout_fd, EPOLLIN, on_stdout, i)) < 0 ||
            (r = sd_event_add_io(e, &i->stderr_source, i->stderr_fd, EPOLLIN, on_stderr, i)) < 0 ||
            (r = sd_event_add_time_relative(e, &i->timer_source, CLOCK_MONOTONIC,
                                            i->class->start_timeout_usec, 0, on_start_timeout, i)) < 0) {
                instance_kill(i, SIGKILL);
                return r;
        }
        if (needs_credentials(i)) {
                r = fsp_secret_write(i->secret, in[1]); /* then EOF: it reads to the end */
                in[1] = safe_close(in[1]);
                if (r < 0)
                        log_warning_errno(r, "%s/%s: could not pass the credentials: %m", i->class_name,
                                          i->name);
                sd_event_add_time_relative(e, &i->credentials_source, CLOCK_MONOTONIC,
                                           i->class->credentials_timeout_usec, 0, on_credentials_timeout, i);
        }
        if (place)
                systemd_place_instance(i->manager, i);
        return 0;
}

void instance_placed(Instance *i, int r, const char *message)
{
        if (r < 0 && i->unit) {
                fail_start(i, FSP_ERROR_START_FAILED, "could not move %s/%s into %s: %s", i->class_name,
                           i->name, i->unit, message);
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

static void spawn_or_fail(Instance *i)
{
        _cleanup_free_ char *why = NULL;
        int r = spawn(i, &why);

        if (r >= 0)
                return;
        if (why)
                fail_start(i, FSP_ERROR_START_FAILED, "%s/%s: %s", i->class_name, i->name, why);
        else
                fail_start(i, FSP_ERROR_START_FAILED, "%s/%s: could not start: %s", i->class_name, i->name,
                           strerror(-r));
}

int instance_set_fuse_fd(Instance *i, int fd)
{
        i->fuse_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (i->fuse_fd < 0)
                return -errno;
        i->premounted = true;
        return 0;
}

/* ------------------------------------------------------------ the secret from the client */

static int on_secret(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Instance *i = userdata;
        ssize_t k = read(fd, i->secret->data + i->secret->size, FSP_SECRET_MAX + 1 - i->secret->size);

        if (k < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (k > 0) {
                i->secret->size += (size_t) k;
                if (i->secret->size <= FSP_SECRET_MAX)
                        return 0;
        }
        i->secret_source = source_unref(i->secret_source);
        i->secret_source_fd = safe_close(i->secret_source_fd);
        i->credentials_source = source_unref(i->credentials_source);
        if (k < 0) {
                fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "could not read the secret: %s", strerror(errno));
                return 0;
        }
        if (i->secret->size > FSP_SECRET_MAX) {
                fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "the secret is longer than %d bytes",
                           FSP_SECRET_MAX);
                return 0;
        }
        i->secret->data[i->secret->size] = 0;
        if (memchr(i->secret->data, '\n', i->secret->size) || strlen(i->secret->data) != i->secret->size) {
                fail_start(i, FSP_ERROR_INVALID_ARGUMENT,
                           "the secret contains a newline or a NUL byte; it must be one line of UTF-8");
                return 0;
        }
        spawn_or_fail(i);
        return 0;
}

static int on_secret_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        Instance *i = userdata;
        char d[32];

        i->credentials_source = source_unref(i->credentials_source);
        i->secret_source = source_unref(i->secret_source);
        i->secret_source_fd = safe_close(i->secret_source_fd);
        fail_start(i, FSP_ERROR_TIMEOUT, "the secret did not reach its end within %s",
                   duration_text(i->class->credentials_timeout_usec, d));
        return 0;
}

/* The client's fd may be a pipe it never closes: read it like any other event source. */
static int begin_reading_secret(Instance *i, int fd)
{
        int r;

        i->secret_source_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (i->secret_source_fd < 0)
                return -errno;
        (void) fcntl(i->secret_source_fd, F_SETFL, O_NONBLOCK);
        r = fsp_secret_new(&i->secret);
        if (r < 0)
                return r;
        r = sd_event_add_io(i->manager->event, &i->secret_source, i->secret_source_fd, EPOLLIN, on_secret,
                            i);
        if (r < 0)
                return r;
        return sd_event_add_time_relative(i->manager->event, &i->credentials_source, CLOCK_MONOTONIC,
                                          i->class->credentials_timeout_usec, 0, on_secret_timeout, i);
}

void instance_start(Instance *i, sd_bus_message *call, int secret_fd, const char *unit)
{
        int r;

        if (call)
                i->start_call = sd_bus_message_ref(call);
        if (unit && !(i->unit = strdup(unit))) {
                fail_start(i, FSP_ERROR_START_FAILED, "out of memory");
                return;
        }
        i->start_time_usec = now_usec(CLOCK_REALTIME);
        manager_instances_changed(i->manager);
        if (secret_fd < 0) {
                spawn_or_fail(i);
                return;
        }
        r = begin_reading_secret(i, secret_fd);
        if (r < 0)
                fail_start(i, FSP_ERROR_INVALID_ARGUMENT, "could not read the secret: %s", strerror(-r));
}

/* ------------------------------------------------------------ recovery */

static int on_restart(sd_event_source *s, uint64_t usec, void *userdata)
{
        Instance *i = userdata;

        i->timer_source = source_unref(i->timer_source);
        free(i->start_error_name);
        free(i->start_error_message);
        i->start_error_name = i->start_error_message = NULL;
        i->restarts++;
        i->state = INSTANCE_STARTING;
        log_info("%s/%s: restarting (restart %u)", i->class_name, i->name, i->restarts);
        spawn_or_fail(i);
        return 0;
}

/* Back-off 1 s doubling to 1 min; give up past RecoveryBurst restarts in RecoveryInterval. */
static void schedule_restart(Instance *i)
{
        uint64_t t = now_usec(CLOCK_MONOTONIC), delay = RESTART_DELAY_FIRST;
        unsigned kept = 0;
        char d[32];

        close_process_io(i);
        for (unsigned k = 0; k < i->n_restart_times; k++)
                if (t - i->restart_times[k] < i->class->recovery_interval_usec)
                        i->restart_times[kept++] = i->restart_times[k];
        i->n_restart_times = kept;
        if (kept >= i->class->recovery_burst || kept >= RECOVERY_HISTORY_MAX) {
                log_error("%s/%s: failed %u times within %s (RecoveryBurst=, RecoveryInterval=); giving up",
                          i->class_name, i->name, kept + 1,
                          duration_text(i->class->recovery_interval_usec, d));
                finish(i, i->last_exit_status);
                return;
        }
        for (unsigned k = 0; k < kept && delay < RESTART_DELAY_MAX; k++)
                delay *= 2;
        delay = MIN(delay, RESTART_DELAY_MAX);
        i->restart_times[i->n_restart_times++] = t;
        i->state = INSTANCE_RESTARTING;
        log_notice("%s/%s: restarting in %s", i->class_name, i->name, duration_text(delay, d));
        sd_event_add_time_relative(i->manager->event, &i->timer_source, CLOCK_MONOTONIC, delay, 0,
                                   on_restart, i);
        manager_instances_changed(i->manager);
}

/* ------------------------------------------------------------ stopping */

void instance_stop(Instance *i, sd_bus_message *call)
{
        if (call) {
                sd_bus_message **c = realloc(i->stop_calls, (i->n_stop_calls + 1) * sizeof(*c));
                if (!c) {
                        sd_bus_reply_method_errorf(call, FSP_ERROR_START_FAILED, "out of memory");
                        return;
                }
                i->stop_calls = c;
                i->stop_calls[i->n_stop_calls++] = sd_bus_message_ref(call);
        }
        switch (i->state) {
        case INSTANCE_RESTARTING:
                finish(i, i->last_exit_status);
                return;
        case INSTANCE_STOPPING:
                return;
        case INSTANCE_STARTING:
                if (i->pid <= 0) {
                        /* Still reading the secret: nothing runs yet. */
                        i->start_error_name = strdup(FSP_ERROR_START_FAILED);
                        (void) asprintf(&i->start_error_message, "%s/%s was stopped before it started",
                                        i->class_name, i->name);
                        finish(i, 0);
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
        manager_instances_changed(i->manager);
}
