#!/bin/bash
# The per-user launcher: in a user's systemd instance, the session bus
# activates winfsp-launcher.service (per user) for launchctl --user, and it
# mounts a memfs the user owns through the set-user-ID fusermount3.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_launcher
need $MEMFS "memfs (memfs/)"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"

fuse_for_users
user=winfsp-user
id -u $user >/dev/null 2>&1 || useradd --create-home --shell /bin/bash $user
uid=$(id -u $user)
check "systemctl start user@$uid.service (the user's systemd)" systemctl start user@$uid.service
check "the user's session bus is there" wait_until 10 test -S /run/user/$uid/bus

as_user() {
        setpriv --reuid=$uid --regid="$(id -g $user)" --init-groups \
                env HOME=/home/$user USER=$user XDG_RUNTIME_DIR=/run/user/$uid \
                DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$uid/bus "$@"
}

check_eq "the user's winfsp-launcher.service is not running yet" \
        "$(as_user systemctl --user is-active winfsp-launcher.service)" inactive
check "launchctl --user list succeeds (session-bus activation)" as_user timeout 15 $LAUNCHCTL --user list
check_eq "it started the user's winfsp-launcher.service" \
        "$(as_user systemctl --user is-active winfsp-launcher.service)" active
pid=$(as_user systemctl --user show -P MainPID winfsp-launcher.service)
check_eq "the per-user launcher runs as the user" "$(stat -c %u /proc/"${pid:-0}")" "$uid"
check_contains "it runs with --user" "$(tr '\0' ' ' </proc/"${pid:-0}"/cmdline)" "--user"

as_user mkdir -p /home/$user/mnt
check "launchctl --user start memfs mine (the user's own mount point)" \
        as_user timeout 15 $LAUNCHCTL --user start memfs mine //memfs/mine /home/$user/mnt
check "/home/$user/mnt is mounted" is_mounted /home/$user/mnt
data="written by $user"
if is_mounted /home/$user/mnt; then
        as_user sh -c "printf '%s\n' '$data' >/home/$user/mnt/f"
        check_eq "the user writes and reads through it" "$(as_user cat /home/$user/mnt/f 2>&1)" "$data"
else
        fail "the user writes and reads through it: nothing is mounted there"
fi
memfs=$(memfs_pid_for /home/$user/mnt)
check_eq "memfs runs as the user" "$(stat -c %u /proc/"${memfs:-0}" 2>/dev/null)" "$uid"
check "launchctl --user stop memfs mine" as_user timeout 15 $LAUNCHCTL --user stop memfs mine
check "unmounted" not_mounted /home/$user/mnt
[ $failures = 0 ] || { journalctl -b --no-pager -o short-monotonic _UID=$uid | tail -30; }
finish
