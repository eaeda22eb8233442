# shellcheck shell=bash
# The integration harness, sourced by tests/integration/*.sh, tests/netprovider
# and others: a private dbus-daemon configured like a system bus (with our
# real policy file), the real launcher on it, classes of the test's own, and
# assertions; test users, mounts and bounded waits come from
# tests/lib/common.sh. Everything it starts is stopped on exit, and every
# mount it finds under its directory is detached.
#
# Needs: FSP_BUILD_DIR and FSP_SOURCE_DIR in the environment (ctest sets them).

set -u
# shellcheck source=../lib/common.sh
. "${BASH_SOURCE[0]%/*}/../lib/common.sh"
: "${FSP_BUILD_DIR:?FSP_BUILD_DIR must name the build tree}"
: "${FSP_SOURCE_DIR:?FSP_SOURCE_DIR must name the source tree}"

LAUNCHER=$FSP_BUILD_DIR/launcher/winfsp-launcher
LAUNCHCTL=$FSP_BUILD_DIR/launcher/launchctl
TESTFS=$FSP_BUILD_DIR/tests/helpers/fsp-testfs
MEMFS=$FSP_BUILD_DIR/memfs/winfsp-memfs

T=
LAUNCHER_PID=
BUS_PID=
fsp_failures=0
fsp_checks=0

# ---------------------------------------------------------------- set-up

# fsp_init: root and the tools used here, or skip; a private directory
# (0755, so test users can reach the bus socket and their mount points),
# cleanup on any exit. A test that mounts calls fsp_require_fuse too.
fsp_init() {
        fsp_require_root "FUSE mounts, other users"
        local tool
        for tool in dbus-daemon gdbus busctl dbus-monitor python3 setpriv flock useradd; do
                fsp_require_tool "$tool"
        done
        T=$(mktemp -d /tmp/fsp-it.XXXXXX)
        chmod 755 "$T"
        mkdir -p "$T/conf.d" "$T/state" "$T/mnt"
        trap fsp_cleanup EXIT
        trap 'exit 130' INT TERM
}

# fsp_bus_start: a dbus-daemon with a system-bus policy and our policy file.
fsp_bus_start() {
        cat >"$T/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$T/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <include>$FSP_SOURCE_DIR/units/org.winfsp.Launcher1.conf</include>
</busconfig>
EOF
        mkfifo "$T/bus.addr"
        dbus-daemon --config-file="$T/bus.conf" --nofork --nopidfile --print-address=3 3>"$T/bus.addr" 2>>"$T/bus.log" &
        BUS_PID=$!
        local addr
        if ! read -r -t 10 addr <"$T/bus.addr"; then
                echo "FATAL: dbus-daemon did not start"
                exit 1
        fi
        export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$T/bus.sock"
        export FSP_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS"
}

# fsp_launcher_start [ARGS...]: the real launcher on the private bus, with
# the test's class directory; returns once it owns its bus name.
fsp_launcher_start() {
        "$LAUNCHER" --config-path "$T/conf.d" --state-dir "$T/state" "$@" >>"$T/launcher.log" 2>&1 &
        LAUNCHER_PID=$!
        if ! fsp_bus_wait_name org.winfsp.Launcher1 10; then
                echo "FATAL: the launcher did not come up; its log:"
                cat "$T/launcher.log"
                exit 1
        fi
}

# fsp_bus_wait_name NAME SECONDS
fsp_bus_wait_name() {
        gdbus wait --system --timeout "$2" "$1" >/dev/null 2>&1
}

# fsp_launcher_stop: SIGTERM and wait (bounded); the exit status is returned.
fsp_launcher_stop() {
        [ -n "$LAUNCHER_PID" ] || return 0
        kill -TERM "$LAUNCHER_PID" 2>/dev/null
        local rc=0
        fsp_wait_pid "$LAUNCHER_PID" 30 || rc=$?
        LAUNCHER_PID=
        return $rc
}

