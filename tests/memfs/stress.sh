#!/bin/bash
# SPDX-License-Identifier: MIT
# stress-ng's file-system stressors, all at once on memfs for a bounded time,
# each checking its own results (--verify). Then memfs must still answer,
# the tree must be empty again and every node must be free again. On memfs
# with and without -s (see lib.sh), 12 s each.
. "${FSP_TEST_LIB:?}"

fsp_require_root_fuse
fsp_require_tool stress-ng
fsp_setup

mnt=$FSP_TMP/memfs
free_nodes() { stat -f -c %d "$mnt"; }

for config in $FSP_MEMFS_CONFIGS; do
        fsp_start_memfs "$mnt" "$FSP_TMP/memfs.log" -n 200000 $(fsp_memfs_config_args "$config" 1G) \
                -u "//memfs/stress-$config"
        nodes_before=$(free_nodes)
        stress-ng --temp-path "$mnt" --timeout 12s --verify --metrics-brief \
                --dir 2 --dentry 2 --rename 2 --link 2 --symlink 2 --xattr 2 \
                --fallocate 2 --fallocate-bytes 32m --hdd 2 --hdd-bytes 32m \
                >"$FSP_TMP/stress.log" 2>&1
        status=$?
        if [ "$status" -ne 0 ] || grep -qE 'stress-ng: (fail|error):' "$FSP_TMP/stress.log"; then
                cat "$FSP_TMP/stress.log"
                tail -n 30 "$FSP_TMP/memfs.log"
                fsp_die "$config: stress-ng exited with status $status or reported failures (above)"
        fi
        grep -E 'metrc:.* (dir|dentry|rename|link|symlink|xattr|fallocate|hdd) +[0-9]' "$FSP_TMP/stress.log" |
                awk -v c="$config" 'NF == 10 { s = s sprintf("%s %s/s; ", $4, $9) } END { print "stress.sh: " c ": " s }' >&2
        fsp_memfs_alive "$MEMFS_PID" "$mnt"

        left=$(find "$mnt" -mindepth 1 | head -n 5)
        [ -z "$left" ] || fsp_die "$config: stress-ng left entries behind: $left"
        # nodes come back when the kernel forgets the inodes: wait for it, bounded
        deadline=$(($(fsp_now_ms) + 10000))
        while [ "$(free_nodes)" -ne "$nodes_before" ]; do
                [ "$(fsp_now_ms)" -lt "$deadline" ] ||
                        fsp_die "$config: free nodes $(free_nodes) after the run, $nodes_before before: nodes leaked"
                sleep 0.05
        done
        fsp_stop_memfs "$MEMFS_PID" "$mnt"
done
