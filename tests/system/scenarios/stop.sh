#!/bin/bash
# systemctl stop unmounts: when it returns the mount is gone, the unit is
# inactive (not failed) and the launcher no longer lists the instance.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_template
unit=winfsp@memfs.service
mnt=/run/winfsp/memfs

start_unit $unit $mnt
started_or_finish winfsp@memfs.service
pid=$(memfs_pid_for $mnt)
check "systemctl stop winfsp@memfs succeeds" systemctl stop $unit
check "$mnt is not mounted when systemctl stop returns" not_mounted $mnt
check_eq "the unit is inactive" "$(systemctl is-active $unit)" inactive
check_eq "its result is success (an orderly stop, not a kill)" "$(unit_prop $unit Result)" success
check "memfs has exited" wait_until 5 test ! -e "/proc/${pid:-0}"
list=$(lctl list 2>&1)
case $list in
*"memfs memfs"*) fail "launchctl list still shows memfs memfs: $list" ;;
*) pass "launchctl list no longer shows memfs memfs" ;;
esac
start_unit $unit $mnt
check_eq "it starts again after the stop" "$START_RC" 0 || echo "$START_OUT"
check "and is mounted again" is_mounted $mnt

[ $failures = 0 ] || dump_unit $unit
finish
