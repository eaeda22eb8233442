/* SPDX-License-Identifier: MIT */
/*
 * Mount options. The input is "ACCEPT\0OPTIONS": a class's AcceptOptions=
 * and a caller's -o list. Promises: an error names a column inside the
 * list and leaves the result as it was; what is taken is always
 * nosuid,nodev, never suid or dev; every program option is one the class
 * accepts, free of commas and control bytes; a class's MountOptions= takes
 * only generic and FUSE options.
 */
#include <fsp/mount-options.h>
#include <linux/mount.h>

#include "fuzz.h"

static void check_list(char **l, FspMountOptionKind kind, char *const *accept)
{
        for (size_t i = 0; l && l[i]; i++) {
                FUZZ_CHECK(l[i][0] && !strchr(l[i], ','));
                for (const char *p = l[i]; *p; p++)
                        FUZZ_CHECK((unsigned char) *p >= 0x20 && *p != 0x7f);
                FUZZ_CHECK(fsp_mount_option_classify(l[i]) == kind);
                if (kind == FSP_MOUNT_OPTION_PROGRAM)
                        FUZZ_CHECK(fsp_accept_options_match(accept, l[i]));
        }
}

static void check_options(const FspMountOptions *o, char *const *accept)
{
        FUZZ_CHECK((o->attr_set & (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) ==
                   (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV));
        FUZZ_CHECK((o->attr_clear & (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) == 0);
        check_list(o->fuse, FSP_MOUNT_OPTION_FUSE, accept);
        check_list(o->program, FSP_MOUNT_OPTION_PROGRAM, accept);
        check_list(o->dropped, FSP_MOUNT_OPTION_DROPPED, accept);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *input = fuzz_string(data, size), **accept = NULL, *joined;
        const char *text = fuzz_part(input, size, 1);
        FspMountOptions o = {}, launcher = {};
        FspError err;

        if (fsp_accept_options_parse(input, &accept, &err) < 0) {
                FUZZ_CHECK(err.text[0] && err.column >= 1 && err.column <= strlen(input) + 1);
                FUZZ_CHECK(accept == NULL);
        } else
                check_list(accept, FSP_MOUNT_OPTION_PROGRAM, accept);
        if (!text)
                text = input;

        if (fsp_mount_options_add(&o, text, accept, FSP_MOUNT_OPTIONS_CALLER, &err) < 0) {
                FUZZ_CHECK(err.text[0] && err.column >= 1 && err.column <= strlen(text) + 1);
                FUZZ_CHECK(!o.attr_set && !o.fuse && !o.program && !o.dropped);
        } else {
                check_options(&o, accept);
                joined = fsp_mount_options_join(o.program);
                FUZZ_CHECK(joined);
                free(joined);
                /* A second list adds to the first, whole or not at all. */
                FspMountOptions before = o;
                if (fsp_mount_options_add(&o, input, accept, FSP_MOUNT_OPTIONS_CALLER, &err) < 0)
                        FUZZ_CHECK(o.attr_set == before.attr_set && o.attr_clear == before.attr_clear);
                check_options(&o, accept);
        }
        if (fsp_mount_options_add(&launcher, text, NULL, FSP_MOUNT_OPTIONS_LAUNCHER, &err) == 0) {
                FUZZ_CHECK(!launcher.program && !launcher.dropped);
                check_options(&launcher, NULL);
        }
        fsp_mount_options_done(&launcher);
        fsp_mount_options_done(&o);
        for (size_t i = 0; accept && accept[i]; i++)
                free(accept[i]);
        free(accept);
        free(input);
        return 0;
}
