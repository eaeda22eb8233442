/* SPDX-License-Identifier: MIT */
/*
 * Readiness and stop through NOTIFY_SOCKET, as systemd and the launcher
 * see them: READY=1 (with STATUS=Mounted SOURCE on MOUNTPOINT) arrives
 * only once the mount is in /proc/self/mountinfo, and STOPPING=1 when a
 * stop signal makes memfs leave.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "test.h"

static int notify_socket(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        if (strlen(path) >= sizeof(sa.sun_path)) {
                close(fd);
                return -ENAMETOOLONG;
        }
        memcpy(sa.sun_path, path, strlen(path) + 1);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                close(fd);
                return -errno;
        }
        return fd;
}

/* The next datagram, within timeout_ms; false on timeout. */
static bool receive(int fd, char *buf, size_t size, int timeout_ms)
{
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ssize_t n;

        if (poll(&p, 1, timeout_ms) <= 0)
                return false;
        n = recv(fd, buf, size - 1, 0);
        if (n < 0)
                return false;
        buf[n] = 0;
        return true;
}

int main(int argc, char *argv[])
{
        const char *args[] = { "-u", "//memfs/notify", NULL };
        SpawnOptions opts = { .args = args };
        char path[400], msg[1024] = "", expected[512], *line;
        MemfsProc m;
        int fd, status;
        bool mounted_when_ready;

        memfs_binary = argc > 1 ? argv[1] : NULL;
        harness_require_root();
        alarm(60);

        CHECK_INT(harness_make_dir(&m), 0);
        snprintf(path, sizeof(path), "%s/notify", m.dir);
        fd = notify_socket(path);
        CHECK(fd >= 0);
        opts.notify_socket = path;
        CHECK_INT(harness_spawn(&m, &opts), 0);

        CHECK(receive(fd, msg, sizeof(msg), 10000));
        /* Looked at right when the datagram arrived: the mount must already be there. */
        line = harness_mountinfo(m.mnt);
        mounted_when_ready = line != NULL;
        free(line);
        fprintf(stderr, "notification: %s\n", msg);
        CHECK_CONTAINS(msg, "READY=1");
        CHECK(mounted_when_ready);
        snprintf(expected, sizeof(expected), "STATUS=Mounted //memfs/notify on %s", m.mnt);
        CHECK_CONTAINS(msg, expected);

        CHECK_INT(kill(m.pid, SIGTERM), 0);
        CHECK(receive(fd, msg, sizeof(msg), 10000));
        CHECK_CONTAINS(msg, "STOPPING=1");
        status = harness_wait_exit(&m, 10000);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK(harness_wait_unmounted(m.mnt, 0));

        close(fd);
        harness_cleanup(&m);
        return test_result();
}
