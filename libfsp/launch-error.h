/* SPDX-License-Identifier: MIT */
/* The launcher's errors, shared by the client calls of launch.c. Internal. */
#pragma once

/* Teach sd-bus the errno of each launcher error; adding the same map again does nothing. */
void launch_error_map_register(void);
