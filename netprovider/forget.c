/* SPDX-License-Identifier: MIT */
/* winfsp-net forget: drop the remembered passwords of a remote, whatever the user. */
#include <fsp/names.h>

#include "macro.h"
#include "net.h"

int net_forget(const char *text)
{
        _cleanup_free_ char *message = NULL;
        _cleanup_(fsp_remote_name_done) FspRemoteName remote = {};
        FspError err;
        int r;

        net_log_set_context("forget %s", text);
        r = fsp_remote_name_parse(text, &remote, &err);
        if (r < 0)
                return net_fail_remote_name(r, &err);
        net_log_set_context("forget %s", remote.normalized);

        r = fsp_keyring_forget(remote.normalized, &message);
        if (r < 0)
                return net_fail(r, NET_EXIT_FAILURE, "%s", message ? message : strerror(-r));
        if (r == 0)
                printf("no remembered password for %s\n", remote.normalized);
        else
                printf("forgot %d remembered password%s for %s\n", r, r == 1 ? "" : "s", remote.normalized);
        return 0;
}
