#!/bin/bash
# launchctl's usage errors exit 2 and say what is wrong; --version; a bus
# that is not there exits 12. Needs no launcher. (--help against the man
# page: tests/man/check-help.py.)
set -u
: "${FSP_BUILD_DIR:?}" "${FSP_SOURCE_DIR:?}"
LAUNCHCTL=$FSP_BUILD_DIR/launcher/launchctl
rc=0

expect() {
        local want=$1 what=$2
        shift 2
        local got=0
        out=$("$@" 2>&1) || got=$?
        if [ "$got" != "$want" ]; then
                echo "FAIL: $what: exited $got, expected $want: $out"
                rc=1
        else
                echo "ok: $what"
        fi
}
expect 0 "--version" "$LAUNCHCTL" --version
case $out in "launchctl (winfsp for Linux) "[0-9]*) ;; *) echo "FAIL: --version says '$out'"; rc=1 ;; esac
expect 2 "no command" "$LAUNCHCTL"
expect 2 "unknown command" "$LAUNCHCTL" frobnicate
case $out in *"unknown command 'frobnicate'"*) ;; *) echo "FAIL: message '$out'"; rc=1 ;; esac
expect 2 "unknown option" "$LAUNCHCTL" --frobnicate list
expect 2 "option without its argument" "$LAUNCHCTL" --bus-address
expect 2 "start without an instance" "$LAUNCHCTL" start memfs
case $out in *"Usage: launchctl start CLASS INSTANCE"*) ;; *) echo "FAIL: message '$out'"; rc=1 ;; esac
expect 2 "stop with too many arguments" "$LAUNCHCTL" stop memfs a b
expect 2 "list with an argument" "$LAUNCHCTL" LIST extra
# A bus that is not there: the launcher cannot be reached.
expect 12 "no bus" "$LAUNCHCTL" --bus-address unix:path=/nonexistent/bus.sock list
case $out in *"launchctl: cannot connect to the unix:path=/nonexistent/bus.sock: "*) ;; *) echo "FAIL: message '$out'"; rc=1 ;; esac
expect 12 "no system bus" env DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/sys.sock "$LAUNCHCTL" list
expect 12 "no session bus" env DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/ses.sock "$LAUNCHCTL" --user list
exit $rc
