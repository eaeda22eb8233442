/* SPDX-License-Identifier: MIT */
#include <sys/mount.h>

#include "mounts.h"
#include "macro.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
        char *w = s;
        for (char *r = s; *r;) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 4;
                } else
                        *w++ = *r++;
        }
        *w = 0;
}

typedef struct MountLine {
        int id;
        int parent;
        char *mount_point; /* unescaped, points into the line */
        char *fstype;
} MountLine;

static bool parse_line(char *line, MountLine *ret)
{
        char *save = NULL, *tok;
        int field = 0;
        bool after_dash = false;

        *ret = (MountLine){ 0 };
        for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), field++) {
                if (field == 0)
                        ret->id = atoi(tok);
                else if (field == 1)
                        ret->parent = atoi(tok);
                else if (field == 4)
                        ret->mount_point = tok;
                else if (field > 5 && !after_dash && streq(tok, "-"))
                        after_dash = true;
                else if (after_dash && !ret->fstype) {
                        ret->fstype = tok;
                        break;
                }
        }
        if (!ret->mount_point || !ret->fstype)
                return false;
        unescape_octal(ret->mount_point);
        return true;
}

typedef int (*MountFn)(const MountLine *m, void *userdata);

/* Call fn for each mount at path; a non-zero return stops and is returned. */
static int for_each_mount_at(const char *path, MountFn fn, void *userdata)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        size_t size = 0;

        if (!f)
                return -errno;
        while (getline(&line, &size, f) > 0) {
                MountLine m;
                int r;
                if (!parse_line(line, &m) || !streq(m.mount_point, path))
                        continue;
                r = fn(&m, userdata);
                if (r != 0)
                        return r;
        }
        return 0;
}

static int add_id(const MountLine *m, void *userdata)
{
        MountSnapshot *s = userdata;
        if (s->count < MOUNT_IDS_MAX)
                s->ids[s->count++] = m->id;
        return 0;
}

int mount_snapshot(const char *path, MountSnapshot *ret)
{
        *ret = (MountSnapshot){ 0 };
        return for_each_mount_at(path, add_id, ret);
}

static bool snapshot_has(const MountSnapshot *s, int id)
{
        for (size_t k = 0; s && k < s->count; k++)
                if (s->ids[k] == id)
                        return true;
        return false;
}

typedef struct FindNew {
        const MountSnapshot *before;
        char **ret_fstype;
} FindNew;

static int find_new(const MountLine *m, void *userdata)
{
        FindNew *f = userdata;
        if (snapshot_has(f->before, m->id))
                return 0;
        if (f->ret_fstype) {
                *f->ret_fstype = strdup(m->fstype);
                if (!*f->ret_fstype)
                        return -ENOMEM;
        }
        return 1;
}

int mount_find_new(const char *path, const MountSnapshot *before, char **ret_fstype)
{
        FindNew f = { .before = before, .ret_fstype = ret_fstype };
        return for_each_mount_at(path, find_new, &f);
}

typedef struct FindFuse {
        const MountSnapshot *before;
        int parent_id;
        int id;
} FindFuse;

static bool fstype_is_fuse(const char *t)
{
        return streq(t, "fuse") || streq(t, "fuseblk") || strneq(t, "fuse.", 5);
}

static int find_fuse(const MountLine *m, void *userdata)
{
        FindFuse *f = userdata;
        if (snapshot_has(f->before, m->id) || !fstype_is_fuse(m->fstype) ||
            (f->parent_id >= 0 && m->parent != f->parent_id))
                return 0;
        f->id = m->id; /* the last one: the top of the stack */
        return 0;
}

int mount_find_new_fuse(const char *path, const MountSnapshot *before, int parent_id, int *ret_id)
{
        FindFuse f = { .before = before, .parent_id = parent_id, .id = -1 };
        int r = for_each_mount_at(path, find_fuse, &f);

        if (r < 0)
                return r;
        if (f.id < 0)
                return 0;
        *ret_id = f.id;
        return 1;
}

static int any(const MountLine *m, void *userdata)
{
        return 1;
}

int mount_is_mountpoint(const char *path)
{
        return for_each_mount_at(path, any, NULL);
}

/* Mounts stacked at one path: the topmost is the one no other mount there sits on. */
typedef struct Stack {
        int ids[MOUNT_IDS_MAX], parents[MOUNT_IDS_MAX];
        char fstypes[MOUNT_IDS_MAX][32];
        size_t count;
} Stack;

static int add_to_stack(const MountLine *m, void *userdata)
{
        Stack *s = userdata;
        if (s->count < MOUNT_IDS_MAX) {
                s->ids[s->count] = m->id;
                s->parents[s->count] = m->parent;
                snprintf(s->fstypes[s->count], sizeof(s->fstypes[0]), "%s", m->fstype);
                s->count++;
        }
        return 0;
}

static int top_of_stack(const Stack *s)
{
        for (size_t k = 0; k < s->count; k++) {
                bool covered = false;
                for (size_t j = 0; j < s->count && !covered; j++)
                        covered = s->parents[j] == s->ids[k];
                if (!covered)
                        return (int) k;
        }
        return -1;
}

/*
 * Only the topmost mount can be detached by path; under it there may be
 * others that are not ours (an autofs trigger, say), which stay.
 */
int mount_detach_fuse(const char *path, const MountSnapshot *before)
{
        int n = 0;

        for (int round = 0; round < MOUNT_IDS_MAX; round++) {
                Stack s = { 0 };
                int r = for_each_mount_at(path, add_to_stack, &s), top;
                if (r < 0)
                        return n > 0 ? n : r;
                top = top_of_stack(&s);
                if (top < 0 || snapshot_has(before, s.ids[top]) || !strneq(s.fstypes[top], "fuse", 4))
                        return n;
                if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                        return n > 0 ? n : -errno;
                n++;
        }
        return n;
}
