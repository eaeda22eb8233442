#!/bin/bash
# Install the dependencies, build, and start the main job: winfsp-launcher on
# a private system-like D-Bus, with an instance of memfs mounted through it.
# It stays up until Ctrl-C, then stops the launcher, which unmounts memfs.
# Needs root (FUSE mounts as root, a bus with the system policy).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
"$src/scripts/install-deps.sh"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target winfsp-launcher launchctl winfsp-memfs winfsp-net fsp-testfs

export FSP_BUILD_DIR=$build FSP_SOURCE_DIR=$src
. "$src/tests/integration/lib.sh"
fsp_init
fsp_bus_start
sed "s|^Executable=.*|Executable=$MEMFS|" "$build/conf.d/memfs.conf" >"$T/conf.d/memfs.conf"
fsp_launcher_start
mkdir -p "$T/mnt/share"
"$LAUNCHCTL" start memfs share //memfs/share "$T/mnt/share"
echo "hello from memfs" >"$T/mnt/share/hello.txt"

cat <<EOT

winfsp-launcher is running on a private bus (its log: $T/launcher.log),
with //memfs/share mounted at $T/mnt/share:

$(grep " $T/mnt/share " /proc/self/mountinfo)

Try, in another shell (as root):
  export DBUS_SYSTEM_BUS_ADDRESS=$DBUS_SYSTEM_BUS_ADDRESS
  $LAUNCHCTL list
  $LAUNCHCTL info memfs share
  cat $T/mnt/share/hello.txt
  mkdir -p $T/mnt/two && $build/netprovider/winfsp-net use $T/mnt/two //memfs/two
  $LAUNCHCTL stop memfs share

Ctrl-C stops the launcher and unmounts everything.
EOT
trap 'exit 0' INT TERM
sleep infinity &
wait $!
