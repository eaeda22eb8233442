/* SPDX-License-Identifier: MIT */
/*
 * The launcher's instance state machine without a bus: real processes
 * (/bin/sh scripts) on a real sd-event loop, and a fake observer that
 * records what the instance tells. Each case is one transition the
 * integration tests cover through D-Bus: ready at exec or on READY=1, exec
 * failure, exit before ready with its last words, start and credentials
 * timeouts, the OK handshake (accepted, refused with the secret masked),
 * the secret from a pipe, a memfd or a file, stop with SIGTERM and with
 * escalation to SIGKILL, stop while the secret is still being read,
 * recovery with a restart and giving up, a held child released, adoption.
 */
#include <fcntl.h>
#include <fsp/launch.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "children.h"
#include "fork-fds.h"
#include "instance.h"
#include "macro.h"
#include "test.h"

typedef struct Events {
        int ready, start_failed, ended, finished, spawned;
        int ended_status, finished_status;
        char *error_name, *message;
        Instance *instance; /* NULL once finished */
        bool release_on_spawn;
} Events;

static Events ev;
static sd_event *event;
static InstanceEnv env;
static char tmp_dir[] = "/tmp/fsp-test-instance.XXXXXX";

static void on_ready(Instance *i, void *userdata)
{
        ev.ready++;
}

static void on_start_failed(Instance *i, const char *error_name, const char *message, void *userdata)
{
        ev.start_failed++;
        free(ev.error_name);
        free(ev.message);
        ev.error_name = strdup(error_name);
        ev.message = strdup(message);
}

static void on_ended(Instance *i, int status, void *userdata)
{
        ev.ended++;
        ev.ended_status = status;
}

static void on_finished(Instance *i, int status, void *userdata)
{
        ev.finished++;
        ev.finished_status = status;
        instance_free(i);
        ev.instance = NULL;
}

static void on_spawned(Instance *i, void *userdata)
{
        ev.spawned++;
        if (ev.release_on_spawn)
                instance_release(i, 0, NULL);
}

static const InstanceObserver observer = {
        .ready = on_ready,
        .start_failed = on_start_failed,
        .ended = on_ended,
        .finished = on_finished,
        .spawned = on_spawned,
};

static void reset(void)
{
        free(ev.error_name);
        free(ev.message);
        ev = (Events){ 0 };
}

/* Run the loop until *counter reaches want or 10 s pass. */
static bool run_until(const int *counter, int want)
{
        for (int k = 0; k < 1000 && *counter < want; k++)
                if (sd_event_run(event, 10 * USEC_PER_MSEC) < 0)
                        return false;
        return *counter >= want;
}

/* A class from its [Service] keys. */
static FspClass *class_of(const char *name, const char *keys)
{
        _cleanup_free_ char *text = NULL;
        FspClass *c = NULL;
        FspError e;

        if (asprintf(&text, "[Service]\n%s\n", keys) < 0)
                return NULL;
        if (fsp_class_parse(name, "test", text, strlen(text), &c, &e, NULL, NULL) < 0)
                fprintf(stderr, "class %s: %s\n", name, e.text);
        return c;
}

/* A new instance "i" of a class with these keys, run as the test's user, watched by the fake observer. */
static Instance *new_instance(const char *keys)
{
        InstanceIdentity id = { .started_by = getuid(), .uid = getuid() };
        FspClass *c;
        Instance *i = NULL;

        reset();
        c = class_of("t", keys);
        if (!c)
                return NULL;
        if (instance_new(&env, c, "i", NULL, &id, &i) < 0)
                i = NULL;
        fsp_class_unref(c);
        ev.instance = i;
        return i;
}

/* An instance of a class running "sh -c SCRIPT", started; mount_point makes "exec'd" not enough. */
static Instance *start(const char *keys, const char *script, const char *mount_point, int secret_fd)
{
        _cleanup_free_ char *all = NULL;
        InstanceStartParams p = INSTANCE_START_PARAMS_INIT;
        Instance *i;

        if (asprintf(&all, "Executable=/bin/sh\nCommandLine=-c '%s'\n%s", script, keys) < 0)
                return NULL;
        i = new_instance(all);
        if (!i)
                return NULL;
        /* A path the program is told to mount itself: the per-user launcher's way. */
        if (mount_point && instance_set_mount_point(i, MOUNT_PATH, NULL, mount_point) < 0)
                return NULL;
        p.secret_fd = secret_fd;
        instance_start(i, &p);
        return ev.instance;
}

/* A pipe holding text, closed for writing. */
static int pipe_with(const char *text)
{
        int p[2];

        if (pipe2(p, O_CLOEXEC) < 0)
                return -1;
        (void) !write(p[1], text, strlen(text));
        close(p[1]);
        return p[0];
}

static void stop_and_wait(void)
{
        if (ev.instance)
                instance_stop(ev.instance);
        CHECK(run_until(&ev.finished, 1));
}