# fsp_wait_pid PID SECONDS: wait for a process to end (bounded); for a child
# of this shell its exit status, 124 on timeout.
fsp_wait_pid() {
        fsp_wait_gone "$1" "$2" || return 124
        wait "$1" 2>/dev/null
}

# fsp_class NAME: the class file comes on stdin.
fsp_class() {
        cat >"$T/conf.d/$1.conf"
}

launchctl() {
        "$LAUNCHCTL" "$@"
}

# fsp_info_field CLASS INSTANCE FIELD: one field of GetInfo, via busctl.
fsp_info_field() {
        busctl --system --json=short call org.winfsp.Launcher1 /org/winfsp/Launcher1 \
                org.winfsp.Launcher1 GetInfo ss "$1" "$2" 2>/dev/null |
                python3 -c 'import json,sys; d=json.load(sys.stdin)["data"][0]; print(d[sys.argv[1]]["data"])' "$3"
}

# ---------------------------------------------------------------- assertions

pass() {
        fsp_checks=$((fsp_checks + 1))
        echo "ok: $*"
}

fail() {
        fsp_checks=$((fsp_checks + 1))
        fsp_failures=$((fsp_failures + 1))
        echo "FAIL: $*"
}

# expect_ok WHAT CMD...: CMD succeeds.
expect_ok() {
        local what=$1
        shift
        local out
        if out=$("$@" 2>&1); then
                pass "$what"
        else
                fail "$what: '$*' exited $?: $out"
        fi
}

# expect_fail WHAT CMD...: CMD fails; its output (both streams) is in $OUT.
expect_fail() {
        local what=$1
        shift
        if OUT=$("$@" 2>&1); then
                fail "$what: '$*' succeeded: $OUT"
        else
                pass "$what"
        fi
}

# expect_status WHAT N CMD...: CMD exits with status N; output in $OUT.
expect_status() {
        local what=$1 want=$2
        shift 2
        local rc=0
        OUT=$("$@" 2>&1) || rc=$?
        if [ "$rc" = "$want" ]; then
                pass "$what"
        else
                fail "$what: '$*' exited $rc, expected $want: $OUT"
        fi
}

expect_eq() {
        if [ "$2" = "$3" ]; then
                pass "$1"
        else
                fail "$1: got '$2', expected '$3'"
        fi
}

expect_contains() {
        case $2 in
        *"$3"*) pass "$1" ;;
        *) fail "$1: '$2' does not contain '$3'" ;;
        esac
}

expect_not_contains() {
        case $2 in
        *"$3"*) fail "$1: '$2' contains '$3'" ;;
        *) pass "$1" ;;
        esac
}

# fsp_done: the verdict; call last. A test that checked nothing failed.
fsp_done() {
        echo "$fsp_checks checks, $fsp_failures failed"
        [ "$fsp_checks" -gt 0 ] || fail "no check ran"
        if [ $fsp_failures -ne 0 ]; then
                echo "--- launcher log"
                cat "$T/launcher.log" 2>/dev/null | tail -50
                exit 1
        fi
        exit 0
}

# ---------------------------------------------------------------- clean-up

fsp_cleanup() {
        local rc=$?
        trap - EXIT
        set +e # clean-up must run to the end, whatever fails in it
        if [ -n "$LAUNCHER_PID" ]; then
                kill -TERM "$LAUNCHER_PID" 2>/dev/null
                fsp_wait_pid "$LAUNCHER_PID" 20 || kill -KILL "$LAUNCHER_PID" 2>/dev/null
        fi
        if [ -n "${FSP_MONITOR_PID:-}" ]; then
                kill -TERM "$FSP_MONITOR_PID" "${FSP_SUBSCRIBER_PID:-}" 2>/dev/null
        fi
        # Instances the test left behind: anything whose session we started is gone
        # with the launcher; detach what is still mounted under our directory.
        if [ -n "$T" ]; then
                fsp_mounts_under "$T/" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
        fi
        if [ -n "$BUS_PID" ]; then
                kill -TERM "$BUS_PID" 2>/dev/null
                wait "$BUS_PID" 2>/dev/null
        fi
        if [ -n "$T" ] && [ -z "$(fsp_mounts_under "$T/")" ]; then
                rm -rf "$T"
        fi
        exit $rc
}

