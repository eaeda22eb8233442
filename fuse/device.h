/* SPDX-License-Identifier: MIT */
/* The session's traffic on /dev/fuse (device.c): internal to libfsp-fuse. */
#pragma once

#include <fsp/fuse.h>

/* Route the mounted session's reads and writes through libfsp-fuse's hooks. */
int device_install(struct fuse_session *se);
