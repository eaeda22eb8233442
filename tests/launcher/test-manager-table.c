/* SPDX-License-Identifier: MIT */
/*
 * The launcher's instance table (launcher/daemon/manager-table.c): every
 * instance found by class and name through growth of the index and removal
 * in any order, never a neighbour's; the list keeps start order; counts by
 * user and class.
 */
#include <stdio.h>

#include "manager.h"
#include "test.h"

#define N 3000

static Instance *fake(const char *class_name, unsigned k)
{
        Instance *i = calloc(1, sizeof(*i));
        char name[32];

        snprintf(name, sizeof(name), "i%u", k);
        i->class_name = strdup(class_name);
        i->name = strdup(name);
        i->id.started_by = k % 3;
        return i;
}

static void fake_free(Instance *i)
{
        free(i->class_name);
        free(i->name);
        free(i);
}

int main(void)
{
        Manager m = { .hash_key = 0x5eed };
        static Instance *in[N];
        unsigned k, n;

        CHECK(manager_find_instance(&m, "a", "i0") == NULL);
        for (k = 0; k < N; k++) {
                /* Two classes with the same instance names: "a/i7" and "b/i7" are two instances. */
                in[k] = fake(k % 2 ? "b" : "a", k / 2);
                manager_table_link(&m, in[k]);
        }
        CHECK_INT(m.n_instances, N);
        CHECK(m.n_buckets >= N);
        for (k = 0, n = 0; k < N; k++)
                n += manager_find_instance(&m, k % 2 ? "b" : "a", in[k]->name) == in[k];
        CHECK_INT(n, N);
        CHECK(manager_find_instance(&m, "a", "i99999") == NULL);
        CHECK(manager_find_instance(&m, "c", "i1") == NULL);
        CHECK(manager_find_instance(&m, "ai", "1") == NULL); /* the separator counts */

        /* Out: every third, then the first and the last. */
        for (k = 0; k < N; k += 3) {
                manager_table_unlink(&m, in[k]);
                fake_free(in[k]);
                in[k] = NULL;
        }
        manager_table_unlink(&m, in[1]);
        fake_free(in[1]);
        in[1] = NULL;
        manager_table_unlink(&m, in[N - 1]);
        fake_free(in[N - 1]);
        in[N - 1] = NULL;
        for (k = 0, n = 0; k < N; k++) {
                const char *c = k % 2 ? "b" : "a";
                char name[32];
                snprintf(name, sizeof(name), "i%u", k / 2);
                n += manager_find_instance(&m, c, name) == in[k];
        }
        CHECK_INT(n, N);

        /* Start order, the survivors only. */
        k = 0;
        n = 0;
        for (Instance *i = m.instances; i; i = i->next) {
                while (k < N && !in[k])
                        k++;
                n += k < N && i == in[k];
                k++;
        }
        CHECK_INT(n, m.n_instances);
        CHECK(m.instances_tail == in[N - 2]);

        unsigned by1 = 0, by1a = 0;
        for (k = 0; k < N; k++)
                if (in[k] && in[k]->id.started_by == 1) {
                        by1++;
                        by1a += k % 2 == 0;
                }
        CHECK_INT(manager_count_instances_of(&m, 1), by1);
        CHECK_INT(manager_count_class_instances_of(&m, "a", 1), by1a);

        while (m.instances) {
                Instance *i = m.instances;
                manager_table_unlink(&m, i);
                fake_free(i);
        }
        CHECK_INT(m.n_instances, 0);
        CHECK(manager_find_instance(&m, "b", "i5") == NULL);
        free(m.buckets);
        return test_result();
}
