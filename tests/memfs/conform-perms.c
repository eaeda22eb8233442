/* SPDX-License-Identifier: MIT */
/*
 * Modes and ownership: chmod, umask, chown rules, set-id bits, setgid
 * directories and the sticky bit. "The actor" is the unprivileged identity
 * (see as_actor()); access itself is in conform-access.c.
 */
#include "fsconform.h"

static mode_t mode_of(int dirfd, const char *name)
{
        struct stat st;
        return stat_at(dirfd, name, &st) < 0 ? (mode_t) -1 : st.st_mode & 07777;
}

static Result mode_chmod(Ctx *c)
{
        static const mode_t modes[] = {0, 0777, 0444, 0640, 01777, 04755, 02755, 06711, 07777, 0100};
        _cleanup_close_ int fd = -1;

        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                EXPECT_OK(fchmodat(c->dirfd, "f", modes[i], 0));
                EXPECT_MODE(mode_of(c->dirfd, "f"), modes[i]);
                EXPECT_OK(fchmodat(c->dirfd, "d", modes[i] | 0700, 0));
                EXPECT_MODE(mode_of(c->dirfd, "d"), modes[i] | 0700);
        }
        EXPECT_OK(fchmodat(c->dirfd, "f", 0600, 0));
        EXPECT_OK(fd = openat(c->dirfd, "f", O_RDONLY));
        EXPECT_OK(fchmod(fd, 0604));
        EXPECT_MODE(mode_of(c->dirfd, "f"), 0604);
        EXPECT_ERRNO(fchmodat(c->dirfd, "missing", 0644, 0), ENOENT);
        return RESULT_PASS;
}

static Result mode_umask(Ctx *c)
{
        static const struct {
                mode_t mask, file, dir;
        } cases[] = {{022, 0644, 0755}, {077, 0600, 0700}, {0, 0666, 0777}, {0777, 0, 0}};
        char name[16];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                umask(cases[i].mask);
                snprintf(name, sizeof(name), "f%zu", i);
                EXPECT_OK(create_file(c->dirfd, name, 0666));
                EXPECT_MODE(mode_of(c->dirfd, name), cases[i].file);
                snprintf(name, sizeof(name), "p%zu", i);
                EXPECT_OK(mknodat(c->dirfd, name, S_IFIFO | 0666, 0));
                EXPECT_MODE(mode_of(c->dirfd, name), cases[i].file);
                snprintf(name, sizeof(name), "d%zu", i);
                EXPECT_OK(mkdirat(c->dirfd, name, 0777));
                EXPECT_MODE(mode_of(c->dirfd, name), cases[i].dir);
                snprintf(name, sizeof(name), "l%zu", i);
                EXPECT_OK(symlinkat("x", c->dirfd, name));
                EXPECT_MODE(mode_of(c->dirfd, name), 0777);
        }
        umask(0);
        return RESULT_PASS;
}

/* New files, directories, symlinks and fifos belong to their creator. */
static Result create_owned(Ctx *c, void *arg)
{
        static const char *const names[] = {"f", "d", "l", "p"};
        const char *prefix = arg;
        char name[32];
        struct stat st;

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                snprintf(name, sizeof(name), "%s-%s", prefix, names[i]);
                switch (i) {
                case 0:
                        EXPECT_OK(create_file(c->dirfd, name, 0644));
                        break;
                case 1:
                        EXPECT_OK(mkdirat(c->dirfd, name, 0755));
                        break;
                case 2:
                        EXPECT_OK(symlinkat("x", c->dirfd, name));
                        break;
                default:
                        EXPECT_OK(mknodat(c->dirfd, name, S_IFIFO | 0644, 0));
                }
                EXPECT_OK(stat_at(c->dirfd, name, &st));
                if (st.st_uid != geteuid() || st.st_gid != getegid())
                        FAIL("%s belongs to %u:%u, expected %u:%u", name, (unsigned) st.st_uid,
                             (unsigned) st.st_gid, (unsigned) geteuid(), (unsigned) getegid());
        }
        return RESULT_PASS;
}

static Result owner_new(Ctx *c)
{
        EXPECT_PASS(create_owned(c, "self"));
        if (c->root)
                EXPECT_PASS(as_actor(c, create_owned, "actor"));
        return RESULT_PASS;
}

static Result expect_owner(Ctx *c, const char *name, uid_t uid, gid_t gid)
{
        struct stat st;

        if (stat_at(c->dirfd, name, &st) < 0)
                FAIL("stat %s: %s", name, errname(errno));
        if (st.st_uid != uid || st.st_gid != gid)
                FAIL("%s belongs to %u:%u, expected %u:%u", name, (unsigned) st.st_uid, (unsigned) st.st_gid,
                     (unsigned) uid, (unsigned) gid);
        return RESULT_PASS;
}

