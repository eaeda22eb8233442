#!/bin/bash
# SPDX-License-Identifier: MIT
# The requests memfs saves the kernel, counted in its -d trace (each request
# is printed when memfs receives it, before it replies, so the trace is
# complete when the system call returns):
#   - 256 write(2)s of 4 KiB ask for security.capability at most once, not
#     once each (FUSE_HANDLE_KILLPRIV_V2, negotiated by libfsp-fuse);
#   - closing files sends FLUSH at most once (memfs has none: ENOSYS, and the
#     kernel stops asking);
#   - a missing name is looked up once, then cached as a negative entry;
#   - listing a directory sends no OPENDIR after the first;
#   - stat(2) of a file already known asks nothing within the timeout;
# and the round trips each metadata call costs, so that none comes back
# (kernel 6.18, default options: writeback cache, default_permissions):
#   - create (open O_CREAT|O_EXCL, close): LOOKUP, CREATE, and GETATTR of
#     the parent at most (default_permissions rereads a directory whose
#     attributes a change invalidated); no OPEN, FLUSH or SETATTR;
#   - stat of a file just closed: GETATTR at most (the writeback cache
#     forgets the block count at close), and nothing the second time;
#   - open and close of a known file: OPEN only;
#   - chmod: SETATTR only;
#   - unlink: UNLINK, SETATTR at most (the ctime the kernel keeps) and
#     GETATTR of the parent at most; no LOOKUP.
set -u
MEMFS=$1

[ "$(id -u)" = 0 ] || { echo "skipped: needs root"; exit 77; }
[ -w /dev/fuse ] || { echo "skipped: no /dev/fuse"; exit 77; }

DIR=$(mktemp -d /tmp/fsp-requests.XXXXXX)
MNT=$DIR/mnt
LOG=$DIR/trace
PID=
FAILED=0
cleanup() {
        if [ -n "$PID" ]; then kill -KILL "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
        if grep -q " $MNT " /proc/self/mountinfo; then umount -l "$MNT"; fi
        rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; FAILED=1; }
wait_mount() {
        for _ in $(seq 500); do
                grep -q " $MNT " /proc/self/mountinfo && return 0
                kill -0 "$PID" 2>/dev/null || return 1
                sleep 0.01
        done
        return 1
}

# count OPCODE FROM-LINE: requests of that opcode in the trace after line FROM-LINE.
count() { tail -n +"$(($2 + 1))" "$LOG" | grep -c "opcode: $1 "; }
mark() { wc -l <"$LOG"; }
# expect_at_most OPCODE MAX FROM-LINE WHAT
expect_at_most() {
        local n
        n=$(count "$1" "$3")
        echo "$4: $n $1"
        [ "$n" -le "$2" ] || fail "$4: $n $1 requests, expected at most $2"
}

mkdir "$MNT"
# -t 60000: nothing cached may expire while the test runs, however slow the machine.
"$MEMFS" -d -t 60000 -m "$MNT" -u //memfs/requests 2>"$LOG" >/dev/null </dev/null &
PID=$!
wait_mount || { cat "$LOG"; fail "no mount within 5 s"; exit 1; }

m=$(mark)
dd if=/dev/zero of="$MNT/w" bs=4k count=256 conv=fsync status=none || fail "dd failed"
[ "$(stat -c %s "$MNT/w")" = 1048576 ] || fail "the file written is not 1 MiB"
expect_at_most GETXATTR 1 "$m" "256 writes of 4 KiB"
[ "$(count WRITE "$m")" -ge 1 ] || fail "no WRITE seen: is the trace being read?"

m=$(mark)
for i in $(seq 20); do : >"$MNT/f$i"; done
expect_at_most FLUSH 1 "$m" "20 creates and closes"
[ "$(count CREATE "$m")" = 20 ] || fail "expected 20 CREATE requests"

m=$(mark)
for _ in $(seq 10); do stat "$MNT/missing" >/dev/null 2>&1 && fail "missing exists"; done
expect_at_most LOOKUP 1 "$m" "10 stats of a missing name"

mkdir "$MNT/d"
m=$(mark)
for _ in $(seq 5); do ls "$MNT/d" >/dev/null || fail "ls failed"; done
expect_at_most OPENDIR 1 "$m" "5 listings"

stat "$MNT/f1" >/dev/null
m=$(mark)
for _ in $(seq 10); do stat "$MNT/f1" >/dev/null; done
expect_at_most GETATTR 0 "$m" "10 stats of a known file"
expect_at_most LOOKUP 0 "$m" "10 stats of a known file"

# expect_exactly OPCODE N FROM-LINE WHAT
expect_exactly() {
        local n
        n=$(count "$1" "$3")
        echo "$4: $n $1"
        [ "$n" -eq "$2" ] || fail "$4: $n $1 requests, expected $2"
}
# each CALL: the call on each of 10 files c0..c9 in $MNT/m (one python3, so nothing else touches the mount)
each() {
        python3 - "$MNT/m" "$1" <<'PY' || fail "python3 $1 failed"
import os, sys
d, call = sys.argv[1], sys.argv[2]
for i in range(10):
    f = f"{d}/c{i}"
    if call == "create":
        os.close(os.open(f, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    elif call == "stat":
        os.lstat(f)
    elif call == "open":
        os.close(os.open(f, os.O_RDONLY))
    elif call == "chmod":
        os.chmod(f, 0o600)
    elif call == "unlink":
        os.unlink(f)
PY
}

if command -v python3 >/dev/null; then
        mkdir "$MNT/m"
        m=$(mark)
        each create
        expect_exactly CREATE 10 "$m" "10 creates"
        expect_exactly LOOKUP 10 "$m" "10 creates"
        expect_at_most GETATTR 10 "$m" "10 creates"
        for op in OPEN FLUSH SETATTR; do expect_exactly "$op" 0 "$m" "10 creates"; done

        m=$(mark)
        each stat
        # each file's, and the directory's once (the last create invalidated it)
        expect_at_most GETATTR 11 "$m" "10 stats of files just closed"
        expect_exactly LOOKUP 0 "$m" "10 stats of files just closed"
        m=$(mark)
        each stat
        expect_exactly GETATTR 0 "$m" "10 stats again"

        m=$(mark)
        each open
        expect_exactly OPEN 10 "$m" "10 opens and closes"
        for op in LOOKUP GETATTR FLUSH SETATTR; do expect_exactly "$op" 0 "$m" "10 opens and closes"; done

        m=$(mark)
        each chmod
        expect_exactly SETATTR 10 "$m" "10 chmods"
        for op in LOOKUP GETATTR; do expect_exactly "$op" 0 "$m" "10 chmods"; done

        m=$(mark)
        each unlink
        expect_exactly UNLINK 10 "$m" "10 unlinks"
        expect_at_most SETATTR 10 "$m" "10 unlinks"
        expect_at_most GETATTR 10 "$m" "10 unlinks"
        expect_exactly LOOKUP 0 "$m" "10 unlinks"
else
        echo "no python3: the per-call counts are not checked"
fi

kill -TERM "$PID"
wait "$PID"
status=$?
PID=
[ "$status" = 0 ] || fail "exit status $status after SIGTERM"

[ "$FAILED" = 0 ] && echo "all checks passed"
exit "$FAILED"
