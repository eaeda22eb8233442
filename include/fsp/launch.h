/* SPDX-License-Identifier: MIT */
/*
 * The launcher's client API: what launchctl and winfsp-net use to talk to
 * winfsp-launcher over D-Bus (org.winfsp.Launcher1). Each call is
 * synchronous and returns 0 or a negative errno; on failure *error holds the
 * launcher's D-Bus error name and its message.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FSP_LAUNCHER_BUS_NAME  "org.winfsp.Launcher1"
#define FSP_LAUNCHER_PATH      "/org/winfsp/Launcher1"
#define FSP_LAUNCHER_INTERFACE "org.winfsp.Launcher1"
#define FSP_LAUNCHER_ERROR     "org.winfsp.Launcher1.Error."

#define FSP_ERROR_NO_SUCH_CLASS          FSP_LAUNCHER_ERROR "NoSuchClass"
#define FSP_ERROR_NO_SUCH_INSTANCE       FSP_LAUNCHER_ERROR "NoSuchInstance"
#define FSP_ERROR_INSTANCE_EXISTS        FSP_LAUNCHER_ERROR "InstanceExists"
#define FSP_ERROR_ACCESS_DENIED          FSP_LAUNCHER_ERROR "AccessDenied"
#define FSP_ERROR_AUTHENTICATION_FAILED  FSP_LAUNCHER_ERROR "AuthenticationFailed"
#define FSP_ERROR_TIMEOUT                FSP_LAUNCHER_ERROR "Timeout"
#define FSP_ERROR_INVALID_ARGUMENT       FSP_LAUNCHER_ERROR "InvalidArgument"
#define FSP_ERROR_CONFIGURATION_ERROR    FSP_LAUNCHER_ERROR "ConfigurationError"
#define FSP_ERROR_START_FAILED           FSP_LAUNCHER_ERROR "StartFailed"
#define FSP_ERROR_LIMIT_EXCEEDED         FSP_LAUNCHER_ERROR "LimitExceeded"

/*
 * Each launcher error maps to one errno, so C callers can switch on it
 * (sd_bus_error_get_errno() gives the same after fsp_launch_open()).
 */
typedef enum FspLaunchError {
        FSP_LAUNCH_OK = 0,
        FSP_LAUNCH_NO_SUCH_CLASS,         /* ENOENT */
        FSP_LAUNCH_NO_SUCH_INSTANCE,      /* ESRCH */
        FSP_LAUNCH_INSTANCE_EXISTS,       /* EEXIST */
        FSP_LAUNCH_ACCESS_DENIED,         /* EACCES */
        FSP_LAUNCH_AUTHENTICATION_FAILED, /* EKEYREJECTED */
        FSP_LAUNCH_TIMEOUT,               /* ETIMEDOUT */
        FSP_LAUNCH_INVALID_ARGUMENT,      /* EINVAL */
        FSP_LAUNCH_CONFIGURATION_ERROR,   /* ENOEXEC */
        FSP_LAUNCH_START_FAILED,          /* ECHILD */
        FSP_LAUNCH_BUS_ERROR,             /* anything else: no launcher, bus trouble */
        FSP_LAUNCH_LIMIT_EXCEEDED,        /* EDQUOT: too many instances of the caller's running */
        _FSP_LAUNCH_ERROR_MAX,
        _FSP_LAUNCH_ERROR_INVALID = -22,
} FspLaunchError;

/* Classify an error returned by the calls below. */
FspLaunchError fsp_launch_error_from_bus(const sd_bus_error *error);

/*
 * The exit statuses the command-line clients (launchctl, winfsp-net) share,
 * one per error family; their man pages carry the table.
 */
enum {
        FSP_EXIT_OK = 0,
        FSP_EXIT_FAILURE = 1,
        FSP_EXIT_USAGE = 2,
        FSP_EXIT_NO_SUCH_CLASS = 3,
        FSP_EXIT_NO_SUCH_INSTANCE = 4,
        FSP_EXIT_INSTANCE_EXISTS = 5,
        FSP_EXIT_ACCESS_DENIED = 6, /* also when the bus policy says no */
        FSP_EXIT_AUTHENTICATION_FAILED = 7,
        FSP_EXIT_TIMEOUT = 8,
        FSP_EXIT_INVALID_ARGUMENT = 9,
        FSP_EXIT_CONFIGURATION_ERROR = 10,
        FSP_EXIT_START_FAILED = 11,
        FSP_EXIT_UNREACHABLE = 12, /* no bus, no launcher, or the connection broke */
        /* 13 and 14 are winfsp-net's own */
        FSP_EXIT_LIMIT_EXCEEDED = 15,
};