static Result chown_root(Ctx *c)
{
        if (!c->root)
                SKIP("needs root");
        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_OK(fchownat(c->dirfd, "f", 1234, 5678, 0));
        EXPECT_PASS(expect_owner(c, "f", 1234, 5678));
        EXPECT_OK(fchownat(c->dirfd, "f", (uid_t) -1, 4321, 0));
        EXPECT_PASS(expect_owner(c, "f", 1234, 4321));
        EXPECT_OK(fchownat(c->dirfd, "f", (uid_t) -1, (gid_t) -1, 0));
        EXPECT_PASS(expect_owner(c, "f", 1234, 4321));

        /* AT_SYMLINK_NOFOLLOW changes the link, otherwise the target */
        EXPECT_OK(symlinkat("f", c->dirfd, "l"));
        EXPECT_OK(fchownat(c->dirfd, "l", 111, 222, AT_SYMLINK_NOFOLLOW));
        EXPECT_PASS(expect_owner(c, "l", 111, 222));
        EXPECT_PASS(expect_owner(c, "f", 1234, 4321));
        EXPECT_OK(fchownat(c->dirfd, "l", 333, 444, 0));
        EXPECT_PASS(expect_owner(c, "f", 333, 444));
        EXPECT_PASS(expect_owner(c, "l", 111, 222));

        EXPECT_OK(mkdirat(c->dirfd, "d", 02755));
        EXPECT_OK(fchmodat(c->dirfd, "d", 02755, 0));
        EXPECT_OK(fchownat(c->dirfd, "d", 555, 666, 0));
        EXPECT_PASS(expect_owner(c, "d", 555, 666));
        EXPECT_MODE(mode_of(c->dirfd, "d"), 02755);

        /* chown of a regular file drops set-user-ID, and set-group-ID when
         * the group may execute, even for root */
        EXPECT_OK(fchmodat(c->dirfd, "f", 06755, 0));
        EXPECT_OK(fchownat(c->dirfd, "f", 1, 1, 0));
        EXPECT_MODE(mode_of(c->dirfd, "f"), 0755);
        return RESULT_PASS;
}

static bool in_groups(gid_t g)
{
        gid_t list[256];
        int n = getgroups(ELEMENTSOF(list), list);

        if (getegid() == g)
                return true;
        for (int i = 0; i < n; i++)
                if (list[i] == g)
                        return true;
        return false;
}

static Result chown_user_actor(Ctx *c, void *arg)
{
        struct stat st;

        EXPECT_OK(create_file(c->dirfd, "mine", 0644));
        EXPECT_ERRNO(fchownat(c->dirfd, "mine", 0, (gid_t) -1, 0), EPERM);
        if (!in_groups(0))
                EXPECT_ERRNO(fchownat(c->dirfd, "mine", (uid_t) -1, 0, 0), EPERM);
        EXPECT_OK(fchownat(c->dirfd, "mine", geteuid(), getegid(), 0));
        EXPECT_OK(fchownat(c->dirfd, "mine", (uid_t) -1, (gid_t) -1, 0));
        EXPECT_PASS(expect_owner(c, "mine", geteuid(), getegid()));
        if (stat_at(c->dirfd, "theirs", &st) == 0) {
                EXPECT_ERRNO(fchownat(c->dirfd, "theirs", geteuid(), (gid_t) -1, 0), EPERM);
                EXPECT_ERRNO(fchownat(c->dirfd, "theirs", (uid_t) -1, getegid(), 0), EPERM);
                EXPECT_PASS(expect_owner(c, "theirs", 0, 0));
        }
        return RESULT_PASS;
}

static Result chown_user(Ctx *c)
{
        if (c->root) {
                EXPECT_OK(create_file(c->dirfd, "theirs", 0666));
                EXPECT_OK(fchownat(c->dirfd, "theirs", 0, 0, 0));
        }
        return as_actor(c, chown_user_actor, NULL);
}

