#!/bin/bash
# mount.winfsp, called directly and through mount(8) ("mount -t winfsp", and
# fstab lines with noauto,x-systemd.automount through "mount -T FSTAB"), as
# root: options mount(8) passes, -s -f -v -N -t, credentials through
# -o password_stdin and remember (root's own keyring), and umount ending the
# instance. mount(8) finds helpers only in /sbin, so the test links
# /sbin/mount.winfsp to the build's program and removes the link after.
# shellcheck source=netlib.sh
. "$FSP_SOURCE_DIR/tests/netprovider/netlib.sh"

net_init
fsp_bus_start
PW="Mount-pw-$$-k2"
net_hash "$PW" >"$T/sec.hash"
net_memfs_class mem 0
net_memfs_class sec 1 --secret-hash "$T/sec.hash"
fsp_launcher_start
for d in d1 d2 d3 m1 m2 m3 f1 f2 fake ns k1 n1; do
        mkdir -p "$T/mnt/$d"
done

# The link is the machine's, shared with this test run from other build
# trees: one at a time (the lock), and a link found there (another tree's)
# is put back afterwards. An installed mount.winfsp is left alone.
HELPER=/sbin/mount.winfsp
exec 8>/run/lock/winfsp-sbin-mount.winfsp.lock
flock -w 300 8 || { echo "FATAL: $HELPER stayed locked by another run for 300 s"; exit 1; }
if [ -L "$HELPER" ]; then
        net_on_exit "ln -sfn '$(readlink "$HELPER")' '$HELPER'"
elif [ -e "$HELPER" ]; then
        fsp_skip "$HELPER is installed; mount(8) would run it instead of this build's"
else
        net_on_exit "rm -f '$HELPER'"
fi
ln -sfn "$MOUNT_WINFSP" "$HELPER"

# ---------------------------------------------------------------- mount.winfsp directly
expect_status "mount.winfsp SPEC DIR" 0 "$MOUNT_WINFSP" //mem/d1 "$T/mnt/d1"
expect_eq "mount.winfsp says nothing on success" "$OUT" ""
expect_ok "mounted" fsp_is_mounted "$T/mnt/d1"
expect_status "-v says where" 0 "$MOUNT_WINFSP" //mem/d2 "$T/mnt/d2" -v -o rw,defaults
expect_contains "-v: the mount" "$OUT" "//mem/d2 mounted at $T/mnt/d2"
expect_contains "-v: options for mount(8) are named, not passed on" "$OUT" "option 'defaults' is not passed on"
expect_status "options the class does not accept are refused" 1 "$MOUNT_WINFSP" //mem/d3 "$T/mnt/d3" -o rw,bogus,ro
expect_contains "a refused option: named" "$OUT" "bogus"
expect_fail "a refused option: nothing mounted" fsp_is_mounted "$T/mnt/d3"
expect_status "-s starts again without them" 0 "$MOUNT_WINFSP" -s -v //mem/d3 "$T/mnt/d3" -o rw,bogus
expect_contains "-s: says so" "$OUT" "starting again with only the generic options (-s)"
expect_ok "-s: mounted" fsp_is_mounted "$T/mnt/d3"
expect_status "a wrong type" 1 "$MOUNT_WINFSP" //mem/x "$T/mnt/fake" -t nfs
expect_contains "a wrong type: message" "$OUT" "file system type 'nfs' is not winfsp"
expect_status "bad usage" 1 "$MOUNT_WINFSP" //mem/x
expect_status "a bad remote name" 1 "$MOUNT_WINFSP" //mem/../x "$T/mnt/fake"
expect_contains "a bad remote name: message" "$OUT" "'..' path element"
expect_status "no such class" 32 "$MOUNT_WINFSP" //nosuch/x "$T/mnt/fake"
expect_status "no launcher" 2 env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$T/nobus" "$MOUNT_WINFSP" //mem/x "$T/mnt/fake"
expect_status "-h" 0 "$MOUNT_WINFSP" -h
expect_contains "-h: usage" "$OUT" "Usage: mount.winfsp //CLASS/INSTANCE DIR"
expect_status "-n (no /etc/mtab to write) mounts all the same" 0 "$MOUNT_WINFSP" -n //mem/n1 "$T/mnt/n1"
expect_ok "-n: mounted" fsp_is_mounted "$T/mnt/n1"
expect_ok "-n: delete" "$NET" delete "$T/mnt/n1"

