#!/bin/bash
# WatchdogSec=: the launcher pings and stays up across several periods; a
# launcher that stops pinging is killed and restarted (Restart=on-failure).
# The shipped 30 s period is shortened to 4 s in a drop-in: short enough for
# a few periods to pass quickly, long enough that a loaded machine's
# scheduling delays (the launcher pings about every 2 s) never look like a hang.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_launcher
unit=winfsp-launcher.service

check "the shipped unit sets WatchdogSec=30s" grep -qx WatchdogSec=30s /usr/lib/systemd/system/$unit
check "the launcher starts with it" systemctl start $unit
check_eq "systemd arms a 30 s watchdog" "$(systemctl show -P WatchdogUSec $unit)" 30s
mkdir -p /run/systemd/system/$unit.d
printf '[Service]\nWatchdogSec=4s\nRestartSec=100ms\nTimeoutAbortSec=2s\n' >/run/systemd/system/$unit.d/watchdog.conf
systemctl daemon-reload
check "the launcher restarts with WatchdogSec=4s" systemctl restart $unit
check_eq "systemd arms a 4 s watchdog" "$(systemctl show -P WatchdogUSec $unit)" 4s
pid=$(unit_prop $unit MainPID)
first=$(unit_prop $unit WatchdogTimestampMonotonic)

# Watch it for two and a half periods: same process, active, and a new ping
# in each period (without them systemd would have killed it after the first).
deadline=$(($(date +%s%N) + 10000000000))
steady=yes
pings=$first
while [ "$(date +%s%N)" -lt $deadline ]; do
        if [ "$(unit_prop $unit MainPID)" != "$pid" ] || ! unit_is $unit active; then
                steady="no: MainPID $(unit_prop $unit MainPID), $(systemctl is-active $unit)"
                break
        fi
        last=$(unit_prop $unit WatchdogTimestampMonotonic)
        [ "$last" = "${pings##* }" ] || pings="$pings $last"
        sleep 0.2
done
check_eq "the launcher stays up for 2.5 watchdog periods" "$steady" yes
check "it pinged again and again (WatchdogTimestamp $pings)" test "$(wc -w <<<"$pings")" -ge 3
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
