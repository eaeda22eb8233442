#!/bin/bash
# bench-launcher: start-to-ready and stop latency through the launcher
# against the same memfs started by hand (fork+exec+mount), 200 runs each,
# then List with 1,000 instances running. Prints figures; needs root.
# Env: FSP_BUILD_DIR, FSP_SOURCE_DIR, FSP_BENCH_LAUNCHER (the C driver).
set -u
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_bus_start
cat >"$T/conf.d/memfs.conf" <<EOC
[Service]
Executable=$MEMFS
CommandLine=-u //memfs/%I -m %1
MountPoint=%1
Security=D:P(A;;RPWPLC;;;WD)
EOC
cat >"$T/conf.d/idle.conf" <<EOC
[Service]
Executable=$TESTFS
Security=D:P(A;;RPWPLC;;;WD)
EOC
fsp_launcher_start --log-level warning
echo "== winfsp-launcher: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r)"
"$FSP_BENCH_LAUNCHER" --bus "$DBUS_SYSTEM_BUS_ADDRESS" --class memfs --mount-dir "$T/mnt" \
        --runs "${RUNS:-200}" --list-class idle --list-count "${LIST_COUNT:-1000}" \
        --raw "$MEMFS" -u //memfs/raw -m @MNT@

# The launcher under numbers (scale.c). SCALE idle instances: each holds two
# pipes in the launcher when its output goes to the journal, so the count is
# bounded by the launcher's open-file limit (its hard limit, printed); with
# Stderr= a file the program writes there itself and the launcher holds none.
cat >"$T/conf.d/idlelog.conf" <<EOC
[Service]
Executable=$TESTFS
Security=D:P(A;;RPWPLC;;;WD)
Stderr=/dev/null
EOC
fsp_launcher_stop
fsp_launcher_start --log-level warning --max-instances-per-user 64
echo "== the launcher's open-file limit: $(awk '/Max open files/ { print $5 }' /proc/$LAUNCHER_PID/limits)"
scale=${SCALE:-10000}
fit=$(( ($(awk '/Max open files/ { print $5 }' /proc/$LAUNCHER_PID/limits) - 200) / 2 ))
echo "== $((scale < fit ? scale : fit)) idle instances, output to the journal (two pipes each)"
"$FSP_BENCH_LAUNCHER" --scale "$((scale < fit ? scale : fit))" --bus "$DBUS_SYSTEM_BUS_ADDRESS" --class idle \
        --launcher-pid "$LAUNCHER_PID"
echo "== $scale idle instances, Stderr= a file (no pipe in the launcher)"
"$FSP_BENCH_LAUNCHER" --scale "$scale" --bus "$DBUS_SYSTEM_BUS_ADDRESS" --class idlelog \
        --launcher-pid "$LAUNCHER_PID"
echo "== ${CLIENTS:-100} clients at once"
"$FSP_BENCH_LAUNCHER" --clients "${CLIENTS:-100}" --bus "$DBUS_SYSTEM_BUS_ADDRESS" --class idle \
        --cycles "${CYCLES:-10}" --raw "$TESTFS"
echo "== one user's burst of ${BURST:-1000} Starts"
user=$(fsp_user fsptest1)
"$FSP_BENCH_LAUNCHER" --burst "${BURST:-1000}" --bus "$DBUS_SYSTEM_BUS_ADDRESS" --class idle \
        --uid "$user" --gid "$(id -g fsptest1)"
