/* SPDX-License-Identifier: MIT */
/* Many threads at once in one directory: create, rename, link, mkdir. */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "fsconform.h"

enum { THREADS = 4 };

typedef struct Shared {
        Ctx *c;
        pthread_mutex_t lock;
        char error[512];   /* the first thread error */
        atomic_bool stop;
} Shared;

typedef struct Worker {
        Shared *s;
        int id;
        pthread_t thread;
} Worker;

static void *worker_fail(Worker *w, const char *fmt, ...) _printf_(2, 3);
static void *worker_fail(Worker *w, const char *fmt, ...)
{
        va_list ap;

        pthread_mutex_lock(&w->s->lock);
        if (!w->s->error[0]) {
                int n = snprintf(w->s->error, sizeof(w->s->error), "thread %d: ", w->id);
                va_start(ap, fmt);
                vsnprintf(w->s->error + n, sizeof(w->s->error) - (size_t) n, fmt, ap);
                va_end(ap);
        }
        pthread_mutex_unlock(&w->s->lock);
        atomic_store(&w->s->stop, true);
        return NULL;
}

static Result run_workers(Ctx *c, Shared *s, Worker *w, int n, void *(*fn)(void *))
{
        s->c = c;
        pthread_mutex_init(&s->lock, NULL);
        for (int i = 0; i < n; i++) {
                w[i] = (Worker){.s = s, .id = i};
                if (pthread_create(&w[i].thread, NULL, fn, &w[i]) != 0)
                        FAIL("pthread_create failed");
        }
        for (int i = 0; i < n; i++)
                pthread_join(w[i].thread, NULL);
        if (s->error[0])
                FAIL("%s", s->error);
        return RESULT_PASS;
}

enum { FILES = 1000 };

static void *create_rename_worker(void *arg)
{
        Worker *w = arg;
        int dirfd = w->s->c->dirfd;
        char tmp[32], final[32], content[32];

        for (int i = 0; i < FILES && !atomic_load(&w->s->stop); i++) {
                int n = snprintf(content, sizeof(content), "%d-%d", w->id, i);
                snprintf(tmp, sizeof(tmp), "t%d-%d", w->id, i);
                snprintf(final, sizeof(final), "r%d-%d", w->id, i);
                if (write_file(dirfd, tmp, content, (size_t) n, 0644) < 0)
                        return worker_fail(w, "create %s: %s", tmp, errname(errno));
                if (renameat(dirfd, tmp, dirfd, final) < 0)
                        return worker_fail(w, "rename %s: %s", tmp, errname(errno));
                if (i % 10 == 0 && renameat(dirfd, final, dirfd, "shared") < 0)
                        return worker_fail(w, "rename %s over shared: %s", final, errname(errno));
        }
        return NULL;
}

static Result threads_create_rename(Ctx *c)
{
        Shared s = {};
        Worker w[THREADS];
        char name[32], want[32], buf[32];
        int expected = THREADS * (FILES - FILES / 10) + 1;
        int a, b;
        ssize_t n;

        EXPECT_PASS(run_workers(c, &s, w, THREADS, create_rename_worker));
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), expected);
        for (int t = 0; t < THREADS; t++)
                for (int i = 0; i < FILES; i++) {
                        snprintf(name, sizeof(name), "r%d-%d", t, i);
                        if (i % 10 == 0)
                                continue;
                        int len = snprintf(want, sizeof(want), "%d-%d", t, i);
                        n = read_file(c->dirfd, name, buf, sizeof(buf));
                        if (n != len || memcmp(buf, want, (size_t) len) != 0)
                                FAIL("%s is missing or holds the wrong data", name);
                }
        n = read_file(c->dirfd, "shared", buf, sizeof(buf) - 1);
        EXPECT_TRUE(n > 0);
        buf[n] = 0;
        if (sscanf(buf, "%d-%d", &a, &b) != 2 || b % 10 != 0)
                FAIL("shared holds \"%s\"", buf);
        return RESULT_PASS;
}

/* While two threads swap or replace names, readers always find them. */
static void *exchange_worker(void *arg)
{
        Worker *w = arg;
        int dirfd = w->s->c->dirfd;
        char buf[8], tmp[32];

        for (int i = 0; i < 3000 && !atomic_load(&w->s->stop); i++) {
                switch (w->id) {
                case 0:
                        if (renameat2(dirfd, "a", dirfd, "b", RENAME_EXCHANGE) < 0)
                                return worker_fail(w, "exchange: %s", errname(errno));
                        break;
                case 1:
                        snprintf(tmp, sizeof(tmp), "new%d", i);
                        if (write_file(dirfd, tmp, "C", 1, 0644) < 0 || renameat(dirfd, tmp, dirfd, "c") < 0)
                                return worker_fail(w, "replace c: %s", errname(errno));
                        break;
                default:
                        for (const char *p = "abc"; *p; p++) {
                                char name[2] = {*p, 0};
                                if (read_file(dirfd, name, buf, sizeof(buf)) != 1)
                                        return worker_fail(w, "reading %s while it is renamed: %s", name,
                                                           errname(errno));
                        }
                }
        }
        return NULL;
}

