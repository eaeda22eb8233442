/* SPDX-License-Identifier: MIT */
/*
 * Instance names and remote names.
 *
 * An instance name is 1..255 bytes of valid UTF-8 with no control character
 * (C0, DEL or C1, U+0080..U+009F), no Unicode format character (category
 * Cf: soft hyphen, bidi controls, zero-width characters, BOM, tags...), no
 * leading '-' and no "." or ".." path element ("a/b" is fine, "a/../b" is
 * not).
 *
 * A remote name is "//class/instance[/more]" (backslashes are accepted in
 * place of slashes, as typed by WinFsp users). Normalising collapses
 * duplicate and trailing slashes; "//class" alone names the instance that
 * has the class's own name, and is the one spelling of it: "//class/class"
 * normalizes to "//class", as fsp_remote_name_format() writes it.
 */
#pragma once

#include <fsp/error.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FSP_INSTANCE_NAME_MAX 255

/* 0, or -EINVAL with err->column at the first bad byte and a reason naming it (as U+XXXX for a character). */
int fsp_instance_name_check(const char *name, FspError *err);

static inline bool fsp_instance_name_is_valid(const char *name)
{
        return fsp_instance_name_check(name, NULL) >= 0;
}

typedef struct FspRemoteName {
        char *class_name;
        char *instance;   /* "class" when the remote had no instance part */
        char *normalized; /* "//class/instance…" as %1 sees it */
} FspRemoteName;

int fsp_remote_name_parse(const char *text, FspRemoteName *ret, FspError *err);
void fsp_remote_name_done(FspRemoteName *r);

/* "//class/instance", or "//class" when instance equals class. Caller frees. */
char *fsp_remote_name_format(const char *class_name, const char *instance);

#ifdef __cplusplus
}
#endif
