#!/bin/bash
# A drop-in sets the mount point (WINFSP_MOUNTPOINT) and extra arguments for
# the class's command line (WINFSP_ARGS, %3 on).
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_template

mkdir -p /etc/winfsp/conf.d
cat >/etc/winfsp/conf.d/memfs-named.conf <<'CLASS'
[Service]
Description=memfs whose file-system name is the third argument (test)
Executable=/usr/bin/winfsp-memfs
CommandLine=-u %1 -m %2 -F %3
MountPoint=%2
CLASS
unit=winfsp@memfs\\x2dnamed-data.service
mkdir -p "/etc/systemd/system/$unit.d"
cat >"/etc/systemd/system/$unit.d/mount.conf" <<'DROPIN'
[Service]
Environment=WINFSP_MOUNTPOINT=/srv/winfsp/data
Environment=WINFSP_ARGS=testname
DROPIN
systemctl daemon-reload
check "no directory /srv/winfsp/data before the start" test ! -e /srv/winfsp/data

start_unit "$unit" /srv/winfsp/data
started_or_finish "$unit"
check_eq "mounted at the drop-in's mount point when it returns (created)" "$MOUNTED_AT_RETURN" yes
check_eq "WINFSP_ARGS reached the command line as %3 (-F: the subtype)" "$(mount_field /srv/winfsp/data 1)" fuse.testname
check_contains "the instance is //memfs-named/data" "$(lctl list 2>&1)" "memfs-named data"
write_read /srv/winfsp/data "the file system at the drop-in's mount point works"
check "systemctl stop" systemctl stop "$unit"
check "unmounted" not_mounted /srv/winfsp/data
[ $failures = 0 ] || dump_unit "$unit"
finish
