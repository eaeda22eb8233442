#!/bin/bash
# launchctl against the real winfsp-launcher on a private bus, with
# fsp-testfs instances: every command's text and JSON output, every exit
# code the launcher can be made to give (3 to 12), a test user who may not,
# passwords from a pipe (right, wrong, unanswered), and the password kept out
# of launchctl's argv and environment. The launcher's own behaviour is
# tested in launcher-*.sh; this is about the client.
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_require_fuse
fsp_bus_start

# testfs_class NAME COMMANDLINE [EXTRA INI LINES...]: anyone may start, stop, query.
testfs_class() {
        local name=$1 cmdline=$2
        shift 2
        {
                echo "[Service]"
                echo "Description=launchctl test: $name"
                echo "Executable=$TESTFS"
                echo "CommandLine=$cmdline"
                echo "Security=D:P(A;;RPWPLC;;;WD)"
                local line
                for line in "$@"; do echo "$line"; done
        } | fsp_class "$name"
}

testfs_class plain "--record $T/rec-%I --notify"
testfs_class mounted "--mount %1 //mounted/%I" "MountPoint=%1"
testfs_class stubborn "--ignore-term --notify" "StopTimeout=1"
# Without MountPoint= an instance that never notifies is ready once it runs: these have one.
testfs_class broken "--stderr \"cannot open the volume: no such device\" --exit 3" "MountPoint=$T/mnt/broken"
testfs_class slow "--wait-file $T/never" "StartTimeout=1" "MountPoint=$T/mnt/slow"
testfs_class secure "--password good-pw --notify" "Credentials=1"
testfs_class silent "--password-silent" "Credentials=1" "CredentialsTimeout=1"
fsp_class rootonly <<EOF
[Service]
Description=launchctl test: rootonly
Executable=$TESTFS
CommandLine=--notify
EOF
mkdir -p "$T/mnt/m1" "$T/mnt/broken" "$T/mnt/slow"
user=fsp-ctl-user
fsp_user "$user" >/dev/null
fsp_launcher_start

# ---------------------------------------------------------------- start, info
expect_ok "start" launchctl start plain p1
# Without MountPoint= "ready" may come at exec, before the record is written.
expect_ok "the instance recorded itself" fsp_wait_until 10 grep -qx end "$T/rec-p1"
pid=$(sed -n 's/^pid=//p' "$T/rec-p1")
expect_status "info" 0 launchctl info plain p1
expect_contains "info: names and state" "$OUT" $'Class: plain\nInstance: p1\nState: running\n'
expect_contains "info: the pid is the instance's" "$OUT" "Pid: $pid"
expect_contains "info: no mount point" "$OUT" "MountPoint: -"
expect_contains "info: argv" "$OUT" "Argv: $TESTFS --record $T/rec-p1 --notify"
expect_contains "info: started by root" "$OUT" "StartedBy: 0 (root)"
expect_contains "info: runs as root" "$OUT" "RunAs: 0 (root)"
expect_contains "info: no exit yet" "$OUT" "LastExitStatus: none"
text=$OUT
JSON=$("$LAUNCHCTL" --json info plain p1)
expect_ok "info --json agrees with the text and the instance" python3 - "$JSON" "$text" "$pid" "$TESTFS" "$T" <<'PY'
import datetime, json, re, sys, time
d, text, pid, testfs, t = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
assert d["Class"] == "plain" and d["Instance"] == "p1" and d["State"] == "running", d
assert d["Pid"] == pid and d["MountPoint"] == "" and d["StartedBy"] == 0 and d["RunAs"] == 0, d
assert d["Argv"][1:] == ["--record", t + "/rec-p1", "--notify"], d["Argv"]
assert d["Restarts"] == 0 and d["LastExitStatus"] == -1, d
assert abs(d["StartTime"] / 1e6 - time.time()) < 120, d["StartTime"]
shown = re.search(r"^StartTime: (.*)$", text, re.M).group(1)
assert int(datetime.datetime.fromisoformat(shown).timestamp()) == d["StartTime"] // 1000000, (shown, d)
PY
expect_ok "start with a mount point" launchctl start mounted m1 "$T/mnt/m1"
expect_ok "mounted when start returned" fsp_is_mounted "$T/mnt/m1"
expect_status "info shows the mount point" 0 launchctl info mounted m1
expect_contains "MountPoint" "$OUT" "MountPoint: $T/mnt/m1"
expect_ok "startWithSecret from a pipe" sh -c 'printf "good-pw\n" | "$0" startWithSecret secure s1' "$LAUNCHCTL"
expect_ok "start one that ignores SIGTERM" launchctl start stubborn t1
expect_ok "root starts a root-only one" launchctl start rootonly r1

# ---------------------------------------------------------------- list, classes
expect_status "list" 0 launchctl list
expect_eq "list: sorted CLASS INSTANCE lines" "$OUT" $'mounted m1\nplain p1\nrootonly r1\nsecure s1\nstubborn t1'
JSON=$("$LAUNCHCTL" --json list)
expect_ok "list --json" python3 -c '
import json, sys
got = [(x["Class"], x["Instance"]) for x in json.loads(sys.argv[1])]
assert got == [("mounted", "m1"), ("plain", "p1"), ("rootonly", "r1"), ("secure", "s1"), ("stubborn", "t1")], got
' "$JSON"
expect_status "list as a user" 0 fsp_as "$user" "$LAUNCHCTL" list
expect_not_contains "does not show what the user may not query" "$OUT" "rootonly"
expect_contains "shows the rest" "$OUT" "plain p1"
expect_status "classes" 0 launchctl classes
expect_contains "classes: header" "$OUT" "CLASS     CREDENTIALS  START  DESCRIPTION"
expect_contains "classes: a password class" "$OUT" "secure    password     yes    launchctl test: secure"
expect_status "classes as a user" 0 fsp_as "$user" "$LAUNCHCTL" classes
expect_contains "the user may not start rootonly" "$OUT" "rootonly  none         no     launchctl test: rootonly"
JSON=$(fsp_as "$user" "$LAUNCHCTL" --json classes)
expect_ok "classes --json" python3 -c '
import json, sys
c = {x["Name"]: x for x in json.loads(sys.argv[1])}
assert c["secure"] == {"Name": "secure", "Description": "launchctl test: secure", "Credentials": 1,
                       "CanStart": True}, c["secure"]
