#!/bin/bash
# Encrypted directories through the shipped classes gocryptfs (the password
# from the file %S names, -passfile) and encfs (a line on standard input,
# --stdinpass): vaults made by the test as a user, unlocked through
# winfsp-net, mount.winfsp and launchctl with the right password (a file
# written through the mount reads back, and is stored encrypted), refused
# with a wrong one (exit status 7, "the password was refused", no mount, no
# process, nothing in the keyring); a path that is no vault is a failed
# start for gocryptfs, not a refused password, and a new volume for encfs
# (--standard), keyed with the whole password.
# shellcheck source=lib.sh
. "$FSP_SOURCE_DIR/tests/realfs/lib.sh"

realfs_init gocryptfs gocryptfs encfs encfs
fsp_bus_start
ms=0 # realfs_timed sets it
U=fsprcrypt
PW="Vault-pw-$$-c3"
BAD="Not-the-pw-$$-d8"
realfs_user $U
net_keyring_start $U
realfs_classes gocryptfs encfs
fsp_launcher_start
realfs_mkdirs $U g1 g2 g3 g4 e1 e2 e3
V=$T/home-$U/vaults
realfs_as $U mkdir -p "$V/gocryptfs" "$V/encfs" "$V/plain-e" "$V/empty"
echo "note: $(dpkg-query -W -f '${Package} ${Version}\n' gocryptfs encfs 2>/dev/null | tr '\n' ' ')"

printf '%s\n' "$PW" >"$T/pw"
chown $U: "$T/pw"
chmod 600 "$T/pw"
expect_ok "gocryptfs -init makes a vault" realfs_as $U gocryptfs -init -q -passfile "$T/pw" "$V/gocryptfs"
expect_ok "encfs --stdinpass makes a vault" realfs_as $U sh -c \
        "encfs --standard --stdinpass '$V/encfs' '$V/plain-e' <'$T/pw' >/dev/null && fusermount3 -u '$V/plain-e'"
rm -f "$T/pw"

stored() { net_secrets $U remote "$1"; }
use_stdin() { # use_stdin PASSWORD ARGS...: winfsp-net use --password-stdin as the user
        local pw=$1
        shift
        printf '%s\n' "$pw" | realfs_as $U "$NET" use --password-stdin "$@"
}
mount_stdin() { # mount_stdin REMOTE DIR: mount.winfsp -o password_stdin,ro as the user
        printf '%s\n' "$PW" | realfs_as $U "$MOUNT_WINFSP" "$1" "$2" -o password_stdin,ro
}
launchctl_stdin() { # launchctl_stdin CLASS INSTANCE ARGS...: startWithSecret as the user
        printf '%s' "$PW" | realfs_as $U "$LAUNCHCTL" startWithSecret "$@"
}
# in_cipher_dir DIR TEXT: TEXT shows in a name or a file under DIR
in_cipher_dir() {
        find "$1" -name "*$2*" | grep -q . || grep -rqF -- "$2" "$1"
}

