/* SPDX-License-Identifier: MIT */
#include <fcntl.h>

#include "log.h"
#include "macro.h"
#include "start-queue.h"

/* Below the bus and the instances' own events: those are never kept waiting by queued starts. */
#define START_QUEUE_PRIORITY 100

typedef struct Entry Entry;
struct Entry {
        Entry *next;
        Instance *instance;
        InstanceStartParams params;
};

/* One FIFO per user, the users in a ring. */
typedef struct UserQueue UserQueue;
struct UserQueue {
        UserQueue *next;
        uid_t uid;
        Entry *head, *tail;
};

struct StartQueue {
        sd_event_source *source;
        UserQueue *users; /* the one whose turn it is first */
};

static void entry_free(Entry *e)
{
        safe_close(e->params.secret_fd);
        safe_close(e->params.fuse_fd);
        free(e);
}

static int on_turn(sd_event_source *s, void *userdata)
{
        StartQueue *q = userdata;
        UserQueue *u = q->users;
        Entry *e;

        if (!u)
                return sd_event_source_set_enabled(s, SD_EVENT_OFF);
        e = u->head;
        u->head = e->next;
        if (!u->head)
                u->tail = NULL;
        /* The next user's turn; a user with nothing left leaves the ring. */
        q->users = u->next;
        if (u->head) {
                UserQueue **last = &q->users;
                while (*last)
                        last = &(*last)->next;
                *last = u;
                u->next = NULL;
        } else
                free(u);
        if (!q->users)
                (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        instance_start(e->instance, &e->params); /* may free the instance: nothing of it is used after */
        entry_free(e);
        return 0;
}

int start_queue_new(sd_event *e, StartQueue **ret)
{
        StartQueue *q = calloc(1, sizeof(*q));
        int r;

        if (!q)
                return -ENOMEM;
        r = sd_event_add_defer(e, &q->source, on_turn, q);
        if (r >= 0)
                r = sd_event_source_set_priority(q->source, START_QUEUE_PRIORITY);
        if (r >= 0)
                r = sd_event_source_set_enabled(q->source, SD_EVENT_OFF);
        if (r < 0) {
                start_queue_free(q);
                return r;
        }
        *ret = q;
        return 0;
}

StartQueue *start_queue_free(StartQueue *q)
{
        if (!q)
                return NULL;
        while (q->users) {
                UserQueue *u = q->users;
                q->users = u->next;
                while (u->head) {
                        Entry *e = u->head;
                        u->head = e->next;
                        entry_free(e);
                }
                free(u);
        }
        sd_event_source_disable_unref(q->source);
        free(q);
        return NULL;
}

static int dup_fd(int fd)
{
        return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

int start_queue_add(StartQueue *q, Instance *i, uid_t uid, const InstanceStartParams *p)
{
        Entry *e = calloc(1, sizeof(*e));
        UserQueue *u, **last = &q->users;

        if (!e)
                return -ENOMEM;
        *e = (Entry){ .instance = i, .params = { .secret_fd = dup_fd(p->secret_fd), .fuse_fd = dup_fd(p->fuse_fd) } };
        if ((p->secret_fd >= 0 && e->params.secret_fd < 0) || (p->fuse_fd >= 0 && e->params.fuse_fd < 0)) {
                int r = -errno;
                entry_free(e);
                return r;
        }
        for (u = q->users; u && u->uid != uid; u = u->next)
                last = &u->next;
        if (!u) {
                if (!(u = calloc(1, sizeof(*u)))) {
                        entry_free(e);
                        return -ENOMEM;
                }
                u->uid = uid;
                *last = u;
        }
        if (u->tail)
                u->tail->next = e;
        else
                u->head = e;
        u->tail = e;
        return sd_event_source_set_enabled(q->source, SD_EVENT_ON);
}

void start_queue_forget(StartQueue *q, Instance *i)
{
        for (UserQueue *u = q->users; u; u = u->next)
                for (Entry **pp = &u->head, *e; (e = *pp); pp = &e->next)
                        if (e->instance == i) {
                                *pp = e->next;
                                if (u->tail == e) {
                                        u->tail = NULL;
                                        for (Entry *t = u->head; t; t = t->next)
                                                u->tail = t;
                                }
                                entry_free(e);
                                return;
                        }
}
