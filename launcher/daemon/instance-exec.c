/* SPDX-License-Identifier: MIT */
/*
 * The instance's process: its argv (the class's CommandLine expanded), its
 * environment, Stderr=, the spawn, and watching it (pidfd, output pipes,
 * the exec-error pipe).
 */
#include <fcntl.h>
#include <fsp/cmdline.h>
#include <fsp/launch.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "instance-internal.h"
#include "children.h"
#include "log.h"
#include "spawn.h"

/* ------------------------------------------------------------ output */

/* A line that passed the screen: to the journal or Stderr=, and kept as its last words while starting. */
static void forward_line(Instance *i, bool is_stderr, const char *line)
{

        if (i->state == INSTANCE_STARTING || i->state == INSTANCE_STOPPING)
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
                .uid = i->id.uid,
                .gid = i->id.gid,
        };
        output_forward_line(&t, is_stderr, line);
}

static void forward_stdout(void *userdata, const char *line)
{
        forward_line(userdata, false, line);
}

static void forward_stderr(void *userdata, const char *line)
{
        forward_line(userdata, true, line);
}

static int on_hold_over(sd_event_source *s, uint64_t usec, void *userdata);

/* Held lines are let go when they have waited SCREEN_HOLD_USEC: wake up then. */
static void arm_hold_timer(Instance *i)
{
        uint64_t due = MIN(screen_stream_due(&i->stdout_screen), screen_stream_due(&i->stderr_screen));

        if (due == UINT64_MAX) {
                i->hold_source = source_unref(i->hold_source);
                return;
        }
        if (i->hold_source) {
                (void) sd_event_source_set_time(i->hold_source, due);
                (void) sd_event_source_set_enabled(i->hold_source, SD_EVENT_ONESHOT);
        } else if (sd_event_add_time(i->env->event, &i->hold_source, CLOCK_MONOTONIC, due, 0, on_hold_over, i) < 0)
                instance_flush_output(i); /* no timer: nothing may wait for one */
}

static int on_hold_over(sd_event_source *s, uint64_t usec, void *userdata)
{
        Instance *i = userdata;
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) - SCREEN_HOLD_USEC + 1;

        screen_stream_release(&i->stdout_screen, deadline, forward_stdout, i);
        screen_stream_release(&i->stderr_screen, deadline, forward_stderr, i);
        arm_hold_timer(i);
        return 0;
}

void instance_flush_output(Instance *i)
{
        screen_stream_release(&i->stdout_screen, UINT64_MAX, forward_stdout, i);
        screen_stream_release(&i->stderr_screen, UINT64_MAX, forward_stderr, i);
        i->hold_source = source_unref(i->hold_source);
}

/* A complete line the program wrote: through the secret's screen. */
static void stdout_line(void *userdata, const char *line)
{
        Instance *i = userdata;

        screen_stream_line(&i->stdout_screen, &i->screen, line, now_usec(CLOCK_MONOTONIC), forward_stdout, i);
        arm_hold_timer(i);
}

static void stderr_line(void *userdata, const char *line)
{
        Instance *i = userdata;

        screen_stream_line(&i->stderr_screen, &i->screen, line, now_usec(CLOCK_MONOTONIC), forward_stderr, i);
        arm_hold_timer(i);
}

void instance_feed_stdout(Instance *i, const char *data, size_t n)
{
        output_feed(&i->stdout_buf, data, n, stdout_line, i);
}

void instance_drain_output(Instance *i)
{
        /* A child the instance left may still hold the pipes open: read what is there now. */
        while (i->stdout_fd >= 0 && output_read_lines(i->stdout_fd, &i->stdout_buf, stdout_line, i) > 0)
                ;
        while (i->stderr_fd >= 0 && output_read_lines(i->stderr_fd, &i->stderr_buf, stderr_line, i) > 0)
                ;
}

