#!/bin/bash
# Credentials=1 with memfs --secret-hash, as an unprivileged user with a real
# Secret Service (gnome-keyring on a private session bus): right and wrong
# passwords, --remember=forever and session, forget, a remembered password
# that has since changed, $CREDENTIALS_DIRECTORY, umount ending the instance.
# All along, the password must not show in any argv or environment, in the
# launcher's log, or in any message on the (private) system bus.
# shellcheck source=netlib.sh
. "$FSP_SOURCE_DIR/tests/netprovider/netlib.sh"

net_init
fsp_bus_start
U=fspnet1
fsp_user $U >/dev/null
net_keyring_start $U

PW="Right-pw-$$-x7"
PW2="Changed-pw-$$-q4"
BAD="Wrong-pw-$$-z9"
net_hash "$PW" >"$T/sec.hash"
chmod 600 "$T/sec.hash"
net_memfs_class sec 1 --secret-hash "$T/sec.hash"
net_memfs_class nohash 1 --secret-hash "$T/missing.hash"
# The shipped classes load, with the credential kinds they promise.
cp "$FSP_BUILD_DIR/conf.d/memfs-secure.conf" "$FSP_BUILD_DIR/conf.d/memfs-user.conf" "$T/conf.d/"
fsp_launcher_start
net_monitor_start

for i in 1 2 3 4 5 6 7 8 9; do
        mkdir -p "$T/mnt/s$i"
        chown $U: "$T/mnt/s$i"
done

