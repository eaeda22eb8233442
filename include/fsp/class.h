/* SPDX-License-Identifier: MIT */
/*
 * Service classes: one INI file per class, <class>.conf, in a list of
 * directories where the first one that has the name wins and an empty file
 * or a symlink to /dev/null masks the name (the systemd convention).
 *
 * A class is immutable once read and reference counted, so a running
 * instance keeps the definition it was started with across a reload.
 */
#pragma once

#include <fsp/error.h>
#include <fsp/security.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum FspCredentials {
        FSP_CREDENTIALS_NONE = 0,
        FSP_CREDENTIALS_PASSWORD = 1,
        FSP_CREDENTIALS_USER_PASSWORD = 3, /* the user name is %3 */
} FspCredentials;

/* CredentialsReply=: how the program says the credentials were good. */
typedef enum FspCredentialsReply {
        FSP_CREDENTIALS_REPLY_OK,   /* "OK" on stdout, WinFsp's protocol */
        FSP_CREDENTIALS_REPLY_NONE, /* no answer: ready when mounted or READY=1, failed if it exits first */
        _FSP_CREDENTIALS_REPLY_MAX,
        _FSP_CREDENTIALS_REPLY_INVALID = -22,
} FspCredentialsReply;

/* CredentialsStdin=: what is written to the program's stdin before it is closed. */
typedef enum FspCredentialsStdin {
        FSP_CREDENTIALS_STDIN_PASSWORD,            /* the password, no newline (WinFsp) */
        FSP_CREDENTIALS_STDIN_PASSWORD_LINE,       /* the password and "\n" */
        FSP_CREDENTIALS_STDIN_USER_PASSWORD_LINES, /* user "\n" password "\n" (Credentials=3) */
        FSP_CREDENTIALS_STDIN_NONE,                /* nothing: the program reads %S */
        _FSP_CREDENTIALS_STDIN_MAX,
        _FSP_CREDENTIALS_STDIN_INVALID = -22,
} FspCredentialsStdin;

/* MountBy=: who makes the FUSE mount. */
typedef enum FspMountBy {
        FSP_MOUNT_BY_PROGRAM,  /* the program mounts (a staging directory the launcher moves) */
        FSP_MOUNT_BY_LAUNCHER, /* the launcher mounts; the program gets /dev/fd/3 */
        _FSP_MOUNT_BY_MAX,
        _FSP_MOUNT_BY_INVALID = -22,
} FspMountBy;

/* Resource-control values (MemoryMax=, TasksMax=, CPUQuota=) that are not numbers. */
#define FSP_RESOURCE_UNSET    UINT64_MAX       /* the key is not set */
#define FSP_RESOURCE_INFINITY (UINT64_MAX - 1) /* "infinity" */

typedef struct FspClass {
        unsigned n_ref;
        char *name;              /* file name without .conf */
        char *path;              /* the file it was read from */
        char *description;       /* "" when unset */
        char *executable;        /* absolute */
        char **command_line;     /* split words, still with % sequences; never NULL */
        char *security_text;     /* as written, or FSP_SECURITY_DEFAULT */
        FspSecurity *security;
        FspCredentials credentials;
        char *run_as;            /* NULL: the launcher's user; ".": the caller; else a user name */
        char *work_directory;    /* "/" when unset */
        char *stderr_path;       /* template; NULL means the journal */
        bool job_control;        /* true: the instance dies with the launcher */
        bool recovery;           /* restart after a failure exit */
        unsigned recovery_burst;          /* restarts allowed within recovery_interval (5) */
        uint64_t recovery_interval_usec;  /* 5 min */
        char *mount_point;       /* template, or NULL */
        uint64_t start_timeout_usec;       /* 30 s */
        uint64_t stop_timeout_usec;        /* 5 s */
        uint64_t credentials_timeout_usec; /* 15 s */
        FspCredentialsReply credentials_reply; /* OK */
        FspCredentialsStdin credentials_stdin; /* password */
        FspMountBy mount_by;                   /* program */
        char *mount_options;     /* MountOptions=, checked (generic and FUSE options only); NULL when unset */
        char **accept_options;   /* AcceptOptions=, see <fsp/mount-options.h>; never NULL */
        uint64_t memory_max;     /* bytes, FSP_RESOURCE_INFINITY or FSP_RESOURCE_UNSET */
        uint64_t tasks_max;      /* same */
        uint64_t cpu_quota_per_sec_usec; /* CPUQuota=50% is 500000; or FSP_RESOURCE_UNSET */
        char *slice;             /* a unit name ending in .slice, or NULL */
        unsigned max_instances_per_user; /* 0: only the launcher-wide limit */
        char *text;              /* the INI text it was parsed from (fsp_class_parse() it again for a copy) */
} FspClass;

/* Called for a problem that does not refuse the class (unknown key). */
typedef void (*FspWarnFn)(const FspError *warning, void *userdata);

/* The spellings of the keys' values ("OK", "password-line", "launcher", ...); NULL / _INVALID when unknown. */
const char *fsp_credentials_reply_to_string(FspCredentialsReply r);
FspCredentialsReply fsp_credentials_reply_from_string(const char *s);
const char *fsp_credentials_stdin_to_string(FspCredentialsStdin s);
FspCredentialsStdin fsp_credentials_stdin_from_string(const char *s);
const char *fsp_mount_by_to_string(FspMountBy m);
FspMountBy fsp_mount_by_from_string(const char *s);

/* Class names are file-name safe: [A-Za-z0-9_.@+-], 1..128 bytes, not starting with '.'. */
bool fsp_class_name_is_valid(const char *name);

/*
 * Parse the text of one class file. path is only used in messages and kept
 * in the result. A bad value refuses the class: -EINVAL with file, line,
 * column (where it helps) and key in err.
 */
int fsp_class_parse(const char *name, const char *path, const char *text, size_t size, FspClass **ret,
                    FspError *err, FspWarnFn warn, void *userdata);

/* Read and parse one file. -ENOENT when missing; -ESRCH ("masked") when empty or /dev/null. */
int fsp_class_load_file(const char *name, const char *path, FspClass **ret, FspError *err, FspWarnFn warn,
                        void *userdata);

/*
 * The same for the system launcher, which refuses (-EPERM, naming the path
 * and why) a class file anyone but root can change: the file (checked on
 * the descriptor read) must be root's and not group/other-writable; each
 * directory from its own up to "/" (and, for a symbolic link, those of its
 * target) must be root's and not group/other-writable unless sticky. A
 * symbolic link to /dev/null in such a directory still masks.
 */
int fsp_class_load_file_trusted(const char *name, const char *path, FspClass **ret, FspError *err,
                                FspWarnFn warn, void *userdata);

FspClass *fsp_class_ref(FspClass *c);
FspClass *fsp_class_unref(FspClass *c);

/*
 * The class directories, highest priority first: a colon-separated list
 * such as FSP_CONFD_PATH from the build, or --config-path.
 */
typedef struct FspClassDirs {
        char **dirs;
} FspClassDirs;

int fsp_class_dirs_from_path(const char *colon_list, FspClassDirs *ret);
void fsp_class_dirs_done(FspClassDirs *d);

/* The file that defines name, honouring precedence and masking. -ENOENT if none, -ESRCH if masked. */
int fsp_class_dirs_find(const FspClassDirs *d, const char *name, char **ret_path);

/* Every visible (not masked) class name, sorted. */
int fsp_class_dirs_list(const FspClassDirs *d, char ***ret_names);

#ifdef __cplusplus
}
#endif
