#!/bin/bash
# WatchdogSec=: the launcher pings and stays up across several periods; a
# launcher that stops pinging is killed and restarted (Restart=on-failure).
# The shipped 30 s period is shortened to 1 s in a drop-in, so that several
# periods pass in a few seconds.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_launcher
unit=winfsp-launcher.service

check "the shipped unit sets WatchdogSec=30s" grep -qx WatchdogSec=30s /usr/lib/systemd/system/$unit
check "the launcher starts with it" systemctl start $unit
check_eq "systemd arms a 30 s watchdog" "$(systemctl show -P WatchdogUSec $unit)" 30s
mkdir -p /run/systemd/system/$unit.d
printf '[Service]\nWatchdogSec=1s\nRestartSec=100ms\nTimeoutAbortSec=2s\n' >/run/systemd/system/$unit.d/watchdog.conf
systemctl daemon-reload
check "the launcher restarts with WatchdogSec=1s" systemctl restart $unit
check_eq "systemd arms a 1 s watchdog" "$(systemctl show -P WatchdogUSec $unit)" 1s
pid=$(unit_prop $unit MainPID)
first=$(unit_prop $unit WatchdogTimestampMonotonic)

# Watch it for five periods: same process, active, pings moving on.
deadline=$(($(date +%s%N) + 5000000000))
steady=yes
while [ "$(date +%s%N)" -lt $deadline ]; do
        if [ "$(unit_prop $unit MainPID)" != "$pid" ] || ! unit_is $unit active; then
                steady="no: MainPID $(unit_prop $unit MainPID), $(systemctl is-active $unit)"
                break
        fi
        sleep 0.2
done
check_eq "the launcher stays up for 5 watchdog periods" "$steady" yes
last=$(unit_prop $unit WatchdogTimestampMonotonic)
check "it pinged during them (WatchdogTimestamp $first -> $last)" test "$last" -gt "$first"
check_eq "no restart happened" "$(unit_prop $unit NRestarts)" 0
check "it still answers" lctl list

# A hung launcher (SIGSTOP) is caught by the watchdog and restarted.
kill -STOP "$pid"
restarted() {
        local now
        now=$(unit_prop $unit MainPID)
        [ "$now" != 0 ] && [ "$now" != "$pid" ] && unit_is $unit active
}
check "a stopped launcher is restarted by the watchdog" wait_until 20 restarted
check_contains "systemd says why" "$(journalctl -b --no-pager -o cat -u $unit)" "Watchdog timeout"
check "the new launcher answers" lctl list
kill -KILL "$pid" 2>/dev/null
[ $failures = 0 ] || dump_unit $unit
finish
