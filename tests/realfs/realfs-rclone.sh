#!/bin/bash
# rclone through the shipped class: remotes of the user's own
# ~/.config/rclone/rclone.conf, an alias of a local directory and an SFTP
# server (the test's own OpenSSH on 127.0.0.1), mounted with winfsp-net,
# mount.winfsp and launchctl; files written through the mount land in the
# remote; -o ro is applied to the mount; an option rclone's class does not
# accept is refused; a remote the configuration does not have is a failed
# start, with rclone's words.
# shellcheck source=lib.sh
. "$FSP_SOURCE_DIR/tests/realfs/lib.sh"

realfs_init rclone rclone
fsp_bus_start
ms=0 # realfs_timed sets it
U=fsprrclone
PW="Rclone-pw-$$-e5"
realfs_user $U "$PW"
realfs_classes rclone
fsp_launcher_start
realfs_sshd_start $U
realfs_mkdirs $U a1 a2 a3 s1 x1 l1
echo "note: $(dpkg-query -W -f '${Package} ${Version}\n' rclone 2>/dev/null)"

DATA=$T/home-$U/data
realfs_as $U mkdir -p "$DATA" "$T/home-$U/.config/rclone"
realfs_as $U sh -c "echo local-file >'$DATA/in-data.txt'"
obscured=$(rclone obscure "$PW")
cat >"$T/home-$U/.config/rclone/rclone.conf" <<CONF
[data]
type = alias
remote = $DATA

[server]
type = sftp
host = 127.0.0.1
port = $SSHD_PORT
user = $U
pass = $obscured
known_hosts_file = $T/home-$U/.ssh/known_hosts
CONF
mkdir -p "$T/home-$U/.ssh"
printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$SSHD_HOSTKEY" >"$T/home-$U/.ssh/known_hosts"
chown -R $U: "$T/home-$U/.config" "$T/home-$U/.ssh"
chmod 600 "$T/home-$U/.config/rclone/rclone.conf"

# ---------------------------------------------------------------- an alias of a local directory
realfs_timed ms realfs_as $U "$NET" use "$T/mnt/a1" //rclone/data
expect_eq "winfsp-net use //rclone/data" "$RC:$OUT" "0://rclone/data mounted at $T/mnt/a1"
echo "note: rclone mounted in $ms ms"
expect_eq "the mount is rclone's" "$(fsp_mount_fstype "$T/mnt/a1")" "fuse.rclone"
expect_eq "the remote's file is there" "$(realfs_as $U cat "$T/mnt/a1/in-data.txt")" "local-file"
realfs_write_read $U "$T/mnt/a1" "a file written through rclone reads back"
expect_ok "winfsp-net delete" realfs_as $U "$NET" delete //rclone/data
expect_eq "it is in the directory" "$(cat "$DATA/probe.txt" 2>&1 | grep -c winfsp)" 1
expect_ok "the cache is the user's" test -d "$T/home-$U/.cache/rclone"

expect_status "mount.winfsp -o ro,_netdev" 0 realfs_as $U "$MOUNT_WINFSP" //rclone/data "$T/mnt/a2" -o ro,_netdev
expect_fail "a write fails" realfs_as $U sh -c "echo x >'$T/mnt/a2/new.txt'"
expect_contains "with EROFS" "$OUT" "Read-only file system"
expect_not_contains "_netdev never reaches rclone" "$(realfs_argv_of rclone data:)" "_netdev"
expect_ok "delete" realfs_as $U "$NET" delete "$T/mnt/a2"
expect_status "an option the class does not accept (9)" 9 realfs_as $U "$NET" use -o vfs-cache-mode=full "$T/mnt/a3" //rclone/data
expect_contains "named" "$OUT" "vfs-cache-mode"

# ---------------------------------------------------------------- SFTP, with the configuration's password
expect_status "launchctl start rclone server" 0 realfs_as $U "$LAUNCHCTL" start rclone server //rclone/server "$T/mnt/s1"
expect_ok "mounted" fsp_is_mounted "$T/mnt/s1"
realfs_write_read $U "$T/mnt/s1" "a file written through rclone's SFTP mount reads back"
expect_ok "launchctl stop" realfs_as $U "$LAUNCHCTL" stop rclone server
expect_eq "it is on the server" "$(grep -c winfsp "$T/sftp/$U/probe.txt" 2>&1)" 1

# ---------------------------------------------------------------- a remote that is not configured
expect_status "//rclone/nosuch: a failed start (11)" 11 realfs_as $U "$NET" use "$T/mnt/x1" //rclone/nosuch
expect_contains "with rclone's words" "$OUT" "nosuch"
expect_fail "nothing mounted" fsp_is_mounted "$T/mnt/x1"
expect_ok "no rclone left" realfs_no_process_of rclone nosuch:
fsp_done