/* The owner's chown drops set-user-ID and executable set-group-ID. */
static Result chown_clears_actor(Ctx *c, void *arg)
{
        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_OK(fchmodat(c->dirfd, "f", 06755, 0));
        EXPECT_MODE(mode_of(c->dirfd, "f"), 06755);
        EXPECT_OK(fchownat(c->dirfd, "f", (uid_t) -1, getegid(), 0));
        EXPECT_MODE(mode_of(c->dirfd, "f"), 0755);

        EXPECT_OK(create_file(c->dirfd, "g", 0644));
        EXPECT_OK(fchmodat(c->dirfd, "g", 02745, 0));
        EXPECT_OK(fchownat(c->dirfd, "g", geteuid(), (gid_t) -1, 0));
        EXPECT_MODE(mode_of(c->dirfd, "g"), 02745);

        EXPECT_OK(mkdirat(c->dirfd, "d", 0755));
        EXPECT_OK(fchmodat(c->dirfd, "d", 02755, 0));
        EXPECT_OK(fchownat(c->dirfd, "d", (uid_t) -1, getegid(), 0));
        EXPECT_MODE(mode_of(c->dirfd, "d"), 02755);
        return RESULT_PASS;
}

static Result chown_clears_setid(Ctx *c)
{
        return as_actor(c, chown_clears_actor, NULL);
}

/* A write or truncate by someone without CAP_FSETID drops set-user-ID, and
 * set-group-ID if the group may execute. */
static Result write_clears_actor(Ctx *c, void *arg)
{
        _cleanup_close_ int fd = -1;

        EXPECT_OK(create_file(c->dirfd, "w", 0644));
        EXPECT_OK(fchmodat(c->dirfd, "w", 06775, 0));
        EXPECT_OK(fd = openat(c->dirfd, "w", O_WRONLY));
        EXPECT_EQ(write(fd, "x", 1), 1);
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_MODE(mode_of(c->dirfd, "w"), 0775);

        EXPECT_OK(create_file(c->dirfd, "t", 0644));
        EXPECT_OK(fchmodat(c->dirfd, "t", 06775, 0));
        EXPECT_OK(fd = openat(c->dirfd, "t", O_WRONLY));
        EXPECT_OK(ftruncate(fd, 100));
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_MODE(mode_of(c->dirfd, "t"), 0775);

        EXPECT_OK(create_file(c->dirfd, "g", 0644));
        EXPECT_OK(fchmodat(c->dirfd, "g", 06765, 0));
        EXPECT_OK(fd = openat(c->dirfd, "g", O_WRONLY));
        EXPECT_EQ(write(fd, "x", 1), 1);
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_MODE(mode_of(c->dirfd, "g"), 02765);

        if (stat_at(c->dirfd, "theirs", &(struct stat){}) == 0) {
                EXPECT_OK(fd = openat(c->dirfd, "theirs", O_WRONLY));
                EXPECT_EQ(write(fd, "x", 1), 1);
                EXPECT_OK(close(TAKE_FD(fd)));
                EXPECT_MODE(mode_of(c->dirfd, "theirs"), 0777);
        }
        return RESULT_PASS;
}

static Result write_clears_setid(Ctx *c)
{
        _cleanup_close_ int fd = -1;

        if (c->root) {
                /* root keeps the bits (CAP_FSETID) ... */
                EXPECT_OK(create_file(c->dirfd, "rootw", 0644));
                EXPECT_OK(fchmodat(c->dirfd, "rootw", 06777, 0));
                EXPECT_OK(fd = openat(c->dirfd, "rootw", O_WRONLY));
                EXPECT_EQ(write(fd, "x", 1), 1);
                EXPECT_OK(close(TAKE_FD(fd)));
                EXPECT_MODE(mode_of(c->dirfd, "rootw"), 06777);
                /* ... a user writing to root's file does not */
                EXPECT_OK(create_file(c->dirfd, "theirs", 0644));
                EXPECT_OK(fchmodat(c->dirfd, "theirs", 06777, 0));
        }
        return as_actor(c, write_clears_actor, NULL);
}

/* The other ways of changing a file's data take the set-id bits too, when its
 * changer lacks CAP_FSETID: open(O_TRUNC), fallocate, copy_file_range. */
static Result change_clears_actor(Ctx *c, void *arg)
{
        static const char *const names[] = {"otrunc", "falloc", "copied"};
        _cleanup_close_ int fd = -1, src = -1;

        EXPECT_OK(write_file(c->dirfd, "src", "0123456789", 10, 0644));
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                EXPECT_OK(write_file(c->dirfd, names[i], "abc", 3, 0644));
                EXPECT_OK(fchmodat(c->dirfd, names[i], 06775, 0));
        }
        EXPECT_OK(fd = openat(c->dirfd, "otrunc", O_WRONLY | O_TRUNC));
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_OK(fd = openat(c->dirfd, "falloc", O_WRONLY));
        EXPECT_OK(fallocate(fd, 0, 0, 8192));
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_OK(src = openat(c->dirfd, "src", O_RDONLY));
        EXPECT_OK(fd = openat(c->dirfd, "copied", O_WRONLY));
        EXPECT_EQ(copy_file_range(src, NULL, fd, NULL, 10, 0), 10);
        EXPECT_OK(close(TAKE_FD(fd)));
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                EXPECT_MODE(mode_of(c->dirfd, names[i]), 0775);

        /* set-group-ID without group execute is a locking mark, not a privilege: it stays */
        EXPECT_OK(write_file(c->dirfd, "lockmark", "abc", 3, 0644));
        EXPECT_OK(fchmodat(c->dirfd, "lockmark", 06765, 0));
        EXPECT_OK(fd = openat(c->dirfd, "lockmark", O_WRONLY | O_TRUNC));
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_MODE(mode_of(c->dirfd, "lockmark"), 02765);
        return RESULT_PASS;
}

