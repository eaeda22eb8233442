/* SPDX-License-Identifier: MIT */
/*
 * The SDDL-like parser: an error points inside the text; what parses
 * prints to a canonical form that parses to itself.
 */
#include <fsp/security.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = fuzz_string(data, size), *canonical = NULL, *again_text = NULL;
        FspSecurity *s = NULL, *again = NULL;
        FspError err;

        if (fsp_sddl_parse(text, &s, &err) < 0) {
                FUZZ_CHECK(err.code == -EINVAL && err.text[0]);
                FUZZ_CHECK(err.column >= 1 && err.column <= strlen(text) + 1);
                free(text);
                return 0;
        }
        canonical = fsp_security_to_string(s);
        FUZZ_CHECK(canonical);
        FUZZ_CHECK(fsp_sddl_parse(canonical, &again, &err) == 0);
        again_text = fsp_security_to_string(again);
        FUZZ_CHECK(again_text && strcmp(again_text, canonical) == 0);
        free(again_text);
        free(canonical);
        fsp_security_free(again);
        fsp_security_free(s);
        free(text);
        return 0;
}
