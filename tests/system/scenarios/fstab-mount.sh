#!/bin/bash
# boots: 2
# /etc/fstab lines of type winfsp, through systemd's mount units and
# mount.winfsp: a noauto line mounts with "systemctl start" and unmounts with
# "systemctl stop"; a _netdev line is mounted at boot. A line mounted at boot
# needs x-systemd.requires=winfsp-launcher.service: a mount unit is not
# ordered after dbus.socket, and mount.winfsp would find no bus to call.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_template
need $MOUNT_WINFSP "mount.winfsp (netprovider/)"

if [ "$BOOT" = 1 ]; then
        mkdir -p /mnt/plain /mnt/atboot
        cat >>/etc/fstab <<'FSTAB'
//memfs/plain /mnt/plain winfsp noauto 0 0
//memfs/atboot /mnt/atboot winfsp _netdev,nofail,x-systemd.requires=winfsp-launcher.service 0 0
FSTAB
        check "systemctl daemon-reload (fstab generator)" systemctl daemon-reload
        check "systemctl start mnt-plain.mount" timeout 30 systemctl start mnt-plain.mount
        check "/mnt/plain is mounted when it returns" is_mounted /mnt/plain
        check_contains "a FUSE mount" "$(mount_field /mnt/plain 1)" fuse
        check_contains "the launcher runs memfs plain" "$(lctl list 2>&1)" "memfs plain"
        write_read /mnt/plain "the fstab mount works"
        check "systemctl stop mnt-plain.mount" timeout 30 systemctl stop mnt-plain.mount
        check "/mnt/plain is unmounted when it returns" not_mounted /mnt/plain
        check "the instance ended with the unmount" wait_until 10 bash -c "! timeout 15 $LAUNCHCTL info memfs plain"
        [ $failures = 0 ] || dump_unit mnt-plain.mount
        finish
fi

check_eq "after the reboot mnt-atboot.mount is active" "$(systemctl is-active mnt-atboot.mount)" active
check "/mnt/atboot is mounted" is_mounted /mnt/atboot
write_read /mnt/atboot "the file system mounted at boot from fstab works"
check "/mnt/plain (noauto) is not mounted" not_mounted /mnt/plain
[ $failures = 0 ] || dump_unit mnt-atboot.mount
finish