static Result threads_rename_atomic(Ctx *c)
{
        Shared s = {};
        Worker w[THREADS];
        char a[2], b[2];

        EXPECT_OK(write_file(c->dirfd, "a", "A", 1, 0644));
        EXPECT_OK(write_file(c->dirfd, "b", "B", 1, 0644));
        EXPECT_OK(write_file(c->dirfd, "c", "C", 1, 0644));
        EXPECT_PASS(run_workers(c, &s, w, THREADS, exchange_worker));
        EXPECT_EQ(read_file(c->dirfd, "a", a, 1), 1);
        EXPECT_EQ(read_file(c->dirfd, "b", b, 1), 1);
        EXPECT_TRUE(a[0] != b[0] && (a[0] == 'A' || a[0] == 'B') && (b[0] == 'A' || b[0] == 'B'));
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 3);
        return RESULT_PASS;
}

enum { LINKS = 500 };

static void *link_worker(void *arg)
{
        Worker *w = arg;
        int dirfd = w->s->c->dirfd;
        char name[32];

        for (int i = 0; i < LINKS && !atomic_load(&w->s->stop); i++) {
                snprintf(name, sizeof(name), "L%d-%d", w->id, i);
                if (linkat(dirfd, "base", dirfd, name, 0) < 0)
                        return worker_fail(w, "link %s: %s", name, errname(errno));
                if (i % 2 == 1) {
                        snprintf(name, sizeof(name), "L%d-%d", w->id, i - 1);
                        if (unlinkat(dirfd, name, 0) < 0)
                                return worker_fail(w, "unlink %s: %s", name, errname(errno));
                }
        }
        return NULL;
}

static Result threads_link(Ctx *c)
{
        Shared s = {};
        Worker w[THREADS];
        struct stat st;

        EXPECT_OK(create_file(c->dirfd, "base", 0644));
        EXPECT_PASS(run_workers(c, &s, w, THREADS, link_worker));
        EXPECT_OK(stat_at(c->dirfd, "base", &st));
        EXPECT_EQ(st.st_nlink, 1 + THREADS * LINKS / 2);
        EXPECT_OK(stat_at(c->dirfd, "L0-1", &st));
        EXPECT_EQ(st.st_nlink, 1 + THREADS * LINKS / 2);
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 1 + THREADS * LINKS / 2);
        return RESULT_PASS;
}

/* mkdir, create inside and rmdir of the same names race; only the expected
 * errors may come back, and the tree stays consistent. */
static void *mkdir_worker(void *arg)
{
        Worker *w = arg;
        int dirfd = w->s->c->dirfd;
        char inner[32];

        snprintf(inner, sizeof(inner), "x/t%d", w->id);
        for (int i = 0; i < 2000 && !atomic_load(&w->s->stop); i++) {
                if (mkdirat(dirfd, "x", 0755) < 0 && errno != EEXIST)
                        return worker_fail(w, "mkdir x: %s", errname(errno));
                if (create_file(dirfd, inner, 0644) < 0 && errno != ENOENT && errno != EEXIST)
                        return worker_fail(w, "create %s: %s", inner, errname(errno));
                if (unlinkat(dirfd, inner, 0) < 0 && errno != ENOENT)
                        return worker_fail(w, "unlink %s: %s", inner, errname(errno));
                if (unlinkat(dirfd, "x", AT_REMOVEDIR) < 0 && errno != ENOENT && errno != ENOTEMPTY)
                        return worker_fail(w, "rmdir x: %s", errname(errno));
        }
        return NULL;
}

static Result threads_mkdir(Ctx *c)
{
        Shared s = {};
        Worker w[THREADS];
        struct stat st;

        EXPECT_PASS(run_workers(c, &s, w, THREADS, mkdir_worker));
        if (stat_at(c->dirfd, "x", &st) == 0) {
                int n = dir_count_entries(c->dirfd, "x");
                EXPECT_OK(n);
                char name[32];
                for (int i = 0; i < THREADS; i++) {
                        snprintf(name, sizeof(name), "x/t%d", i);
                        if (unlinkat(c->dirfd, name, 0) == 0)
                                n--;
                }
                EXPECT_EQ(n, 0);
                EXPECT_OK(unlinkat(c->dirfd, "x", AT_REMOVEDIR));
        }
        EXPECT_OK(fstat(c->dirfd, &st));
        EXPECT_EQ(st.st_nlink, 2);
        EXPECT_EQ(dir_count_entries(c->dirfd, "."), 0);
        return RESULT_PASS;
}

const Check threads_checks[] = {
        {"threads-create-rename", threads_create_rename},
        {"threads-rename-atomic", threads_rename_atomic},
        {"threads-link", threads_link},
        {"threads-mkdir", threads_mkdir},
        {},
};
