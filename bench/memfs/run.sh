#!/bin/bash
# SPDX-License-Identifier: MIT
# bench-memfs: the same fio jobs and metadata phases on tmpfs, memfs and
# two FUSE peers over tmpfs (libfuse's passthrough_ll with its defaults,
# and with -o writeback,cache=always, the settings of passthrough_hp's
# defaults that passthrough_ll has), in one run, FSP_BENCH_RUNS times
# (median kept), then one table with memfs's ratios to each.
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

# start_peer NAME PASSTHROUGH_LL-OPTIONS: passthrough_ll over a tmpfs of its own, mounted at $FSP_TMP/NAME
start_peer() {
        local name=$1 options=$2 pid
        fsp_mount_tmpfs "$FSP_TMP/$name-back" size=8g,mode=0755
        mkdir -p "$FSP_TMP/$name"
        "$FSP_TMP/bin/passthrough_ll" -f -o "source=$FSP_TMP/$name-back${options:+,$options}" "$FSP_TMP/$name" \
                >"$FSP_TMP/$name.log" 2>&1 </dev/null &
        pid=$!
        FSP_PIDS="$FSP_PIDS $pid"
        FSP_MOUNTS="$FSP_MOUNTS $FSP_TMP/$name"
        fsp_wait_mounted "$FSP_TMP/$name" "$pid" 10 || fsp_die "passthrough_ll ($name) did not mount"
}
start_peer pt_ll ""
start_peer pt_ll-wb "writeback,cache=always"
# memfs as it starts by default: no -s, so it may use the writeback cache
fsp_start_memfs "$FSP_TMP/memfs" "$FSP_TMP/memfs.log" -n 200000 -u //memfs/bench -F memfs

FILESYSTEMS="tmpfs memfs pt_ll pt_ll-wb"
declare -A FSTYPE=([tmpfs]=tmpfs [memfs]=fuse.memfs [pt_ll]=fuse.passthrough_ll [pt_ll-wb]=fuse.passthrough_ll)

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
        if [ "${1#pt_ll}" != "$1" ] && [ "$FILES" -gt "$limit" ]; then
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
        # two jobs at once, each in its own directory, with the same number of files in all
        "$FSP_METABENCH" -j 2 -p stat "$dir" $(($(files_for "$fs") / 2)) >"$FSP_TMP/meta.out" ||
                fsp_die "fsp-metabench -j 2 on $fs failed"
        awk -v fs="$fs" '{ print fs, $1 "-2j", $2 }' "$FSP_TMP/meta.out" >>"$RESULTS"
}

for run in $(seq 1 "$RUNS"); do
        for fs in $FILESYSTEMS; do
                fsp_log "run $run/$RUNS: $fs"
                measure "$fs"
        done
        fsp_memfs_alive "$MEMFS_PID" "$FSP_TMP/memfs"
done

commit=$(git -C "$(dirname "$0")" log -1 --format=%h -- ../../memfs ../../fuse 2>/dev/null)
echo "# bench-memfs: $(date -u +%Y-%m-%dT%H:%MZ), memfs at ${commit:-unknown}, $(uname -r), $(nproc) CPUs," \
        "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(free -g | awk '/^Mem:/ { print $2 }') GiB," \
        "median of $RUNS runs; metadata: $FILES files ($(files_for pt_ll) on the passthrough_ll peers)"
sort -k1,1 -k2,2 -k3,3g "$RESULTS" | awk -v runs="$RUNS" '
        function unit(m) {
                if (m ~ /^(seq|rand)/) return m ~ /^rand/ ? "IOPS" : "MiB/s"
                return m == "list" ? "entries/s" : "ops/s"
        }
        function target(m) {
                if (m ~ /^seq-read/) return 0.66
                if (m == "seq-write-1m") return 0.5
                return 0
        }
        { key = $1 SUBSEP $2; n[key]++; v[key, n[key]] = $3 }
        END {
                split("seq-write-1m seq-read-1m seq-write-4k seq-read-4k rand-read-4k rand-write-4k " \
                      "create list stat getattr chmod utimens write read openclose overwrite unlink " \
                      "create-2j stat-2j unlink-2j", order, " ")
                split("tmpfs memfs pt_ll pt_ll-wb", fss, " ")
                printf "%-13s %-9s %9s %9s %9s %9s %7s %7s %7s %7s %s\n", "metric", "unit", "tmpfs", "memfs",
                       "pt_ll", "pt_ll-wb", "/tmpfs", "/pt_ll", "/pt-wb", "2j/1j", "met"
                for (i = 1; i in order; i++) {
                        m = order[i]
                        for (f = 1; f <= 4; f++) {
                                k = fss[f] SUBSEP m
                                med[fss[f]] = n[k] ? v[k, int((n[k] + 1) / 2)] : 0
                        }
                        rt = med["tmpfs"] ? med["memfs"] / med["tmpfs"] : 0
                        rp = med["pt_ll"] ? med["memfs"] / med["pt_ll"] : 0
                        rw = med["pt_ll-wb"] ? med["memfs"] / med["pt_ll-wb"] : 0
                        scale = "-"
                        met = (rt >= target(m) && rp > 1 && rw > 1) ? "yes" : "NO"
                        if (m ~ /-2j$/) {
                                one = substr(m, 1, length(m) - 3)
                                k = "memfs" SUBSEP one
                                single = n[k] ? v[k, int((n[k] + 1) / 2)] : 0
                                scale = single ? sprintf("%.2f", med["memfs"] / single) : "-"
                                met = (single && med["memfs"] / single >= 1.6 && rp > 1 && rw > 1) ? "yes" : "NO"
                        }
                        printf "%-13s %-9s %9.0f %9.0f %9.0f %9.0f %7.2f %7.2f %7.2f %7s %s\n", m, unit(m),
                               med["tmpfs"], med["memfs"], med["pt_ll"], med["pt_ll-wb"], rt, rp, rw, scale, met
                }
        }'