/* ... and root (CAP_FSETID) keeps them through all of these. */
static Result change_keeps_root(Ctx *c)
{
        _cleanup_close_ int fd = -1, src = -1;

        EXPECT_OK(write_file(c->dirfd, "rsrc", "0123456789", 10, 0644));
        EXPECT_OK(write_file(c->dirfd, "root", "abc", 3, 0644));
        EXPECT_OK(fchmodat(c->dirfd, "root", 06777, 0));
        EXPECT_OK(fd = openat(c->dirfd, "root", O_WRONLY | O_TRUNC));
        EXPECT_OK(ftruncate(fd, 100));
        EXPECT_OK(fallocate(fd, 0, 0, 8192));
        EXPECT_OK(src = openat(c->dirfd, "rsrc", O_RDONLY));
        EXPECT_EQ(copy_file_range(src, NULL, fd, NULL, 10, 0), 10);
        EXPECT_OK(close(TAKE_FD(fd)));
        EXPECT_MODE(mode_of(c->dirfd, "root"), 06777);
        return RESULT_PASS;
}

static Result change_clears_setid(Ctx *c)
{
        if (c->root)
                EXPECT_PASS(change_keeps_root(c));
        return as_actor(c, change_clears_actor, NULL);
}

/* chmod g+s by an owner who is not in the file's group is silently dropped. */
static Result chmod_nonmember_actor(Ctx *c, void *arg)
{
        EXPECT_OK(fchmodat(c->dirfd, "f", 02755, 0));
        EXPECT_MODE(mode_of(c->dirfd, "f"), 0755);
        EXPECT_OK(fchmodat(c->dirfd, "f", 04755, 0));
        EXPECT_MODE(mode_of(c->dirfd, "f"), 04755);
        return RESULT_PASS;
}

static Result setgid_chmod_nonmember(Ctx *c)
{
        if (!c->root)
                SKIP("needs root to give a file a group its owner is not in");
        EXPECT_OK(create_file(c->dirfd, "f", 0644));
        EXPECT_OK(fchownat(c->dirfd, "f", c->actor_uid, 0, 0));
        return as_actor(c, chmod_nonmember_actor, NULL);
}

/* Entries made in a setgid directory get its group; directories also get the bit. */
static Result expect_inherits(Ctx *c, const char *prefix, gid_t gid)
{
        char f[64], d[64], l[64], p[64], dd[96];
        struct stat st;

        snprintf(f, sizeof(f), "sg/%s-f", prefix);
        snprintf(d, sizeof(d), "sg/%s-d", prefix);
        snprintf(l, sizeof(l), "sg/%s-l", prefix);
        snprintf(p, sizeof(p), "sg/%s-p", prefix);
        snprintf(dd, sizeof(dd), "%s/nested", d);
        EXPECT_OK(create_file(c->dirfd, f, 0644));
        EXPECT_OK(mkdirat(c->dirfd, d, 0755));
        EXPECT_OK(symlinkat("x", c->dirfd, l));
        EXPECT_OK(mknodat(c->dirfd, p, S_IFIFO | 0644, 0));
        EXPECT_OK(mkdirat(c->dirfd, dd, 0755));
        EXPECT_PASS(expect_owner(c, f, geteuid(), gid));
        EXPECT_PASS(expect_owner(c, d, geteuid(), gid));
        EXPECT_PASS(expect_owner(c, l, geteuid(), gid));
        EXPECT_PASS(expect_owner(c, p, geteuid(), gid));
        EXPECT_PASS(expect_owner(c, dd, geteuid(), gid));
        EXPECT_MODE(mode_of(c->dirfd, f), 0644);
        EXPECT_MODE(mode_of(c->dirfd, d), 02755);
        EXPECT_MODE(mode_of(c->dirfd, dd), 02755);
        EXPECT_OK(stat_at(c->dirfd, d, &st));
        return RESULT_PASS;
}

