#!/bin/bash
# SPDX-License-Identifier: MIT
# Data integrity on memfs with fio: several jobs at once, 4 KiB to 1 MiB
# blocks, sequential, random and mixed, buffered and O_DIRECT, each block
# checked with crc32c right after the run (do_verify), and then once more by
# a second fio that only reads and verifies, after the page cache of the files
# was dropped, so the data comes back from memfs and not from the kernel.
# On memfs with and without -s (see lib.sh).
. "${FSP_TEST_LIB:?}"

fsp_require_root_fuse
fsp_require_tool fio
fsp_setup

cat >"$FSP_TMP/verify.fio" <<EOF
[global]
directory=$FSP_TMP/memfs/fio
ioengine=psync
verify=crc32c
verify_fatal=1
verify_state_save=0
end_fsync=1
runtime=40

[seq-write-4k]
rw=write
bs=4k
size=64m

[seq-write-1m]
rw=write
bs=1m
size=256m

[randrw-64k]
rw=randrw
bs=64k
size=128m

[randwrite-4k]
rw=randwrite
bs=4k
size=32m
numjobs=2

[randwrite-1m-unaligned]
rw=randwrite
bsrange=1k-1m
bs_unaligned=1
size=64m

[direct-64k]
rw=randwrite
bs=64k
size=64m
direct=1
EOF

# check_fio NAME LOG STATUS
check_fio() {
        if [ "$3" -ne 0 ] || grep -qiE 'err= *[1-9]|verify.*(fail|bad)|bad magic|bad header' "$2"; then
                cat "$2"
                tail -n 30 "$FSP_TMP/memfs.log"
                fsp_die "fio $1: exit status $3 or a verify error (above)"
        fi
        fsp_log "fio $1: $(grep -E '^ *(READ|WRITE):' "$2" | sed -E 's/ +/ /g' | cut -d, -f1 | tr '\n' ';')"
}

cd "$FSP_TMP" || fsp_die "cd $FSP_TMP"
mnt=$FSP_TMP/memfs
for config in $FSP_MEMFS_CONFIGS; do
        fsp_start_memfs "$mnt" "$FSP_TMP/memfs.log" -n 10000 $(fsp_memfs_config_args "$config" 1G) \
                -u "//memfs/fio-$config"
        mkdir "$mnt/fio"
        fio --output="$FSP_TMP/write.log" "$FSP_TMP/verify.fio"
        check_fio "$config: write+verify" "$FSP_TMP/write.log" $?
        fsp_memfs_alive "$MEMFS_PID" "$mnt"
        fio --output="$FSP_TMP/reverify.log" --verify_only "$FSP_TMP/verify.fio"
        check_fio "$config: verify_only" "$FSP_TMP/reverify.log" $?
        grep -qE '^ *READ:' "$FSP_TMP/reverify.log" || fsp_die "$config: the verify_only pass read nothing"
        rm -rf "$mnt/fio"
        fsp_stop_memfs "$MEMFS_PID" "$mnt"
done
