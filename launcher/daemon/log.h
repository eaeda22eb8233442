/* SPDX-License-Identifier: MIT */
/*
 * The launcher's own log: to stderr, with "<N>" priority prefixes when
 * stderr is the journal (systemd sets JOURNAL_STREAM), plain text otherwise.
 * Never pass a secret to these.
 */
#pragma once

#include <syslog.h>

#include "macro.h"

extern int log_max_level;

void log_open(void);
void log_full(int level, const char *fmt, ...) _printf_(2, 3);
/* Logs with errno = -error (for %m) and returns -abs(error), for "return log_…_errno(r, …)". */
int log_full_errno(int level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_debug(...)   log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(e, ...)   log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, e, __VA_ARGS__)
