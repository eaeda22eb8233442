#!/bin/bash
# sshfs through the shipped classes sshfs (a password) and sshfs.k (a key),
# against an OpenSSH server of the test's own on 127.0.0.1, as a user with a
# password, a home (~/.ssh) and a real Secret Service: launchctl
# startWithSecret, mount.winfsp -o password_stdin, winfsp-net use with the
# question on a terminal and with the keyring. The right password mounts
# and files go to the server; a wrong one fails within seconds, says the
# password was refused, leaves no mount and no process, and nothing is
# remembered; a server that cannot be reached is a failed start, not a
# refused password. Mount options: -o port= reaches sshfs, ro is applied,
# _netdev and nofail never reach it, an option the class does not accept is
# refused.
# shellcheck source=lib.sh
. "$FSP_SOURCE_DIR/tests/realfs/lib.sh"

realfs_init sshfs sshfs
fsp_bus_start
ms=0 # realfs_timed sets it
U=fsprsshfs
PW="Ssh-pw-$$-r7"
BAD="Bad-ssh-pw-$$-q2"
realfs_user $U "$PW"
net_keyring_start $U
realfs_classes sshfs sshfs.k
fsp_launcher_start
realfs_sshd_start $U
realfs_ssh_alias $U fsptest
realfs_mkdirs $U l1 l2 m1 m2 t1 t2 w1 o1 o2 o3 x1 k1 k2
REMOTE=//sshfs/$U@127.0.0.1
SERVER=$T/sftp/$U
echo "note: sshd on 127.0.0.1:$SSHD_PORT; $(dpkg-query -W -f '${Package} ${Version}\n' sshfs openssh-server 2>/dev/null | tr '\n' ' ')"

stored() { net_secrets $U remote "$1"; }
no_sshfs_for() { realfs_no_process_of sshfs "$1"; }

# ---------------------------------------------------------------- launchctl startWithSecret
lstart() { printf '%s' "$1" | realfs_as $U "$LAUNCHCTL" startWithSecret sshfs "$U@fsptest" "//sshfs/$U@fsptest" "$2"; }
realfs_timed ms lstart "$PW" "$T/mnt/l1"
expect_eq "launchctl startWithSecret, the right password (a Host alias of ~/.ssh/config)" "$RC:$OUT" "0:"
echo "note: sshfs mounted through launchctl in $ms ms"
expect_ok "mounted" fsp_is_mounted "$T/mnt/l1"
expect_eq "the mount is sshfs" "$(fsp_mount_fstype "$T/mnt/l1")" "fuse.sshfs"
realfs_write_read $U "$T/mnt/l1" "a file written through sshfs reads back"
expect_ok "it is on the server" test -f "$SERVER/probe.txt"
expect_eq "sshfs runs as the user" "$(fsp_info_field sshfs "$U@fsptest" RunAs)" "$(id -u $U)"
expect_ok "launchctl stop" realfs_as $U "$LAUNCHCTL" stop sshfs "$U@fsptest"
expect_fail "unmounted" fsp_is_mounted "$T/mnt/l1"

realfs_timed ms lstart "$BAD" "$T/mnt/l2"
expect_eq "launchctl startWithSecret, a wrong password: StartFailed" "$RC" 11
expect_contains "the message has ssh's words" "$OUT" "Permission denied"
expect_ok "within a few seconds ($ms ms)" test "$ms" -lt 10000
expect_fail "nothing mounted" fsp_is_mounted "$T/mnt/l2"
expect_ok "no sshfs left" no_sshfs_for "$U@fsptest:"
expect_eq "no instance left" "$(realfs_as $U "$LAUNCHCTL" list | grep -c sshfs)" 0

# ---------------------------------------------------------------- mount.winfsp -o password_stdin
mstart() { printf '%s\n' "$1" | realfs_as $U "$MOUNT_WINFSP" "$REMOTE" "$2" -o "$3"; }
expect_status "mount.winfsp -o password_stdin,port=N,_netdev,nofail" 0 \
        mstart "$PW" "$T/mnt/m1" "password_stdin,port=$SSHD_PORT,_netdev,nofail,noatime"
expect_ok "mounted" fsp_is_mounted "$T/mnt/m1"
argv=$(realfs_argv_of sshfs "$U@127.0.0.1:")
expect_contains "port= reached sshfs" "$argv" "port=$SSHD_PORT"
expect_not_contains "_netdev did not" "$argv" "_netdev"
expect_not_contains "nofail did not" "$argv" "nofail"
expect_not_contains "noatime is the launcher's, not sshfs's" "$argv" "noatime"
expect_contains "noatime is on the mount" "$(grep -F " $T/mnt/m1 " /proc/self/mountinfo)" "noatime"
realfs_write_read $U "$T/mnt/m1" "I/O through mount.winfsp's mount"
expect_ok "umount as the user ends it" realfs_as $U fusermount3 -u "$T/mnt/m1"
expect_ok "the instance ends after umount" fsp_wait_until 10 no_sshfs_for "$U@127.0.0.1:"

realfs_timed ms mstart "$BAD" "$T/mnt/m2" "password_stdin,port=$SSHD_PORT"
expect_eq "mount.winfsp, a wrong password: mount(8)'s 32" "$RC" 32
expect_contains "the message says the password was refused" "$OUT" "the password was refused"
expect_ok "within a few seconds ($ms ms)" test "$ms" -lt 10000
expect_fail "nothing mounted" fsp_is_mounted "$T/mnt/m2"
expect_ok "no sshfs left" no_sshfs_for "$U@127.0.0.1:"

