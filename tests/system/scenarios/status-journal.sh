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

testfs=/usr/lib/winfsp-test/fsp-testfs
if [ -x $testfs ]; then
        mkdir -p /etc/winfsp/conf.d
        cat >/etc/winfsp/conf.d/talker.conf <<CLASS
[Service]
Executable=$testfs
CommandLine=--stdout "to stdout %I" --stderr "to stderr %I" --stdout "<3>an error %I" --notify
Security=D:P(A;;RPWPLC;;;WD)
CLASS
        lctl reload >/dev/null 2>&1
        check "launchctl start talker t" lctl start talker t
        tpid=$(lctl --json info talker t | python3 -c 'import json, sys; print(json.load(sys.stdin)["Pid"])')
        talker_lines() {
                journalctl -b --no-pager -o json SYSLOG_IDENTIFIER=talker | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    print(e.get("PRIORITY"), e.get("SYSLOG_IDENTIFIER"), e.get("_PID"), e.get("_SYSTEMD_UNIT"), e.get("MESSAGE"))'
        }
        check "its three lines reach the journal" wait_until 10 bash -c "[ \$(journalctl -b --no-pager -o cat SYSLOG_IDENTIFIER=talker | wc -l) -ge 3 ]"
        lines=$(talker_lines)
        # Written by the launcher (screened) into a journal stream the program itself opened:
        # journald files them under the program's own pid and its scope.
        check_contains "a stdout line, at info, with the class and the program's own pid and unit" "$lines" \
                "6 talker $tpid winfsp-talker-t.scope to stdout t"
        check_contains "a stderr line, at notice" "$lines" "5 talker $tpid winfsp-talker-t.scope to stderr t"
        check_contains "a <3> line at err, the prefix taken off" "$lines" "3 talker $tpid winfsp-talker-t.scope an error t"
        check "launchctl stop talker t" lctl stop talker t
else
        echo "(fsp-testfs not staged: no check of an instance's output)"
fi
finish
