#!/bin/bash
# boots: 2
# systemctl enable winfsp@memfs, reboot: mounted at boot, before
# remote-fs.target, and it works.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_template
unit=winfsp@memfs.service
mnt=/run/winfsp/memfs

if [ "$BOOT" = 1 ]; then
        check "systemctl enable winfsp@memfs" systemctl enable $unit
        check_eq "it is enabled" "$(systemctl is-enabled $unit)" enabled
        check "remote-fs.target wants it" test -L /etc/systemd/system/remote-fs.target.wants/$unit
        check_eq "it is not started by enabling it" "$(systemctl is-active $unit)" inactive
        finish
fi

check_eq "after the reboot winfsp@memfs is active" "$(systemctl is-active $unit)" active
check "/run/winfsp/memfs is mounted" is_mounted $mnt
write_read $mnt "the file system mounted at boot works"
fs_up=$(unit_prop $unit ActiveEnterTimestampMonotonic)
target_up=$(unit_prop remote-fs.target ActiveEnterTimestampMonotonic)
check "it was up before remote-fs.target ($fs_up <= $target_up µs)" test "$fs_up" -le "$target_up" -a "$fs_up" -gt 0
check_eq "boot 2 sees the state of boot 1 (still enabled)" "$(systemctl is-enabled $unit)" enabled
[ $failures = 0 ] || dump_unit $unit
finish