static void test_ready_at_exec_and_stop(void)
{
        Instance *i = start("", "exec sleep 30", NULL, -1);

        CHECK(i);
        CHECK(run_until(&ev.ready, 1));
        CHECK_INT(ev.instance->state, INSTANCE_RUNNING);
        stop_and_wait();
        CHECK_INT(ev.ended, 1);
        CHECK_INT(ev.ended_status, 128 + SIGTERM);
        CHECK_INT(ev.finished_status, 128 + SIGTERM);
        CHECK_INT(ev.start_failed, 0);
}

static void test_exec_fails(void)
{
        InstanceStartParams p = INSTANCE_START_PARAMS_INIT;
        Instance *i = new_instance("Executable=/nonexistent/program");

        CHECK(i);
        if (!i)
                return;
        instance_start(i, &p);
        CHECK(run_until(&ev.finished, 1));
        CHECK_INT(ev.start_failed, 1);
        CHECK_STR(ev.error_name, FSP_ERROR_START_FAILED);
        CHECK_CONTAINS(ev.message, "could not execute /nonexistent/program");
        CHECK_INT(ev.ready, 0);
}

static void test_exit_before_ready(void)
{
        start("", "echo cannot open the volume >&2; exit 3", "/nonexistent-mount-point", -1);
        CHECK(run_until(&ev.finished, 1));
        CHECK_INT(ev.start_failed, 1);
        CHECK_CONTAINS(ev.message, "exited with status 3 before it was ready");
        CHECK_CONTAINS(ev.message, "Its last output:\n  cannot open the volume");
        CHECK_INT(ev.ended, 0);
}

static void test_start_timeout(void)
{
        start("StartTimeout=200ms", "exec sleep 30", "/nonexistent-mount-point", -1);
        CHECK(run_until(&ev.finished, 1));
        CHECK_STR(ev.error_name, FSP_ERROR_TIMEOUT);
        CHECK_CONTAINS(ev.message, "was not ready within 200 ms");
}

static void test_ready_on_notify(void)
{
        Instance *i = start("", "exec sleep 30", "/nonexistent-mount-point", -1);

        /* Exec'd is not ready when there is a mount point to wait for. */
        for (int k = 0; k < 20; k++)
                sd_event_run(event, 5 * USEC_PER_MSEC);
        CHECK_INT(ev.ready, 0);
        if (!ev.instance)
                return;
        instance_notify(i, "STATUS=serving\nREADY=1");
        CHECK_INT(ev.ready, 1);
        CHECK_STR(i->status_text, "serving");
        stop_and_wait();
}

/* Whether pid runs program now (its exec is done). */
static bool runs(pid_t pid, const char *program)
{
        char path[64], comm[64] = "";
        _cleanup_fclose_ FILE *f = NULL;

        snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
        f = fopen(path, "re");
        return f && fgets(comm, sizeof(comm), f) && strneq(comm, program, strlen(program));
}

static void test_stop_escalates(void)
{
        start("StopTimeout=200ms", "trap \"\" TERM; exec sleep 30", NULL, -1);
        CHECK(run_until(&ev.ready, 1));
        /* sleep inherits the ignored SIGTERM once the shell has set the trap and exec'd it. */
        for (int k = 0; k < 1000 && ev.instance && !runs(ev.instance->pid, "sleep"); k++)
                sd_event_run(event, 5 * USEC_PER_MSEC);
        stop_and_wait();
        CHECK_INT(ev.finished_status, 128 + SIGKILL);
}

#define CHECK_PASSWORD "read -r p; if [ \"$p\" = sesame ]; then echo OK; else echo \"NO $p password\"; fi; exec sleep 30"

static void test_credentials_accepted(void)
{
        start("Credentials=1", CHECK_PASSWORD, NULL, pipe_with("sesame"));
        CHECK(run_until(&ev.ready, 1));
        CHECK_INT(ev.start_failed, 0);
        CHECK(ev.instance && !ev.instance->secret); /* wiped once ready */
        stop_and_wait();
}

static void test_credentials_refused(void)
{
        start("Credentials=1", CHECK_PASSWORD, NULL, pipe_with("wrong"));
        CHECK(run_until(&ev.finished, 1));
        CHECK_STR(ev.error_name, FSP_ERROR_AUTHENTICATION_FAILED);
        CHECK_CONTAINS(ev.message, "refused the credentials: NO ***** password");
        CHECK(!strstr(ev.message, "wrong"));
}

static void test_credentials_timeout(void)
{
        start("Credentials=1\nCredentialsTimeout=200ms", "exec sleep 30", NULL, pipe_with("sesame"));
        CHECK(run_until(&ev.finished, 1));
        CHECK_STR(ev.error_name, FSP_ERROR_TIMEOUT);
        CHECK_CONTAINS(ev.message, "did not answer the credentials within 200 ms");
}