# ---------------------------------------------------------------- the launcher over the bus

# bus_call METHOD SIGNATURE ARGS...: a method call through busctl (a third-party client).
bus_call() {
        busctl --system -- call org.winfsp.Launcher1 /org/winfsp/Launcher1 org.winfsp.Launcher1 "$@"
}

# gdbus_call METHOD ARGS...: the same through gdbus, which also prints the
# D-Bus error name on failure. Arguments are GVariant text (see gv_str, gv_strv).
gdbus_call() {
        local method=$1
        shift
        gdbus call --system --dest org.winfsp.Launcher1 --object-path /org/winfsp/Launcher1 \
                --method "org.winfsp.Launcher1.$method" -- "$@"
}

# gv_str S / gv_strv S...: GVariant literals for a string and a string array.
gv_str() {
        local s=${1//\\/\\\\}
        s=${s//\'/\\\'}
        printf "'%s'\n" "$s"
}
gv_strv() {
        local out="@as [" sep="" a
        for a in "$@"; do
                out="$out$sep$(gv_str "$a")"
                sep=", "
        done
        echo "$out]"
}

# fsp_monitor_start FILE: record the launcher's signals (dbus-monitor) into FILE.
fsp_monitor_start() {
        # The launcher sends its signals only to subscribers: one subscribes
        # (as root, so it may see every instance), dbus-monitor records them.
        "$FSP_BUILD_DIR/tests/integration/fsp-subscriber" >"$1.subscriber" 2>&1 &
        FSP_SUBSCRIBER_PID=$!
        fsp_wait_until 5 grep -qx ready "$1.subscriber" || true
        dbus-monitor --system "type='signal',sender='org.winfsp.Launcher1'" >"$1" 2>/dev/null &
        FSP_MONITOR_PID=$!
        fsp_wait_until 5 grep -q "NameAcquired\|member=NameAcquired" "$1" || true
}

# fsp_testfs_class NAME [EXTRA INI LINES...]: a class running fsp-testfs whose
# arguments are the caller's (the actions); with MountPoint=%9 in the extra
# lines, the ninth argument is the mount point and not passed on.
fsp_testfs_class() {
        local name=$1 cmdline="%1 %2 %3 %4 %5 %6 %7 %8 %9"
        shift
        case " $* " in *" MountPoint=%9 "*) cmdline="%1 %2 %3 %4 %5 %6 %7 %8" ;; esac
        {
                echo "[Service]"
                echo "Description=test class $name"
                echo "Executable=$TESTFS"
                echo "CommandLine=$cmdline"
                echo "Security=D:P(A;;RPWPLC;;;WD)"
                local line
                for line in "$@"; do echo "$line"; done
        } >"$T/conf.d/$name.conf"
}

# fsp_pid_of CLASS INSTANCE: the instance's pid from GetInfo.
fsp_pid_of() {
        fsp_info_field "$1" "$2" Pid
}

# fsp_instance_processes: pids of every process that descends from an
# instance of this test's launcher (they carry its NOTIFY_SOCKET), so tests
# running side by side never see each other's.
fsp_instance_processes() {
        local p
        for p in /proc/[0-9]*; do
                tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -q "^NOTIFY_SOCKET=@winfsp-launcher/$LAUNCHER_PID/" &&
                        echo "${p#/proc/}"
        done
        return 0
}

# fsp_no_instance_processes: true when none is left (zombies not counted).
fsp_no_instance_processes() {
        local p
        for p in $(fsp_instance_processes); do
                fsp_pid_alive "$p" && return 1
        done
        return 0
}
