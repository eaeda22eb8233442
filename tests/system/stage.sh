#!/bin/bash
# stage.sh BUILD_DIR SOURCE_DIR STAGE_DIR
#
# What the system tests install: the project's Debian packages, as users
# install them.
#   1. build-packages.sh builds them from SOURCE_DIR (once; an unchanged tree
#      reuses them) into BUILD_DIR/tests/system/packages/debs, and they are
#      copied to STAGE_DIR/debs;
#   2. dpkg installs them, maintainer scripts and all, into an overlay of the
#      host's root (a systemd-nspawn container that is not booted, so they
#      start nothing): the overlay's upper directory, STAGE_DIR/root, is then
#      what the packages changed, and each scenario boots the host's root
#      with it on top (nspawn-run.sh);
#   3. the test programs the scenarios use (fsp-testfs) come from BUILD_DIR;
#      for scripts/coverage.sh (FSP_COVERAGE_DIR set), BUILD_DIR's programs
#      are installed over the packaged ones.
# The packages scenario (packages.sh) takes STAGE_DIR/debs instead and
# installs them in its booted container itself.
set -u
build=${1:?usage: stage.sh BUILD_DIR SOURCE_DIR STAGE_DIR}
source=${2:?}
stage=${3:?}
tests=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" != 0 ]; then
        echo "SKIP: the system tests need root (overlay mounts, systemd-nspawn)"
        exit 77
fi
command -v systemd-nspawn >/dev/null || { echo "SKIP: systemd-nspawn is missing (package systemd-container)"; exit 77; }
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
        { echo "SKIP: the kernel has no overlay file system"; exit 77; }
for tool in dpkg-buildpackage dh; do
        command -v $tool >/dev/null ||
                { echo "SKIP: $tool is missing, the packages cannot be built (packages dpkg-dev, debhelper)"; exit 77; }
done

"$tests/build-packages.sh" "$source" "$build/tests/system/packages" || exit 1

merged=
cleanup() {
        if [ -n "$merged" ] && mountpoint -q "$merged"; then
                umount "$merged" || umount -l "$merged"
        fi
        rm -rf --one-file-system "$stage/work" "$stage/merged"
}
trap cleanup EXIT

# An overlay a killed run left mounted is detached first: rm must not walk it.
mountpoint -q "$stage/merged" && { umount "$stage/merged" || umount -l "$stage/merged"; }
rm -rf --one-file-system "$stage"
mkdir -p "$stage/debs" "$stage/root" "$stage/work" "$stage/merged"
for deb in "$build"/tests/system/packages/debs/*.deb; do
        case $deb in *-dbgsym_*) continue ;; esac
        cp "$deb" "$stage/debs/"
done

# One container at a time (nspawn-run.sh says why).
mkdir -p /run/lock
exec 9>/run/lock/winfsp-system-tests.lock
flock -w 300 9 || { echo "FAIL: another system test run held /run/lock/winfsp-system-tests.lock for 300 s"; exit 1; }

merged=$stage/merged
mount -t overlay winfsp-stage -o "lowerdir=/,upperdir=$stage/root,workdir=$stage/work" "$merged" ||
        { echo "FAIL: cannot mount the overlay (lowerdir=/, upperdir=$stage/root)"; exit 1; }
start=$SECONDS
if ! systemd-nspawn --quiet --register=no --keep-unit --directory="$merged" --machine=winfsp-stage \
        --bind-ro="$stage/debs:/run/winfsp-debs" --link-journal=no --resolv-conf=off --timezone=off \
        --setenv=DEBIAN_FRONTEND=noninteractive \
        -- sh -c 'dpkg -i /run/winfsp-debs/*.deb' </dev/null >"$stage.log" 2>&1 9>&-; then
        tail -30 "$stage.log"
        echo "FAIL: dpkg -i of the packages failed (log: $stage.log)"
        exit 1
fi
echo "stage: installed $(cd "$stage/debs" && echo *.deb) in $((SECONDS - start)) s"
umount "$merged" || { echo "FAIL: cannot unmount $merged"; exit 1; }
merged=
exec 9>&-

# scripts/coverage.sh (FSP_COVERAGE_DIR): this coverage build's programs and
# libraries over the packaged ones, so that what the scenarios run counts
# (nspawn-run.sh binds the build tree into every container at its own path).
if [ -n "${FSP_COVERAGE_DIR:-}" ]; then
        DESTDIR=$stage/root cmake --install "$build" >"$stage.install.log" 2>&1 ||
                { tail -20 "$stage.install.log"; echo "FAIL: cmake --install of the coverage build $build"; exit 1; }
        # A real /lib in the upper directory would hide the host's /lib -> usr/lib (merged /usr).
        for d in lib lib64 bin sbin; do
                if [ -L "/$d" ] && [ -d "$stage/root/$d" ] && [ ! -L "$stage/root/$d" ]; then
                        mkdir -p "$stage/root/$(readlink "/$d")"
                        cp -a "$stage/root/$d/." "$stage/root/$(readlink "/$d")/" && rm -rf "${stage:?}/root/$d"
                fi
        done
        echo "stage: the coverage build $build installed over the packages"
fi

# Test programs the scenarios use, from the build tree (not packaged).
mkdir -p "$stage/root/usr/lib/winfsp-test"
[ -x "$build/tests/helpers/fsp-testfs" ] && cp "$build/tests/helpers/fsp-testfs" "$stage/root/usr/lib/winfsp-test/"
echo "stage: $stage/root holds what the packages installed"
exit 0
