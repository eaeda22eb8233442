/* SPDX-License-Identifier: MIT */
/*
 * The launcher's errors on the client side: each D-Bus error name has its
 * errno (so sd_bus_error_get_errno() and the calls' return values agree), a
 * FspLaunchError, and an exit status for the command-line clients.
 */
#include <fsp/launch.h>

#include "launch-error.h"
#include "macro.h"

static const sd_bus_error_map launch_error_map[] = {
        SD_BUS_ERROR_MAP(FSP_ERROR_NO_SUCH_CLASS, ENOENT),
        SD_BUS_ERROR_MAP(FSP_ERROR_NO_SUCH_INSTANCE, ESRCH),
        SD_BUS_ERROR_MAP(FSP_ERROR_INSTANCE_EXISTS, EEXIST),
        SD_BUS_ERROR_MAP(FSP_ERROR_ACCESS_DENIED, EACCES),
        SD_BUS_ERROR_MAP(FSP_ERROR_AUTHENTICATION_FAILED, EKEYREJECTED),
        SD_BUS_ERROR_MAP(FSP_ERROR_TIMEOUT, ETIMEDOUT),
        SD_BUS_ERROR_MAP(FSP_ERROR_INVALID_ARGUMENT, EINVAL),
        SD_BUS_ERROR_MAP(FSP_ERROR_CONFIGURATION_ERROR, ENOEXEC),
        SD_BUS_ERROR_MAP(FSP_ERROR_START_FAILED, ECHILD),
        SD_BUS_ERROR_MAP(FSP_ERROR_LIMIT_EXCEEDED, EDQUOT),
        SD_BUS_ERROR_MAP_END,
};

static const char *const launch_error_names[_FSP_LAUNCH_ERROR_MAX] = {
        [FSP_LAUNCH_NO_SUCH_CLASS] = FSP_ERROR_NO_SUCH_CLASS,
        [FSP_LAUNCH_NO_SUCH_INSTANCE] = FSP_ERROR_NO_SUCH_INSTANCE,
        [FSP_LAUNCH_INSTANCE_EXISTS] = FSP_ERROR_INSTANCE_EXISTS,
        [FSP_LAUNCH_ACCESS_DENIED] = FSP_ERROR_ACCESS_DENIED,
        [FSP_LAUNCH_AUTHENTICATION_FAILED] = FSP_ERROR_AUTHENTICATION_FAILED,
        [FSP_LAUNCH_TIMEOUT] = FSP_ERROR_TIMEOUT,
        [FSP_LAUNCH_INVALID_ARGUMENT] = FSP_ERROR_INVALID_ARGUMENT,
        [FSP_LAUNCH_CONFIGURATION_ERROR] = FSP_ERROR_CONFIGURATION_ERROR,
        [FSP_LAUNCH_START_FAILED] = FSP_ERROR_START_FAILED,
        [FSP_LAUNCH_LIMIT_EXCEEDED] = FSP_ERROR_LIMIT_EXCEEDED,
};

void launch_error_map_register(void)
{
        (void) sd_bus_error_add_map(launch_error_map);
}

FspLaunchError fsp_launch_error_from_bus(const sd_bus_error *error)
{
        if (!sd_bus_error_is_set(error))
                return FSP_LAUNCH_OK;
        for (size_t i = 0; i < ELEMENTSOF(launch_error_names); i++)
                if (launch_error_names[i] && sd_bus_error_has_name(error, launch_error_names[i]))
                        return (FspLaunchError) i;
        return FSP_LAUNCH_BUS_ERROR;
}

static bool bus_error_means_unreachable(const sd_bus_error *error)
{
        static const char *const names[] = {
                SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER, SD_BUS_ERROR_NO_REPLY,
                SD_BUS_ERROR_DISCONNECTED,    SD_BUS_ERROR_NO_SERVER,         SD_BUS_ERROR_TIMEOUT,
                SD_BUS_ERROR_UNKNOWN_OBJECT,  SD_BUS_ERROR_UNKNOWN_INTERFACE,
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (sd_bus_error_has_name(error, names[i]))
                        return true;
        /* org.freedesktop.DBus.Error.Spawn.*: activation of the launcher failed. */
        return error && error->name &&
               strneq(error->name, "org.freedesktop.DBus.Error.Spawn.",
                      strlen("org.freedesktop.DBus.Error.Spawn."));
}

/* The connection to the bus broke, or was never there. */
static bool errno_means_unreachable(int e)
{
        return e == ECONNRESET || e == ENOTCONN || e == ECONNREFUSED || e == EPIPE || e == ESHUTDOWN ||
               e == ENOENT || e == EHOSTUNREACH;
}

int fsp_launch_exit_status(int r, const sd_bus_error *error)
{
        static const int exit_status[_FSP_LAUNCH_ERROR_MAX] = {
                [FSP_LAUNCH_OK] = FSP_EXIT_FAILURE,
                [FSP_LAUNCH_NO_SUCH_CLASS] = FSP_EXIT_NO_SUCH_CLASS,
                [FSP_LAUNCH_NO_SUCH_INSTANCE] = FSP_EXIT_NO_SUCH_INSTANCE,
                [FSP_LAUNCH_INSTANCE_EXISTS] = FSP_EXIT_INSTANCE_EXISTS,
                [FSP_LAUNCH_ACCESS_DENIED] = FSP_EXIT_ACCESS_DENIED,
                [FSP_LAUNCH_AUTHENTICATION_FAILED] = FSP_EXIT_AUTHENTICATION_FAILED,
                [FSP_LAUNCH_TIMEOUT] = FSP_EXIT_TIMEOUT,
                [FSP_LAUNCH_INVALID_ARGUMENT] = FSP_EXIT_INVALID_ARGUMENT,
                [FSP_LAUNCH_CONFIGURATION_ERROR] = FSP_EXIT_CONFIGURATION_ERROR,
                [FSP_LAUNCH_START_FAILED] = FSP_EXIT_START_FAILED,
                [FSP_LAUNCH_BUS_ERROR] = FSP_EXIT_FAILURE,
                [FSP_LAUNCH_LIMIT_EXCEEDED] = FSP_EXIT_LIMIT_EXCEEDED,
        };
        FspLaunchError kind = fsp_launch_error_from_bus(error);

        if (kind == FSP_LAUNCH_BUS_ERROR && bus_error_means_unreachable(error))
                return FSP_EXIT_UNREACHABLE;
        if (kind == FSP_LAUNCH_BUS_ERROR && sd_bus_error_has_name(error, SD_BUS_ERROR_ACCESS_DENIED))
                return FSP_EXIT_ACCESS_DENIED;
        if (kind == FSP_LAUNCH_OK && errno_means_unreachable(r < 0 ? -r : r))
                return FSP_EXIT_UNREACHABLE;
        return exit_status[kind];
}
