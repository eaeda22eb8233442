/* SPDX-License-Identifier: MIT */
#include <fsp/error.h>

#include "test.h"

static void test_format(void)
{
        FspError e;
        char buf[2048];

        fsp_error_set(&e, -EINVAL, 4, 10, "unknown right '%s'", "XX");
        snprintf(e.file, sizeof(e.file), "memfs.conf");
        snprintf(e.key, sizeof(e.key), "Security");
        CHECK_STR(fsp_error_format(&e, buf, sizeof(buf)), "memfs.conf:4:10: Security: unknown right 'XX'");

        e.column = 0;
        CHECK_STR(fsp_error_format(&e, buf, sizeof(buf)), "memfs.conf:4: Security: unknown right 'XX'");
        e.key[0] = 0;
        CHECK_STR(fsp_error_format(&e, buf, sizeof(buf)), "memfs.conf:4: unknown right 'XX'");
        e.line = 0;
        CHECK_STR(fsp_error_format(&e, buf, sizeof(buf)), "memfs.conf: unknown right 'XX'");

        CHECK_INT(fsp_error_set(&e, -EINVAL, 0, 7, "unterminated quote"), -EINVAL);
        CHECK_STR(e.file, "");
        CHECK_STR(fsp_error_format(&e, buf, sizeof(buf)), "column 7: unterminated quote");
        fsp_error_set(&e, -EINVAL, 12, 0, "line is too long");
        CHECK_STR(fsp_error_format(&e, buf, sizeof(buf)), "line 12: line is too long");
        fsp_error_set(&e, -EINVAL, 12, 3, "bad");
        CHECK_STR(fsp_error_format(&e, buf, sizeof(buf)), "line 12, column 3: bad");

        /* No text: the errno's. A positive code is made negative. */
        CHECK_INT(fsp_error_set(&e, ENOENT, 0, 0, NULL), -ENOENT);
        CHECK_STR(fsp_error_format(&e, buf, sizeof(buf)), strerror(ENOENT));

        /* Truncation: never more than n bytes. */
        fsp_error_set(&e, -EINVAL, 1, 1, "abcdefghijklmnop");
        CHECK_STR(fsp_error_format(&e, buf, 8), "line 1,");

        fsp_error_clear(&e);
        CHECK_INT(e.code, 0);
        CHECK_STR(fsp_error_format(&e, buf, sizeof(buf)), "");
        /* NULL is allowed where a caller does not want details. */
        CHECK_INT(fsp_error_set(NULL, -E2BIG, 1, 1, "x"), -E2BIG);
}

int main(void)
{
        test_format();
        return test_result();
}
