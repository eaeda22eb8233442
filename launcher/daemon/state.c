/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <fcntl.h>
#include <fsp/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <systemd/sd-daemon.h>

#include "detach.h"
#include "log.h"
#include "manager.h"
#include "state.h"

/* Strings are stored hex-encoded: arguments and paths may hold any byte. */
static void put_hex(FILE *f, const char *key, const char *value)
{
        fprintf(f, "%s=", key);
        for (const unsigned char *p = (const unsigned char *) strempty(value); *p; p++)
                fprintf(f, "%02x", *p);
        fputc('\n', f);
}

static char *get_hex(const char *hex)
{
        size_t n = strlen(hex) / 2;
        char *s = malloc(n + 1);
        if (!s)
                return NULL;
        for (size_t k = 0; k < n; k++) {
                unsigned v;
                if (sscanf(hex + 2 * k, "%2x", &v) != 1 || v == 0) {
                        free(s);
                        return NULL;
                }
                s[k] = (char) v;
        }
        s[n] = 0;
        return s;
}

/*
 * Field 22 of /proc/PID/stat: when the process started, so a reused pid is
 * not mistaken for it; 0 for a process that is gone, a zombie included.
 */
static unsigned long long process_start_time(pid_t pid)
{
        char path[64], buf[4096], *p, state;
        unsigned long long t = 0;
        _cleanup_close_ int fd = -1;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
                return 0;
        buf[n] = 0;
        p = strrchr(buf, ')');
        if (!p)
                return 0;
        /* After ") " come fields 3..: the state, then starttime is the 20th. */
        if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                   &state, &t) != 2 || state == 'Z' || state == 'X')
                return 0;
        return t;
}

static char *record_path(Manager *m, pid_t pid)
{
        char *p = NULL;
        return asprintf(&p, "%s/instances/%d", m->state_dir, (int) pid) < 0 ? NULL : p;
}

static void fd_name(char buf[static 64], const char *what, pid_t pid)
{
        snprintf(buf, 64, "winfsp-%s-%d", what, (int) pid);
}

static void store_fd(int fd, const char *what, pid_t pid)
{
        char name[64], state[128];

        if (fd < 0)
                return;
        fd_name(name, what, pid);
        snprintf(state, sizeof(state), "FDSTORE=1\nFDNAME=%s", name);
        (void) sd_pid_notify_with_fds(0, false, state, &fd, 1);
}

static void unstore_fd(const char *what, pid_t pid)
{
        char name[64];

        fd_name(name, what, pid);
        (void) sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=%s", name);
}

void state_save(Manager *m, Instance *i)
{
        _cleanup_free_ char *path = NULL, *tmp = NULL, *dir = NULL;
        FILE *f;

        if (i->class->job_control || i->pid <= 0)
                return;
        if (asprintf(&dir, "%s/instances", m->state_dir) < 0)
                return;
        (void) mkdir(m->state_dir, 0755);
        (void) mkdir(dir, 0700);
        path = record_path(m, i->pid);
        if (!path || asprintf(&tmp, "%s.tmp", path) < 0)
                return;
        f = fopen(tmp, "we");
        if (!f) {
                log_warning_errno(errno, "%s/%s: cannot record it in %s: %m", i->class_name, i->name, dir);
                return;
        }
        put_hex(f, "class", i->class_name);
        put_hex(f, "instance", i->name);
        put_hex(f, "class_path", i->class->path);
        put_hex(f, "class_text", i->class->text); /* the definition it was started with */
        fprintf(f, "pid=%d\nstarttime=%llu\n", (int) i->pid, process_start_time(i->pid));
        fprintf(f, "started_by=%u\nrun_as=%u\nrun_as_gid=%u\n", (unsigned) i->id.started_by,
                (unsigned) i->id.uid, (unsigned) i->id.gid);
        fprintf(f, "start_time=%llu\nrestarts=%u\n", (unsigned long long) i->start_time_usec, i->restarts);
        put_hex(f, "mount_point", i->mount_point);
        fprintf(f, "mount_mode=%d\nmount_id=%d\n", (int) i->mount_mode, i->mnt_id);
        put_hex(f, "unit", i->unit);
        STRV_FOREACH (a, i->args)
                put_hex(f, "arg", *a);
        STRV_FOREACH (a, i->argv)
                put_hex(f, "argv", *a);
        if (fflush(f) != 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
                log_warning_errno(errno, "%s/%s: cannot record it: %m", i->class_name, i->name);
                (void) unlink(tmp);
                return;
        }
        i->recorded_pid = i->pid;
        store_fd(i->stdout_fd, "out", i->pid);
        store_fd(i->stderr_fd, "err", i->pid);
}

