/* SPDX-License-Identifier: MIT */
/*
 * fsp-fusemount DIR CLASS INSTANCE [ARGS...]: open /dev/fuse, mount it at DIR
 * (as root, with mount(2), the way mount.winfsp answers an automount), then
 * ask the launcher to start the instance on that connection (the FuseFd start
 * option, through libfsp's client API). Prints the launcher's error on failure.
 */
#include <fcntl.h>
#include <fsp/launch.h>
#include <stdio.h>
#include <sys/mount.h>

#include "macro.h"

int main(int argc, char **argv)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        FspStartOptions options = FSP_START_OPTIONS_INIT;
        char opts[256];
        int fd, r;

        if (argc < 4) {
                fprintf(stderr, "usage: fsp-fusemount DIR CLASS INSTANCE [ARGS...]\n");
                return 2;
        }
        fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                perror("fsp-fusemount: /dev/fuse");
                return 1;
        }
        snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0,default_permissions,allow_other",
                 fd);
        if (mount("fsp-fusemount", argv[1], "fuse.fusemount", MS_NOSUID | MS_NODEV, opts) < 0) {
                perror("fsp-fusemount: mount");
                return 1;
        }
        r = fsp_launch_open(false, NULL, &bus);
        if (r < 0) {
                fprintf(stderr, "fsp-fusemount: cannot connect: %s\n", strerror(-r));
                return 1;
        }
        options.fuse_fd = fd;
        r = fsp_launch_start_with_options(bus, argv[2], argv[3], argv + 4, &options, &error);
        close(fd);
        if (r < 0) {
                fprintf(stderr, "fsp-fusemount: %s: %s\n", error.name ? error.name : "error",
                        error.message ? error.message : strerror(-r));
                sd_bus_error_free(&error);
                return 1;
        }
        return 0;
}
