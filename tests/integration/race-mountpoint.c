/* SPDX-License-Identifier: MIT */
/*
 * fsp-race-mountpoint CLASS DIR VICTIM N: the attack on the launcher's
 * mount-point check, run by an unprivileged user. DIR (the user's) holds
 * "mnt", the directory the user owns and names as its mount point, and
 * "swap", a symlink to VICTIM (a directory of root's, mode 0700). A child
 * swaps the two names with renameat2(RENAME_EXCHANGE) over and over, with
 * pauses from 0 to 3 ms, while N starts of CLASS (a root file system,
 * MountPoint=%1) are made on DIR/mnt and stopped again. After every start:
 * nothing may be mounted at VICTIM, VICTIM must still be root's and 0700,
 * and a start that succeeded must have its mount on the user's directory,
 * under whichever of the two names it has now. Exit 0 only when no start
 * ever broke that.
 */
#include <fcntl.h>
#include <fsp/launch.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "macro.h"

static bool mounted_at(const char *path)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096], point[4096];

        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "%*d %*d %*s %*s %4095s", point) == 1 && streq(point, path))
                        return true;
        return false;
}

_Noreturn static void flipper(const char *a, const char *b)
{
        static const unsigned pauses_usec[] = { 0, 0, 20, 50, 100, 200, 500, 1000, 2000, 3000 };

        for (unsigned k = 0;; k++) {
                (void) renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
                unsigned p = pauses_usec[k % ELEMENTSOF(pauses_usec)];
                if (p) {
                        struct timespec ts = { .tv_nsec = (long) p * 1000 };
                        nanosleep(&ts, NULL);
                }
        }
}

int main(int argc, char *argv[])
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        char mnt[4096], swap[4096];
        unsigned n, ok = 0, refused = 0, violations = 0;
        pid_t child;
        int r;

        if (argc != 5 || sscanf(argv[4], "%u", &n) != 1) {
                fprintf(stderr, "usage: fsp-race-mountpoint CLASS DIR VICTIM N\n");
                return 2;
        }
        const char *class_name = argv[1], *victim = argv[3];
        snprintf(mnt, sizeof(mnt), "%s/mnt", argv[2]);
        snprintf(swap, sizeof(swap), "%s/swap", argv[2]);
        if (mkdir(mnt, 0755) < 0 || symlink(victim, swap) < 0) {
                perror("fsp-race-mountpoint: set-up");
                return 2;
        }
        r = fsp_launch_open(false, NULL, &bus);
        if (r < 0) {
                fprintf(stderr, "fsp-race-mountpoint: cannot reach the launcher: %s\n", strerror(-r));
                return 2;
        }
        child = fork();
        if (child == 0)
                flipper(mnt, swap);

        for (unsigned k = 0; k < n; k++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                char *args[] = { mnt, NULL };
                struct stat st;
                FspInstanceInfo info = { 0 };
                int status;

                r = fsp_launch_start(bus, class_name, "race", args, &error);
                if (r < 0) {
                        refused++;
                        if (!sd_bus_error_has_names(&error, FSP_ERROR_ACCESS_DENIED, FSP_ERROR_INVALID_ARGUMENT)) {
                                fprintf(stderr, "start %u failed unexpectedly: %s: %s\n", k, error.name,
                                        strempty(error.message));
                                violations++;
                        }
                } else {
                        ok++;
                        sd_bus_error_free(&error);
                        if (fsp_launch_get_info(bus, class_name, "race", &info, &error) < 0 ||
                            (!streq(info.mount_point, mnt) && !streq(info.mount_point, swap)) ||
                            !mounted_at(info.mount_point)) {
                                fprintf(stderr, "start %u: its mount is at '%s', not on the checked directory\n", k,
                                        info.mount_point ? info.mount_point : "?");
                                violations++;
                        }
                        fsp_instance_info_done(&info);
                }
                if (mounted_at(victim)) {
                        fprintf(stderr, "start %u: something is mounted at %s\n", k, victim);
                        violations++;
                }
                if (stat(victim, &st) < 0 || st.st_uid != 0 || (st.st_mode & 07777) != 0700) {
                        fprintf(stderr, "start %u: %s is no longer root's 0700 directory\n", k, victim);
                        violations++;
                }
                if (r >= 0) {
                        sd_bus_error_free(&error);
                        if (fsp_launch_stop(bus, class_name, "race", &status, &error) < 0) {
                                fprintf(stderr, "stop %u failed: %s\n", k, strempty(error.message));
                                violations++;
                        }
                }
                if (violations > 5)
                        break;
        }
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        printf("%u starts: %u succeeded, %u refused, %u violations\n", ok + refused, ok, refused, violations);
        return violations == 0 && ok > 0 ? 0 : 1;
}