void state_remove(Manager *m, Instance *i)
{
        _cleanup_free_ char *path = NULL;

        if (i->class->job_control)
                return;
        /* The pid is already cleared when it has exited; the record is named after the last one. */
        pid_t pid = i->pid > 0 ? i->pid : i->recorded_pid;
        if (pid <= 0 || !(path = record_path(m, pid)))
                return;
        (void) unlink(path);
        unstore_fd("out", pid);
        unstore_fd("err", pid);
}

void state_keep(Manager *m, Instance *i)
{
        log_info("%s/%s: left running (JobControl=0, pid %d)", i->class_name, i->name, (int) i->pid);
}

/* ------------------------------------------------------------ adoption */

typedef struct Record {
        char *class_name, *instance, *mount_point, *unit, *class_path, *class_text;
        char **args, **argv;
        pid_t pid;
        int mount_mode;
        unsigned long long starttime, start_time;
        int mount_id;
        bool broken; /* a value that could not be decoded */
        uid_t started_by, run_as;
        gid_t run_as_gid;
        unsigned restarts;
} Record;

static void record_done(Record *r)
{
        free(r->class_name);
        free(r->instance);
        free(r->mount_point);
        free(r->class_path);
        free(r->class_text);
        free(r->unit);
        strv_free(r->args);
        strv_free(r->argv);
}

static void strv_push(char ***l, char *s, bool *broken)
{
        size_t n = strv_length(*l);
        char **c = s ? realloc(*l, (n + 2) * sizeof(char *)) : NULL;

        if (!c) {
                free(s);
                *broken = true;
                return;
        }
        c[n] = s;
        c[n + 1] = NULL;
        *l = c;
}

/* A hex-encoded string; an empty value is an empty string. */
static char *hex_value(const char *v, bool *broken)
{
        char *s = *v ? get_hex(v) : strdup("");

        if (!s)
                *broken = true;
        return s;
}

/* Each key=value line of a record file to fn, the newline cut; lines without '=' are skipped. */
static int record_lines(const char *path, void (*fn)(const char *key, const char *value, void *userdata),
                        void *userdata)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        size_t size = 0;

        if (!f)
                return -errno;
        while (getline(&line, &size, f) > 0) {
                char *eq = strchr(line, '=');
                if (!eq)
                        continue;
                *eq = 0;
                eq[1 + strcspn(eq + 1, "\n")] = 0;
                fn(line, eq + 1, userdata);
        }
        return 0;
}

static void record_line(const char *key, const char *v, void *userdata)
{
        Record *ret = userdata;
        unsigned u;

        if (streq(key, "class"))
                ret->class_name = hex_value(v, &ret->broken);
        else if (streq(key, "instance"))
                ret->instance = hex_value(v, &ret->broken);
        else if (streq(key, "class_path"))
                ret->class_path = hex_value(v, &ret->broken);
        else if (streq(key, "class_text"))
                ret->class_text = hex_value(v, &ret->broken);
        else if (streq(key, "mount_point") && *v)
                ret->mount_point = hex_value(v, &ret->broken);
        else if (streq(key, "unit") && *v)
                ret->unit = hex_value(v, &ret->broken);
        else if (streq(key, "arg"))
                strv_push(&ret->args, hex_value(v, &ret->broken), &ret->broken);
        else if (streq(key, "argv"))
                strv_push(&ret->argv, hex_value(v, &ret->broken), &ret->broken);
        else if (streq(key, "pid"))
                ret->pid = (pid_t) atoi(v);
        else if (streq(key, "starttime"))
                ret->starttime = strtoull(v, NULL, 10);
        else if (streq(key, "start_time"))
                ret->start_time = strtoull(v, NULL, 10);
        else if (streq(key, "mount_mode"))
                ret->mount_mode = atoi(v);
        else if (streq(key, "mount_id"))
                ret->mount_id = atoi(v);
        else if (streq(key, "started_by") && sscanf(v, "%u", &u) == 1)
                ret->started_by = u;
        else if (streq(key, "run_as") && sscanf(v, "%u", &u) == 1)
                ret->run_as = u;
        else if (streq(key, "run_as_gid") && sscanf(v, "%u", &u) == 1)
                ret->run_as_gid = u;
        else if (streq(key, "restarts") && sscanf(v, "%u", &u) == 1)
                ret->restarts = u;
}

