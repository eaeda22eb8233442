/* SPDX-License-Identifier: MIT */
/*
 * A passwd entry looked up with a buffer grown until it fits: getpw*_r's
 * ERANGE means "larger buffer", never "no such user". Shared by libfsp's
 * access checks and the launcher.
 */
#pragma once

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>

/*
 * The entry of a uid or a name (whichever is given: name NULL means by
 * uid). 1 found (*ret_pw points into *ret_buf, which the caller frees),
 * 0 no such user, -errno on error.
 */
static inline int passwd_lookup(uid_t uid, const char *name, struct passwd *ret_pw, char **ret_buf)
{
        for (size_t size = 1024;; size *= 2) {
                char *buf = malloc(size);
                struct passwd *pw = NULL;
                int r;

                if (!buf)
                        return -ENOMEM;
                r = name ? getpwnam_r(name, ret_pw, buf, size, &pw) : getpwuid_r(uid, ret_pw, buf, size, &pw);
                if (r == ERANGE && size < 1024 * 1024) {
                        free(buf);
                        continue;
                }
                if (r != 0 || !pw) {
                        free(buf);
                        return r != 0 ? -r : 0;
                }
                *ret_buf = buf;
                return 1;
        }
}
