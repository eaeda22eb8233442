/* SPDX-License-Identifier: MIT */
/*
 * The dictionary GetInfo answers with, encoded in one place: the launcher
 * uses it, and so does the client library's fake launcher in the tests, so
 * the two cannot drift apart.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

typedef struct BusInstanceInfo {
        const char *class_name;
        const char *instance;
        char *const *argv; /* NULL: none */
        pid_t pid;         /* 0 when not running */
        const char *state;
        const char *mount_point; /* NULL: none */
        uid_t started_by;
        uid_t run_as;
        uint64_t start_time_usec;
        unsigned restarts;
        int last_exit_status;
        const char *status; /* the file system's last STATUS=, NULL: none */
} BusInstanceInfo;

/* Append the entries (inside an a{sv} the caller opened and closes, so it may add its own). */
int bus_append_instance_info(sd_bus_message *m, const BusInstanceInfo *info);
