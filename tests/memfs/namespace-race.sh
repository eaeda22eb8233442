#!/bin/bash
# SPDX-License-Identifier: MIT
# Four processes at once, for a bounded time, doing what races on memfs's
# locks: creates, unlinks, links and listings in a small set of directories,
# renames of files and of directories between them (into each other too),
# and rmdir of directories others are working in. Every call may fail as
# POSIX allows; memfs must neither stop answering (a lock-order deadlock
# hangs every call, and the deadline ends the test) nor crash (a freed
# inode still in use; the ASan build aborts), and once the tree is emptied
# every node must be free again.
. "${FSP_TEST_LIB:?}"

fsp_require_root_fuse
fsp_require_tool python3
fsp_setup

SECONDS_EACH=${FSP_RACE_SECONDS:-8}
mnt=$FSP_TMP/memfs
free_nodes() { stat -f -c %d "$mnt"; }

race() {
        python3 - "$mnt" "$1" "$SECONDS_EACH" <<'PY'
import os, random, sys, time
root, me, end = sys.argv[1], int(sys.argv[2]), time.time() + float(sys.argv[3])
dirs = [f"{root}/d{i}" for i in range(4)] + [f"{root}/d0/s{i}" for i in range(2)] + [f"{root}/d1/s/x"]
random.seed(me)
while time.time() < end:
    a, b, name = random.choice(dirs), random.choice(dirs), f"n{random.randrange(16)}"
    op = random.randrange(9)
    try:
        if op == 0: os.makedirs(a, exist_ok=True)
        elif op == 1: os.close(os.open(f"{a}/{name}", os.O_CREAT | os.O_WRONLY, 0o644))
        elif op == 2: os.rename(f"{a}/{name}", f"{b}/{name}")
        elif op == 3: os.unlink(f"{a}/{name}")
        elif op == 4: os.rmdir(a)
        elif op == 5: os.listdir(a)
        elif op == 6: os.rename(a, b)
        elif op == 7: os.link(f"{a}/{name}", f"{b}/l{name}")
        else: os.stat(f"{a}/{name}")
    except OSError:
        pass
PY
}

for config in $FSP_MEMFS_CONFIGS; do
        fsp_start_memfs "$mnt" "$FSP_TMP/memfs.log" -n 100000 -o max_threads=8 $(fsp_memfs_config_args "$config" 1G) \
                -u "//memfs/race-$config"
        nodes_before=$(free_nodes)
        pids=
        for i in 1 2 3 4; do
                race "$i" &
                pids="$pids $!"
        done
        # bounded: a deadlocked memfs leaves the racers blocked in a system call
        deadline=$(($(fsp_now_ms) + (SECONDS_EACH + 30) * 1000))
        for pid in $pids; do
                while kill -0 "$pid" 2>/dev/null; do
                        [ "$(fsp_now_ms)" -lt "$deadline" ] ||
                                fsp_die "$config: the racers did not finish: memfs stopped answering"
                        sleep 0.1
                done
        done
        fsp_memfs_alive "$MEMFS_PID" "$mnt"
        rm -rf "${mnt:?}"/* || fsp_die "$config: cannot empty the tree"
        deadline=$(($(fsp_now_ms) + 10000))
        while [ "$(free_nodes)" -ne "$nodes_before" ]; do
                [ "$(fsp_now_ms)" -lt "$deadline" ] ||
                        fsp_die "$config: free nodes $(free_nodes) after the run, $nodes_before before: nodes leaked"
                sleep 0.05
        done
        fsp_log "$config: four racers for $SECONDS_EACH s; memfs answers, every node free again"
        fsp_stop_memfs "$MEMFS_PID" "$mnt"
done
