#!/bin/bash
# The file system's process belongs to the unit: systemctl status lists it,
# it sits in the unit's cgroup, and journalctl -u shows its own lines.
# Waits for (2026-11-21): memfs (or libfsp-fuse) to write a line once
# mounted, e.g. "winfsp-memfs: mounted on /run/winfsp/memfs"; the launcher
# already files such lines under the unit.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_template

start_unit winfsp@memfs.service /run/winfsp/memfs
started_or_finish winfsp@memfs.service
pid=$(memfs_pid_for /run/winfsp/memfs)
check "a winfsp-memfs process serves /run/winfsp/memfs" test -n "$pid"
cgroup=$(unit_prop winfsp@memfs.service ControlGroup)
check_eq "that process is in the unit's cgroup" "$(cgroup_of "${pid:-0}")" "$cgroup"
status=$(systemctl status --no-pager -l winfsp@memfs.service 2>&1)
check_contains "systemctl status winfsp@memfs lists the memfs process" "$status" "$pid "
check_contains "... with its command line" "$status" winfsp-memfs
check_eq "... and winfsp-net as the main process" "$(readlink /proc/"$(unit_prop winfsp@memfs.service MainPID)"/exe)" $NET
lines=$(journal_lines_of_fs winfsp@memfs.service "$pid")
if [ -n "$lines" ]; then
        pass "journalctl -u winfsp@memfs shows memfs's own lines: $(echo "$lines" | head -3 | tr '\n' '|')"
else
        fail "journalctl -u winfsp@memfs shows no line written by memfs; all of its lines:
$(journalctl -b --no-pager -o verbose -u winfsp@memfs.service | grep -E '^ *(MESSAGE|_COMM|SYSLOG_IDENTIFIER|_PID|_SYSTEMD_UNIT)=' | tail -40)
memfs lines anywhere in the journal:
$(journalctl -b --no-pager -o verbose _COMM=winfsp-memfs + SYSLOG_IDENTIFIER=memfs | grep -E '^ *(MESSAGE|_COMM|SYSLOG_IDENTIFIER|_PID|_SYSTEMD_UNIT)=' | tail -20)"
fi
finish
