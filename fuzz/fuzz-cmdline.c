/* SPDX-License-Identifier: MIT */
/*
 * Command-line templates, split and expanded together. The input is
 * "TEMPLATE\0ARG1\0ARG2\0OPTIONS": the caller's values are as hostile as
 * the template. Promises: an error has a column inside the template; one
 * word gives one argument (only "%O" without options, and an "-o" before
 * it, give none); a word that is exactly %1 gives exactly the argument.
 */
#include <fsp/cmdline.h>

#include "fuzz.h"

static void strv_free_all(char **l)
{
        for (size_t i = 0; l && l[i]; i++)
                free(l[i]);
        free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *input = fuzz_string(data, size), **words = NULL, **argv = NULL;
        const char *arg1 = fuzz_part(input, size, 1), *arg2 = arg1 ? fuzz_part(input, size, 2) : NULL;
        const char *options = arg2 ? fuzz_part(input, size, 3) : NULL;
        char *args[] = { (char *) (arg1 ? arg1 : ""), (char *) (arg2 ? arg2 : ""), NULL };
        FspExpandContext ctx = {
                .executable = "/bin/x",
                .args = args,
                .user = "u",
                .home = "/h",
                .realtime_usec = 1,
                .class_name = "c",
                .instance = "i",
                .secret_path = "/dev/fd/3",
                .options = options,
        };
        size_t n_words = 0, n_argv = 0;
        FspError err;

        if (fsp_cmdline_split(input, &words, &err) < 0) {
                FUZZ_CHECK(err.code == -EINVAL && err.column >= 1 && err.column <= strlen(input) + 1);
                free(input);
                return 0;
        }
        FUZZ_CHECK(fsp_cmdline_expand(words, &ctx, &argv, &err) == 0);
        while (words[n_words])
                n_words++;
        while (argv[n_argv])
                n_argv++;
        if (options && options[0])
                FUZZ_CHECK(n_argv == n_words);
        else
                FUZZ_CHECK(n_argv <= n_words);
        if (n_argv == n_words)
                for (size_t i = 0; i < n_words; i++)
                        if (strcmp(words[i], "%1") == 0)
                                FUZZ_CHECK(strcmp(argv[i], args[0]) == 0);
        strv_free_all(argv);
        strv_free_all(words);
        free(input);
        return 0;
}
