/* SPDX-License-Identifier: MIT */
/*
 * Answering an automount: is the mount point an autofs trigger, and the
 * FUSE mount mount.winfsp makes itself then (see automount.h for why).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/mount.h>

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

/* The messages a file-system context logged ("e fuse: ..."), for an error that says more than errno. */
static void context_message(int fsfd, char *buf, size_t n)
{
        ssize_t k;

        if (n == 0)
                return;
        k = read(fsfd, buf, n - 1);
        buf[k > 0 ? k : 0] = 0;
        if (k > 0 && buf[k - 1] == '\n')
                buf[k - 1] = 0;
}

static void say(char *error, size_t n, const char *fmt, ...) _printf_(3, 4);
static void say(char *error, size_t n, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(error, n, fmt, ap);
        va_end(ap);
}

/* Set one parameter; value NULL sets a flag. */
static int set_param(int fsfd, const char *key, const char *value, char *error, size_t n)
{
        char why[256];

        if (fsconfig(fsfd, value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, key, value, 0) == 0)
                return 0;
        int r = -errno;
        context_message(fsfd, why, sizeof(why));
        say(error, n, "the FUSE mount refused %s%s%s: %s%s%s", key, value ? "=" : "", strempty(value),
            strerror(-r), why[0] ? ": " : "", why);
        return r;
}

static int configure(int fsfd, int fuse_fd, const char *source, const char *subtype, char *error, size_t n)
{
        char fd[16], uid[16], gid[16];
        const char *params[][2] = {
                { "source", source },
                { "subtype", subtype },
                { "fd", fd },
                { "rootmode", "40000" }, /* octal S_IFDIR: the root is a directory */
                { "user_id", uid },
                { "group_id", gid },
                { "allow_other", NULL },
                { "default_permissions", NULL },
        };
        int r;

        snprintf(fd, sizeof(fd), "%d", fuse_fd);
        snprintf(uid, sizeof(uid), "%u", (unsigned) getuid());
        snprintf(gid, sizeof(gid), "%u", (unsigned) getgid());
        for (size_t i = 0; i < ELEMENTSOF(params); i++) {
                r = set_param(fsfd, params[i][0], params[i][1], error, n);
                if (r < 0)
                        return r;
        }
        return 0;
}

int fuse_mount_new_detached(const char *source, const char *subtype, FuseMount *ret, char *error, size_t n)
{
        _cleanup_close_ int fuse_fd = -1, fsfd = -1, mount_fd = -1;
        char why[256];
        int r;

        fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fuse_fd < 0) {
                r = -errno;
                say(error, n, "cannot open /dev/fuse: %s", strerror(-r));
                return r;
        }
        fsfd = fsopen("fuse", FSOPEN_CLOEXEC);
        if (fsfd < 0) {
                r = -errno;
                say(error, n, "cannot create a FUSE mount (fsopen): %s", strerror(-r));
                return r;
        }
        r = configure(fsfd, fuse_fd, source, subtype, error, n);
        if (r < 0)
                return r;
        if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
                r = -errno;
                context_message(fsfd, why, sizeof(why));
                say(error, n, "cannot create the FUSE file system: %s%s%s", strerror(-r), why[0] ? ": " : "",
                    why);
                return r;
        }
        mount_fd = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (mount_fd < 0) {
                r = -errno;
                say(error, n, "cannot make the FUSE mount (fsmount): %s", strerror(-r));
                return r;
        }
        ret->fuse_fd = TAKE_FD(fuse_fd);
        ret->mount_fd = TAKE_FD(mount_fd);
        return 0;
}

int fuse_mount_attach(FuseMount *m, const char *path)
{
        if (move_mount(m->mount_fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return -errno;
        m->mount_fd = safe_close(m->mount_fd);
        return 0;
}

void fuse_mount_done(FuseMount *m)
{
        m->fuse_fd = safe_close(m->fuse_fd);
        m->mount_fd = safe_close(m->mount_fd);
}
