#!/bin/bash
# SPDX-License-Identifier: MIT
# The conformance suite on a fresh tmpfs and fresh memfs mounts, once as root and
# once as an unprivileged user. tmpfs is the reference: it shows that each
# check asks what a Linux file system does. memfs must pass every check, also
# one this kernel's tmpfs fails (here FALLOC_FL_ZERO_RANGE, EOPNOTSUPP on
# tmpfs, which winfsp-memfs(1) promises): there memfs is held to the check,
# that is to its man page, alone, and the reference's failure is a note.
# memfs may skip a check only where tmpfs skips it too.
. "${FSP_TEST_LIB:?}"

fsp_require_root_fuse
[ -x "${FSP_FSCONFORM:-}" ] || fsp_skip "fsconform is not built"
fsp_setup
fsp_ensure_user fsptest1

# the unprivileged user runs its own copy, wherever the build tree is
install -m 0755 "$FSP_FSCONFORM" "$FSP_TMP/fsconform"

fsp_mount_tmpfs "$FSP_TMP/tmpfs" size=4g,mode=0755

# run FS MODE: fsconform as root (MODE root) or as fsptest1 (MODE user) in
# a fresh directory of the file system mounted at $FSP_TMP/FS.
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
        grep -q '^# ' "$out" || { cat "$out"; fsp_die "fsconform on $fs ($mode) did not finish"; }
}

# compare REFERENCE OUTPUT WHAT: prints regressions and notes; fails on a regression.
compare() {
        awk -v what="$3" '
                function name_of(s) { sub(/:$/, "", s); return s }
                FNR == NR { if ($1 ~ /^(PASS|FAIL|SKIP)$/) ref[name_of($2)] = $1; next }
                $1 ~ /^(PASS|FAIL|SKIP)$/ {
                        n = name_of($2); seen[n] = 1
                        r = (n in ref) ? ref[n] : "no result"
                        if (r == "FAIL")
                                print "note (" what "): the reference fails " n " on this kernel; memfs is held to the check alone: " $1
                        if ($1 == "PASS" || ($1 == "SKIP" && r == "SKIP")) next
                        print "REGRESSION (" what "): " $0 " [tmpfs: " r "]"
                        bad = 1
                }
                END {
                        for (n in ref) if (!(n in seen)) { print "REGRESSION (" what "): no result for " n; bad = 1 }
                        exit bad
                }' "$1" "$2"
}

run tmpfs root
run tmpfs user

# memfs twice: as it starts by default (writeback cache), and with -s, which
# trades the writeback cache for EFBIG from write(2) itself.
status=0
for config in default sized; do
        fs=memfs-$config
        args=(-n 1000000 -u "//memfs/conform-$config" -F memfs)
        [ "$config" = sized ] && args+=(-s $((1 << 40)))
        mkdir -p "$FSP_TMP/$fs"
        chmod 0755 "$FSP_TMP/$fs"
        fsp_start_memfs "$FSP_TMP/$fs" "$FSP_TMP/$fs.log" "${args[@]}"
        [ "$(fsp_mount_fstype "$FSP_TMP/$fs")" = fuse.memfs ] ||
                fsp_die "memfs is mounted as $(fsp_mount_fstype "$FSP_TMP/$fs"), expected fuse.memfs"
        for mode in root user; do
                run "$fs" "$mode"
                compare "$FSP_TMP/tmpfs-$mode.out" "$FSP_TMP/$fs-$mode.out" "$fs, $mode" || {
                        status=1
                        echo "--- $fs as $mode"
                        cat "$FSP_TMP/$fs-$mode.out"
                }
                if ! kill -0 "$MEMFS_PID" 2>/dev/null; then
                        echo "--- $fs output (tail)"
                        tail -n 30 "$FSP_TMP/$fs.log"
                        fsp_die "memfs ($fs) died during the run as $mode"
                fi
        done
        [ "$status" -eq 0 ] || { echo "--- $fs output (tail)"; tail -n 30 "$FSP_TMP/$fs.log"; }
        fsp_stop_memfs "$MEMFS_PID" "$FSP_TMP/$fs"
done
exit "$status"
