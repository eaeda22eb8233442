#!/bin/bash
# launchctl against fsp-fake-launcher (tests/libfsp/test-client-fake-launcher.c),
# which answers with every launcher error on request: each error family's
# exit code and message, every command's text and JSON output, the password
# from a pipe, a file and a terminal prompt, and where the password must not
# show (argv, environment, D-Bus message bodies, the terminal).
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
FAKE=$FSP_BUILD_DIR/tests/libfsp/fsp-fake-launcher
[ -x "$FAKE" ] || { echo "SKIP: $FAKE is not built"; exit 77; }

fsp_init
fsp_bus_start
"$FAKE" --log "$T/fake.log" >>"$T/launcher.log" 2>&1 &
LAUNCHER_PID=$!
fsp_bus_wait_name org.winfsp.Launcher1 10 || { echo "FATAL: the fake launcher did not come up"; exit 1; }

# launchctl_in FILE ARGS...: launchctl with FILE on its stdin.
launchctl_in() {
        local input=$1
        shift
        "$LAUNCHCTL" "$@" <"$input"
}

fake_log_has() {
        grep -qF -- "$1" "$T/fake.log"
}

# ---------------------------------------------------------------- exit codes
for pair in NoSuchClass:3 NoSuchInstance:4 InstanceExists:5 AccessDenied:6 AuthenticationFailed:7 \
        Timeout:8 InvalidArgument:9 ConfigurationError:10 StartFailed:11; do
        name=${pair%:*} code=${pair#*:}
        expect_status "$name exits $code" "$code" launchctl start error "$name"
        expect_eq "$name message" "$OUT" "launchctl: start error $name: the fake launcher was told to fail with $name"
done
expect_status "an error name this launchctl does not know exits 1" 1 launchctl start error SomethingNew
expect_contains "its message is shown" "$OUT" "told to fail with SomethingNew"
expect_status "the launcher's multi-line message is shown whole" 11 launchctl start broken x
expect_eq "start failed message" "$OUT" "launchctl: start broken x: broken/x exited with status 1 before it was ready; its last words:
fake: cannot mount /nonexistent"
expect_status "no such class" 3 launchctl start nope x
expect_eq "no such class message" "$OUT" "launchctl: start nope x: no such class 'nope'"
expect_status "nobody may start a locked class" 6 launchctl start locked x
expect_status "plain start of a class that needs credentials" 10 launchctl start secure x

# ---------------------------------------------------------------- start, info
expect_ok "start with arguments" launchctl start memfs a -x "two words" "it's" ""
expect_ok "start is case-insensitive" launchctl START memfs b
expect_status "starting it again" 5 launchctl start memfs a
expect_status "info" 0 launchctl info memfs a
expect_contains "info: Class" "$OUT" $'Class: memfs\nInstance: a\nState: running\n'
expect_contains "info: Argv quoted for a shell" "$OUT" "Argv: /usr/bin/fake-fs -x 'two words' 'it'\\''s' ''"
expect_contains "info: MountPoint" "$OUT" "MountPoint: /mnt/a"
expect_contains "info: StartedBy with the user name" "$OUT" "StartedBy: 0 (root)"
expect_contains "info: Restarts" "$OUT" "Restarts: 2"
expect_contains "info: LastExitStatus" "$OUT" "LastExitStatus: none"
expect_contains "info: Pid" "$OUT" "Pid: $LAUNCHER_PID"
# StartTime in ISO 8601 local time is the same instant as the JSON's microseconds.
JSON=$("$LAUNCHCTL" --json info memfs a)
expect_ok "info --json parses, with the D-Bus keys and values" python3 - "$JSON" "$OUT" "$LAUNCHER_PID" <<'PY'
import datetime, json, re, sys, time
d = json.loads(sys.argv[1])
text = sys.argv[2]
assert d["Class"] == "memfs" and d["Instance"] == "a", d
assert d["Argv"] == ["/usr/bin/fake-fs", "-x", "two words", "it's", ""], d["Argv"]
assert d["Pid"] == int(sys.argv[3]) and d["State"] == "running" and d["MountPoint"] == "/mnt/a", d
assert d["StartedBy"] == 0 and d["RunAs"] == 0 and d["Restarts"] == 2 and d["LastExitStatus"] == -1, d
assert abs(d["StartTime"] / 1e6 - time.time()) < 120, d["StartTime"]
m = re.search(r"^StartTime: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d)$", text, re.M)
assert m, text
shown = datetime.datetime.fromisoformat(m.group(1)).timestamp()
assert int(shown) == d["StartTime"] // 1000000, (shown, d["StartTime"])
PY
expect_status "info of a missing instance" 4 launchctl info memfs nothing
expect_eq "its message" "$OUT" "launchctl: info memfs nothing: no instance memfs/nothing"
expect_ok "start badtype" launchctl start badtype t
expect_status "info with a wrong type in the reply" 1 launchctl info badtype t
expect_ok "stop badtype" launchctl stop badtype t

# ---------------------------------------------------------------- list, classes
expect_ok "start secure with a password from a pipe" sh -c 'printf "good pw\n" | "$0" startWithSecret secure s1' "$LAUNCHCTL"
expect_status "list" 0 launchctl list
expect_eq "list: CLASS INSTANCE lines, sorted" "$OUT" $'memfs a\nmemfs b\nsecure s1'
JSON=$("$LAUNCHCTL" --json list)
expect_ok "list --json" python3 -c '
import json, sys
assert json.loads(sys.argv[1]) == [{"Class": "memfs", "Instance": "a"}, {"Class": "memfs", "Instance": "b"},
                                   {"Class": "secure", "Instance": "s1"}], sys.argv[1]' "$JSON"
expect_status "classes" 0 launchctl classes
expect_contains "classes: header" "$OUT" "CLASS    CREDENTIALS  START  DESCRIPTION"
expect_contains "classes: a row" "$OUT" "memfs    none         yes    In-memory file system"
expect_contains "classes: credentials and a tab made a space" "$OUT" "secure   password     yes    Password \"protected\" memfs"
expect_contains "classes: cannot start" "$OUT" "locked   none         no     Nobody may start this"
JSON=$("$LAUNCHCTL" --json classes)
expect_ok "classes --json" python3 -c '
import json, sys
c = {x["Name"]: x for x in json.loads(sys.argv[1])}
assert len(c) == 7, c
assert c["secure"] == {"Name": "secure", "Description": "Password \"protected\"\tmemfs", "Credentials": 1,
                       "CanStart": True}, c["secure"]
assert c["locked"]["CanStart"] is False' "$JSON"

# ---------------------------------------------------------------- stop, reload
expect_status "stop" 0 launchctl stop memfs b
expect_eq "stop after a clean exit prints nothing" "$OUT" ""
expect_ok "start one that will report SIGTERM" launchctl start memfs k status=143
expect_status "stop it" 0 launchctl stop memfs k
expect_eq "ending by the stop's own SIGTERM is an ordinary stop: nothing said" "$OUT" ""
expect_ok "start one that will report SIGHUP" launchctl start memfs k2 status=129
expect_status "stop it" 0 launchctl stop memfs k2
expect_eq "another status is told, with the signal" "$OUT" "stopped; it exited with status 129 (killed by SIGHUP)"
expect_ok "start another" launchctl start memfs j status=3
JSON=$("$LAUNCHCTL" --json stop memfs j)
expect_eq "stop --json" "$JSON" '{"Status":3}'
expect_status "stop a missing instance" 4 launchctl stop memfs b
expect_ok "reload as root" launchctl reload
expect_ok "reload reached the launcher" fake_log_has "Reload uid=0"
if fsp_user fsp-ctl-user >/dev/null; then
        expect_status "reload as a user is denied" 6 fsp_as fsp-ctl-user "$LAUNCHCTL" reload
        expect_eq "its message" "$OUT" "launchctl: reload: only root may reload the classes"
fi

# ---------------------------------------------------------------- passwords
printf 'good pw\r\n' >"$T/pw-crlf"
expect_ok "a password with CRLF from a file" launchctl_in "$T/pw-crlf" startwithsecret secure s2
expect_ok "it arrived without the line end" fake_log_has "StartWithSecret secure s2 args= secret=[good pw]"
printf 'good pw\n\n' >"$T/pw-2nl"
expect_status "only one newline is removed" 7 launchctl_in "$T/pw-2nl" startWithSecret secure s3
expect_eq "refused message" "$OUT" "launchctl: startWithSecret secure s3: secure/s3 refused the password"
expect_status "a password of 4097 bytes" 1 sh -c 'head -c 4097 /dev/zero | tr "\0" x | "$0" startWithSecret secure s4' "$LAUNCHCTL"
expect_eq "is refused by launchctl" "$OUT" "launchctl: startWithSecret secure s4: cannot read the password: the password is longer than 4096 bytes"
expect_status "stdin /dev/null is an empty password" 7 launchctl_in /dev/null startWithSecret secure s5
expect_ok "the empty password reached the launcher" fake_log_has "StartWithSecret secure s5 args= secret=[]"

# While launchctl waits for the end of the password, look at its argv and
# environment, and watch the bus: the password is in none of them.
secret="pw-$RANDOM-$RANDOM"
dbus-monitor --system >"$T/monitor.log" 2>&1 &
MONITOR_PID=$!
fsp_wait_until 10 grep -q NameLost "$T/monitor.log" || fail "dbus-monitor did not start"
mkfifo "$T/pw-fifo"
"$LAUNCHCTL" startWithSecret secure s6 "visible arg" <"$T/pw-fifo" >"$T/s6.out" 2>&1 &
ctl=$!
exec 7>"$T/pw-fifo"
printf '%s' "$secret" >&7
# The shell forked for "&" opens the fifo, then becomes launchctl: wait for that.
expect_ok "launchctl is running" fsp_wait_until 10 grep -q startWithSecret "/proc/$ctl/cmdline"
expect_contains "its argv is what we gave" "$(tr '\0' ' ' <"/proc/$ctl/cmdline")" "startWithSecret secure s6 visible arg"
expect_not_contains "the password is not in its argv" "$(tr '\0' ' ' <"/proc/$ctl/cmdline")" "$secret"
expect_not_contains "nor in its environment" "$(tr '\0' '\n' <"/proc/$ctl/environ")" "$secret"
exec 7>&-
rc=0
fsp_wait_pid "$ctl" 20 || rc=$?
expect_eq "a wrong password is refused" "$rc" 7
fsp_wait_until 10 grep -q "StartWithSecret secure s6" "$T/fake.log"
expect_ok "the launcher got it, through the descriptor" fake_log_has "StartWithSecret secure s6 args=[visible arg] secret=[$secret]"
fsp_wait_until 10 grep -q 'member=StartWithSecret' "$T/monitor.log" || true
kill "$MONITOR_PID" 2>/dev/null
wait "$MONITOR_PID" 2>/dev/null
expect_contains "the bus saw the call, with a descriptor" "$(grep -A8 'member=StartWithSecret' "$T/monitor.log")" "file descriptor"
expect_not_contains "but not the password" "$(cat "$T/monitor.log")" "$secret"

# On a terminal: a prompt with echo off; what is typed never shows.
cat >"$T/prompt-driver.py" <<'PY'
import os, pty, select, sys, termios, time
launchctl, action = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(launchctl, [launchctl, "startWithSecret", "secure", "tty-" + action])
out = b""
def read_until(want, seconds=10):
    global out
    deadline = time.monotonic() + seconds
    while want not in out and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return want in out
assert read_until(b"Password for secure/tty-" + action.encode() + b": "), out
echo = termios.tcgetattr(fd)[3] & termios.ECHO
assert not echo, "echo is on at the prompt"
if action == "typed":
    os.write(fd, b"good pw\n")
elif action == "eof":
    os.write(fd, b"\x04")
elif action == "interrupt":
    os.write(fd, b"\x03")

read_until(b"\0", 10)
deadline = time.monotonic() + 10
while True:
    done, status = os.waitpid(pid, os.WNOHANG | os.WUNTRACED)
    if done and os.WIFSTOPPED(status):
        os.kill(pid, 9)
        sys.exit("launchctl stopped at the prompt")
    if done:
        break
    if time.monotonic() > deadline:
        os.kill(pid, 9)
        sys.exit("launchctl did not finish")
    time.sleep(0.01)
print(repr(out))
if b"good pw" in out:
    sys.exit("the password was echoed")
print("status", os.waitstatus_to_exitcode(status))
print("echo", "on" if termios.tcgetattr(fd)[3] & termios.ECHO else "off")
PY
OUT=$(python3 "$T/prompt-driver.py" "$LAUNCHCTL" typed 2>&1)
expect_contains "a typed password starts it, without echo" "$OUT" "status 0"
expect_ok "the typed password arrived" fake_log_has "StartWithSecret secure tty-typed args= secret=[good pw]"
OUT=$(python3 "$T/prompt-driver.py" "$LAUNCHCTL" eof 2>&1)
expect_contains "end of file at the prompt" "$OUT" "status 1"
expect_contains "says why" "$OUT" "no password given"
OUT=$(python3 "$T/prompt-driver.py" "$LAUNCHCTL" interrupt 2>&1)
expect_contains "^C at the prompt ends launchctl by SIGINT" "$OUT" "status -2"
expect_contains "with the terminal's echo back on" "$OUT" "echo on"

# ---------------------------------------------------------------- buses
expect_ok "--user reaches the session bus" env DBUS_SESSION_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" \
        "$LAUNCHCTL" --user list
expect_ok "--bus-address" env -u DBUS_SYSTEM_BUS_ADDRESS "$LAUNCHCTL" --bus-address "$DBUS_SYSTEM_BUS_ADDRESS" list
fsp_launcher_stop
expect_status "no launcher on the bus" 12 launchctl list
expect_eq "says so" "$OUT" "launchctl: list: the launcher cannot be reached (org.freedesktop.DBus.Error.ServiceUnknown: The name org.winfsp.Launcher1 was not provided by any .service files)"
expect_status "start, no launcher" 12 launchctl start memfs a

fsp_done
