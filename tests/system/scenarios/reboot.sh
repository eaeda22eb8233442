#!/bin/bash
# boots: 2
# systemctl enable --now winfsp@memfs, reboot: the shutdown stopped it in
# order (no kill, no failed unmount), and it is mounted at boot, before
# remote-fs.target, and works.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_template
unit=winfsp@memfs.service
mnt=/run/winfsp/memfs

if [ "$BOOT" = 1 ]; then
        check "systemctl enable --now winfsp@memfs" systemctl enable --now $unit
        check_eq "it is enabled" "$(systemctl is-enabled $unit)" enabled
        check "remote-fs.target wants it" test -L /etc/systemd/system/remote-fs.target.wants/$unit
        check "it is mounted now" is_mounted $mnt
        finish
fi

check_eq "after the reboot winfsp@memfs is active" "$(systemctl is-active $unit)" active
check "/run/winfsp/memfs is mounted" is_mounted $mnt
write_read $mnt "the file system mounted at boot works"
fs_up=$(unit_prop $unit ActiveEnterTimestampMonotonic)
target_up=$(unit_prop remote-fs.target ActiveEnterTimestampMonotonic)
check "it was up before remote-fs.target ($fs_up <= $target_up µs)" test "$fs_up" -le "$target_up" -a "$fs_up" -gt 0
last=$(journalctl -b -1 --no-pager -o cat -u $unit 2>&1)
check_contains "at the shutdown of boot 1 it stopped in order" "$last" "Deactivated successfully"
case $last in
*Killing* | *"timed out"* | *Failed*) fail "the shutdown of boot 1 was not clean for $unit: $last" ;;
*) pass "no kill, time-out or failure for $unit at the shutdown of boot 1" ;;
esac
# (systemd unmounts run-winfsp-memfs.mount at the same time as winfsp-net
# asks the launcher to: whichever comes second finds it gone, which is fine.)
unmount=$(journalctl -b -1 --no-pager -o cat | grep -E 'Failed unmounting|run-winfsp-memfs.mount: (Failed with|.*timed out)')
check_eq "no failed unmount at that shutdown" "$unmount" ""
check_eq "boot 2 sees the state of boot 1 (still enabled)" "$(systemctl is-enabled $unit)" enabled
[ $failures = 0 ] || dump_unit $unit
finish
