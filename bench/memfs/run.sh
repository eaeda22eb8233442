#!/bin/bash
# SPDX-License-Identifier: MIT
# bench-memfs: the same fio jobs and metadata phases on tmpfs, memfs and
# libfuse's passthrough_ll over tmpfs, in one run, FSP_BENCH_RUNS times
# (median kept), then one table with memfs/tmpfs and memfs/passthrough_ll.
#
# Environment: FSP_MEMFS, FSP_METABENCH, FSP_TEST_LIB (set by the
# bench-memfs target); FSP_BENCH_RUNS (3), FSP_BENCH_RANDOM_SEC (5),
# FSP_BENCH_FILES (20000).
. "${FSP_TEST_LIB:?}"

RUNS=${FSP_BENCH_RUNS:-3}
RANDOM_SEC=${FSP_BENCH_RANDOM_SEC:-5}
FILES=${FSP_BENCH_FILES:-20000}
EXAMPLES=/usr/share/doc/libfuse3-dev/examples

fsp_require_root_fuse
fsp_require_tool fio
fsp_require_tool cc
[ -x "${FSP_METABENCH:-}" ] || fsp_skip "fsp-metabench is not built"
[ -r "$EXAMPLES/passthrough_ll.c" ] || fsp_skip "no $EXAMPLES/passthrough_ll.c (libfuse3-dev)"
fsp_setup

# passthrough_ll is built here, at bench time, and never kept
mkdir "$FSP_TMP/bin"
cc -O2 -I"$EXAMPLES" -o "$FSP_TMP/bin/passthrough_ll" "$EXAMPLES/passthrough_ll.c" \
        $(pkg-config --cflags --libs fuse3) 2>"$FSP_TMP/cc.log" ||
        { cat "$FSP_TMP/cc.log"; fsp_die "cannot build passthrough_ll"; }

fsp_mount_tmpfs "$FSP_TMP/tmpfs" size=8g,mode=0755
fsp_mount_tmpfs "$FSP_TMP/ptback" size=8g,mode=0755
mkdir -p "$FSP_TMP/passthrough_ll"
"$FSP_TMP/bin/passthrough_ll" -f -o "source=$FSP_TMP/ptback" "$FSP_TMP/passthrough_ll" \
        >"$FSP_TMP/passthrough_ll.log" 2>&1 </dev/null &
pt_pid=$!
FSP_PIDS="$FSP_PIDS $pt_pid"
FSP_MOUNTS="$FSP_MOUNTS $FSP_TMP/passthrough_ll"
fsp_wait_mounted "$FSP_TMP/passthrough_ll" "$pt_pid" 10 || fsp_die "passthrough_ll did not mount"
# memfs as it starts by default: no -s, so it may use the writeback cache
fsp_start_memfs "$FSP_TMP/memfs" "$FSP_TMP/memfs.log" -n 100000 -u //memfs/bench -F memfs

declare -A FSTYPE=([tmpfs]=tmpfs [memfs]=fuse.memfs [passthrough_ll]=fuse.passthrough_ll)

# The first write into fresh guest memory is slow: touch it once, untimed.
dd if=/dev/zero of="$FSP_TMP/tmpfs/warm" bs=1M count=4096 status=none
rm -f "$FSP_TMP/tmpfs/warm"

RESULTS=$FSP_TMP/results

# fio_job FS METRIC FIELD FIO-ARGS...: run fio, record FIELD of its terse
# output (7 read KiB/s, 8 read IOPS, 48 write KiB/s, 49 write IOPS).
fio_job() {
        local fs=$1 metric=$2 field=$3 out
        shift 3
        out=$(fio --name="$metric" --ioengine=psync --group_reporting --output-format=terse \
                --terse-version=3 "$@") || fsp_die "fio $metric on $fs failed: $out"
        awk -F';' -v fs="$fs" -v m="$metric" -v f="$field" \
                'NR == 1 { v = $f; if (f == 7 || f == 48) v = v / 1024; print fs, m, v }' <<<"$out" >>"$RESULTS"
}

# passthrough_ll holds an open fd for every inode the kernel knows, and the
# fd limit here is 20,000: it cannot hold 20,000 files. It gets a few less.
files_for() {
        local limit
        limit=$(($(ulimit -n) - 1000))
        if [ "$1" = passthrough_ll ] && [ "$FILES" -gt "$limit" ]; then
                echo "$limit"
        else
                echo "$FILES"
        fi
}