# ---------------------------------------------------------------- winfsp-net use: the terminal, the keyring
drive() { # drive STEPS... -- ARGS of winfsp-net use, as the user on a terminal
        net_drive_use $U "$@"
}
expect_status "a wrong password on the terminal, then the right one, remembered" 0 drive \
        "expect=Password for $REMOTE: " "send=$BAD\n" \
        "expect=the password was refused" "expect=try again" \
        "expect=Password for $REMOTE: " "send=$PW\n" \
        "expect=Remember the password for $REMOTE? [n]ever, [s]ession, [f]orever [never]: " \
        "noecho=$PW" "send=f\n" eof status=0 -- -o port=$SSHD_PORT "$T/mnt/t1" "$REMOTE"
expect_contains "the transcript shows the mount" "$OUT" "$REMOTE mounted at $T/mnt/t1"
expect_contains "ssh's words are in the refusal" "$OUT" "Permission denied"
expect_ok "mounted" fsp_is_mounted "$T/mnt/t1"
expect_contains "remembered" "$(stored "$REMOTE")" "label = winfsp password for $REMOTE"
expect_status "winfsp-net delete" 0 realfs_as $U "$NET" delete "$T/mnt/t1"
expect_eq "a stop reads as a stop" "$OUT" "$REMOTE stopped"
expect_status "again, no password given: the keyring has it" 0 \
        realfs_as $U "$NET" use -o port=$SSHD_PORT "$T/mnt/t2" "$REMOTE" </dev/null
expect_ok "mounted from the keyring" fsp_is_mounted "$T/mnt/t2"
expect_ok "delete" realfs_as $U "$NET" delete "$REMOTE"

WRONG_REMOTE=//sshfs/$U@localhost
realfs_timed ms realfs_as $U sh -c "printf '%s\n' '$BAD' | '$NET' use --password-stdin --remember=forever -o port=$SSHD_PORT '$T/mnt/w1' '$WRONG_REMOTE'"
expect_eq "winfsp-net use, a wrong password, --remember=forever: refused (7)" "$RC" 7
expect_contains "the message" "$OUT" "winfsp-net: use $WRONG_REMOTE: the password was refused"
expect_ok "within a few seconds ($ms ms)" test "$ms" -lt 10000
expect_fail "nothing mounted" fsp_is_mounted "$T/mnt/w1"
expect_ok "no sshfs left" no_sshfs_for "$U@localhost:"
expect_eq "nothing remembered" "$(stored "$WRONG_REMOTE")" ""

# A server that is not there: no verdict on the password, nothing remembered.
CLOSED=$(realfs_free_port)
realfs_timed ms realfs_as $U sh -c "printf '%s\n' '$PW' | '$NET' use --password-stdin --remember=forever -o port=$CLOSED '$T/mnt/x1' //sshfs/$U@127.0.0.2"
expect_eq "no server: a failed start (11), not a refused password" "$RC" 11
expect_contains "the message has ssh's words" "$OUT" "Connection refused"
expect_not_contains "not called a refused password" "$OUT" "password was refused"
expect_eq "nothing remembered" "$(stored //sshfs/$U@127.0.0.2)" ""

# ---------------------------------------------------------------- mount options
expect_status "-o ro" 0 realfs_as $U "$NET" use -o ro,port=$SSHD_PORT "$T/mnt/o1" "$REMOTE" </dev/null
expect_ok "mounted read-only" fsp_is_mounted "$T/mnt/o1"
expect_fail "a write fails" realfs_as $U sh -c "echo x >'$T/mnt/o1/ro.txt'"
expect_contains "with EROFS" "$OUT" "Read-only file system"
expect_ok "it can be read" realfs_as $U cat "$T/mnt/o1/probe.txt"
expect_ok "delete" realfs_as $U "$NET" delete "$T/mnt/o1"
expect_status "an option the class does not accept is refused (9)" 9 \
        realfs_as $U "$NET" use -o port=$SSHD_PORT,ssh_command=/bin/false "$T/mnt/o2" "$REMOTE" </dev/null
expect_contains "the message names it" "$OUT" "ssh_command"
expect_fail "nothing mounted" fsp_is_mounted "$T/mnt/o2"
expect_status "a FUSE option from the caller is refused (9)" 9 \
        realfs_as $U "$NET" use -o port=$SSHD_PORT,allow_other "$T/mnt/o3" "$REMOTE" </dev/null
expect_contains "the message names it" "$OUT" "allow_other"

# ---------------------------------------------------------------- sshfs.k: a key
realfs_as $U ssh-keygen -q -t ed25519 -N '' -f "$T/home-$U/.ssh/id_ed25519"
cp "$T/home-$U/.ssh/id_ed25519.pub" "$T/sshd/authorized/$U"
expect_status "sshfs.k with the user's key" 0 realfs_as $U "$NET" use "$T/mnt/k1" "//sshfs.k/$U@fsptest" </dev/null
expect_ok "mounted" fsp_is_mounted "$T/mnt/k1"
realfs_write_read $U "$T/mnt/k1" "I/O through the key-based mount"
expect_ok "delete" realfs_as $U "$NET" delete "$T/mnt/k1"
realfs_as $U ssh-keygen -q -t ed25519 -N '' -f "$T/home-$U/other_key"
realfs_timed ms realfs_as $U "$NET" use -o IdentityFile="$T/home-$U/other_key" "$T/mnt/k2" "//sshfs.k/$U@fsptest" </dev/null
expect_eq "a key the server does not know: a failed start, at once ($ms ms)" "$RC" 11
expect_contains "ssh's words" "$OUT" "Permission denied"
expect_fail "nothing mounted" fsp_is_mounted "$T/mnt/k2"

expect_secret_nowhere "the password is nowhere" "$PW"
expect_secret_nowhere "the wrong password is nowhere" "$BAD"
fsp_done
