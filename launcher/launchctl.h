/* SPDX-License-Identifier: MIT */
/*
 * launchctl's parts: the commands (launchctl.c), what they print
 * (launchctl-output.c) and where a password comes from (launchctl-secret.c).
 */
#pragma once

#include <fsp/launch.h>
#include <fsp/secret.h>
#include <stdbool.h>
#include <stdio.h>

/* Exit status, one per error family; launchctl(1) has the same table. */
typedef enum LaunchctlExit {
        LAUNCHCTL_EXIT_OK = 0,
        LAUNCHCTL_EXIT_FAILURE = 1,
        LAUNCHCTL_EXIT_USAGE = 2,
        LAUNCHCTL_EXIT_NO_SUCH_CLASS = 3,
        LAUNCHCTL_EXIT_NO_SUCH_INSTANCE = 4,
        LAUNCHCTL_EXIT_INSTANCE_EXISTS = 5,
        LAUNCHCTL_EXIT_ACCESS_DENIED = 6,
        LAUNCHCTL_EXIT_AUTHENTICATION_FAILED = 7,
        LAUNCHCTL_EXIT_TIMEOUT = 8,
        LAUNCHCTL_EXIT_INVALID_ARGUMENT = 9,
        LAUNCHCTL_EXIT_CONFIGURATION_ERROR = 10,
        LAUNCHCTL_EXIT_START_FAILED = 11,
        LAUNCHCTL_EXIT_UNREACHABLE = 12,
} LaunchctlExit;

/* launchctl-output.c: text for people, or JSON (one value, one line) for programs. */
void json_write_string(FILE *f, const char *s);
void print_info(FILE *f, const FspInstanceInfo *info, bool json);
void print_list(FILE *f, FspInstanceId *ids, size_t n, bool json);
void print_classes(FILE *f, FspClassInfo *classes, size_t n, bool json);
void print_stop_status(FILE *f, int status, bool json);

/*
 * launchctl-secret.c: the password for class/instance, from stdin when it is
 * not a terminal (to end of file, one trailing newline removed), else from a
 * prompt on the terminal with echo off. -ECANCELED when the prompt got end
 * of file, -EMSGSIZE above FSP_SECRET_MAX bytes.
 */
int secret_read(const char *class_name, const char *instance, FspSecret **ret);
