/* SPDX-License-Identifier: MIT */
/*
 * The manager's instance table: a list in start order (what List shows) and
 * an index by class and instance name, so finding an instance costs the
 * same with 10,000 as with 10. Names are the callers' to choose: the hash
 * is keyed per launcher.
 */
#include <stdlib.h>

#include "macro.h"
#include "manager.h"

static size_t slot_of(const Manager *m, const char *class_name, const char *name)
{
        uint64_t h = m->hash_key ^ 0xcbf29ce484222325ULL; /* FNV-1a, keyed per launcher */

        for (const char *s = class_name; *s; s++)
                h = (h ^ (uint8_t) *s) * 0x100000001b3ULL;
        h = (h ^ 0xff) * 0x100000001b3ULL; /* no byte of a class name or of UTF-8 */
        for (const char *s = name; *s; s++)
                h = (h ^ (uint8_t) *s) * 0x100000001b3ULL;
        return (size_t) (h ^ (h >> 32)) & (m->n_buckets - 1);
}

Instance *manager_find_instance(Manager *m, const char *class_name, const char *name)
{
        Instance *i = m->n_buckets > 0 ? m->buckets[slot_of(m, class_name, name)] : m->instances;

        for (; i; i = m->n_buckets > 0 ? i->hash_next : i->next)
                if (streq(i->class_name, class_name) && streq(i->name, name))
                        return i;
        return NULL;
}

Instance *manager_find_instance_by_mount_point(Manager *m, const char *path)
{
        for (Instance *i = m->instances; i; i = i->next)
                if (i->mount_point && streq(i->mount_point, path))
                        return i;
        return NULL;
}

/* Index every instance of the list in a table twice as big; without memory, the old one stays (or the list). */
static void index_rebuild(Manager *m)
{
        size_t n = m->n_buckets > 0 ? m->n_buckets * 2 : 64;
        Instance **b = calloc(n, sizeof(*b));

        if (!b)
                return;
        free(m->buckets);
        m->buckets = b;
        m->n_buckets = n;
        for (Instance *i = m->instances; i; i = i->next) {
                size_t k = slot_of(m, i->class_name, i->name);
                i->hash_next = b[k];
                b[k] = i;
        }
}

void manager_table_link(Manager *m, Instance *i)
{
        i->prev = m->instances_tail;
        i->next = NULL;
        if (m->instances_tail)
                m->instances_tail->next = i;
        else
                m->instances = i;
        m->instances_tail = i;
        m->n_instances++;
        if (m->n_instances > m->n_buckets) {
                size_t before = m->n_buckets;
                index_rebuild(m);
                if (m->n_buckets != before)
                        return; /* i is in the new index */
        }
        if (m->n_buckets > 0) {
                size_t k = slot_of(m, i->class_name, i->name);
                i->hash_next = m->buckets[k];
                m->buckets[k] = i;
        }
}

void manager_table_unlink(Manager *m, Instance *i)
{
        if (m->n_buckets > 0)
                for (Instance **pp = &m->buckets[slot_of(m, i->class_name, i->name)]; *pp; pp = &(*pp)->hash_next)
                        if (*pp == i) {
                                *pp = i->hash_next;
                                break;
                        }
        i->hash_next = NULL;
        if (i->prev)
                i->prev->next = i->next;
        else
                m->instances = i->next;
        if (i->next)
                i->next->prev = i->prev;
        else
                m->instances_tail = i->prev;
        i->prev = i->next = NULL;
        m->n_instances--;
}

unsigned manager_count_instances_of(Manager *m, uid_t uid)
{
        unsigned n = 0;

        for (Instance *i = m->instances; i; i = i->next)
                n += i->id.started_by == uid;
        return n;
}

unsigned manager_count_class_instances_of(Manager *m, const char *class_name, uid_t uid)
{
        unsigned n = 0;

        for (Instance *i = m->instances; i; i = i->next)
                n += i->id.started_by == uid && streq(i->class_name, class_name);
        return n;
}
