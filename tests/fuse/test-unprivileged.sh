#!/bin/bash
# SPDX-License-Identifier: MIT
# A smoke test of memfs run by an unprivileged user (through fusermount3):
# it mounts on a directory the user owns, the root takes the user's
# ownership, the user can create, write, read, link and list, root is kept
# out (no allow_other), and SIGTERM unmounts and exits 0.
set -u
MEMFS=$1
USER_NAME=fsptest1

[ "$(id -u)" = 0 ] || { echo "skipped: needs root"; exit 77; }
[ -c /dev/fuse ] || { echo "skipped: no /dev/fuse"; exit 77; }
command -v fusermount3 >/dev/null || { echo "skipped: no fusermount3"; exit 77; }
# A user's FUSE mount needs /dev/fuse open to all, as Debian's udev rule makes
# it; machines without udev leave it 0600. Do what udev would, whatever ran before.
if [ "$(stat -c %a /dev/fuse)" != 666 ]; then
        echo "note: /dev/fuse was $(stat -c %a /dev/fuse); made 0666 as udev would"
        chmod 0666 /dev/fuse
fi
id "$USER_NAME" >/dev/null 2>&1 || useradd --system --no-create-home "$USER_NAME" ||
        { echo "skipped: cannot create $USER_NAME"; exit 77; }

DIR=$(mktemp -d /tmp/fsp-unpriv.XXXXXX)
MNT=$DIR/mnt
PID=
FAILED=0
cleanup() {
        if [ -n "$PID" ]; then kill -KILL "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
        if grep -q " $MNT " /proc/self/mountinfo; then umount -l "$MNT"; fi
        rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; FAILED=1; }
as_user() { setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups "$@"; }
# Poll mountinfo against a deadline (5 s).
wait_mount() { # present|absent
        for _ in $(seq 500); do
                if grep -q " $MNT " /proc/self/mountinfo; then [ "$1" = present ] && return 0
                else [ "$1" = absent ] && return 0; fi
                sleep 0.01
        done
        return 1
}

chmod 0755 "$DIR"
mkdir "$MNT"
chown "$USER_NAME:" "$MNT"
chmod 0700 "$MNT"

# Not through as_user: a function in the background is a subshell, and $! would be its pid.
setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups "$MEMFS" -m "$MNT" -u //memfs/unprivileged &
PID=$!
wait_mount present || { fail "no mount within 5 s"; exit 1; }

line=$(grep " $MNT " /proc/self/mountinfo)
echo "mountinfo: $line"
case "$line" in *"user_id=$(id -u "$USER_NAME")"*) ;; *) fail "not mounted for $USER_NAME" ;; esac
case "$line" in *allow_other*) fail "allow_other without root" ;; esac
case "$line" in *" //memfs/unprivileged "*) ;; *) fail "source is not //memfs/unprivileged" ;; esac

out=$(as_user sh -c "cd '$MNT' && echo hello > f && cat f && mkdir d && ln f d/g && stat -c %h f && ls d && stat -c '%U %a' .") ||
        fail "file operations as $USER_NAME failed: $out"
expected="hello
2
g
$USER_NAME 700"
[ "$out" = "$expected" ] || fail "expected '$expected', got '$out'"

# No allow_other: even root is kept out of another user's FUSE mount.
if stat "$MNT/f" >/dev/null 2>&1; then fail "root could enter the unprivileged mount"; fi

kill -TERM "$PID"
wait "$PID"
status=$?
PID=
[ "$status" = 0 ] || fail "exit status $status after SIGTERM"
wait_mount absent || fail "mount left behind"

[ "$FAILED" = 0 ] && echo "all checks passed"
exit "$FAILED"
