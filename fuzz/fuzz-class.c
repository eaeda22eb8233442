/* SPDX-License-Identifier: MIT */
/*
 * The class parser, fsp_class_parse(): any bytes in, a class or an error
 * out. An error has a code, a sentence and a line inside the text; a class
 * has what fsp_class_parse() promises (an absolute Executable, Security,
 * a command line, keys that agree with each other).
 */
#include <fsp/class.h>
#include <fsp/cmdline.h>

#include "fuzz.h"

static void count_warning(const FspError *w, void *userdata)
{
        FUZZ_CHECK(w->text[0] && w->code == 0);
        (*(unsigned *) userdata)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FspClass *c = NULL;
        FspError err;
        unsigned lines = 1, warnings = 0;

        for (size_t i = 0; i < size; i++)
                lines += data[i] == '\n';
        if (fsp_class_parse("fuzz", "fuzz.conf", (const char *) data, size, &c, &err, count_warning,
                            &warnings) < 0) {
                FUZZ_CHECK(err.code < 0 && err.text[0] && err.line <= lines);
                FUZZ_CHECK(strcmp(err.file, "fuzz.conf") == 0);
                FUZZ_CHECK(c == NULL);
                return 0;
        }
        FUZZ_CHECK(c && c->n_ref == 1 && c->executable && c->executable[0] == '/');
        FUZZ_CHECK(c->security && c->security_text && c->command_line && c->accept_options);
        FUZZ_CHECK(c->description && c->work_directory);
        FUZZ_CHECK(!fsp_cmdline_uses(c->command_line, 'S') || c->credentials != FSP_CREDENTIALS_NONE);
        FUZZ_CHECK(c->credentials_stdin != FSP_CREDENTIALS_STDIN_USER_PASSWORD_LINES ||
                   c->credentials == FSP_CREDENTIALS_USER_PASSWORD);
        FUZZ_CHECK(fsp_credentials_stdin_to_string(c->credentials_stdin) &&
                   fsp_credentials_reply_to_string(c->credentials_reply) &&
                   fsp_mount_by_to_string(c->mount_by));
        /* Every word of the command line expands. */
        char **argv = NULL;
        FUZZ_CHECK(fsp_cmdline_expand(c->command_line, NULL, &argv, &err) == 0);
        for (size_t i = 0; argv[i]; i++)
                free(argv[i]);
        free(argv);
        fsp_class_unref(c);
        return 0;
}
