#!/bin/bash
# D-Bus activation: with winfsp-launcher.service stopped, a client starts it
# (dbus-daemon asks systemd for SystemdService=winfsp-launcher.service), the
# service reports ready and a status, and reload works.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_launcher

systemctl stop winfsp-launcher.service
check "winfsp-launcher.service is stopped before the first client" unit_is winfsp-launcher.service inactive
check "launchctl list succeeds with the launcher stopped" lctl list
check "launchctl list started winfsp-launcher.service" unit_is winfsp-launcher.service active
owner_unit=$(busctl --system status org.winfsp.Launcher1 2>/dev/null | sed -n 's/^Unit=//p')
check_eq "org.winfsp.Launcher1 is owned by the process of winfsp-launcher.service" "$owner_unit" winfsp-launcher.service
check_contains "dbus-daemon activated it through systemd (SystemdService=)" \
        "$(journalctl -b --no-pager -t dbus-daemon -g org.winfsp.Launcher1)" "unit='winfsp-launcher.service'"
check_eq "it runs the installed program" "$(readlink /proc/"$(unit_prop winfsp-launcher.service MainPID)"/exe)" $LAUNCHER
status=$(unit_prop winfsp-launcher.service StatusText)
check_contains "it reports a STATUS= to systemd" "$status" instance

# A second activation, by another method, after a stop.
systemctl stop winfsp-launcher.service
check "stopped again" unit_is winfsp-launcher.service inactive
check "launchctl classes activates it again" lctl classes
check "active again" unit_is winfsp-launcher.service active

pid=$(unit_prop winfsp-launcher.service MainPID)
check "systemctl reload winfsp-launcher (ExecReload=launchctl reload)" systemctl reload winfsp-launcher.service
check_eq "reload keeps the same process" "$(unit_prop winfsp-launcher.service MainPID)" "$pid"

# The per-user unit and session-bus activation file are installed where the
# user's systemd and dbus look.
check "the per-user unit is known to a user manager's search path" \
        test -f /usr/lib/systemd/user/winfsp-launcher.service
check "the session-bus activation file is installed" \
        grep -qx 'SystemdService=winfsp-launcher.service' /usr/share/dbus-1/services/org.winfsp.Launcher1.service

[ $failures = 0 ] || dump_unit winfsp-launcher.service
finish
