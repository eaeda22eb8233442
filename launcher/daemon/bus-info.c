/* SPDX-License-Identifier: MIT */
#include "bus-info.h"
#include "macro.h"

int bus_append_instance_info(sd_bus_message *m, const BusInstanceInfo *info)
{
        int r;

        r = sd_bus_message_append(m, "{sv}{sv}", "Class", "s", info->class_name, "Instance", "s", info->instance);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", "Argv");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "as");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, info->argv ? (char **) info->argv : (char *[]){ NULL });
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}", "Pid", "u",
                                          (uint32_t) MAX(info->pid, 0), "State", "s", info->state, "MountPoint",
                                          "s", strempty(info->mount_point), "StartedBy", "u",
                                          (uint32_t) info->started_by, "RunAs", "u", (uint32_t) info->run_as,
                                          "StartTime", "t", info->start_time_usec, "Restarts", "u",
                                          (uint32_t) info->restarts, "LastExitStatus", "i",
                                          (int32_t) info->last_exit_status, "Status", "s",
                                          strempty(info->status));
        return r;
}
