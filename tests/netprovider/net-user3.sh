#!/bin/bash
# Credentials=3 (a user name and a password) with memfs --secret-user, the
# way conf.d/memfs-user.conf uses it: the user name from --user, -o user=,
# NAME@INSTANCE and $CREDENTIALS_DIRECTORY/winfsp.user; %3 is the user name;
# the keyring keeps one password per remote and user.
# shellcheck source=netlib.sh
. "$FSP_SOURCE_DIR/tests/netprovider/netlib.sh"

net_init
if ! "$MEMFS" --help 2>&1 | grep -q -- '--secret-user'; then
        echo "FATAL: $MEMFS has no --secret-user option (needed by conf.d/memfs-user.conf)"
        exit 1
fi
fsp_bus_start
U=fspnet1
fsp_user $U >/dev/null
net_keyring_start $U

PWA="Alice-pw-$$-a1"
PWB="Bob-pw-$$-b2"
{
        echo "alice:$(net_hash "$PWA")"
        echo "bob:$(net_hash "$PWB")"
} >"$T/users.passwd"
chmod 600 "$T/users.passwd"
# The shipped class's command line, with the test's password file.
cmdline=$(sed -n 's/^CommandLine=//p' "$FSP_BUILD_DIR/conf.d/memfs-user.conf" |
        sed "s|/etc/winfsp/memfs-user.passwd|$T/users.passwd|")
fsp_class u3 <<EOF
[Service]
Executable=$MEMFS
CommandLine=$cmdline
MountPoint=%2
Security=D:P(A;;RPWPLC;;;WD)
Credentials=3
EOF
fsp_launcher_start
for i in 1 2 3 4 5 6 7 8; do
        mkdir -p "$T/mnt/u$i"
        chown $U: "$T/mnt/u$i"
done

use_stdin() { # use_stdin PASSWORD ARGS...
        local pw=$1
        shift
        printf '%s\n' "$pw" | net_as $U "$NET" use --password-stdin "$@"
}
argv_of() { # argv_of INSTANCE: the instance's argv, one per line
        busctl --system --json=short call org.winfsp.Launcher1 /org/winfsp/Launcher1 org.winfsp.Launcher1 \
                GetInfo ss u3 "$1" | python3 -c '
import json, sys
print("\n".join(json.load(sys.stdin)["data"][0]["Argv"]["data"]))'
}

expect_ok "alice with her password" use_stdin "$PWA" --username alice "$T/mnt/u1" //u3/u1
expect_status "--user, the old spelling, still works" 0 use_stdin "$PWA" --user alice "$T/mnt/u7" //u3/u7
expect_contains "--user: a deprecation note" "$OUT" "--user NAME is deprecated: use --username NAME"
expect_ok "alice's memfs is mounted" fsp_is_mounted "$T/mnt/u1"
expect_eq "%3 is the user name" "$(argv_of u1 | grep -A1 -x -- --secret-user | tail -1)" "alice"
expect_status "a user memfs does not know" 7 use_stdin "$PWA" --user carol "$T/mnt/u2" //u3/u2
expect_status "alice with bob's password" 7 use_stdin "$PWB" --user alice "$T/mnt/u2" //u3/u2
expect_fail "nothing mounted for a refused login" fsp_is_mounted "$T/mnt/u2"
expect_status "no user name at all, and no one to ask" 13 use_stdin "$PWA" "$T/mnt/u2" //u3/u2
expect_contains "no user name: the message" "$OUT" "needs a user name: give --username"

expect_ok "bob from NAME@INSTANCE" use_stdin "$PWB" "$T/mnt/u3" //u3/bob@u3
expect_eq "%3 from NAME@INSTANCE" "$(argv_of bob@u3 | grep -A1 -x -- --secret-user | tail -1)" "bob"

mkdir -p "$T/creds"
printf 'bob\n' >"$T/creds/winfsp.user"
printf '%s\n' "$PWB" >"$T/creds/winfsp.password"
chown -R $U: "$T/creds"
chmod 700 "$T/creds"
expect_ok "user and password from \$CREDENTIALS_DIRECTORY" \
        net_as $U env CREDENTIALS_DIRECTORY="$T/creds" "$NET" use "$T/mnt/u4" //u3/u4 </dev/null
expect_eq "%3 from winfsp.user" "$(argv_of u4 | grep -A1 -x -- --secret-user | tail -1)" "bob"

expect_ok "alice, remembered" use_stdin "$PWA" --user alice --remember=forever "$T/mnt/u5" //u3/u5
expect_contains "stored with the user name" "$(net_secrets $U remote //u3/u5)" "attribute.user = alice"
expect_ok "delete u5" net_as $U "$NET" delete //u3/u5
expect_ok "alice again: the keyring answers" net_as $U "$NET" use --user alice "$T/mnt/u5" //u3/u5 </dev/null
expect_ok "delete u5 again" net_as $U "$NET" delete //u3/u5
expect_status "bob has nothing remembered there" 13 net_as $U "$NET" use --user bob "$T/mnt/u5" //u3/u5 </dev/null

expect_status "mount.winfsp -o user=,password_stdin" 0 sh -c \
        "printf '%s\n' '$PWB' | '$MOUNT_WINFSP' //u3/u6 '$T/mnt/u6' -o user=bob,password_stdin"
expect_eq "%3 from -o user=" "$(argv_of u6 | grep -A1 -x -- --secret-user | tail -1)" "bob"

expect_secret_nowhere "alice's password is nowhere" "$PWA"
expect_secret_nowhere "bob's password is nowhere" "$PWB"
fsp_done