/* The exit status for a call that returned r (< 0) and error. */
int fsp_launch_exit_status(int r, const sd_bus_error *error);

/*
 * Connect to the launcher's bus: the system bus, or with user the session
 * bus; address, when not NULL, overrides both (tests). Honours
 * DBUS_SYSTEM_BUS_ADDRESS and DBUS_SESSION_BUS_ADDRESS.
 */
int fsp_launch_open(bool user, const char *address, sd_bus **ret);

/* Options of fsp_launch_start_with_options(). */
typedef struct FspStartOptions {
        int secret_fd;              /* -1: none; else read to EOF by the launcher (≤ 4 KiB) */
        bool attach_to_caller_unit; /* move the instance into the caller's systemd unit (root only) */
        int fuse_fd;                /* -1: none; else a /dev/fuse connection the caller (root) mounts at the
                                     * class's MountPoint=%N argument itself (before the call, or after it
                                     * returns: the launcher never looks the path up); the file system gets
                                     * it as fd 3 and "/dev/fd/3" as that argument. How mount.winfsp
                                     * answers an automount. */
        const char *mount_options;  /* NULL: none; else the caller's -o list (see <fsp/mount-options.h>) */
} FspStartOptions;

#define FSP_START_OPTIONS_INIT ((FspStartOptions){ .secret_fd = -1, .fuse_fd = -1 })

/* Start; returns once the instance is ready (or failed). args may be NULL. */
int fsp_launch_start(sd_bus *bus, const char *class_name, const char *instance, char *const *args,
                     sd_bus_error *error);
int fsp_launch_start_with_secret(sd_bus *bus, const char *class_name, const char *instance, char *const *args,
                                 int secret_fd, sd_bus_error *error);
int fsp_launch_start_with_options(sd_bus *bus, const char *class_name, const char *instance,
                                  char *const *args, const FspStartOptions *options, sd_bus_error *error);

/* Stop; returns once the instance has exited. ret_status: exit code, or 128+signal. */
int fsp_launch_stop(sd_bus *bus, const char *class_name, const char *instance, int *ret_status,
                    sd_bus_error *error);

typedef struct FspInstanceInfo {
        char *class_name;
        char *instance;
        char **argv;
        pid_t pid;              /* 0 when not running (waiting to restart) */
        char *state;            /* "starting", "running", "stopping", "restarting" */
        char *mount_point;      /* "" when the class has none */
        uid_t started_by;
        uid_t run_as;
        uint64_t start_time_usec; /* CLOCK_REALTIME */
        uint32_t restarts;
        int32_t last_exit_status; /* -1 when none yet */
} FspInstanceInfo;

int fsp_launch_get_info(sd_bus *bus, const char *class_name, const char *instance, FspInstanceInfo *ret,
                        sd_bus_error *error);
void fsp_instance_info_done(FspInstanceInfo *info);

typedef struct FspInstanceId {
        char *class_name;
        char *instance;
} FspInstanceId;

int fsp_launch_list(sd_bus *bus, FspInstanceId **ret, size_t *ret_n, sd_bus_error *error);
void fsp_instance_ids_free(FspInstanceId *ids, size_t n);

typedef struct FspClassInfo {
        char *name;
        char *description;
        uint32_t credentials;
        bool can_start;
} FspClassInfo;

int fsp_launch_list_classes(sd_bus *bus, FspClassInfo **ret, size_t *ret_n, sd_bus_error *error);
void fsp_class_infos_free(FspClassInfo *infos, size_t n);

int fsp_launch_reload(sd_bus *bus, sd_bus_error *error);

/*
 * Ask for the signals InstanceStarted and InstanceStopped of the instances
 * the caller may query; the launcher sends them to subscribed peers only
 * (add a match or filter on bus to receive them). Unsubscribe, or closing
 * the connection, ends it.
 */
int fsp_launch_subscribe(sd_bus *bus, sd_bus_error *error);
int fsp_launch_unsubscribe(sd_bus *bus, sd_bus_error *error);

#ifdef __cplusplus
}
#endif