static int on_stdout(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Instance *i = userdata;
        int r;

        if (instance_awaiting_answer(i)) {
                (void) instance_read_answer(i);
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

int instance_watch_output(Instance *i)
{
        int r = 0;

        if (i->stdout_fd >= 0) {
                (void) fcntl(i->stdout_fd, F_SETFL, O_NONBLOCK);
                r = sd_event_add_io(i->env->event, &i->stdout_source, i->stdout_fd, EPOLLIN, on_stdout, i);
        }
        if (r >= 0 && i->stderr_fd >= 0) {
                (void) fcntl(i->stderr_fd, F_SETFL, O_NONBLOCK);
                r = sd_event_add_io(i->env->event, &i->stderr_source, i->stderr_fd, EPOLLIN, on_stderr, i);
        }
        return r;
}

void instance_close_process_io(Instance *i)
{
        if (i->pid > 0 && !i->adopted)
                children_forget(i->pid);
        i->child_source = source_unref(i->child_source);
        i->stdout_source = source_unref(i->stdout_source);
        i->stderr_source = source_unref(i->stderr_source);
        i->error_source = source_unref(i->error_source);
        i->timer_source = source_unref(i->timer_source);
        i->credentials_source = source_unref(i->credentials_source);
        i->hold_source = source_unref(i->hold_source);
        i->stdout_fd = safe_close(i->stdout_fd);
        i->stderr_fd = safe_close(i->stderr_fd);
        i->error_fd = safe_close(i->error_fd);
        i->log_fd = safe_close(i->log_fd);
        i->go_fd = safe_close(i->go_fd);
}

/* ------------------------------------------------------------ the process's events */

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
                instance_fail_start(i, FSP_ERROR_START_FAILED, "%s/%s: could not %s %s: %m", i->class_name,
                                    i->name, spawn_stage_to_string(f.stage),
                                    f.stage == SPAWN_STAGE_EXEC    ? i->argv[0]
                                    : f.stage == SPAWN_STAGE_CHDIR ? i->class->work_directory
                                                                   : "");
                return 0;
        }
        i->exec_done = true;
        instance_check_ready(i);
        return 0;
}

static int encode_status(const siginfo_t *si)
{
        return si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status;
}

/* The child can be reaped (it is still a zombie: its process group is still its own). */
static void on_child_exit(pid_t pid, const siginfo_t *si, void *userdata)
{
        Instance *i = userdata;

        /* How exec went is told before how the process ended. */
        if (i->error_source)
                on_exec_result(i->error_source, i->error_fd, EPOLLIN, i);
        instance_process_exited(i, encode_status(si));
}

/*
 * An adopted process is not our child: its pidfd, watched edge-triggered,
 * tells that it is gone, which is all that can be known.
 */
static int on_pidfd(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        instance_process_exited(userdata, -1);
        return 0;
}

int instance_watch_process(Instance *i, int pidfd)
{
        int r = sd_event_add_io(i->env->event, &i->child_source, pidfd, EPOLLIN | EPOLLET, on_pidfd, i);
        if (r < 0) {
                close(pidfd);
                return r;
        }
        return sd_event_source_set_io_fd_own(i->child_source, true);
}

int instance_adopt(Instance *i, pid_t pid, int pidfd, int stdout_fd, int stderr_fd)
{
        int r;

        i->stdout_fd = stdout_fd;
        i->stderr_fd = stderr_fd;
        r = instance_watch_process(i, pidfd);
        if (r >= 0)
                r = instance_watch_output(i);
        if (r < 0) {
                instance_close_process_io(i);
                return r;
        }
        i->adopted = true;
        i->pid = i->recorded_pid = pid;
        i->state = INSTANCE_RUNNING;
        i->ever_ready = i->exec_done = true;
        return 0;
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
        ADD("NOTIFY_SOCKET=%s", i->env->notify_socket);
        ADD("WINFSP_CLASS=%s", i->class_name);
        ADD("WINFSP_INSTANCE=%s", i->name);
        if (i->env->user_mode) {
                const char *e;
                if ((e = getenv("XDG_RUNTIME_DIR")))
                        ADD("XDG_RUNTIME_DIR=%s", e);
                if ((e = getenv("DBUS_SESSION_BUS_ADDRESS")))
                        ADD("DBUS_SESSION_BUS_ADDRESS=%s", e);
        }
#undef ADD
        return env;
}

