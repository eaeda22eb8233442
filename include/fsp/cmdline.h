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
 *   %S a /dev/fd/N path of a file holding the password (CommandLine= only)
 *   %O the caller's options the class accepts, comma-joined (CommandLine= only)
 */
#pragma once

#include <fsp/error.h>
#include <stdbool.h>
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

/* Check one template word (MountPoint=, Stderr=): no unknown % sequence, no %S or %O. */
int fsp_template_check(const char *word, FspError *err);

/* Whether a split command line uses %code (as in fsp_cmdline_uses(words, 'S')). */
bool fsp_cmdline_uses(char *const *words, char code);

typedef struct FspExpandContext {
        const char *executable;  /* %0 */
        char *const *args;       /* %1..%9, NULL-terminated, at most 9 */
        const char *user;        /* %U */
        const char *home;        /* %P */
        uint64_t realtime_usec;  /* %T, CLOCK_REALTIME in µs; 0 = now */
        const char *class_name;  /* %C */
        const char *instance;    /* %I */
        const char *secret_path; /* %S */
        const char *options;     /* %O */
} FspExpandContext;

/* Expand one word. More than 9 args is -E2BIG with a message, never a truncation. */
int fsp_template_expand(const char *word, const FspExpandContext *ctx, char **ret, FspError *err);

/*
 * Expand every word; one word gives one argument, except that a word that
 * is exactly %O is dropped when there are no options, together with a word
 * exactly "-o" right before it (so "-o %O" vanishes).
 */
int fsp_cmdline_expand(char *const *words, const FspExpandContext *ctx, char ***ret_argv, FspError *err);

#ifdef __cplusplus
}
#endif
