#!/bin/bash
# An /etc/fstab line with noauto,x-systemd.automount: the first access to
# /mnt/auto mounts //memfs/auto through mount.winfsp; umount ends it.
# Waits for (2026-11-21): while an automount is pending, only processes in
# systemd's process group (the mount helper) may look up /mnt/auto; the
# launcher (readlink of the mount point, in its event loop) and the file
# system (libfuse's stat and mount(2)) block in autofs_wait. The mount has
# to be made by mount.winfsp itself (mount /dev/fuse, pass the fd on:
# libfuse's "/dev/fd/N" mount point) and the launcher must not resolve the
# mount point then.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_template
need $MOUNT_WINFSP "mount.winfsp (netprovider/)"

echo '//memfs/auto /mnt/auto winfsp noauto,x-systemd.automount 0 0' >>/etc/fstab
check "systemctl daemon-reload (fstab generator)" systemctl daemon-reload
check "the generator made mnt-auto.automount" systemctl cat mnt-auto.automount
systemctl start mnt-auto.automount
check "mnt-auto.automount is active" unit_is mnt-auto.automount active
check_eq "/mnt/auto is an autofs trigger, nothing mounted yet" "$(mount_field /mnt/auto 1)" autofs
check "the launcher has no instance yet" bash -c "! timeout 15 $LAUNCHCTL info memfs auto"

if out=$(timeout 20 ls -la /mnt/auto 2>&1); then
        pass "ls /mnt/auto succeeds (first access)"
else
        fail "ls /mnt/auto (first access) did not succeed within 20 s: $out"
        ps -eo pid,pgid,stat,wchan:24,args | grep -E 'winfsp|memfs|mount' | grep -v grep
        dump_unit mnt-auto.mount
        dump_unit winfsp-launcher.service
        # Wake whoever waits on the pending automount, or the shutdown waits
        # for the mount's own time-out.
        systemctl kill --signal=SIGKILL mnt-auto.mount
        timeout 10 systemctl stop mnt-auto.automount
        finish
fi
check_contains "a FUSE file system is mounted at /mnt/auto" "$(mount_field /mnt/auto 1)" fuse
check "mnt-auto.mount is active" unit_is mnt-auto.mount active
check_contains "the launcher runs instance memfs auto" "$(lctl list 2>&1)" "memfs auto"
write_read /mnt/auto "the automounted file system works"

check "umount /mnt/auto" umount /mnt/auto
check "the instance ends with the unmount" wait_until 10 bash -c "! timeout 15 $LAUNCHCTL info memfs auto"
[ $failures = 0 ] || { dump_unit mnt-auto.mount; dump_unit mnt-auto.automount; }
finish