static FspExpandContext expand_context(const Instance *i, const char *secret_path)
{
        return (FspExpandContext){
                .secret_path = secret_path,
                .options = i->program_options,
                .executable = i->class->executable,
                .args = i->args,
                .user = i->id.caller_name,
                .home = i->id.caller_home,
                .realtime_usec = i->start_time_usec,
                .class_name = i->class_name,
                .instance = i->name,
        };
}

/*
 * The words that name the mount point (MountPoint= expanded) become the path
 * the program is to mount: its staging directory, or the checked path. The
 * program never gets the caller's path to mount itself: a word that holds it
 * inside more text (-o mountpoint=PATH) is refused, as nothing could be
 * substituted there.
 */
static int replace_mount_point(Instance *i, char **ret_error)
{
        const char *path = instance_mount_program_path(i);

        if (!i->mount_word || !path)
                return 0;
        for (char **w = i->argv + 1; *w; w++) {
                if (streq(*w, i->mount_word)) {
                        if (free_and_strdup(w, path) < 0)
                                return -ENOMEM;
                } else if (i->mount_mode == MOUNT_PINNED && strstr(*w, i->mount_word))
                        return asprintf(ret_error,
                                        "class '%s' passes its mount point inside the word \"%s\" of its "
                                        "CommandLine=; the mount point (MountPoint=%s) must be a word of its own",
                                        i->class_name, *w, i->class->mount_point) < 0
                                       ? -ENOMEM
                                       : -ENOEXEC;
        }
        return 0;
}

/* argv = Executable followed by the expanded CommandLine words. */
static int build_argv(Instance *i, const char *secret_path, char **ret_error)
{
        FspExpandContext ctx = expand_context(i, secret_path);
        _cleanup_strv_free_ char **words = NULL;
        FspError e;
        char **argv;
        size_t n;
        int r;

        r = fsp_cmdline_expand(i->class->command_line, &ctx, &words, &e);
        if (r < 0)
                return asprintf(ret_error, "%s", e.text) < 0 ? -ENOMEM : r;
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
        return replace_mount_point(i, ret_error);
}

/* Stderr=path: the file, appended to, created 0600 and owned by the instance's user. */
static int open_log_file(Instance *i, char **ret_error)
{
        FspExpandContext ctx = expand_context(i, NULL);
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

static int on_start_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        Instance *i = userdata;
        char d[32];

        instance_fail_start(i, FSP_ERROR_TIMEOUT, "%s/%s was not ready within %s (StartTimeout=); it was stopped",
                            i->class_name, i->name, duration_text(i->class->start_timeout_usec, d));
        return 0;
}

