#!/bin/bash
# SPDX-License-Identifier: MIT
# memfs gives memory back: write 512 MiB of files, check that memfs's RSS
# grew by about that much (so we measure the right thing), delete them, and
# check that RSS comes back near where it started. Twice, so that a leak per
# cycle shows even if the first cycle hides it in allocator slack.
#
# "Near" is NEAR_KIB (24 MiB) above the baseline. The baseline is taken
# after a warm-up cycle, so it already holds what memfs keeps on purpose:
# libfuse's per-thread request buffers (up to 10 idle threads of about
# 1 MiB, with max_write 1 MiB) and the allocator's arenas. What may remain
# is allocator slack and bookkeeping, far below 5 % of what was written; a
# leak of file data would keep (a multiple of) 64 MiB files. On memfs with
# and without -s (see lib.sh).
. "${FSP_TEST_LIB:?}"

fsp_require_root_fuse
if ldd "$FSP_MEMFS" 2>/dev/null | grep -q libasan; then
        fsp_skip "memfs is built with AddressSanitizer, whose quarantine keeps freed memory"
fi
fsp_setup

NEAR_KIB=$((24 * 1024))
FILE_MIB=64
FILES=8

mnt=$FSP_TMP/memfs
fsp_mount_tmpfs "$FSP_TMP/src" size=128m
head -c $((FILE_MIB << 20)) /dev/urandom >"$FSP_TMP/src/random" || fsp_die "cannot make the source file"
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$MEMFS_PID/status"; }

write_files() {
        local i
        for i in $(seq 1 "$FILES"); do
                dd if="$FSP_TMP/src/random" of="$mnt/f$i" bs=1M conv=fsync status=none ||
                        fsp_die "writing $mnt/f$i failed"
        done
}

delete_files() {
        rm -f "$mnt"/f*
}

# wait_rss_below KIB SECONDS: until memfs's RSS is at most KIB; the kernel
# may send the last FORGET of a deleted file a little after unlink.
wait_rss_below() {
        local deadline=$(($(fsp_now_ms) + $2 * 1000))
        while [ "$(rss_kib)" -gt "$1" ]; do
                [ "$(fsp_now_ms)" -lt "$deadline" ] || return 1
                sleep 0.05
        done
}

check_memory() {
        local config=$1 start baseline full cycle
        local written_kib=$((FILES * FILE_MIB * 1024))

        # warm-up: threads, buffers and arenas come into being
        start=$(rss_kib)
        write_files
        delete_files
        wait_rss_below $((start + FILE_MIB * 1024)) 15 ||
                fsp_die "$config: warm-up: RSS is $(rss_kib) KiB after deleting everything, $start KiB at the start"
        baseline=$(rss_kib)

        for cycle in 1 2; do
                write_files
                full=$(rss_kib)
                [ $((full - baseline)) -ge $((written_kib * 9 / 10)) ] ||
                        fsp_die "$config, cycle $cycle: RSS grew only from $baseline to $full KiB for $written_kib KiB written; not measuring memfs's data?"
                delete_files
                wait_rss_below $((baseline + NEAR_KIB)) 15 ||
                        fsp_die "$config, cycle $cycle: RSS is $(rss_kib) KiB after deleting everything; baseline $baseline KiB, allowed +$NEAR_KIB KiB"
                fsp_log "$config, cycle $cycle: RSS baseline $baseline KiB, with $written_kib KiB of files $full KiB, after deleting $(rss_kib) KiB"
        done
}

for config in $FSP_MEMFS_CONFIGS; do
        fsp_start_memfs "$mnt" "$FSP_TMP/memfs.log" -n 10000 $(fsp_memfs_config_args "$config" 1G) \
                -u "//memfs/memory-$config"
        check_memory "$config"
        fsp_memfs_alive "$MEMFS_PID" "$mnt"
        fsp_stop_memfs "$MEMFS_PID" "$mnt"
done
