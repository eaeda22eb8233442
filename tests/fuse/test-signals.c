/* SPDX-License-Identifier: MIT */
/*
 * SIGTERM, SIGINT and SIGHUP stop memfs cleanly even while files are open
 * and being written: it exits 0 within a bound, and no mount is left
 * behind; a writer that was busy in the file system gets an error rather
 * than hanging.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "test.h"

/* A child that writes to path until writing fails; it tells us on ready_fd once it has written. */
static pid_t start_writer(const char *path, int ready_fd)
{
        static char buf[65536];
        pid_t pid = fork();

        if (pid != 0)
                return pid;
        memset(buf, 'w', sizeof(buf));
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                _exit(2);
        for (long i = 0;; i++) {
                if (pwrite(fd, buf, sizeof(buf), (i % 256) * (off_t) sizeof(buf)) < 0)
                        _exit(0);
                if (i == 16)
                        (void) !write(ready_fd, "w", 1);
        }
}

static bool wait_child(pid_t pid, int timeout_ms)
{
        for (int waited = 0; waited <= timeout_ms; waited += 10) {
                if (waitpid(pid, NULL, WNOHANG) == pid)
                        return true;
                usleep(10000); /* polling the child's state against a deadline */
        }
        return false;
}

static void stop_while_writing(int sig)
{
        char path[400], c;
        MemfsProc m;
        int ready[2], held = -1, status;
        pid_t writer;

        fprintf(stderr, "--- %s\n", strsignal(sig));
        CHECK_INT(harness_make_dir(&m), 0);
        CHECK_INT(harness_spawn(&m, &(SpawnOptions) { 0 }), 0);
        CHECK(harness_wait_mounted(m.mnt, 10000));

        /* One file simply held open, one being written by another process. */
        snprintf(path, sizeof(path), "%s/held", m.mnt);
        held = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        CHECK(held >= 0);
        CHECK_INT(write(held, "data", 4), 4);
        CHECK_INT(pipe(ready), 0);
        snprintf(path, sizeof(path), "%s/busy", m.mnt);
        writer = start_writer(path, ready[1]);
        CHECK(writer > 0);
        CHECK_INT(read(ready[0], &c, 1), 1);

        CHECK_INT(kill(m.pid, sig), 0);
        status = harness_wait_exit(&m, 10000);
        CHECK(status != -1);
        CHECK(WIFEXITED(status));
        CHECK_INT(WEXITSTATUS(status), 0);
        CHECK(harness_wait_unmounted(m.mnt, 0));

        /* The writer fails instead of hanging on a dead file system. */
        if (!wait_child(writer, 10000)) {
                CHECK(!"the writer still runs 10 s after the stop");
                kill(writer, SIGKILL);
                waitpid(writer, NULL, 0);
        }
        if (held >= 0)
                close(held);
        close(ready[0]);
        close(ready[1]);
        harness_cleanup(&m);
}

/* A stop signal that comes while memfs is idle with nothing open, and an unmount from outside. */
static void unmount_from_outside(void)
{
        char cmd[400];
        MemfsProc m;
        int status;

        fprintf(stderr, "--- umount from outside\n");
        CHECK_INT(harness_make_dir(&m), 0);
        CHECK_INT(harness_spawn(&m, &(SpawnOptions) { 0 }), 0);
        CHECK(harness_wait_mounted(m.mnt, 10000));
        snprintf(cmd, sizeof(cmd), "umount '%s'", m.mnt);
        CHECK_INT(system(cmd), 0);
        status = harness_wait_exit(&m, 10000);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        harness_cleanup(&m);
}

int main(int argc, char *argv[])
{
        memfs_binary = argc > 1 ? argv[1] : NULL;
        harness_require_root();
        alarm(120);

        stop_while_writing(SIGTERM);
        stop_while_writing(SIGINT);
        stop_while_writing(SIGHUP);
        unmount_from_outside();
        return test_result();
}
