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
