#!/bin/bash
# SPDX-License-Identifier: MIT
# memfs -i: case-insensitive lookups that keep the case names were made
# with (fsconform --case-insensitive), with and without -s.
. "${FSP_TEST_LIB:?}"

fsp_require_root_fuse
[ -x "${FSP_FSCONFORM:-}" ] || fsp_skip "fsconform is not built"
fsp_setup

mnt=$FSP_TMP/memfs
status=0
for config in $FSP_MEMFS_CONFIGS; do
        fsp_start_memfs "$mnt" "$FSP_TMP/memfs.log" -i -n 10000 $(fsp_memfs_config_args "$config" 1G) \
                -u "//memfs/icase-$config"
        "$FSP_FSCONFORM" "$mnt" --case-insensitive >"$FSP_TMP/icase.out" 2>&1 || status=1
        sed "s/^/$config: /" "$FSP_TMP/icase.out"
        fsp_memfs_alive "$MEMFS_PID" "$mnt"
        fsp_stop_memfs "$MEMFS_PID" "$mnt"
done
exit "$status"
