#!/bin/bash
# mount.winfsp answering an automount, without systemd: fsp-autofs-daemon
# puts a direct autofs trigger on a directory and, like systemd for an
# x-systemd.automount line, runs mount.winfsp in its own process group when
# someone else opens the directory; that opener waits in the kernel until
# the answer. While it waits, a lookup of the directory by the launcher or
# the file system would wait too (they are outside the group), and the
# daemon would kill mount.winfsp after 10 s: so a working mount proves they
# never looked. mount.winfsp mounts /dev/fuse itself and starts the instance
# with FuseFd; the mount appears only once the file system is ready.
# shellcheck source=netlib.sh
. "$FSP_SOURCE_DIR/tests/netprovider/netlib.sh"

AUTOFS_DAEMON=$FSP_BUILD_DIR/tests/netprovider/fsp-autofs-daemon

net_init
fsp_require_fs autofs autofs4
fsp_bus_start
PW="Auto-pw-$$-q7"
net_hash "$PW" >"$T/sec.hash"
printf '%s\n' "$PW" >"$T/right.pw"
printf 'not-the-password\n' >"$T/wrong.pw"
net_memfs_class mem 0
net_memfs_class sec 1 --secret-hash "$T/sec.hash"
net_memfs_class broken 0 --no-such-option
fsp_launcher_start
DIR=$T/mnt/auto
mkdir -p "$DIR"

# What the daemon runs for a request: $T/answer.sh, rewritten for each case.
answer_with() {
        printf '%s\n' "$*" >"$T/answer.sh"
}

# top_mount DIR FIELD: a field of the topmost mount at DIR (1 fstype, 2 source, 3 options).
top_mount() {
        python3 - "$1" "$2" <<'PY'
import re, sys
path, field = sys.argv[1], int(sys.argv[2])
mounts = {}
for line in open("/proc/self/mountinfo"):
    f = line.split()
    if re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), f[4]) == path:
        after = f[f.index("-") + 1:]
        mounts[f[0]] = (f[1], after[field - 1])
covered = {parent for parent, _ in mounts.values()}
print(next((v for k, v in reversed(mounts.items()) if k not in covered), ("", ""))[1])
PY
}

# first_access: the first opener (outside the daemon's group), bounded.
first_access() {
        timeout -k 5 60 ls "$DIR"
}

: >"$T/autofs.log"
"$AUTOFS_DAEMON" "$DIR" "$T/autofs.log" 10 bash "$T/answer.sh" 2>>"$T/autofs.log" &
AUTOFS_PID=$!
net_on_exit "kill -TERM $AUTOFS_PID 2>/dev/null; fsp_wait_pid $AUTOFS_PID 10"
trigger_on_top() {
        [ "$(top_mount "$DIR" 1)" = autofs ]
}
if ! fsp_wait_until 10 trigger_on_top; then
        echo "FATAL: no autofs trigger at $DIR: $(cat "$T/autofs.log")"
        exit 1
fi
expect_eq "an autofs trigger sits at the mount point" "$(top_mount "$DIR" 1)" autofs

# ---------------------------------------------------------------- a plain class
answer_with "exec '$MOUNT_WINFSP' //mem/auto '$DIR'"
expect_ok "the first access succeeds (mount.winfsp answered)" first_access
expect_contains "the daemon ran mount.winfsp for that access, and it succeeded" "$(cat "$T/autofs.log")" \
        "(ls): exited with status 0"
expect_eq "the topmost mount is fuse.mem" "$(top_mount "$DIR" 1)" fuse.mem
expect_eq "its source is the remote name" "$(top_mount "$DIR" 2)" //mem/auto
expect_contains "allow_other" "$(top_mount "$DIR" 3)" allow_other
expect_contains "default_permissions" "$(top_mount "$DIR" 3)" default_permissions
expect_eq "the launcher knows the mount point" "$(fsp_info_field mem auto MountPoint)" "$DIR"
expect_contains "the launcher started it on the connection mount.winfsp made" "$(cat "$T/launcher.log")" \
        "mem/auto: start requested by root (uid 0), on a FUSE connection it mounted"
expect_ok "a file written through the mount reads back" sh -c "echo data >'$DIR/f' && grep -qx data '$DIR/f'"
fsp_user fspnet1 >/dev/null
expect_ok "another user reads it (allow_other)" fsp_as fspnet1 cat "$DIR/f"
expect_ok "umount" umount "$DIR"
expect_ok "umount ends the instance" fsp_wait_until 10 sh -c "! '$NET' list | grep -q //mem/auto"
expect_eq "the trigger is back on top" "$(top_mount "$DIR" 1)" autofs

# ---------------------------------------------------------------- a file system that fails
: >"$T/autofs.log"
answer_with "exec '$MOUNT_WINFSP' //broken/x '$DIR'"
start=$(date +%s%N)
expect_fail "the access fails when the file system does not start" first_access
ms=$((($(date +%s%N) - start) / 1000000))
# Fast means: mount.winfsp itself failed (the daemon's 10 s kill did not end it).
expect_contains "mount.winfsp failed by itself (mount(8)'s 32)" "$(cat "$T/autofs.log")" "exited with status 32"
echo "note: the failed access took ${ms} ms"
expect_eq "nothing was left on the trigger" "$(top_mount "$DIR" 1)" autofs
expect_contains "the launcher says why" "$(cat "$T/launcher.log")" "broken/x: start failed"
expect_ok "the launcher still answers" "$LAUNCHCTL" list

# ---------------------------------------------------------------- credentials
: >"$T/autofs.log"
answer_with "exec '$MOUNT_WINFSP' -o password_stdin //sec/a '$DIR' <'$T/wrong.pw'"
expect_fail "a wrong password fails the access" first_access
expect_contains "refused (mount.winfsp exited 32)" "$(cat "$T/autofs.log")" "exited with status 32"
expect_eq "a refused login leaves nothing on the trigger" "$(top_mount "$DIR" 1)" autofs
answer_with "exec '$MOUNT_WINFSP' -o password_stdin //sec/a '$DIR' <'$T/right.pw'"
expect_ok "the right password mounts" first_access
expect_eq "sec/a is mounted" "$(top_mount "$DIR" 1)" fuse.sec
expect_ok "umount sec/a" umount "$DIR"
expect_ok "sec/a ends" fsp_wait_until 10 sh -c "! '$NET' list | grep -q //sec/a"

# ---------------------------------------------------------------- winfsp-net use, as root
answer_with "exec '$NET' use '$DIR' //mem/net"
expect_ok "winfsp-net use answers an automount too" first_access
expect_eq "mem/net is mounted" "$(top_mount "$DIR" 1)" fuse.mem
expect_ok "winfsp-net delete" "$NET" delete "$DIR"
expect_ok "delete ends the instance" fsp_wait_until 10 sh -c "! '$NET' list | grep -q //mem/net"
# The launcher detaches the FUSE mount the stopped instance leaves on top of the trigger.
expect_ok "the trigger is back on top" fsp_wait_until 10 trigger_on_top

kill -TERM "$AUTOFS_PID"
fsp_wait_pid "$AUTOFS_PID" 10
expect_eq "the autofs daemon ends cleanly" "$?" 0
expect_fail "nothing is left mounted at $DIR" fsp_is_mounted "$DIR"
fsp_done