classes=$(busctl --system --json=short call org.winfsp.Launcher1 /org/winfsp/Launcher1 \
        org.winfsp.Launcher1 ListClasses | python3 -c '
import json, sys
for name, d in json.load(sys.stdin)["data"][0]:
    print(name, d["Credentials"]["data"])')
expect_contains "conf.d/memfs-secure.conf loads with Credentials=1" "$classes" "memfs-secure 1"
expect_contains "conf.d/memfs-user.conf loads with Credentials=3" "$classes" "memfs-user 3"

use_stdin() { # use_stdin PASSWORD ARGS...: winfsp-net use --password-stdin as the user
        local pw=$1
        shift
        printf '%s\n' "$pw" | net_as $U "$NET" use --password-stdin "$@"
}
stored() { # stored REMOTE: the keyring items for REMOTE, as the user sees them
        net_secrets $U remote "$1"
}

# ---------------------------------------------------------------- right, wrong
expect_ok "the right password mounts" use_stdin "$PW" "$T/mnt/s1" //sec/s1
expect_ok "memfs is mounted" fsp_is_mounted "$T/mnt/s1"
expect_eq "nothing remembered without --remember" "$(stored //sec/s1)" ""
expect_secret_nowhere "the password is nowhere while mounted" "$PW"

expect_status "a wrong password is refused" 7 use_stdin "$BAD" --remember=forever "$T/mnt/s2" //sec/s2
expect_contains "a wrong password: the message" "$OUT" "winfsp-net: use //sec/s2: the password was refused"
expect_fail "a wrong password mounts nothing" fsp_is_mounted "$T/mnt/s2"
expect_eq "a wrong password leaves no instance" "$(net_list_remotes | grep -c //sec/s2)" "0"
expect_eq "a wrong password is not remembered" "$(stored //sec/s2)" ""

expect_status "no password and no terminal" 13 net_as $U "$NET" use "$T/mnt/s2" //sec/s2 </dev/null
expect_contains "no password and no terminal: the message" "$OUT" "needs a password and there is no terminal"

# ---------------------------------------------------------------- remember
expect_ok "--remember=forever" use_stdin "$PW" --remember=forever "$T/mnt/s3" //sec/s3
OUT=$(stored //sec/s3)
expect_contains "remembered: secret-tool finds it" "$OUT" "label = winfsp password for //sec/s3"
expect_contains "remembered: with its class" "$OUT" "attribute.class = sec"
expect_ok "forever: in the default collection" net_in_collection $U default //sec/s3
expect_fail "forever: not in the session collection" net_in_collection $U session //sec/s3
expect_ok "delete it" net_as $U "$NET" delete "$T/mnt/s3"
expect_ok "mounted again with no password given: the keyring has it" \
        net_as $U "$NET" use "$T/mnt/s3" //sec/s3 </dev/null
expect_ok "mounted again" fsp_is_mounted "$T/mnt/s3"

expect_ok "--remember=session" use_stdin "$PW" --remember=session "$T/mnt/s4" //sec/s4
expect_ok "session: in the session collection" net_in_collection $U session //sec/s4
expect_fail "session: not in the default collection" net_in_collection $U default //sec/s4
expect_ok "delete the session one" net_as $U "$NET" delete //sec/s4
expect_ok "the session password mounts again" net_as $U "$NET" use "$T/mnt/s4" //sec/s4 </dev/null

OUT=$(net_as $U "$NET" forget //sec/s3)
expect_eq "forget" "$OUT" "forgot 1 remembered password for //sec/s3"
expect_eq "forgotten: secret-tool finds nothing" "$(stored //sec/s3)" ""
expect_eq "forget again" "$(net_as $U "$NET" forget //sec/s3)" "no remembered password for //sec/s3"
expect_ok "delete s3" net_as $U "$NET" delete //sec/s3
expect_status "forgotten: a mount with no password fails again" 13 net_as $U "$NET" use "$T/mnt/s3" //sec/s3 </dev/null
expect_status "forget with a bad name" 9 net_as $U "$NET" forget //sec/../x

# ---------------------------------------------------------------- a changed password
expect_ok "remember the old password" use_stdin "$PW" --remember=forever "$T/mnt/s6" //sec/s6
expect_ok "delete s6" net_as $U "$NET" delete //sec/s6
net_hash "$PW2" >"$T/sec.hash"
expect_status "the changed password: refused, and nothing else to ask" 13 \
        net_as $U "$NET" use "$T/mnt/s6" //sec/s6 </dev/null
expect_contains "the remembered password is reported as refused" "$OUT" \
        "the remembered password for //sec/s6 was refused"
expect_contains "and the user is told why nothing else was tried" "$OUT" "no terminal"
expect_status "asked again (stdin), the new password works" 0 use_stdin "$PW2" "$T/mnt/s6" //sec/s6
expect_contains "the refusal was reported before asking again" "$OUT" \
        "the remembered password for //sec/s6 was refused"
expect_ok "mounted with the new password" fsp_is_mounted "$T/mnt/s6"
expect_eq "the stored password was replaced" "$(net_as $U secret-tool lookup remote //sec/s6)" "$PW2"
expect_eq "one entry only" "$(stored //sec/s6 | grep -c '^label')" "1"
expect_ok "delete s6 again" net_as $U "$NET" delete //sec/s6
expect_ok "the replaced password mounts with no question" net_as $U "$NET" use "$T/mnt/s6" //sec/s6 </dev/null

# ---------------------------------------------------------------- $CREDENTIALS_DIRECTORY
mkdir -p "$T/creds" "$T/badcreds"
printf '%s\n' "$PW2" >"$T/creds/winfsp.password"
printf '%s' "$BAD" >"$T/badcreds/winfsp.password"
chown -R $U: "$T/creds" "$T/badcreds"
chmod 700 "$T/creds" "$T/badcreds"
expect_ok "the password from \$CREDENTIALS_DIRECTORY" \
        net_as $U env CREDENTIALS_DIRECTORY="$T/creds" "$NET" use "$T/mnt/s7" //sec/s7 </dev/null
expect_ok "mounted from \$CREDENTIALS_DIRECTORY" fsp_is_mounted "$T/mnt/s7"
expect_status "a wrong password in \$CREDENTIALS_DIRECTORY" 7 \
        net_as $U env CREDENTIALS_DIRECTORY="$T/badcreds" "$NET" use "$T/mnt/s8" //sec/s8 </dev/null
expect_contains "a wrong password in \$CREDENTIALS_DIRECTORY: the message" "$OUT" \
        "the password in \$CREDENTIALS_DIRECTORY/winfsp.password was refused"
expect_fail "nothing mounted from a wrong credential" fsp_is_mounted "$T/mnt/s8"

# ---------------------------------------------------------------- a server that cannot check
# memfs without its hash file gives no verdict on the password: a failed
# start (11), not a refusal (7); no second try, nothing remembered.
expect_status "a file system that cannot check the password" 11 \
        use_stdin "$PW" --remember=forever "$T/mnt/s9" //nohash/n
expect_contains "it says why" "$OUT" "missing.hash: No such file or directory"
expect_not_contains "not called a refused password" "$OUT" "refused"
expect_fail "nothing mounted" fsp_is_mounted "$T/mnt/s9"
expect_eq "nothing remembered" "$(stored //nohash/n)" ""

# ---------------------------------------------------------------- umount ends the instance
expect_ok "umount" umount "$T/mnt/s1"
expect_ok "the instance ends after umount" fsp_wait_until 10 sh -c "! '$NET' list | grep -q //sec/s1"
expect_eq "the user's list no longer shows it" "$(net_as $U "$NET" list | grep -c //sec/s1)" "0"

# ---------------------------------------------------------------- nowhere
expect_secret_nowhere "the passwords are nowhere while mounted ($PW2)" "$PW2"
net_monitor_stop
expect_ok "the monitor saw StartWithSecret calls" grep -q 'member=StartWithSecret' "$T/monitor.log"
for pw in "$PW" "$PW2" "$BAD"; do
        expect_secret_nowhere "not on the bus, not in the log: $pw" "$pw"
done

fsp_done