for fs in gocryptfs encfs; do
        n=${fs:0:1}
        REMOTE=//$fs$V/$fs
        INSTANCE=${V#/}/$fs
        realfs_timed ms use_stdin "$PW" --remember=forever "$T/mnt/${n}1" "$REMOTE"
        expect_eq "$fs: the right password mounts (--remember=forever)" "$RC:$OUT" "0:$REMOTE mounted at $T/mnt/${n}1"
        echo "note: $fs mounted in $ms ms"
        expect_eq "$fs: the mount" "$(fsp_mount_fstype "$T/mnt/${n}1")" "fuse.$fs"
        secret="plain-text-$RANDOM$RANDOM"
        expect_ok "$fs: a file written through it" realfs_as $U sh -c "echo $secret >'$T/mnt/${n}1/$secret.txt'"
        expect_eq "$fs: reads back" "$(realfs_as $U cat "$T/mnt/${n}1/$secret.txt")" "$secret"
        expect_fail "$fs: neither its name nor its content is in the cipher directory" in_cipher_dir "$V/$fs" "$secret"
        expect_contains "$fs: remembered after it mounted" "$(stored "$REMOTE")" "label = winfsp password for $REMOTE"
        expect_status "$fs: delete" 0 realfs_as $U "$NET" delete "$T/mnt/${n}1"
        expect_eq "$fs: a stop reads as a stop" "$OUT" "$REMOTE stopped"
        expect_fail "$fs: unmounted" fsp_is_mounted "$T/mnt/${n}1"
        expect_ok "$fs: the file is still there once unlocked again (the keyring's password)" \
                realfs_as $U "$NET" use "$T/mnt/${n}1" "$REMOTE" </dev/null
        expect_eq "$fs: the file" "$(realfs_as $U cat "$T/mnt/${n}1/$secret.txt")" "$secret"
        expect_ok "$fs: delete" realfs_as $U "$NET" delete "$T/mnt/${n}1"

        realfs_as $U "$NET" forget "$REMOTE" >/dev/null
        realfs_timed ms use_stdin "$BAD" --remember=forever "$T/mnt/${n}2" "$REMOTE"
        expect_eq "$fs: a wrong password is refused (7)" "$RC" 7
        expect_contains "$fs: the message" "$OUT" "winfsp-net: use $REMOTE: the password was refused"
        expect_ok "$fs: within a few seconds ($ms ms)" test "$ms" -lt 10000
        expect_fail "$fs: nothing mounted" fsp_is_mounted "$T/mnt/${n}2"
        expect_ok "$fs: no process left" realfs_no_process_of "$fs" "$V/$fs"
        expect_eq "$fs: nothing remembered" "$(stored "$REMOTE")" ""
        expect_eq "$fs: no instance left" "$(realfs_as $U "$NET" list | grep -c "$REMOTE")" 0

        if [ $fs = gocryptfs ]; then
                # Not a vault: a failed start, no verdict on the password, nothing made.
                realfs_timed ms use_stdin "$PW" --remember=forever "$T/mnt/${n}3" "//$fs$V/empty"
                expect_eq "$fs: a directory that is no vault: a failed start (11)" "$RC" 11
                expect_not_contains "$fs: not called a refused password" "$OUT" "password was refused"
                expect_eq "$fs: the directory is left empty" "$(ls -A "$V/empty")" ""
                expect_eq "$fs: nothing remembered" "$(stored "//$fs$V/empty")" ""
        else
                # encfs makes a volume of an empty directory (--standard): keyed
                # with the whole password, not with what its questions left of it.
                realfs_as $U mkdir "$V/new-e"
                expect_status "$fs: an empty directory becomes a volume" 0 \
                        use_stdin "$PW" "$T/mnt/${n}3" "//$fs$V/new-e"
                expect_ok "$fs: its configuration is there" test -s "$V/new-e/.encfs6.xml"
                expect_ok "$fs: delete" realfs_as $U "$NET" delete "$T/mnt/${n}3"
                expect_status "$fs: the new volume opens with the whole password" 0 \
                        use_stdin "$PW" "$T/mnt/${n}3" "//$fs$V/new-e"
                expect_ok "$fs: delete" realfs_as $U "$NET" delete "$T/mnt/${n}3"
                expect_status "$fs: and not with its last characters" 7 \
                        use_stdin "${PW:9}" "$T/mnt/${n}3" "//$fs$V/new-e"
        fi

        # mount.winfsp and launchctl, -o ro.
        expect_status "$fs: mount.winfsp -o password_stdin,ro" 0 mount_stdin "$REMOTE" "$T/mnt/g4"
        expect_ok "$fs: mounted" fsp_is_mounted "$T/mnt/g4"
        expect_eq "$fs: the file, read-only" "$(realfs_as $U cat "$T/mnt/g4/$secret.txt")" "$secret"
        expect_fail "$fs: a write fails" realfs_as $U sh -c "echo x >'$T/mnt/g4/new'"
        expect_contains "$fs: with EROFS" "$OUT" "Read-only file system"
        expect_ok "$fs: delete" realfs_as $U "$NET" delete "$T/mnt/g4"
        expect_status "$fs: launchctl startWithSecret" 0 launchctl_stdin $fs "$INSTANCE" "$REMOTE" "$T/mnt/e3"
        expect_eq "$fs: the file through launchctl's instance" "$(realfs_as $U cat "$T/mnt/e3/$secret.txt")" "$secret"
        expect_ok "$fs: launchctl stop" realfs_as $U "$LAUNCHCTL" stop $fs "$INSTANCE"
done

expect_secret_nowhere "the password is nowhere" "$PW"
fsp_done