assert c["rootonly"]["CanStart"] is False and c["plain"]["CanStart"] is True, c
' "$JSON"

# ---------------------------------------------------------------- exit codes
expect_status "no such class: 3" 3 launchctl start nosuch x
expect_eq "its message" "$OUT" "launchctl: start nosuch x: no such class 'nosuch'"
expect_status "no such instance: 4" 4 launchctl stop plain nothing
expect_eq "its message" "$OUT" "launchctl: stop plain nothing: no instance plain/nothing"
expect_status "info, no such instance: 4" 4 launchctl info plain nothing
expect_status "instance exists: 5" 5 launchctl start plain p1
expect_contains "its message" "$OUT" "launchctl: start plain p1: plain/p1 already exists"
expect_status "access denied: 6" 6 fsp_as "$user" "$LAUNCHCTL" start rootonly u1
expect_contains "its message" "$OUT" "launchctl: start rootonly u1: $user (uid $(id -u "$user")) may not start instances of class 'rootonly'"
expect_status "root's root-only instance does not exist for a user: 4" 4 fsp_as "$user" "$LAUNCHCTL" stop rootonly r1
expect_status "reload as a user: 6" 6 fsp_as "$user" "$LAUNCHCTL" reload
expect_status "wrong password: 7" 7 sh -c 'printf "bad-pw" | "$0" startWithSecret secure s2' "$LAUNCHCTL"
expect_contains "its message" "$OUT" "launchctl: startWithSecret secure s2: "
expect_status "no answer to the password: 8" 8 sh -c 'printf "pw" | "$0" startWithSecret silent q1' "$LAUNCHCTL"
expect_status "not ready in time: 8" 8 launchctl start slow w1
expect_contains "its message" "$OUT" "launchctl: start slow w1: slow/w1 was not ready within"
expect_status "a bad instance name: 9" 9 launchctl start plain "a/../b"
expect_status "ten arguments: 9" 9 launchctl start plain x 1 2 3 4 5 6 7 8 9 10
expect_contains "its message" "$OUT" "too many arguments"
expect_status "plain start of a password class: 10" 10 launchctl start secure s3
expect_status "a password for a class without credentials: 10" 10 sh -c 'printf pw | "$0" startWithSecret plain p9' "$LAUNCHCTL"
expect_status "start failed: 11" 11 launchctl start broken b1
expect_contains "with the status" "$OUT" "launchctl: start broken b1: broken/b1 exited with"
expect_contains "and the instance's last words" "$OUT" "cannot open the volume: no such device"
expect_fail "a failed start is forgotten" launchctl info broken b1

# ---------------------------------------------------------------- the password stays out of sight
secret="pw-$RANDOM-$RANDOM"
testfs_class secret2 "--password $secret --notify" "Credentials=1"
expect_ok "reload" launchctl reload
mkfifo "$T/pw-fifo"
"$LAUNCHCTL" startWithSecret secret2 x <"$T/pw-fifo" >"$T/x.out" 2>&1 &
ctl=$!
exec 7>"$T/pw-fifo"
printf '%s' "$secret" >&7
expect_ok "launchctl waits for the end of the password" fsp_wait_until 10 grep -q startWithSecret "/proc/$ctl/cmdline"
expect_not_contains "not in launchctl's argv" "$(tr '\0' ' ' <"/proc/$ctl/cmdline")" "$secret"
expect_not_contains "nor in its environment" "$(tr '\0' '\n' <"/proc/$ctl/environ")" "$secret"
exec 7>&-
rc=0
fsp_wait_pid "$ctl" 30 || rc=$?
expect_eq "the instance accepted it" "$rc" 0
expect_not_contains "the launcher did not log it" "$(cat "$T/launcher.log")" "$secret"

# ---------------------------------------------------------------- stop
expect_status "stop" 0 launchctl stop plain p1
expect_eq "a clean exit prints nothing" "$OUT" ""
expect_fail "the process is gone" fsp_pid_alive "$pid"
expect_ok "start again" launchctl start plain p2
JSON=$("$LAUNCHCTL" --json stop plain p2)
expect_eq "stop --json" "$JSON" '{"Status":0}'
expect_status "stop one that needs SIGKILL" 0 launchctl stop stubborn t1
expect_eq "says it had to be killed" "$OUT" "stopped: it did not end on SIGTERM within its StopTimeout=, and was killed (SIGKILL)"
expect_ok "stop a mounted one" launchctl stop mounted m1
expect_fail "unmounted" fsp_is_mounted "$T/mnt/m1"
expect_ok "stop is case-insensitive" launchctl STOP secure s1

# ---------------------------------------------------------------- no launcher
fsp_launcher_stop
expect_status "the launcher is not running: 12" 12 launchctl list
expect_contains "says so" "$OUT" "launchctl: list: the launcher cannot be reached (org.freedesktop.DBus.Error.ServiceUnknown"
expect_status "start without a launcher: 12" 12 launchctl start plain p1
fsp_done
