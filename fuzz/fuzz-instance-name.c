/* SPDX-License-Identifier: MIT */
/*
 * Instance names: the check agrees with an independent, slower reading of
 * the rules (length, no leading '-', no control byte, no "." or ".." or
 * empty element), and an error points at a byte of the name.
 */
#include <fsp/names.h>

#include "fuzz.h"

static bool obviously_bad(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > FSP_INSTANCE_NAME_MAX || s[0] == '-' || s[0] == '/' || s[n - 1] == '/' ||
            strstr(s, "//") || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strncmp(s, "./", 2) == 0 ||
            strncmp(s, "../", 3) == 0 || strstr(s, "/./") || strstr(s, "/../") ||
            (n >= 2 && strcmp(s + n - 2, "/.") == 0) || (n >= 3 && strcmp(s + n - 3, "/..") == 0))
                return true;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f)
                        return true;
        return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *name = fuzz_string(data, size);
        FspError err;
        int r = fsp_instance_name_check(name, &err);

        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL && err.text[0]);
                FUZZ_CHECK(err.column >= 1 && err.column <= strlen(name) + 1);
        } else
                FUZZ_CHECK(!obviously_bad(name));
        if (obviously_bad(name))
                FUZZ_CHECK(r < 0);
        FUZZ_CHECK(fsp_instance_name_is_valid(name) == (r == 0));
        free(name);
        return 0;
}
