#!/bin/bash
# kill -9 of the file system: the unit fails and no stale mount remains;
# with Restart=on-failure in a drop-in it comes back.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_template
unit=winfsp@memfs.service
mnt=/run/winfsp/memfs

stat_ok() {
        stat "$1" >/dev/null
}

start_unit $unit $mnt
started_or_finish winfsp@memfs.service
pid=$(memfs_pid_for $mnt)
check "memfs runs" test -n "$pid"
kill -KILL "$pid"
check "winfsp@memfs fails after kill -9 of memfs" wait_until 15 systemctl is-failed --quiet $unit
check_eq "its result" "$(unit_prop $unit Result)" exit-code
check "no mount remains at $mnt" wait_until 10 not_mounted $mnt
check "$mnt answers stat (not a dead FUSE mount)" stat_ok $mnt
check "the launcher forgot the instance" wait_until 10 bash -c "! timeout 15 $LAUNCHCTL info memfs memfs"

mkdir -p /run/systemd/system/$unit.d
printf '[Service]\nRestart=on-failure\nRestartSec=1\n' >/run/systemd/system/$unit.d/restart.conf
systemctl daemon-reload
systemctl reset-failed $unit
start_unit $unit $mnt
started_or_finish "$unit"
old=$(memfs_pid_for $mnt)
kill -KILL "$old"

came_back() {
        local now
        now=$(memfs_pid_for $mnt)
        [ -n "$now" ] && [ "$now" != "$old" ] && unit_is $unit active && is_mounted $mnt
}
check "it comes back: a new memfs, mounted, unit active" wait_until 30 came_back
check "NRestarts counts the restart" test "$(unit_prop $unit NRestarts)" -ge 1
write_read $mnt "the restarted file system works"
check "systemctl stop after the restart" systemctl stop $unit
check "not mounted after the stop" not_mounted $mnt

[ $failures = 0 ] || dump_unit $unit
finish