measure() {
        local fs=$1 dir=$FSP_TMP/$1 seq
        local type
        type=$(fsp_mount_fstype "$dir")
        case "$type" in
        "${FSTYPE[$fs]}") ;;
        *) fsp_die "$dir is mounted as '$type', expected ${FSTYPE[$fs]}: not measuring the directory underneath" ;;
        esac
        seq=$dir/seq
        # untimed warm-up of this file system's memory
        fio --name=warm --filename="$seq" --rw=write --bs=1m --size=1g --end_fsync=1 --output=/dev/null
        rm -f "$seq"

        fio_job "$fs" seq-write-1m 48 --filename="$seq" --rw=write --bs=1m --size=1g --end_fsync=1 --runtime=60
        fio_job "$fs" seq-read-1m 7 --filename="$seq" --rw=read --bs=1m --size=1g --runtime=60
        rm -f "$seq"
        fio_job "$fs" seq-write-4k 48 --filename="$seq" --rw=write --bs=4k --size=1g --end_fsync=1 --runtime=60
        fio_job "$fs" seq-read-4k 7 --filename="$seq" --rw=read --bs=4k --size=1g --runtime=60
        fio_job "$fs" rand-read-4k 8 --filename="$seq" --rw=randread --bs=4k --size=1g --numjobs=2 \
                --time_based --runtime="$RANDOM_SEC"
        fio_job "$fs" rand-write-4k 49 --filename="$seq" --rw=randwrite --bs=4k --size=1g --numjobs=2 \
                --time_based --runtime="$RANDOM_SEC" --end_fsync=1
        rm -f "$seq"
        "$FSP_METABENCH" "$dir" "$(files_for "$fs")" >"$FSP_TMP/meta.out" || fsp_die "fsp-metabench on $fs failed"
        awk -v fs="$fs" '{ print fs, $1, $2 }' "$FSP_TMP/meta.out" >>"$RESULTS"
}

for run in $(seq 1 "$RUNS"); do
        for fs in tmpfs memfs passthrough_ll; do
                fsp_log "run $run/$RUNS: $fs"
                measure "$fs"
        done
        fsp_memfs_alive "$MEMFS_PID" "$FSP_TMP/memfs"
done

commit=$(git -C "$(dirname "$0")" log -1 --format=%h -- ../../memfs ../../fuse 2>/dev/null)
echo "# bench-memfs: $(date -u +%Y-%m-%dT%H:%MZ), memfs at ${commit:-unknown}, $(uname -r), $(nproc) CPUs," \
        "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(free -g | awk '/^Mem:/ { print $2 }') GiB," \
        "median of $RUNS runs; metadata: $FILES files ($(files_for passthrough_ll) on passthrough_ll)"
sort -k1,1 -k2,2 -k3,3g "$RESULTS" | awk -v runs="$RUNS" '
        function unit(m) { return m ~ /^(create|stat|unlink)$/ ? "ops/s" : (m ~ /^rand/ ? "IOPS" : "MiB/s") }
        function target(m) {
                if (m ~ /^seq-read/) return 0.66
                if (m ~ /^seq-write/) return 0.5
                return 0.25
        }
        { key = $1 SUBSEP $2; n[key]++; v[key, n[key]] = $3; metrics[$2] = 1 }
        END {
                split("seq-write-1m seq-read-1m seq-write-4k seq-read-4k rand-read-4k rand-write-4k create stat unlink", order, " ")
                printf "%-14s %-6s %10s %10s %15s %12s %9s %7s %s\n", "metric", "unit", "tmpfs", "memfs",
                       "passthrough_ll", "memfs/tmpfs", "memfs/pt", "target", "met"
                for (i = 1; i <= 9; i++) {
                        m = order[i]
                        for (f = 1; f <= 3; f++) {
                                fs = f == 1 ? "tmpfs" : (f == 2 ? "memfs" : "passthrough_ll")
                                k = fs SUBSEP m
                                med[fs] = n[k] ? v[k, int((n[k] + 1) / 2)] : 0
                        }
                        rt = med["tmpfs"] ? med["memfs"] / med["tmpfs"] : 0
                        rp = med["passthrough_ll"] ? med["memfs"] / med["passthrough_ll"] : 0
                        met = (rt >= target(m) && rp > 1) ? "yes" : "NO"
                        printf "%-14s %-6s %10.0f %10.0f %15.0f %12.2f %9.2f %7s %s\n", m, unit(m), med["tmpfs"],
                               med["memfs"], med["passthrough_ll"], rt, rp, ">=" target(m), met
                }
        }'
