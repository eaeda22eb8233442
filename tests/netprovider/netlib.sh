# shellcheck shell=bash
# Shared by tests/netprovider/net-*.sh: the integration harness
# (tests/integration/lib.sh) plus what the network provider's tests need:
# password hashes, a Secret Service (gnome-keyring) in a private session bus
# for a given user, a D-Bus monitor on the private system bus, and the
# "the password is nowhere" check.

# shellcheck source=../integration/lib.sh
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"

NET=$FSP_BUILD_DIR/netprovider/winfsp-net
MOUNT_WINFSP=$FSP_BUILD_DIR/netprovider/mount.winfsp
NET_CRYPT=$FSP_BUILD_DIR/tests/netprovider/fsp-net-crypt

NET_SESSION_PIDS=()
NET_MONITOR_PID=
NET_CLEANUPS=()

# net_init: fsp_init and FUSE (every test here mounts memfs), plus our own
# clean-up before the harness's.
net_init() {
        fsp_init
        fsp_require_fuse
        trap 'net_rc=$?; net_cleanup; (exit $net_rc); fsp_cleanup' EXIT
        local p
        for p in "$NET" "$NET_CRYPT" "$LAUNCHER" "$MEMFS"; do
                if [ ! -x "$p" ]; then
                        echo "FATAL: $p is not built"
                        exit 1
                fi
        done
}

# net_on_exit CMD: run CMD (a string) at clean-up, before the harness's.
net_on_exit() {
        NET_CLEANUPS+=("$1")
}

net_cleanup() {
        local c pid
        for c in "${NET_CLEANUPS[@]}"; do
                eval "$c" || true
        done
        for pid in "${NET_SESSION_PIDS[@]}"; do
                kill -TERM "$pid" 2>/dev/null
                fsp_wait_pid "$pid" 10 || kill -KILL "$pid" 2>/dev/null
        done
        [ -n "$NET_MONITOR_PID" ] && kill -TERM "$NET_MONITOR_PID" 2>/dev/null
        return 0
}

# net_hash PASSWORD: a crypt(3) hash of PASSWORD on stdout.
net_hash() {
        printf '%s\n' "$1" | "$NET_CRYPT"
}

# net_home USER: a home and a runtime directory for USER under $T; prints nothing.
# Sets NET_HOME and NET_RUNTIME.
net_home() {
        NET_HOME=$T/home-$1
        NET_RUNTIME=$T/run-$1
        mkdir -p "$NET_HOME" "$NET_RUNTIME"
        chmod 700 "$NET_HOME" "$NET_RUNTIME"
        chown "$1:" "$NET_HOME" "$NET_RUNTIME"
}

# net_keyring_start USER: a private session bus with an unlocked gnome-keyring
# for USER (HOME and XDG_RUNTIME_DIR under $T). Sets NET_SESSION_ADDRESS. The
# session lives until the test ends.
net_keyring_start() {
        local user=$1 tool
        for tool in dbus-run-session gnome-keyring-daemon secret-tool; do
                if ! command -v "$tool" >/dev/null; then
                        echo "SKIP: $tool is not installed"
                        exit 77
                fi
        done
        net_home "$user"
        local addr_file=$NET_RUNTIME/session.addr
        rm -f "$addr_file"
        # The session stays until SIGTERM (clean-up); dbus-run-session ends the
        # keyring daemon with it.
        fsp_as "$user" env HOME="$NET_HOME" XDG_RUNTIME_DIR="$NET_RUNTIME" \
                dbus-run-session -- bash -c '
                        printf keyring-pw | gnome-keyring-daemon --foreground --unlock --components=secrets \
                                >"$1.log" 2>&1 &
                        gk=$!
                        trap "kill $gk 2>/dev/null; exit 0" TERM
                        echo $$ >"$1.pid"
                        if gdbus wait --session --timeout 20 org.freedesktop.secrets; then
                                echo "$DBUS_SESSION_BUS_ADDRESS" >"$1.tmp" && mv "$1.tmp" "$1"
                        fi
                        wait $gk
                ' bash "$addr_file" </dev/null >/dev/null 2>&1 &
        if ! fsp_wait_until 30 test -s "$addr_file"; then
                echo "FATAL: no Secret Service for $user:"
                cat "$addr_file.log" 2>/dev/null
                exit 1
        fi
        # Ending the inner shell ends the keyring, then dbus-run-session and its bus.
        NET_SESSION_PIDS+=("$(cat "$addr_file.pid")")
        NET_SESSION_ADDRESS=$(cat "$addr_file")
}

