/* SPDX-License-Identifier: MIT */
/*
 * Command-line templates: a class's CommandLine= is split into words once,
 * like a shell would split it (quotes, backslash, no expansion of anything
 * else), and each word is later expanded with the caller's values. A value
 * put into a word is never split again: one word in, one argument out.
 *
 *   %0 executable   %1..%9 caller arguments ("" when missing)
 *   %U user name    %P user's home   %T UTC time YYYYMMDDTHHMMSS.mmmZ
 *   %C class        %I instance      %% a percent sign
 */
#pragma once

#include <fsp/error.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FSP_CMDLINE_MAX_ARGS 9

/*
 * Split text into a NULL-terminated vector of words. Quoting: '…' keeps
 * everything literally, "…" keeps everything but lets \" \\ \$ \` escape,
 * a backslash outside quotes escapes the next byte. Errors (unterminated
 * quote, trailing backslash, a control character) carry the 1-based column.
 * Also checks every '%' sequence, so a bad template is refused when the
 * class is read, not when an instance starts.
 */
int fsp_cmdline_split(const char *text, char ***ret_words, FspError *err);

/* Check one template word (MountPoint=, Stderr=) for unknown % sequences. */
int fsp_template_check(const char *word, FspError *err);

typedef struct FspExpandContext {
        const char *executable;  /* %0 */
        char *const *args;       /* %1..%9, NULL-terminated, at most 9 */
        const char *user;        /* %U */
        const char *home;        /* %P */
        uint64_t realtime_usec;  /* %T, CLOCK_REALTIME in µs; 0 = now */
        const char *class_name;  /* %C */
        const char *instance;    /* %I */
} FspExpandContext;

/* Expand one word. More than 9 args is -E2BIG with a message, never a truncation. */
int fsp_template_expand(const char *word, const FspExpandContext *ctx, char **ret, FspError *err);

/* Expand every word; the result has the same number of words. */
int fsp_cmdline_expand(char *const *words, const FspExpandContext *ctx, char ***ret_argv, FspError *err);

#ifdef __cplusplus
}
#endif