# -N: the current namespace is fine, another one is refused.
expect_status "-N with our own namespace (by pid)" 0 "$MOUNT_WINFSP" -N $$ //mem/ns "$T/mnt/ns"
expect_ok "-N: mounted" fsp_is_mounted "$T/mnt/ns"
unshare --mount --propagation private sleep 300 &
ns_pid=$!
net_on_exit "kill $ns_pid 2>/dev/null"
ns_differs() { [ "$(readlink /proc/$ns_pid/ns/mnt 2>/dev/null)" != "$(readlink /proc/self/ns/mnt)" ]; }
fsp_wait_until 5 ns_differs
expect_status "-N with another namespace is refused" 1 "$MOUNT_WINFSP" -N "/proc/$ns_pid/ns/mnt" //mem/x "$T/mnt/fake"
expect_contains "-N: message" "$OUT" "is not the current one"
kill $ns_pid 2>/dev/null

# ---------------------------------------------------------------- through mount(8)
expect_status "mount -t winfsp" 0 mount -t winfsp //mem/m1 "$T/mnt/m1"
expect_ok "mount -t winfsp: mounted" fsp_is_mounted "$T/mnt/m1"
expect_eq "mount -t winfsp: the launcher has it" "$(fsp_info_field mem m1 MountPoint)" "$T/mnt/m1"
expect_ok "a file written through the mount" sh -c "echo data >'$T/mnt/m1/f' && grep -q data '$T/mnt/m1/f'"
expect_ok "umount" umount "$T/mnt/m1"
expect_ok "umount ends the instance" fsp_wait_until 10 sh -c "! '$NET' list | grep -q //mem/m1"
expect_fail "nothing left at the mount point" fsp_is_mounted "$T/mnt/m1"

expect_status "mount -f (fake) starts nothing" 0 mount -f -t winfsp //mem/fake "$T/mnt/fake"
expect_fail "mount -f: not mounted" fsp_is_mounted "$T/mnt/fake"
expect_eq "mount -f: no instance" "$(net_list_remotes | grep -c //mem/fake)" "0"
expect_status "mount -t winfsp with an option the class does not accept" 1 mount -t winfsp -o frob //mem/m2 "$T/mnt/m2"
expect_contains "mount(8) shows the helper's message" "$OUT" "frob"
expect_status "mount -s -t winfsp with an option the class does not accept" 0 mount -s -t winfsp -o frob //mem/m2 "$T/mnt/m2"
expect_ok "mounted without the option" fsp_is_mounted "$T/mnt/m2"

cat >"$T/fstab" <<EOF
//mem/auto     $T/mnt/f1  winfsp  noauto,x-systemd.automount,x-systemd.idle-timeout=60,_netdev,nofail,user  0 0
//sec/f2       $T/mnt/f2  winfsp  noauto,x-systemd.automount,password_stdin,remember=never,comment=test   0 0
EOF
expect_status "an fstab line with noauto,x-systemd.automount" 0 mount -T "$T/fstab" "$T/mnt/f1"
expect_ok "the fstab line mounted" fsp_is_mounted "$T/mnt/f1"
expect_status "an fstab line with password_stdin" 0 sh -c "printf '%s\n' '$PW' | mount -T '$T/fstab' '$T/mnt/f2'"
expect_ok "the password line mounted" fsp_is_mounted "$T/mnt/f2"
expect_status "a wrong password through mount(8)" 32 sh -c \
        "echo wrong | mount -t winfsp -o password_stdin //sec/m3 '$T/mnt/m3'"
expect_contains "a wrong password: message" "$OUT" "mount.winfsp: mount //sec/m3 on $T/mnt/m3: the password was refused"
expect_fail "a wrong password mounts nothing" fsp_is_mounted "$T/mnt/m3"
expect_ok "umount the fstab mounts" umount "$T/mnt/f1" "$T/mnt/f2"
expect_ok "both instances end" fsp_wait_until 10 sh -c "! '$NET' list | grep -q '//mem/auto\|//sec/f2'"

# ---------------------------------------------------------------- remember, root's keyring
net_keyring_start root
expect_status "-o password_stdin,remember stores the password" 0 net_as root sh -c \
        "printf '%s\n' '$PW' | mount -t winfsp -o password_stdin,remember //sec/k1 '$T/mnt/k1'"
expect_contains "remembered (bare remember = forever)" "$(net_secrets root remote //sec/k1)" \
        "label = winfsp password for //sec/k1"
expect_ok "umount k1" umount "$T/mnt/k1"
expect_ok "k1 ends" fsp_wait_until 10 sh -c "! '$NET' list | grep -q //sec/k1"
expect_status "mount again: the keyring answers" 0 net_as root mount -t winfsp //sec/k1 "$T/mnt/k1" </dev/null
expect_ok "k1 mounted again" fsp_is_mounted "$T/mnt/k1"
expect_secret_nowhere "the password is nowhere" "$PW"

fsp_done
