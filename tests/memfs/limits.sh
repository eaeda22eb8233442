#!/bin/bash
# SPDX-License-Identifier: MIT
# memfs's limits (not compared with tmpfs): with -n 64 -s 1 MiB, ENOSPC and
# EFBIG come exactly at the limits and statfs reports them (fsconform
# --limits). Then a memfs whose -s allows it must store a
# 999,999,999,999,999-byte file sparsely (fsconform's sparse-huge check).
. "${FSP_TEST_LIB:?}"

fsp_require_root_fuse
[ -x "${FSP_FSCONFORM:-}" ] || fsp_skip "fsconform is not built"
fsp_setup

nodes=64
size=$((1 << 20))
small=$FSP_TMP/small
fsp_start_memfs "$small" "$FSP_TMP/small.log" -n $nodes -s $size -u //memfs/limits
small_pid=$MEMFS_PID
"$FSP_FSCONFORM" "$small" --limits "$nodes:$size" >"$FSP_TMP/limits.out" 2>&1
status=$?
cat "$FSP_TMP/limits.out"
fsp_memfs_alive "$small_pid" "$small"
fsp_stop_memfs "$small_pid" "$small"

huge=$FSP_TMP/huge
fsp_start_memfs "$huge" "$FSP_TMP/huge.log" -n 1000 -s $((1 << 50)) -u //memfs/huge
"$FSP_FSCONFORM" "$huge" --only sparse-huge >"$FSP_TMP/huge.out" 2>&1 || status=1
cat "$FSP_TMP/huge.out"
grep -q '^PASS sparse-huge: sparse' "$FSP_TMP/huge.out" || {
        fsp_log "with -s 2^50 the huge file was not stored sparsely"
        status=1
}
fsp_memfs_alive "$MEMFS_PID" "$huge"
fsp_stop_memfs "$MEMFS_PID" "$huge"
exit "$status"
