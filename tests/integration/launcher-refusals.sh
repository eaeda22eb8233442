#!/bin/bash
# Start requests the launcher refuses before anything is spawned, each with
# its D-Bus error and a message that says why: a MountPoint= that expands
# to nothing, a mount point that is not a directory, RunAs= a user that
# does not exist, an unknown StartWithOptions option, a caller's mount point
# the caller does not own; and a start while the launcher shuts down.
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_bus_start
u1=$(fsp_user fsptest1)
fsp_testfs_class needsmount "MountPoint=%9"
fsp_testfs_class nobody "RunAs=fsp-no-such-user"
fsp_testfs_class stubborn "StopTimeout=10"
mkdir -p "$T/mnt/root-owned"
: >"$T/a-file"
fsp_launcher_start

refused() { # WHAT ERROR TEXT METHOD ARGS...: the call fails with ERROR, saying TEXT; nothing runs
        local what=$1 error=$2 text=$3
        shift 3
        expect_status "$what" 1 gdbus_call "$@"
        expect_contains "$what: $error" "$OUT" "org.winfsp.Launcher1.Error.$error"
        expect_contains "$what: says why" "$OUT" "$text"
}

refused "MountPoint= expanding to nothing" InvalidArgument "class 'needsmount' needs a mount point (MountPoint=%9 expands to nothing)" \
        Start "'needsmount'" "'a'" "@as []"
refused "a mount point that is a file" InvalidArgument "mount point '$T/a-file' is not a directory" \
        Start "'needsmount'" "'b'" "$(gv_strv "" "" "" "" "" "" "" "" "$T/a-file")"
refused "RunAs= a user that does not exist" ConfigurationError "class 'nobody': RunAs=fsp-no-such-user: no such user" \
        Start "'nobody'" "'c'" "@as []"
refused "an unknown start option" InvalidArgument "unknown start option 'Frobnicate'" \
        StartWithOptions "'needsmount'" "'d'" "@as []" "{'Frobnicate': <true>}"
expect_status "a user's mount point must be the user's" 1 \
        fsp_as fsptest1 gdbus call --system --dest org.winfsp.Launcher1 --object-path /org/winfsp/Launcher1 \
        --method org.winfsp.Launcher1.Start "'needsmount'" "'e'" "$(gv_strv "" "" "" "" "" "" "" "" "$T/mnt/root-owned")"
expect_contains "AccessDenied" "$OUT" "org.winfsp.Launcher1.Error.AccessDenied"
expect_contains "says whose it is" "$OUT" "mount point '$T/mnt/root-owned' belongs to uid 0, not to you (uid $u1)"
expect_eq "nothing was started" "$(bus_call List)" "a(ss) 0"
expect_ok "no process" fsp_no_instance_processes

# Shutting down: an instance that ignores SIGTERM holds the launcher in its
# stop (StopTimeout=10); a start meanwhile is refused.
expect_ok "a stubborn instance" bus_call Start ssas stubborn s 3 --ignore-term --stamp "$T/ignoring"
expect_ok "it ignores SIGTERM now" fsp_wait_until 5 test -s "$T/ignoring"
pid=$(fsp_pid_of stubborn s)
kill -TERM "$LAUNCHER_PID"
expect_ok "the launcher is stopping" fsp_wait_until 5 grep -q "stopping 1 instance" "$T/launcher.log"
refused "a start while shutting down" StartFailed "the launcher is shutting down" Start "'stubborn'" "'t'" "@as []"
kill -KILL "$pid"
rc=0
fsp_wait_pid "$LAUNCHER_PID" 20 || rc=$?
LAUNCHER_PID=
expect_eq "then the launcher ends, exit status 0" "$rc" 0
fsp_done
