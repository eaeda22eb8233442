#!/bin/bash
# SPDX-License-Identifier: MIT
# The conformance suite on a fresh tmpfs and a fresh memfs, once as root and
# once as an unprivileged user. Fails if a check fails on memfs that does not
# fail on tmpfs (the reference); checks failing on both are printed as notes.
. "${FSP_TEST_LIB:?}"

fsp_require_root_fuse
[ -x "${FSP_FSCONFORM:-}" ] || fsp_skip "fsconform is not built"
fsp_setup
fsp_ensure_user fsptest1

# the unprivileged user runs its own copy, wherever the build tree is
install -m 0755 "$FSP_FSCONFORM" "$FSP_TMP/fsconform"

fsp_mount_tmpfs "$FSP_TMP/tmpfs" size=4g,mode=0755
mkdir -p "$FSP_TMP/memfs"
chmod 0755 "$FSP_TMP/memfs"
fsp_start_memfs "$FSP_TMP/memfs" "$FSP_TMP/memfs.log" -n 1000000 -s $((1 << 40)) -u //memfs/conform -F memfs
[ "$(fsp_mount_fstype "$FSP_TMP/memfs")" = fuse.memfs ] ||
        fsp_die "memfs is mounted as $(fsp_mount_fstype "$FSP_TMP/memfs"), expected fuse.memfs"

# run FS MODE: fsconform as root (MODE root) or as fsptest1 (MODE user).
run() {
        local fs=$1 mode=$2 dir=$FSP_TMP/$1/$2-run out=$FSP_TMP/$1-$2.out
        mkdir "$dir"
        if [ "$mode" = root ]; then
                chmod 0755 "$dir"
                "$FSP_TMP/fsconform" "$dir" --user "$FSP_USER_UID:$FSP_USER_GID" >"$out" 2>&1
        else
                chown fsptest1:fsptest1 "$dir"
                runuser -u fsptest1 -- "$FSP_TMP/fsconform" "$dir" >"$out" 2>&1
        fi
        fsp_log "$fs as $mode: $(grep '^#' "$out")"
}

# compare REFERENCE MEMFS MODE: prints regressions and notes; fails on a regression.
compare() {
        awk -v mode="$3" '
                function name_of(s) { sub(/:$/, "", s); return s }
                FNR == NR { if ($1 ~ /^(PASS|FAIL|SKIP)$/) ref[name_of($2)] = $1; next }
                $1 ~ /^(PASS|FAIL|SKIP)$/ {
                        n = name_of($2); seen[n] = 1
                        if ($1 != "FAIL") next
                        if (ref[n] == "FAIL") { print "note (" mode "): fails on tmpfs too: " $0; next }
                        print "REGRESSION (" mode "): " $0 " [tmpfs: " (n in ref ? ref[n] : "no result") "]"
                        bad = 1
                }
                END {
                        for (n in ref) if (!(n in seen)) { print "REGRESSION (" mode "): no result for " n; bad = 1 }
                        exit bad
                }' "$1" "$2"
}

status=0
for mode in root user; do
        run tmpfs "$mode"
        run memfs "$mode"
        fsp_memfs_alive "$MEMFS_PID" "$FSP_TMP/memfs"
        grep -q '^# ' "$FSP_TMP/memfs-$mode.out" || { cat "$FSP_TMP/memfs-$mode.out"; fsp_die "fsconform on memfs ($mode) did not finish"; }
        compare "$FSP_TMP/tmpfs-$mode.out" "$FSP_TMP/memfs-$mode.out" "$mode" || status=1
done

if [ "$status" -ne 0 ]; then
        for f in "$FSP_TMP"/memfs-*.out; do
                echo "--- $(basename "$f")"
                cat "$f"
        done
        echo "--- memfs output (tail)"
        tail -n 50 "$FSP_TMP/memfs.log"
fi
fsp_stop_memfs "$MEMFS_PID" "$FSP_TMP/memfs"
exit "$status"
