/* SPDX-License-Identifier: MIT */
#include <sys/wait.h>

#include "children.h"
#include "macro.h"

#define BUCKETS 4096

typedef struct Child Child;
struct Child {
        Child *next;
        pid_t pid;
        ChildFn fn;
        void *userdata;
};

static Child *buckets[BUCKETS];
static sd_event_source *sigchld_source;

static Child **slot_of(pid_t pid)
{
        Child **pp = &buckets[(unsigned) pid % BUCKETS];

        while (*pp && (*pp)->pid != pid)
                pp = &(*pp)->next;
        return pp;
}

int children_watch(pid_t pid, ChildFn fn, void *userdata)
{
        Child **pp = slot_of(pid), *c;

        if (*pp)
                return -EEXIST;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        *c = (Child){ .next = NULL, .pid = pid, .fn = fn, .userdata = userdata };
        *pp = c;
        return 0;
}

void children_forget(pid_t pid)
{
        Child **pp = slot_of(pid), *c = *pp;

        if (c) {
                *pp = c->next;
                free(c);
        }
}

/* Every child that can be reaped now, one by one (signals coalesce: one SIGCHLD may stand for many). */
static int on_sigchld(sd_event_source *s, const struct signalfd_siginfo *ssi, void *userdata)
{
        for (;;) {
                siginfo_t si = { 0 };
                Child **pp, *c;

                if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
                        return 0;
                pp = slot_of(si.si_pid);
                c = *pp;
                if (c) {
                        *pp = c->next;
                        c->fn(si.si_pid, &si, c->userdata);
                        free(c);
                }
                /* Reaped by its handler, or nobody's (a helper that is done): reaped here. */
                (void) waitid(P_PID, (id_t) si.si_pid, &si, WEXITED | WNOHANG);
        }
}

int children_setup(sd_event *e)
{
        return sd_event_add_signal(e, &sigchld_source, SIGCHLD, on_sigchld, NULL);
}

void children_done(void)
{
        sigchld_source = sd_event_source_disable_unref(sigchld_source);
        for (size_t k = 0; k < BUCKETS; k++)
                while (buckets[k]) {
                        Child *c = buckets[k];
                        buckets[k] = c->next;
                        free(c);
                }
}
