#!/bin/bash
# Every instance is a systemd unit of its own: launchctl start gives it a
# transient scope winfsp-CLASS-INSTANCE.scope in winfsp.slice (or the class's
# Slice=), with the class's MemoryMax=, TasksMax= and CPUQuota=; systemctl
# status shows its process, journalctl -u its lines, each with the file
# system's own pid.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_launcher
need $MEMFS "memfs (memfs/)"

mkdir -p /etc/winfsp/conf.d /mnt/scoped
cat >/etc/winfsp/conf.d/limited.conf <<CLASS
[Service]
Executable=$MEMFS
CommandLine=-u %1 -m %2
MountPoint=%2
Security=D:P(A;;RPWPLC;;;WD)
MemoryMax=64M
TasksMax=32
CPUQuota=50%
CLASS
lctl reload >/dev/null 2>&1

check "launchctl start limited share" lctl start limited share //limited/share /mnt/scoped
pid=$(lctl --json info limited share | python3 -c 'import json, sys; print(json.load(sys.stdin)["Pid"])')
scope=winfsp-limited-share.scope
check_eq "it runs in $scope" "$(cgroup_of "${pid:-0}" | sed 's|.*/||')" "$scope"
check_eq "which is in winfsp.slice" "$(unit_prop $scope Slice)" winfsp.slice
status=$(systemctl status --no-pager -l $scope 2>&1)
check_contains "systemctl status $scope shows the file system's process" "$status" "$pid "
check_contains "... and what it is" "$status" "winfsp file system //limited/share at /mnt/scoped"
check_eq "MemoryMax= reaches it" "$(unit_prop $scope MemoryMax)" 67108864
check_eq "TasksMax= too" "$(unit_prop $scope TasksMax)" 32
check_eq "CPUQuota= too" "$(unit_prop $scope CPUQuotaPerSecUSec)" 500ms
check "journalctl -u $scope has its lines" wait_until 10 \
        bash -c "journalctl -b --no-pager -u $scope -o cat | grep -q Mounted"
check_contains "with the file system's own pid" "$(journalctl -b --no-pager -u $scope -o short)" "limited[$pid]:"
check "launchctl stop limited share" lctl stop limited share
check "the scope is gone" wait_until 10 bash -c "! systemctl is-active --quiet $scope"
check "started again at once, it gets a scope again" lctl start limited share //limited/share /mnt/scoped
pid=$(lctl --json info limited share | python3 -c 'import json, sys; print(json.load(sys.stdin)["Pid"])')
check_contains "a scope of its own" "$(cgroup_of "${pid:-0}")" "winfsp-limited-share"
check "stop" lctl stop limited share
finish