static int record_read(const char *path, Record *ret)
{
        int r;

        *ret = (Record){ 0 };
        r = record_lines(path, record_line, ret);
        if (r < 0)
                return r;
        return ret->class_name && ret->instance && ret->pid > 0 && !ret->broken ? 0 : -EBADMSG;
}

/* The output pipes systemd kept for us, by name. */
static int take_stored_fd(char **names, int n, const char *what, pid_t pid)
{
        char name[64];

        fd_name(name, what, pid);
        for (int k = 0; k < n; k++)
                if (names && names[k] && streq(names[k], name)) {
                        free(names[k]);
                        names[k] = NULL;
                        return SD_LISTEN_FDS_START + k;
                }
        return -1;
}

static void class_unrefp(FspClass **c)
{
        fsp_class_unref(*c);
}

static void adopt_one(Manager *m, const char *path, char **names, int n_fds)
{
        _cleanup_(record_done) Record rec = { 0 };
        _cleanup_(class_unrefp) FspClass *class = NULL;
        _cleanup_close_ int pidfd = -1;
        const ClassEntry *entry;
        InstanceIdentity id = { 0 };
        Instance *i;
        int r;

        if (record_read(path, &rec) < 0) {
                log_warning("%s: unreadable instance record, removed", path);
                (void) unlink(path);
                return;
        }
        /* The pidfd first: once it is held, the pid cannot name another process unnoticed. */
        pidfd = (int) syscall(SYS_pidfd_open, rec.pid, 0);
        if (pidfd < 0 || process_start_time(rec.pid) != rec.starttime || rec.starttime == 0) {
                log_info("%s/%s (pid %d) is no longer running", rec.class_name, rec.instance, (int) rec.pid);
                (void) unlink(path);
                return;
        }
        /* The definition it was started with, as reload would have kept it; else the class as it is now. */
        if (rec.class_text) {
                FspError e;
                r = fsp_class_parse(rec.class_name, rec.class_path, rec.class_text, strlen(rec.class_text), &class,
                                    &e, NULL, NULL);
                if (r < 0)
                        log_warning("%s/%s: its recorded class no longer reads (%s); taking the current one",
                                    rec.class_name, rec.instance, e.text);
        }
        entry = class ? NULL : manager_find_class(m, rec.class_name);
        if (!class && (!entry || !entry->class)) {
                log_warning("%s/%s (pid %d) runs, but class '%s' is gone: left alone, not adopted",
                            rec.class_name, rec.instance, (int) rec.pid, rec.class_name);
                return;
        }
        if (!class)
                class = fsp_class_ref(entry->class);
        id.started_by = rec.started_by;
        id.uid = rec.run_as;
        id.gid = rec.run_as_gid;
        r = manager_add_instance(m, class, rec.instance, rec.args, &id, rec.unit, &i);
        if (r < 0)
                return;
        i->argv = TAKE_PTR(rec.argv);
        i->start_time_usec = rec.start_time;
        i->restarts = rec.restarts;
        if (rec.mount_point) {
                MountMode mode = rec.mount_mode == MOUNT_PINNED ? MOUNT_PINNED : MOUNT_PATH;
                r = instance_set_mount_point(i, mode, NULL, rec.mount_point);
                /* Detached at its end after the fd at its path proves it is the recorded mount. */
                i->mnt_id = rec.mount_id;
        }
        if (r >= 0)
                r = instance_adopt(i, rec.pid, TAKE_FD(pidfd), take_stored_fd(names, n_fds, "out", rec.pid),
                                   take_stored_fd(names, n_fds, "err", rec.pid));
        if (r < 0) {
                log_warning_errno(r, "%s/%s (pid %d): cannot watch it (%m): left alone, not adopted",
                                  rec.class_name, rec.instance, (int) rec.pid);
                manager_remove_instance(m, i);
                return;
        }
        i->mounted = i->mount_mode != MOUNT_NONE;
        log_info("%s/%s: adopted (pid %d)", i->class_name, i->name, (int) i->pid);
}

