/* SPDX-License-Identifier: MIT */
/*
 * Logging in to a class that needs credentials: where the user name and
 * the password come from, in order, how many tries each source gets, and
 * what is remembered afterwards.
 *
 *   1. $CREDENTIALS_DIRECTORY/winfsp.password (and winfsp.user): a unit's
 *      LoadCredential=; refused means failed.
 *   2. the Secret Service keyring; refused is reported, then 3. is asked.
 *   3. --password-stdin (one try), else the terminal without echo (three
 *      tries), else systemd's password agents (three tries).
 *
 * Only a password the file system accepted is stored, and only where the
 * user said (--remember, or the question on the terminal); a refused
 * remembered password is replaced by the one that worked.
 */
#pragma once

#include <fsp/keyring.h>
#include <fsp/names.h>
#include <fsp/secret.h>
#include <stdbool.h>

typedef struct Login {
        const FspRemoteName *remote;
        unsigned credentials;     /* 1: password; 3: user name and password */
        const char *user;         /* --user / -o user=, or NULL */
        bool password_stdin;
        FspRemember remember;     /* _FSP_REMEMBER_INVALID: not said */
} Login;

/*
 * Try a user name (NULL for Credentials=1) and a password. 0: the file
 * system accepted them. -EKEYREJECTED: refused, try the next source (a
 * reason may be returned in *ret_reason). Anything else: a failure that
 * has been reported; give up.
 */
typedef int (*LoginAttemptFn)(const char *user, const FspSecret *password, char **ret_reason, void *userdata);

/* Run the sources in order until an attempt succeeds. Failures are reported. */
int login_run(const Login *login, LoginAttemptFn attempt, void *userdata);

/* The user name an instance suggests: "alice" for "alice@share". NULL when none. */
char *login_user_from_instance(const char *instance);
