/* SPDX-License-Identifier: MIT */
/* The phrases refusal.h lists, looked for without regard to case. */
#include <string.h>

#include "refusal.h"

static const char *const refusal_phrases[] = {
        "Permission denied (",    /* ssh: "alice@host: Permission denied (publickey,password)." */
        "authentication fail",    /* ssh "Authentication failed.", "Too many authentication failures" */
        "unable to authenticate", /* Go's ssh client (rclone sftp) */
        "password incorrect",     /* gocryptfs, encfs */
        "incorrect password",
        "wrong password", /* rclone's encrypted configuration, memfs */
        "bad password",
        "login incorrect",
};

bool refusal_in_message(const char *message)
{
        if (!message)
                return false;
        for (size_t i = 0; i < sizeof(refusal_phrases) / sizeof(refusal_phrases[0]); i++)
                if (strcasestr(message, refusal_phrases[i]))
                        return true;
        return false;
}
