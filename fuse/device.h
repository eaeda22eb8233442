/* SPDX-License-Identifier: MIT */
/* The session's traffic on /dev/fuse (device.c): internal to libfsp-fuse. */
#pragma once

#include <fsp/fuse.h>

/* Route the mounted session's reads and writes through libfsp-fuse's hooks. */
int device_install(struct fuse_session *se);

/* affinity.c: serve a waiting caller on the caller's CPU. */
struct fuse_in_header;
void affinity_follow(const struct fuse_in_header *h);
void affinity_set_enabled(bool enabled);