static void test_secret_in_memfd_and_file(void)
{
        char path[PATH_MAX];
        int fd = (int) syscall(SYS_memfd_create, "secret", MFD_CLOEXEC);

        CHECK(fd >= 0 && write(fd, "sesame", 6) == 6); /* the offset is at its end: read from the start */
        start("Credentials=1", CHECK_PASSWORD, NULL, fd);
        close(fd);
        CHECK(run_until(&ev.ready, 1));
        stop_and_wait();

        snprintf(path, sizeof(path), "%s/secret", tmp_dir);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        CHECK(fd >= 0 && write(fd, "sesame", 6) == 6);
        start("Credentials=1", CHECK_PASSWORD, NULL, fd);
        close(fd);
        CHECK(run_until(&ev.ready, 1));
        stop_and_wait();
        unlink(path);
}

static void test_stop_while_reading_secret(void)
{
        int p[2];

        CHECK(pipe2(p, O_CLOEXEC) == 0);
        start("Credentials=1", CHECK_PASSWORD, NULL, p[0]);
        close(p[0]);
        CHECK(ev.instance && ev.instance->pid == 0);
        stop_and_wait();
        CHECK_CONTAINS(ev.message, "was stopped before it started");
        CHECK_INT(ev.finished_status, 0);
        close(p[1]);
}

static void test_recovery_restarts(void)
{
        char script[PATH_MAX + 128];

        snprintf(script, sizeof(script), "if [ -e %s/flag ]; then exec sleep 30; fi; touch %s/flag; exit 1",
                 tmp_dir, tmp_dir);
        start("Recovery=1", script, NULL, -1);
        CHECK(run_until(&ev.ready, 2)); /* ready at exec, exit 1, restarted after 1 s, ready again */
        CHECK_INT(ev.ended, 1);
        CHECK_INT(ev.ended_status, 1);
        CHECK(ev.instance && ev.instance->restarts == 1);
        stop_and_wait();
        CHECK_INT(ev.finished_status, 128 + SIGTERM);
}

static void test_recovery_gives_up(void)
{
        start("Recovery=1\nRecoveryBurst=1", "exit 4", NULL, -1);
        CHECK(run_until(&ev.finished, 1));
        CHECK_INT(ev.finished_status, 4);
        CHECK_INT(ev.ready, 2); /* the first run and the one restart */
}

static void test_held_until_released(void)
{
        InstanceStartParams p = INSTANCE_START_PARAMS_INIT;
        Instance *i = new_instance("Executable=/bin/sleep\nCommandLine=30");

        CHECK(i);
        if (!i)
                return;
        i->hold_until_released = true;
        instance_start(i, &p);
        for (int k = 0; k < 20; k++)
                sd_event_run(event, 5 * USEC_PER_MSEC);
        CHECK_INT(ev.spawned, 1);
        CHECK_INT(ev.ready, 0); /* held before exec */
        instance_release(i, 0, NULL);
        CHECK(run_until(&ev.ready, 1));
        stop_and_wait();
}

static void test_adopt(void)
{
        InstanceIdentity id = { 0 };
        FspClass *c = class_of("t", "Executable=/bin/sleep\nJobControl=0");
        Instance *i = NULL;
        pid_t pid = fork();

        if (pid == 0) {
                execl("/bin/sleep", "sleep", "30", (char *) NULL);
                _exit(127);
        }
        reset();
        CHECK(c && instance_new(&env, c, "adopted", NULL, &id, &i) >= 0);
        fsp_class_unref(c);
        if (!i)
                return;
        ev.instance = i;
        CHECK(instance_adopt(i, pid, (int) syscall(SYS_pidfd_open, pid, 0), -1, -1) >= 0);
        CHECK_INT(i->state, INSTANCE_RUNNING);
        kill(pid, SIGKILL);
        CHECK(run_until(&ev.finished, 1));
        CHECK_INT(ev.ended, 1);
        CHECK_INT(ev.finished_status, -1); /* not our child: gone is all we know */
        (void) waitpid(pid, NULL, 0);
}

int main(void)
{
        sigset_t mask;

        if (!mkdtemp(tmp_dir))
                return EXIT_FAILURE;
        /* As in the launcher: children forked with only their own descriptors. */
        if (fork_fds_init() < 0)
                return EXIT_FAILURE;
        /* As in the launcher: children's ends come through pidfds, writes to dead pipes fail. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        if (sd_event_new(&event) < 0 || children_setup(event) < 0)
                return EXIT_FAILURE;
        env = (InstanceEnv){ .event = event, .notify_socket = "@fsp-test-instance", .observer = &observer };

        test_ready_at_exec_and_stop();
        test_exec_fails();
        test_exit_before_ready();
        test_start_timeout();
        test_ready_on_notify();
        test_stop_escalates();
        test_credentials_accepted();
        test_credentials_refused();
        test_credentials_timeout();
        test_secret_in_memfd_and_file();
        test_stop_while_reading_secret();
        test_recovery_restarts();
        test_recovery_gives_up();
        test_held_until_released();
        test_adopt();

        reset();
        children_done();
        sd_event_unref(event);
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp_dir);
        (void) !system(cmd);
        return test_result();
}