static Result setgid_dir_actor(Ctx *c, void *arg)
{
        gid_t gid = *(gid_t *) arg;

        EXPECT_PASS(expect_inherits(c, "actor", gid));
        /* a creator outside the group cannot ask for an executable setgid file */
        if (!in_groups(gid)) {
                EXPECT_OK(create_file(c->dirfd, "sg/sgid-exe", 02755));
                EXPECT_MODE(mode_of(c->dirfd, "sg/sgid-exe"), 0755);
        }
        return RESULT_PASS;
}

static Result setgid_dir(Ctx *c)
{
        gid_t gid = c->root ? 4242 : getegid();

        EXPECT_OK(mkdirat(c->dirfd, "sg", 0777));
        if (c->root)
                EXPECT_OK(fchownat(c->dirfd, "sg", 0, gid, 0));
        EXPECT_OK(fchmodat(c->dirfd, "sg", 02777, 0));
        EXPECT_MODE(mode_of(c->dirfd, "sg"), 02777);
        if (c->root)
                EXPECT_PASS(expect_inherits(c, "root", gid));
        return as_actor(c, setgid_dir_actor, &gid);
}

static Result sticky_actor(Ctx *c, void *arg)
{
        EXPECT_ERRNO(unlinkat(c->dirfd, "s/rootfile", 0), EPERM);
        EXPECT_ERRNO(renameat(c->dirfd, "s/rootfile", c->dirfd, "s/moved"), EPERM);
        EXPECT_ERRNO(renameat(c->dirfd, "s/rootfile", c->dirfd, "elsewhere"), EPERM);
        EXPECT_ERRNO(unlinkat(c->dirfd, "s/rootdir", AT_REMOVEDIR), EPERM);
        EXPECT_OK(create_file(c->dirfd, "s/mine", 0644));
        EXPECT_ERRNO(renameat(c->dirfd, "s/mine", c->dirfd, "s/rootfile"), EPERM);
        EXPECT_ERRNO(renameat2(c->dirfd, "s/mine", c->dirfd, "s/rootfile", RENAME_EXCHANGE), EPERM);
        EXPECT_OK(renameat(c->dirfd, "s/mine", c->dirfd, "s/mine2"));
        EXPECT_OK(unlinkat(c->dirfd, "s/mine2", 0));
        /* the directory's owner may remove anything in it */
        EXPECT_OK(unlinkat(c->dirfd, "own/rootfile", 0));
        /* without the sticky bit, write permission is enough */
        EXPECT_OK(unlinkat(c->dirfd, "open/rootfile", 0));
        return RESULT_PASS;
}

static Result sticky_dir(Ctx *c)
{
        if (!c->root)
                SKIP("needs root to own files in a directory the user can write");
        EXPECT_OK(mkdirat(c->dirfd, "s", 0777));
        EXPECT_OK(fchmodat(c->dirfd, "s", 01777, 0));
        EXPECT_OK(create_file(c->dirfd, "s/rootfile", 0666));
        EXPECT_OK(mkdirat(c->dirfd, "s/rootdir", 0777));
        EXPECT_OK(mkdirat(c->dirfd, "own", 0777));
        EXPECT_OK(fchmodat(c->dirfd, "own", 01777, 0));
        EXPECT_OK(chown_to_actor(c, c->dirfd, "own"));
        EXPECT_OK(create_file(c->dirfd, "own/rootfile", 0644));
        EXPECT_OK(mkdirat(c->dirfd, "open", 0777));
        EXPECT_OK(fchmodat(c->dirfd, "open", 0777, 0));
        EXPECT_OK(create_file(c->dirfd, "open/rootfile", 0644));
        EXPECT_PASS(as_actor(c, sticky_actor, NULL));
        EXPECT_OK(stat_at(c->dirfd, "s/rootfile", &(struct stat){}));
        EXPECT_OK(unlinkat(c->dirfd, "s/rootfile", 0));
        return RESULT_PASS;
}

const Check perms_checks[] = {
        {"mode-chmod", mode_chmod},
        {"mode-umask", mode_umask},
        {"owner-new", owner_new},
        {"chown-root", chown_root},
        {"chown-user", chown_user},
        {"chown-clears-setid", chown_clears_setid},
        {"write-clears-setid", write_clears_setid},
        {"change-clears-setid", change_clears_setid},
        {"setgid-chmod-nonmember", setgid_chmod_nonmember},
        {"setgid-dir", setgid_dir},
        {"sticky-dir", sticky_dir},
        {},
};
