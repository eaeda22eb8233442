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
