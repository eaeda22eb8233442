#!/bin/bash
# The keyring helpers against gnome-keyring on a private session bus, with
# HOME and XDG_RUNTIME_DIR in a temporary directory, then with no session
# bus at all. Usage: test-keyring.sh PATH-TO-test-keyring
set -u
TEST_KEYRING=${1:?usage: test-keyring.sh PATH-TO-test-keyring}

for tool in dbus-run-session dbus-daemon gnome-keyring-daemon secret-tool gdbus; do
        if ! command -v "$tool" >/dev/null; then
                echo "SKIP: $tool is not installed"
                exit 77
        fi
done

T=$(mktemp -d /tmp/fsp-keyring.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/home" "$T/run" "$T/run-nobus"
chmod 700 "$T/run" "$T/run-nobus"
export HOME=$T/home XDG_RUNTIME_DIR=$T/run
unset XDG_DATA_HOME XDG_CONFIG_HOME DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL

rc=0

echo "--- no session bus"
env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$T/run-nobus" "$TEST_KEYRING" --no-bus || rc=1

echo "--- a session bus with no Secret Service on it (and none activatable)"
cat >"$T/bare-bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$T/bare-bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
timeout 60 dbus-run-session --config-file="$T/bare-bus.conf" -- "$TEST_KEYRING" --no-service || rc=1

echo "--- gnome-keyring on a private session bus"
# The keyring daemon runs in the foreground, as a child we can stop; the
# login keyring is created and unlocked with the password on its stdin.
timeout 120 dbus-run-session -- bash -c '
        printf pw | gnome-keyring-daemon --foreground --unlock --components=secrets >"$0/gnome-keyring.log" 2>&1 &
        gk=$!
        trap "kill $gk 2>/dev/null; wait $gk 2>/dev/null" EXIT
        if ! gdbus wait --session --timeout 20 org.freedesktop.secrets; then
                echo "FAIL: gnome-keyring-daemon did not come up:"
                cat "$0/gnome-keyring.log"
                exit 1
        fi
        "$1"
' "$T" "$TEST_KEYRING" || rc=1
exit $rc