/* Everything the child needs, made before fork(): after it only async-signal-safe calls. */
static int spawn(Instance *i, char **ret_error)
{
        _cleanup_close_pair_ int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 },
                                 go[2] = { -1, -1 };
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_close_ int devnull = -1, secret_file = -1;
        char secret_path[32] = "";
        int r;

        reset_process_state(i);
        i->start_time_usec = now_usec(CLOCK_REALTIME);
        if ((r = instance_mount_prepare(i)) < 0)
                return asprintf(ret_error, "cannot prepare its mount point: %s",
                                r == -ENOTDIR && !i->env->staging_dir
                                        ? "the launcher has no staging directory to let it mount safely (see its log)"
                                        : strerror(-r)) < 0
                               ? -ENOMEM
                               : r;
        /* %S: the password in a file of its own, the descriptor after the FUSE connection's. */
        if (i->secret && fsp_cmdline_uses(i->class->command_line, 'S')) {
                if ((r = instance_secret_file(i, &secret_file)) < 0)
                        return r;
                snprintf(secret_path, sizeof(secret_path), "/dev/fd/%d", i->fuse_fd >= 0 ? 4 : 3);
        }
        if ((r = build_argv(i, secret_file >= 0 ? secret_path : NULL, ret_error)) < 0)
                return r;
        if (i->class->stderr_path && (r = open_log_file(i, ret_error)) < 0)
                return r;
        if (!(env = build_environment(i)))
                return -ENOMEM;
        if (instance_writes_stdin(i)) {
                if ((r = make_pipe(in, false)) < 0)
                        return r;
        } else if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
                return -errno;
        if ((r = instance_credentials_prepare(i)) < 0)
                return r;
        /*
         * Stderr= names a file and there is no secret to keep out of it: the
         * program writes there itself, and the launcher holds no pipe for it.
         */
        bool direct = i->log_fd >= 0 && !instance_needs_credentials(i);
        if (!direct && ((r = make_pipe(out, true)) < 0 || (r = make_pipe(err, true)) < 0))
                return r;
        if (i->hold_until_released && pipe2(go, O_CLOEXEC) < 0)
                return -errno;

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
                .stdout_fd = direct ? i->log_fd : out[1],
                .stderr_fd = direct ? i->log_fd : err[1],
                .extra_fds = { i->fuse_fd >= 0 ? i->fuse_fd : secret_file, secret_file },
                .n_extra_fds = (i->fuse_fd >= 0) + (secret_file >= 0),
                .die_with_parent = i->class->job_control,
                .go_fd = go[0],
                .nofile_soft = i->env->nofile_soft,
        };
        r = spawn_process(&p, &i->pid, &i->error_fd);
        if (r < 0)
                return r;
        /* The file system holds the connection now; a restart could not resume it. */
        i->fuse_fd = safe_close(i->fuse_fd);
        i->stdout_fd = TAKE_FD(out[0]);
        i->stderr_fd = TAKE_FD(err[0]);
        if (direct)
                i->log_fd = safe_close(i->log_fd);
        i->go_fd = TAKE_FD(go[1]);
        log_info("%s/%s: started %s as pid %d", i->class_name, i->name, i->argv[0], (int) i->pid);

        r = children_watch(i->pid, on_child_exit, i);
        if (r < 0) {
                /* Not watched: do not leave it running, nor a zombie. */
                instance_kill(i, SIGKILL);
                (void) waitpid(i->pid, NULL, 0);
                i->pid = 0;
                return r;
        }
        if ((r = instance_watch_output(i)) < 0 ||
            (r = sd_event_add_io(i->env->event, &i->error_source, i->error_fd, EPOLLIN, on_exec_result, i)) <
                    0 ||
            (r = sd_event_add_time_relative(i->env->event, &i->timer_source, CLOCK_MONOTONIC,
                                            i->class->start_timeout_usec, 0, on_start_timeout, i)) < 0) {
                /* Half watched is not watched: it goes, and its end ends the start. */
                instance_kill(i, SIGKILL);
                return r;
        }
        if (instance_needs_credentials(i))
                instance_credentials_send(i, TAKE_FD(in[1])); /* -1: nothing to write (CredentialsStdin=none) */
        if (i->hold_until_released) {
                const InstanceObserver *o = i->env->observer;
                if (o && o->spawned)
                        o->spawned(i, i->env->observer_data);
                else
                        instance_release(i, 0, NULL);
        }
        return 0;
}

void instance_spawn_or_fail(Instance *i)
{
        _cleanup_free_ char *why = NULL;
        int r = spawn(i, &why);

        if (r >= 0)
                return;
        if (why)
                instance_fail_start(i, r == -ENOEXEC ? FSP_ERROR_CONFIGURATION_ERROR : FSP_ERROR_START_FAILED,
                                    "%s/%s: %s", i->class_name, i->name, why);
        else
                instance_fail_start(i, FSP_ERROR_START_FAILED, "%s/%s: could not start: %s", i->class_name,
                                    i->name, strerror(-r));
}
