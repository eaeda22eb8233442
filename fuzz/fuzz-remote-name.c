/* SPDX-License-Identifier: MIT */
/*
 * Remote names: a parsed name has one spelling. Its normalized form parses
 * to itself, is what fsp_remote_name_format() writes for its class and
 * instance, and its instance is a valid instance name.
 */
#include <fsp/class.h>
#include <fsp/names.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = fuzz_string(data, size), *formatted;
        FspRemoteName r = {}, again = {};
        FspError err;

        if (fsp_remote_name_parse(text, &r, &err) < 0) {
                FUZZ_CHECK(err.text[0] && err.column >= 1 && err.column <= strlen(text) + 1);
                FUZZ_CHECK(!r.class_name && !r.instance && !r.normalized);
                free(text);
                return 0;
        }
        FUZZ_CHECK(fsp_class_name_is_valid(r.class_name));
        FUZZ_CHECK(fsp_instance_name_check(r.instance, NULL) == 0);
        formatted = fsp_remote_name_format(r.class_name, r.instance);
        FUZZ_CHECK(formatted && strcmp(formatted, r.normalized) == 0);
        FUZZ_CHECK(fsp_remote_name_parse(r.normalized, &again, &err) == 0);
        FUZZ_CHECK(strcmp(again.normalized, r.normalized) == 0);
        FUZZ_CHECK(strcmp(again.class_name, r.class_name) == 0 && strcmp(again.instance, r.instance) == 0);
        fsp_remote_name_done(&again);
        fsp_remote_name_done(&r);
        free(formatted);
        free(text);
        return 0;
}
