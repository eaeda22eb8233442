/* SPDX-License-Identifier: MIT */
/*
 * Remembered passwords in the user's Secret Service keyring (libsecret),
 * schema "org.winfsp.Credentials" with attributes remote, class and user.
 * "session" stores in the session collection (gone at logout), "forever"
 * in the default collection.
 */
#pragma once

#include <fsp/secret.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FSP_KEYRING_SCHEMA "org.winfsp.Credentials"

typedef enum FspRemember {
        FSP_REMEMBER_NEVER,
        FSP_REMEMBER_SESSION,
        FSP_REMEMBER_FOREVER,
        _FSP_REMEMBER_MAX,
        _FSP_REMEMBER_INVALID = -22,
} FspRemember;

FspRemember fsp_remember_from_string(const char *s);
const char *fsp_remember_to_string(FspRemember r);

/*
 * Look up the password for remote (normalized "//class/instance") and user
 * (NULL or "" when the class takes no user name). -ENOENT when none is
 * stored; -ENXIO (with a message) when no Secret Service can be reached.
 */
int fsp_keyring_lookup(const char *remote, const char *class_name, const char *user, FspSecret **ret,
                       char **ret_message);

int fsp_keyring_store(const char *remote, const char *class_name, const char *user, const FspSecret *secret,
                      FspRemember where, char **ret_message);

/* Remove every stored password for remote (any user). Returns how many went, or -errno. */
int fsp_keyring_forget(const char *remote, char **ret_message);

#ifdef __cplusplus
}
#endif
