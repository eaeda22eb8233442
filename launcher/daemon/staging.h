/* SPDX-License-Identifier: MIT */
/*
 * <state-dir>/staging, the root launcher's own private mount where programs
 * mount before their mount is moved onto the checked mount point
 * (instance-mount.c). Only root may create or rename entries in it;
 * programs' users may pass through (0711) to their own directory.
 */
#pragma once

/*
 * Make it (a bind mount of itself with private propagation), and detach and
 * remove what a previous launcher left there. 0 and *ret_dir (freed by the
 * caller) and *ret_mount_id set, or -errno, logged.
 */
int staging_setup(const char *state_dir, char **ret_dir, int *ret_mount_id);

/* At exit: the staging mount goes, and the state directory if nothing is left in it. */
void staging_teardown(const char *state_dir, const char *staging_dir);