# net_as USER CMD...: CMD as USER in its session (keyring, runtime dir, home).
net_as() {
        local user=$1
        shift
        fsp_as "$user" env HOME="$T/home-$user" XDG_RUNTIME_DIR="$T/run-$user" \
                DBUS_SESSION_BUS_ADDRESS="${NET_SESSION_ADDRESS:-unix:path=/nonexistent}" "$@"
}

# net_drive_use USER STEPS... -- ARGS: "winfsp-net use ARGS" as USER (its
# session) on a new terminal, driven like a person at the keyboard
# (pty-drive.py's STEPS); the transcript is on stdout.
net_drive_use() {
        local user=$1 steps=()
        shift
        while [ "$1" != "--" ]; do
                steps+=("$1")
                shift
        done
        shift
        python3 "$FSP_SOURCE_DIR/tests/netprovider/pty-drive.py" "${steps[@]}" -- \
                setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- \
                env HOME="$T/home-$user" XDG_RUNTIME_DIR="$T/run-$user" \
                DBUS_SESSION_BUS_ADDRESS="${NET_SESSION_ADDRESS:-unix:path=/nonexistent}" "$NET" use "$@"
}

# net_monitor_start: record every message on the private system bus (root may monitor).
net_monitor_start() {
        dbus-monitor --address "$DBUS_SYSTEM_BUS_ADDRESS" >"$T/monitor.log" 2>&1 &
        NET_MONITOR_PID=$!
        # It has become a monitor once it printed its own NameAcquired/NameLost.
        if ! fsp_wait_until 10 grep -q 'NameLost\|NameAcquired' "$T/monitor.log"; then
                echo "FATAL: dbus-monitor did not start:"
                cat "$T/monitor.log"
                exit 1
        fi
}

# net_monitor_stop: end the monitor so its log is complete.
net_monitor_stop() {
        [ -n "$NET_MONITOR_PID" ] || return 0
        kill -TERM "$NET_MONITOR_PID" 2>/dev/null
        fsp_wait_pid "$NET_MONITOR_PID" 10
        NET_MONITOR_PID=
}

# expect_secret_nowhere WHAT PASSWORD: not in any process's argv or
# environment, nor in the launcher's log, nor in the D-Bus monitor's log.
expect_secret_nowhere() {
        local what=$1 pw=$2 found
        # The scanner gets the password on stdin, so its own argv stays clean.
        found=$(printf '%s' "$pw" | python3 -c '
import glob, os, sys
needle = sys.stdin.buffer.read()
me = "/proc/%d/" % os.getpid()
for path in glob.glob("/proc/[0-9]*/cmdline") + glob.glob("/proc/[0-9]*/environ"):
    if path.startswith(me):
        continue
    try:
        with open(path, "rb") as f:
            if needle in f.read():
                print(" " + path, end="")
    except OSError:
        pass  # gone meanwhile, or a kernel thread
')
        grep -qF -- "$pw" "$T/launcher.log" 2>/dev/null && found="$found launcher.log"
        [ -f "$T/monitor.log" ] && grep -qF -- "$pw" "$T/monitor.log" && found="$found dbus-monitor"
        if [ -z "$found" ]; then
                pass "$what"
        else
                fail "$what: found in$found"
        fi
}

# net_secrets USER [ATTR VALUE...]: what secret-tool finds (attribute remote by default).
net_secrets() {
        local user=$1
        shift
        net_as "$user" secret-tool search --all "$@" 2>&1
}

# net_in_collection USER COLLECTION REMOTE: the Secret Service collection
# (session, or default for the default one) has an item for REMOTE.
net_in_collection() {
        local user=$1 path=/org/freedesktop/secrets/collection/$2 item
        [ "$2" = default ] && path=/org/freedesktop/secrets/aliases/default
        for item in $(net_as "$user" gdbus call --session --dest org.freedesktop.secrets --object-path "$path" \
                --method org.freedesktop.DBus.Properties.Get org.freedesktop.Secret.Collection Items |
                grep -o "/org/freedesktop/secrets/collection/[^']*"); do
                net_as "$user" gdbus call --session --dest org.freedesktop.secrets --object-path "$item" \
                        --method org.freedesktop.DBus.Properties.Get org.freedesktop.Secret.Item Attributes |
                        grep -qF "'remote': '$3'" && return 0
        done
        return 1
}

# The instance list as "remote mountpoint" lines, for the caller.
net_list_remotes() {
        "$NET" list --json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    print(i["remote"], i["mount_point"])'
}

# net_memfs_class NAME CREDENTIALS EXTRA-ARGS: a memfs class of the test's.
net_memfs_class() {
        local name=$1 creds=$2
        shift 2
        fsp_class "$name" <<EOF
[Service]
Executable=$MEMFS
CommandLine=-u %1 -m %2 $*
MountPoint=%2
Security=D:P(A;;RPWPLC;;;WD)
Credentials=$creds
EOF
}
