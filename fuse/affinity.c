/* SPDX-License-Identifier: MIT */
/*
 * Serve a waiting caller on the caller's CPU.
 *
 * A synchronous FUSE request is two wake-ups: the caller wakes a server
 * thread and sleeps, the server replies and wakes the caller. When the
 * two run on one CPU each wake-up is a switch between two threads; when
 * they run on two, each one wakes a CPU that went idle, and in a virtual
 * machine that costs the host's scheduling of a halted vCPU. Measured on
 * the 2-vCPU VM (kernel 6.18): create, stat and unlink ran 4 to 8 times
 * faster with memfs's thread on the caller's CPU than on the other one.
 * The scheduler keeps such a pair together once it is together (it wakes
 * a thread on the waker's CPU when its last CPU is busy), but nothing
 * brings it together: two threads that started apart stay apart.
 *
 * So a server thread that picks up a second metadata request in a row
 * from one caller looks up the CPU that caller last ran on
 * (/proc/TID/stat) and moves there if it is elsewhere, then lets the
 * scheduler place it freely again. It looks again when it finds itself
 * on another CPU, and every FOLLOW_RECHECK_MS: reading /proc costs about
 * 8 us and a move about 40.
 * Large data requests (readahead, write-back) are left alone: they are
 * queued in batches without a caller waiting on each, and two CPUs
 * copying side by side is what makes them fast; a small READ (a random
 * read, a page fault) is followed like metadata.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "macro.h"

#define FOLLOW_RECHECK_MS 50

static atomic_bool follow_enabled = true;

static _Thread_local uint32_t followed_pid;
static _Thread_local int followed_cpu = -1; /* where this thread was when it last found the caller */
static _Thread_local uint64_t followed_at_ms;
static _Thread_local bool mask_known;
static _Thread_local cpu_set_t allowed; /* where this thread may run, as set from outside */

void affinity_set_enabled(bool enabled)
{
        atomic_store(&follow_enabled, enabled);
}

/* A read this small is one a caller waits for (a random read, a page fault), not readahead. */
#define FOLLOW_READ_MAX (32 * 1024)

/* Requests a caller waits for one at a time: each one is a round trip. */
static bool is_synchronous(const struct fuse_in_header *h)
{
        const struct fuse_read_in *read = (const void *) (h + 1);

        switch (h->opcode) {
        case FUSE_READ:
                return h->len >= sizeof(*h) + sizeof(*read) && read->size <= FOLLOW_READ_MAX;
        case FUSE_LOOKUP:
        case FUSE_GETATTR:
        case FUSE_SETATTR:
        case FUSE_READLINK:
        case FUSE_SYMLINK:
        case FUSE_MKNOD:
        case FUSE_MKDIR:
        case FUSE_UNLINK:
        case FUSE_RMDIR:
        case FUSE_RENAME:
        case FUSE_RENAME2:
        case FUSE_LINK:
        case FUSE_OPEN:
        case FUSE_OPENDIR:
        case FUSE_READDIR:
        case FUSE_READDIRPLUS:
        case FUSE_STATFS:
        case FUSE_SETXATTR:
        case FUSE_GETXATTR:
        case FUSE_LISTXATTR:
        case FUSE_REMOVEXATTR:
        case FUSE_FLUSH:
        case FUSE_CREATE:
        case FUSE_ACCESS:
        case FUSE_FSYNC:
        case FUSE_FALLOCATE:
        case FUSE_LSEEK:
                return true;
        default:
                return false;
        }
}

static uint64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

/* Field 39 of /proc/TID/stat: the CPU the thread last ran on. The name (field 2) may hold anything. */
static int caller_cpu(uint32_t pid)
{
        char path[64], buf[1024], *p;
        ssize_t n;
        int fd, cpu = -1;

        snprintf(path, sizeof(path), "/proc/%u/stat", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = 0;
        p = strrchr(buf, ')');
        /* After ") ": fields 3, 4, ...; the CPU is the 37th of them. */
        for (int field = 3; p && field <= 39; field++) {
                p = strchr(p + 1, ' ');
                if (p && field == 39)
                        cpu = atoi(p + 1);
        }
        return cpu;
}

static void move_to(int cpu)
{
        cpu_set_t one;

        if (!mask_known) {
                if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
                        return;
                mask_known = true;
        }
        if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed))
                return;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        /* The first call moves us now; the second lets the scheduler move us again later. */
        if (sched_setaffinity(0, sizeof(one), &one) == 0)
                (void) sched_setaffinity(0, sizeof(allowed), &allowed);
}

/* Called with each request as it is read, on the thread that will serve it. Keeps errno. */
void affinity_follow(const struct fuse_in_header *h)
{
        int saved_errno = errno, cpu, here;
        uint64_t now;

        if (h->pid == 0 || !is_synchronous(h) ||
            !atomic_load_explicit(&follow_enabled, memory_order_relaxed))
                return;
        /* A thread that serves two callers in turn (two jobs, one per CPU) stays where it is:
         * following each would move it back and forth. */
        if (h->pid != followed_pid) {
                followed_pid = h->pid;
                followed_cpu = -1;
                return;
        }
        /* Cheap: sched_getcpu() is a vDSO call. A thread that was moved since (to serve an
         * asynchronous request, say) looks again at once. */
        here = sched_getcpu();
        now = now_ms();
        if (here == followed_cpu && now - followed_at_ms < FOLLOW_RECHECK_MS)
                return;
        followed_at_ms = now;
        cpu = caller_cpu(h->pid);
        if (cpu >= 0 && cpu != here) {
                move_to(cpu);
                here = sched_getcpu();
        }
        followed_cpu = here;
        errno = saved_errno;
}
