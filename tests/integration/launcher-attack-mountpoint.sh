#!/bin/bash
# A hostile user against the mount-point check (issue 8, attacks 1 and 2):
# - a flipper swaps the checked directory with a symlink to root's 0700
#   directory while the user starts a root-run memfs on it, 500 times: the
#   mount always lands on the directory the user owns, never elsewhere;
# - a user renames the mount point's parent and puts a symlink to a root
#   mount's parent in its place, then stops the instance: root's mount stays,
#   the instance's own mount is gone (nothing stale left).
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
u1=$(fsp_user fsptest1)
fsp_fuse_for_users
fsp_bus_start
RACE=$FSP_BUILD_DIR/tests/integration/fsp-race-mountpoint

fsp_class race <<EOF2
[Service]
Executable=$MEMFS
CommandLine=-u //race/%I -m %1
MountPoint=%1
Security=D:P(A;;RPWPLC;;;WD)
EOF2
fsp_launcher_start

# --- the race: 500 starts against a flipper
install -d -m 0700 -o root -g root "$T/victim"
install -d -m 0755 -o fsptest1 "$T/u1"
out=$(fsp_as fsptest1 "$RACE" race "$T/u1" "$T/victim" 500 2>&1)
rc=$?
printf '%s\n' "$out" | tail -6
expect_eq "500 starts while the mount point is swapped for a symlink: never a mount elsewhere" "$rc" 0
expect_eq "root's directory is root's, 0700" "$(stat -c '%U %a' "$T/victim")" "root 700"
expect_eq "nothing mounted under it" "$(fsp_mounts_under "$T/victim")" ""
expect_eq "no instance left" "$(bus_call List)" "a(ss) 0"

# --- the symlinked parent at stop
install -d -m 0755 -o fsptest1 "$T/home" "$T/home/sub" "$T/home/sub/mnt"
mkdir -p "$T/rootdir/mnt"
mount -t tmpfs -o size=1m rootmount "$T/rootdir/mnt"
expect_ok "user starts an instance on ~/sub/mnt" fsp_as fsptest1 "$LAUNCHCTL" start race p "$T/home/sub/mnt"
expect_ok "mounted there" fsp_is_mounted "$T/home/sub/mnt"
expect_contains "root's program started by a user mounts a private staging directory" \
        "$(tr '\0' ' ' <"/proc/$(fsp_pid_of race p)/cmdline")" "$T/state/staging/"
expect_ok "user renames sub" fsp_as fsptest1 mv "$T/home/sub" "$T/home/sub2"
expect_ok "and puts a symlink to root's directory in its place" fsp_as fsptest1 ln -s "$T/rootdir" "$T/home/sub"
expect_eq "GetInfo follows the directory" "$(fsp_info_field race p MountPoint)" "$T/home/sub2/mnt"
expect_ok "user stops it" fsp_as fsptest1 "$LAUNCHCTL" stop race p
expect_ok "root's mount is still there" fsp_is_mounted "$T/rootdir/mnt"
expect_eq "and still a tmpfs" "$(findmnt -n -o FSTYPE "$T/rootdir/mnt")" tmpfs
expect_fail "the instance's mount is gone from where it went" fsp_is_mounted "$T/home/sub2/mnt"
expect_eq "no FUSE mount left under the test directory" \
        "$(awk -v t="$T/" 'index($5, t) == 1 && $0 ~ / - fuse/' /proc/self/mountinfo)" ""
umount "$T/rootdir/mnt"
fsp_done