void state_adopt(Manager *m)
{
        _cleanup_free_ char *dir = NULL;
        char **names = NULL;
        DIR *d;
        int n_fds = sd_listen_fds_with_names(true, &names);

        if (asprintf(&dir, "%s/instances", m->state_dir) >= 0 && (d = opendir(dir))) {
                for (struct dirent *de; (de = readdir(d));) {
                        _cleanup_free_ char *path = NULL;
                        if (de->d_name[0] == '.' || strchr(de->d_name, '.'))
                                continue;
                        if (asprintf(&path, "%s/%s", dir, de->d_name) >= 0)
                                adopt_one(m, path, names, n_fds);
                }
                closedir(d);
        }
        /* Pipes of instances that are gone: drop them from the store too. */
        for (int k = 0; k < n_fds; k++) {
                if (names && names[k]) {
                        (void) sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=%s", names[k]);
                        close(SD_LISTEN_FDS_START + k);
                }
        }
        strv_free(names);
}

/* ------------------------------------------------------------ mounts */

static char *mount_record_path(Manager *m, int mnt_id)
{
        char *p = NULL;
        return asprintf(&p, "%s/mounts/%d", m->state_dir, mnt_id) < 0 ? NULL : p;
}

void state_mount_save(Manager *m, Instance *i)
{
        _cleanup_free_ char *dir = NULL, *path = NULL, *where = instance_mount_point_now(i);
        _cleanup_fclose_ FILE *f = NULL;

        if (!where || asprintf(&dir, "%s/mounts", m->state_dir) < 0 || !(path = mount_record_path(m, i->mnt_id)))
                return;
        (void) mkdir(dir, 0700);
        f = fopen(path, "we");
        if (!f) {
                log_warning_errno(errno, "%s/%s: cannot record its mount in %s: %m", i->class_name, i->name, dir);
                return;
        }
        put_hex(f, "path", where);
        fprintf(f, "pid=%d\nstarttime=%llu\n", (int) i->pid, process_start_time(i->pid));
}

void state_mount_remove(Manager *m, int mnt_id)
{
        _cleanup_free_ char *path = mount_record_path(m, mnt_id);

        if (path)
                (void) unlink(path);
}

static bool mount_claimed(Manager *m, int mnt_id)
{
        for (Instance *i = m->instances; i; i = i->next)
                if (i->mnt_id == mnt_id)
                        return true;
        return false;
}

/* A mount record: where, and whose process. */
typedef struct MountRecord {
        char *path;
        pid_t pid;
        unsigned long long starttime;
} MountRecord;

static void mount_record_line(const char *key, const char *v, void *userdata)
{
        MountRecord *ret = userdata;

        if (streq(key, "path") && !ret->path)
                ret->path = get_hex(v);
        else if (streq(key, "pid"))
                ret->pid = (pid_t) atoi(v);
        else if (streq(key, "starttime"))
                ret->starttime = strtoull(v, NULL, 10);
}

static int mount_record_read(const char *path, MountRecord *ret)
{
        int r;

        *ret = (MountRecord){ 0 };
        r = record_lines(path, mount_record_line, ret);
        if (r < 0)
                return r;
        return ret->path ? 0 : -EBADMSG;
}

void state_mount_sweep(Manager *m)
{
        _cleanup_free_ char *dir = NULL;
        DIR *d;

        if (asprintf(&dir, "%s/mounts", m->state_dir) < 0 || !(d = opendir(dir)))
                return;
        for (struct dirent *de; (de = readdir(d));) {
                _cleanup_free_ char *path = NULL;
                MountRecord rec;
                int id = atoi(de->d_name), r;

                if (id <= 0 || mount_claimed(m, id) || asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        continue;
                r = mount_record_read(path, &rec);
                /* Its process still runs (a JobControl=0 instance whose class is gone): not ours to end. */
                if (r >= 0 && rec.pid > 0 && rec.starttime != 0 && process_start_time(rec.pid) == rec.starttime) {
                        free(rec.path);
                        continue;
                }
                if (r >= 0 && detach_mount(m->event, rec.path, id, "a previous launcher's instance") > 0)
                        log_info("detached the mount %s that a previous launcher's instance left", rec.path);
                free(rec.path);
                (void) unlink(path);
        }
        closedir(d);
}
