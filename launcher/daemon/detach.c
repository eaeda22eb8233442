/* SPDX-License-Identifier: MIT */
#include <fsp/mount.h>

#include "detach.h"
#include "log.h"
#include "macro.h"
#include "resolver.h"

#define DETACH_RESOLVE_TIMEOUT_USEC (10 * USEC_PER_SEC)

typedef struct Detach Detach;
struct Detach {
        Detach *next;
        Resolver *resolver;
        int id;
        char *what;
};

static Detach *pending;

static void detach_free(Detach *d)
{
        for (Detach **pp = &pending; *pp; pp = &(*pp)->next)
                if (*pp == d) {
                        *pp = d->next;
                        break;
                }
        resolver_free(d->resolver);
        free(d->what);
        free(d);
}

static void on_resolved(int fd, int error, void *userdata)
{
        Detach *d = userdata;
        int r = error;

        for (int round = 0; r >= 0 && round < 16; round++) {
                r = fsp_mount_detach_id_at(fd, d->id);
                if (r != 2)
                        break;
        }
        if (r < 0)
                log_warning_errno(r, "%s: cannot detach its mount: %m", d->what);
        safe_close(fd);
        d->resolver = NULL; /* it is finishing this very call */
        detach_free(d);
}

int detach_mount(sd_event *e, const char *path, int mnt_id, const char *what)
{
        ResolveCredentials root = { .change = false };
        Detach *d;
        int r;

        r = fsp_mount_detach_id(path, mnt_id);
        if (r != -EAGAIN) {
                if (r < 0)
                        log_warning_errno(r, "%s: cannot detach its mount at %s: %m", what, path);
                return r;
        }
        d = calloc(1, sizeof(*d));
        if (!d || !(d->what = strdup(what))) {
                free(d);
                return -ENOMEM;
        }
        d->id = mnt_id;
        r = resolver_start(e, path, &root, DETACH_RESOLVE_TIMEOUT_USEC, on_resolved, d, &d->resolver);
        if (r < 0) {
                log_warning_errno(r, "%s: cannot detach its mount at %s: %m", what, path);
                free(d->what);
                free(d);
                return r;
        }
        d->next = pending;
        pending = d;
        return 2;
}

void detach_cancel_all(void)
{
        while (pending)
                detach_free(pending);
}
