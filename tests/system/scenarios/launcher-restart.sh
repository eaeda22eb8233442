#!/bin/bash
# systemctl restart winfsp-launcher: a JobControl=0 instance lives on in a
# scope of its own and is adopted (listed, its info right, stoppable); a
# JobControl=1 instance is stopped and unmounted; winfsp@memfs
# (PartOf=winfsp-launcher.service) is stopped and started again with it.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_launcher
need $MEMFS "memfs (memfs/)"

mkdir -p /etc/winfsp/conf.d /run/keep /run/job
cat >/etc/winfsp/conf.d/memfs-keep.conf <<'CLASS'
[Service]
Description=memfs that outlives a launcher restart (test)
Executable=/usr/bin/winfsp-memfs
CommandLine=-u %1 -m %2
MountPoint=%2
JobControl=0
CLASS
cat >/etc/winfsp/conf.d/memfs-job.conf <<'CLASS'
[Service]
Description=memfs that dies with the launcher (test)
Executable=/usr/bin/winfsp-memfs
CommandLine=-u %1 -m %2
MountPoint=%2
JobControl=1
CLASS

check "the launcher is started" systemctl start winfsp-launcher.service
check "systemctl start winfsp@memfs" systemctl start winfsp@memfs.service
unit_memfs=$(memfs_pid_for /run/winfsp/memfs)
check "launchctl start memfs-keep keep (JobControl=0)" lctl start memfs-keep keep //memfs-keep/keep /run/keep
check "launchctl start memfs-job job (JobControl=1)" lctl start memfs-job job //memfs-job/job /run/job
check "/run/keep is mounted" is_mounted /run/keep
check "/run/job is mounted" is_mounted /run/job
keep=$(memfs_pid_for /run/keep)
job=$(memfs_pid_for /run/job)
echo "keep memfs $keep in $(cgroup_of "${keep:-0}"), job memfs $job in $(cgroup_of "${job:-0}")"
case $(cgroup_of "${keep:-0}") in
*/winfsp-launcher.service) fail "the JobControl=0 instance is in the launcher's cgroup" ;;
*.scope) pass "the JobControl=0 instance has a scope of its own: $(cgroup_of "$keep")" ;;
*) fail "the JobControl=0 instance is in $(cgroup_of "${keep:-0}"), not in a scope" ;;
esac
printf 'kept\n' >/run/keep/before-restart

old=$(unit_prop winfsp-launcher.service MainPID)
check "systemctl restart winfsp-launcher" systemctl restart winfsp-launcher.service
check "a new launcher runs" test "$(unit_prop winfsp-launcher.service MainPID)" != "$old"

check "the JobControl=0 memfs still runs" test -e "/proc/$keep"
check "/run/keep is still mounted" is_mounted /run/keep
check_eq "and still holds its file" "$(cat /run/keep/before-restart 2>&1)" kept
check_contains "launchctl list shows the adopted instance" "$(lctl list 2>&1)" "memfs-keep keep"
check_contains "launchctl info gives its pid" "$(lctl info memfs-keep keep 2>&1)" "$keep"

check "the JobControl=1 memfs is gone" wait_until 10 test ! -e "/proc/$job"
check "/run/job is unmounted" not_mounted /run/job
case $(lctl list 2>&1) in
*"memfs-job job"*) fail "launchctl list still shows memfs-job job" ;;
*) pass "launchctl list no longer shows memfs-job job" ;;
esac

check_eq "winfsp@memfs is active again after the restart" "$(systemctl is-active winfsp@memfs.service)" active
check "/run/winfsp/memfs is mounted again" is_mounted /run/winfsp/memfs
check "by a new memfs" test -n "$(memfs_pid_for /run/winfsp/memfs)" -a "$(memfs_pid_for /run/winfsp/memfs)" != "$unit_memfs"
restarts=$(journalctl -b --no-pager -o cat -u winfsp@memfs.service)
case $restarts in
*"Failed with result"* | *Killing*) fail "winfsp@memfs did not stop in order with the launcher: $restarts" ;;
*) pass "winfsp@memfs stopped in order with the launcher" ;;
esac

check "launchctl stop memfs-keep keep (adopted)" lctl stop memfs-keep keep
check "/run/keep is unmounted" not_mounted /run/keep
check "the adopted memfs has exited" wait_until 5 test ! -e "/proc/$keep"
[ $failures = 0 ] || dump_unit winfsp-launcher.service
finish
