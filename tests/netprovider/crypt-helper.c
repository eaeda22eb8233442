/* SPDX-License-Identifier: MIT */
/*
 * fsp-net-crypt: print a SHA-512 crypt(3) hash of the password read on
 * stdin (one line), for the tests' --secret-hash files. The password never
 * goes on a command line.
 */
#include <crypt.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
        char password[4097], salt[CRYPT_GENSALT_OUTPUT_SIZE];
        struct crypt_data data;
        size_t n;

        if (!fgets(password, sizeof(password), stdin))
                password[0] = 0;
        n = strlen(password);
        if (n > 0 && password[n - 1] == '\n')
                password[--n] = 0;
        if (!crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof(salt))) {
                perror("fsp-net-crypt: crypt_gensalt_rn");
                return 1;
        }
        memset(&data, 0, sizeof(data));
        if (!crypt_rn(password, salt, &data, sizeof(data))) {
                perror("fsp-net-crypt: crypt_rn");
                return 1;
        }
        printf("%s\n", data.output);
        return 0;
}
