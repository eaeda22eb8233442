/* SPDX-License-Identifier: MIT */
/*
 * Answering an automount: is the mount point an autofs trigger, and the
 * FUSE mount mount.winfsp makes itself then (see automount.h for why).
 */
#include <fcntl.h>
#include <fsp/mount.h>

#include "automount.h"
#include "macro.h"

#define MOUNTS_AT_PATH_MAX 16

typedef struct MountAtPath {
        unsigned id, parent;
        bool autofs;
} MountAtPath;

/* mountinfo's escapes: "\040" for a space and so on, decoded in place. */
static void unescape_octal(char *s)
{
        char *out = s;

        for (char *in = s; *in; out++) {
                if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
                    in[3] >= '0' && in[3] <= '7') {
                        *out = (char) ((in[1] - '0') << 6 | (in[2] - '0') << 3 | (in[3] - '0'));
                        in += 4;
                } else
                        *out = *in++;
        }
        *out = 0;
}

/*
 * One line of /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT
 * OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS". 1 with *ret filled
 * when it is a mount at path, 0 when it is not, -EBADMSG when malformed.
 */
static int parse_mount_line(char *line, const char *path, MountAtPath *ret)
{
        char *fields[6], *save = NULL, *word, *fstype = NULL;

        for (size_t n = 0; n < ELEMENTSOF(fields); n++)
                if (!(fields[n] = strtok_r(n == 0 ? line : NULL, " \n", &save)))
                        return -EBADMSG;
        while ((word = strtok_r(NULL, " \n", &save)))
                if (streq(word, "-")) {
                        fstype = strtok_r(NULL, " \n", &save);
                        break;
                }
        if (!fstype)
                return -EBADMSG;

        unescape_octal(fields[4]);
        if (!streq(fields[4], path))
                return 0;
        if (sscanf(fields[0], "%u", &ret->id) != 1 || sscanf(fields[1], "%u", &ret->parent) != 1)
                return -EBADMSG;
        ret->autofs = streq(fstype, "autofs");
        return 1;
}

/* Of mounts stacked at one path, the topmost is the one no other sits on. */
static const MountAtPath *topmost(const MountAtPath *m, size_t n)
{
        for (size_t i = n; i-- > 0;) {
                bool covered = false;

                for (size_t k = 0; k < n && !covered; k++)
                        covered = m[k].parent == m[i].id && k != i;
                if (!covered)
                        return &m[i];
        }
        return NULL;
}

int automount_is_trigger(const char *path)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        MountAtPath mounts[MOUNTS_AT_PATH_MAX], m;
        const MountAtPath *top;
        size_t size = 0, n = 0;

        if (!f)
                return -errno;
        while (getline(&line, &size, f) >= 0) {
                int r = parse_mount_line(line, path, &m);
                if (r < 0)
                        return r;
                if (r > 0 && n < ELEMENTSOF(mounts))
                        mounts[n++] = m;
        }
        top = topmost(mounts, n);
        return top && top->autofs;
}

int fuse_mount_new_detached(const char *source, const char *subtype, uint64_t attr_set, FuseMount *ret,
                            char *error, size_t n)
{
        FspFuseMountParams p = {
                .attr_set = attr_set,
                .source = source,
                .subtype = subtype,
                .user_id = getuid(),
                .group_id = getgid(),
                .allow_other = true,
                .default_permissions = true,
        };

        return fsp_fuse_mount_detached(&p, &ret->fuse_fd, &ret->mount_fd, error, n);
}

int fuse_mount_attach(FuseMount *m, const char *path)
{
        int r = fsp_mount_move_to_path(m->mount_fd, path);
        if (r < 0)
                return r;
        m->mount_fd = safe_close(m->mount_fd);
        return 0;
}

void fuse_mount_done(FuseMount *m)
{
        m->fuse_fd = safe_close(m->fuse_fd);
        m->mount_fd = safe_close(m->mount_fd);
}
