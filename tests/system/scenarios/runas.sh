#!/bin/bash
# The system launcher's sandboxing leaves its instances able to mount as
# users: a RunAs=. class started by a user runs memfs as that user, which
# mounts through the set-user-ID fusermount3 (no NoNewPrivileges=, no mount
# namespace: the mount is seen outside the launcher).
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_launcher
need $MEMFS "memfs (memfs/)"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"

fuse_for_users
user=winfsp-runas
id -u $user >/dev/null 2>&1 || useradd --create-home --shell /bin/bash $user
uid=$(id -u $user)
mkdir -p /etc/winfsp/conf.d
cat >/etc/winfsp/conf.d/memfs-runas.conf <<'CLASS'
[Service]
Description=memfs run as the calling user (test)
Executable=/usr/bin/winfsp-memfs
CommandLine=-u %1 -m %2
MountPoint=%2
RunAs=.
Security=D:P(A;;RPWPLC;;;WD)
CLASS
check "the launcher is started" systemctl start winfsp-launcher.service
check_eq "the launcher itself may gain privileges (no NoNewPrivileges=)" \
        "$(sed -n 's/^NoNewPrivs:\t//p' /proc/"$(unit_prop winfsp-launcher.service MainPID)"/status)" 0

as_user() {
        setpriv --reuid=$uid --regid="$(id -g $user)" --init-groups env HOME=/home/$user "$@"
}
as_user mkdir -p /home/$user/mnt
check "$user: launchctl start memfs-runas mine (system bus)" \
        as_user timeout 15 $LAUNCHCTL start memfs-runas mine //memfs-runas/mine /home/$user/mnt
check "/home/$user/mnt is mounted, and seen outside the launcher" is_mounted /home/$user/mnt
memfs=$(memfs_pid_for /home/$user/mnt)
check_eq "memfs runs as $user" "$(stat -c %u /proc/"${memfs:-0}" 2>/dev/null)" "$uid"
check_eq "memfs is in the host's mount namespace" "$(readlink /proc/"${memfs:-0}"/ns/mnt)" "$(readlink /proc/self/ns/mnt)"
data="written by $user"
if is_mounted /home/$user/mnt; then
        as_user sh -c "printf '%s\n' '$data' >/home/$user/mnt/f"
        check_eq "$user writes and reads through it" "$(as_user cat /home/$user/mnt/f 2>&1)" "$data"
else
        fail "$user writes and reads through it: nothing is mounted there"
fi
check "$user: launchctl stop memfs-runas mine" as_user timeout 15 $LAUNCHCTL stop memfs-runas mine
check "unmounted" not_mounted /home/$user/mnt
[ $failures = 0 ] || dump_unit winfsp-launcher.service
finish
