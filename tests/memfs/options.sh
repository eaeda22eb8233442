#!/bin/bash
# SPDX-License-Identifier: MIT
# memfs's command line as winfsp-memfs(1) and libfsp-fuse(3) describe it:
#   - usage errors exit 2 naming the option, a bad mount point or -D file
#     exits 1 (so does a user's mount on a directory not theirs), -V prints
#     the version;
#   - -D FILE logs every operation to FILE, -D - to stderr;
#   - the loop options of libfsp-fuse: -o max_threads=N caps the worker
#     threads, -o max_idle_threads=N lets the ones above N end once idle
#     (without it they stay), -o clone_fd gives each worker its own
#     /dev/fuse descriptor.
# To see the threads, the operation log is a FIFO that the test stops
# reading: every operation then waits in memfs's logging, so each new
# request needs a new worker, up to max_threads; draining the FIFO lets
# them all finish.
. "${FSP_TEST_LIB:?}"

fsp_require_root_fuse
fsp_require_tool python3
fsp_setup
failures=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

mnt=$FSP_TMP/mnt
mkdir -p "$mnt"

# memfs_status WANT WHAT PATTERN ARGS...: memfs ARGS exits WANT (it must not
# mount) and says PATTERN.
memfs_status() {
        local want=$1 what=$2 pattern=$3 out rc=0
        shift 3
        out=$(timeout 10 "$FSP_MEMFS" "$@" </dev/null 2>&1) || rc=$?
        if [ "$rc" = "$want" ] && [[ $out == *"$pattern"* ]]; then
                pass "$what"
        else
                fail "$what: 'winfsp-memfs $*' exited $rc (expected $want): $out"
        fi
        if fsp_is_mounted "$mnt"; then
                fail "$what: it mounted anyway"
                umount -l "$mnt"
        fi
}

# ---------------------------------------------------------------- usage
memfs_status 0 "-V prints the version" "winfsp-memfs " -V
memfs_status 0 "--version as -V" "(libfuse " --version
memfs_status 2 "no mount point" "no mount point given"
memfs_status 2 "-n 0" "-n: invalid value '0'" -n 0 -m "$mnt"
memfs_status 2 "-n not a number" "-n: invalid value 'abc'" -n abc -m "$mnt"
memfs_status 2 "-n past 64 bits" "-n: invalid value '18446744073709551616'" -n 18446744073709551616 -m "$mnt"
memfs_status 2 "-s with an unknown suffix" "-s: invalid value '1Q'" -s 1Q -m "$mnt"
memfs_status 2 "-s past 64 bits" "-s: invalid value '20000000T'" -s 20000000T -m "$mnt"
memfs_status 2 "-t over a day" "-t: invalid value '100000000'" -t 100000000 -m "$mnt"
memfs_status 2 "-t takes no suffix" "-t: invalid value '5K'" -t 5K -m "$mnt"
memfs_status 2 "--secret-timeout=VALUE checked" "--secret-timeout: invalid value 'abc'" --secret-timeout=abc -m "$mnt"
memfs_status 2 "--secret-timeout VALUE checked" "--secret-timeout: invalid value 'abc'" --secret-timeout abc -m "$mnt"
memfs_status 2 "--secret-user needs --secret-hash" "--secret-user needs --secret-hash" --secret-user bob -m "$mnt"
memfs_status 2 "an unknown option" "unknown option '--bogus'" --bogus -m "$mnt"
memfs_status 2 "two mount points (-m, then an argument)" "unexpected argument" -m "$mnt" "$mnt"
memfs_status 2 "two mount points (an argument, then -m)" "already given as an argument" "$mnt" -m "$mnt"
memfs_status 2 "max_threads=0" "-o max_threads=0: expected a number from 1 to 1024" -o max_threads=0 -m "$mnt"
memfs_status 2 "max_threads over 1024" "-o max_threads=1025: expected a number" -o max_threads=1025 -m "$mnt"
memfs_status 2 "max_idle_threads not a number" "-o max_idle_threads=x: expected a number" -o max_idle_threads=x -m "$mnt"
memfs_status 1 "a missing mount point" "mount point $FSP_TMP/none: No such file or directory" -m "$FSP_TMP/none"
memfs_status 1 "a mount point that is a file" "not a directory" -m /etc/passwd
memfs_status 1 "-D in a missing directory" "-D $FSP_TMP/none/log: No such file or directory" -D "$FSP_TMP/none/log" -m "$mnt"

# A user may not mount on a directory that is not theirs (fusermount3 says
# why); memfs says where and exits 1.
if command -v fusermount3 >/dev/null; then
        fsp_ensure_user fsptest1
        fsp_fuse_for_users
        out=$(setpriv --reuid=fsptest1 --regid="$FSP_USER_GID" --init-groups timeout 10 "$FSP_MEMFS" -m "$mnt" </dev/null 2>&1)
        rc=$?
        if [ $rc = 1 ] && [[ $out == *"cannot mount on $mnt"* ]]; then
                pass "a user's mount on root's directory fails, said"
        else
                fail "a user's mount on root's directory: exit $rc: $out"
        fi
fi

# ---------------------------------------------------------------- the mount point as an argument
fsp_start_memfs "$mnt" "$FSP_TMP/positional.log" -u //memfs/positional
fsp_stop_memfs "$MEMFS_PID" "$mnt"
"$FSP_MEMFS" "$mnt" </dev/null >"$FSP_TMP/arg.log" 2>&1 &
pid=$!
FSP_PIDS="$FSP_PIDS $pid"
if fsp_wait_mounted "$mnt" "$pid" 10; then pass "the mount point as the only argument"; else fail "no mount with the mount point as the argument: $(cat "$FSP_TMP/arg.log")"; fi
fsp_stop_memfs "$pid" "$mnt"

# ---------------------------------------------------------------- -D
fsp_start_memfs "$mnt" "$FSP_TMP/d.log" -D "$FSP_TMP/ops.log" -u //memfs/logged
mkdir "$mnt/made-here" && touch "$mnt/made-here/file" && mv "$mnt/made-here/file" "$mnt/moved" && rm "$mnt/moved"
fsp_stop_memfs "$MEMFS_PID" "$mnt"
log=$(cat "$FSP_TMP/ops.log")
for line in "mounted on $mnt" "create made-here mode 40" "create file mode 100" "rename file -> moved flags" "unlink moved: ok"; do
        if [[ $log == *"$line"* ]]; then pass "-D FILE logs: $line"; else fail "-D FILE: no '$line' in: $log"; fi
done
if grep -qvE '^[0-9]+\.[0-9]{6} ' "$FSP_TMP/ops.log"; then fail "-D FILE: a line without its time stamp"; else pass "-D FILE: every line starts with a time stamp"; fi
if [ "$(stat -c %a "$FSP_TMP/ops.log")" = 600 ]; then pass "-D FILE is created 0600"; else fail "-D FILE mode $(stat -c %a "$FSP_TMP/ops.log")"; fi
if grep -q "create made-here" "$FSP_TMP/d.log"; then fail "-D FILE also wrote to stderr"; else pass "-D FILE keeps stderr quiet"; fi

fsp_start_memfs "$mnt" "$FSP_TMP/dstderr.log" -D - -u //memfs/logged-stderr
mkdir "$mnt/on-stderr"
fsp_stop_memfs "$MEMFS_PID" "$mnt"
if grep -q "create on-stderr mode 40" "$FSP_TMP/dstderr.log"; then pass "-D - logs to stderr"; else fail "-D -: nothing on stderr: $(cat "$FSP_TMP/dstderr.log")"; fi

# ---------------------------------------------------------------- the loop's threads
tasks_of() { ls "/proc/$1/task" | wc -l; }
fuse_fds_of() { find "/proc/$1/fd" -lname /dev/fuse 2>/dev/null | wc -l; }
# (Conditions for fsp_wait_until: evaluated anew at each try.)
tasks_at_least() { [ "$(tasks_of "$MEMFS_PID")" -ge "$1" ]; }
tasks_at_most() { [ "$(tasks_of "$MEMFS_PID")" -le "$1" ]; }

# stall_run NAME OPTIONS THREADS: memfs with -o OPTIONS and -t 0 (every
# path walk sends LOOKUPs), its -D log a FIFO that the test fills and stops
# reading; 12 parallel stats. Sets STALLED_TASKS (the most threads seen,
# THREADS being the count expected) and STALLED_FDS, then drains the FIFO.
# memfs keeps running (MEMFS_PID).
stall_run() {
        local name=$1 opts=$2 want=$3 fifo=$FSP_TMP/$1.fifo k
        mkfifo "$fifo"
        exec 7<>"$fifo" # the test's own reader (never reads yet) and writer
        fsp_start_memfs "$mnt" "$FSP_TMP/$name.log" -t 0 -D "$fifo" -o "$opts" -u "//memfs/$name"
        # One directory each: lookups in one directory may be serialised by
        # the kernel, revalidations of different directories are not.
        for k in $(seq 12); do mkdir "$mnt/d$k"; done
        # Fill the pipe (without blocking ourselves): memfs's next log line
        # blocks, and with it the worker; the others then wait for the log.
        python3 -c '
import fcntl, os
fcntl.fcntl(7, fcntl.F_SETFL, fcntl.fcntl(7, fcntl.F_GETFL) | os.O_NONBLOCK)
try:
    while True:
        os.write(7, b"\0" * 4096)
except BlockingIOError:
    pass
try:
    while True:
        os.write(7, b"\0")
except BlockingIOError:
    pass
fcntl.fcntl(7, fcntl.F_SETFL, fcntl.fcntl(7, fcntl.F_GETFL) & ~os.O_NONBLOCK)'
        STAT_PIDS=()
        for k in $(seq 12); do
                stat "$mnt/d$k/probe" >/dev/null 2>&1 &
                STAT_PIDS+=($!)
        done
        # Workers appear as requests block: wait (bounded) for the expected
        # count, then watch for a second that no more appear.
        fsp_wait_until 20 tasks_at_least "$want"
        STALLED_TASKS=$(tasks_of "$MEMFS_PID")
        local deadline=$(($(fsp_now_ms) + 1000)) now
        while [ "$(fsp_now_ms)" -lt $deadline ]; do
                now=$(tasks_of "$MEMFS_PID")
                [ "$now" -gt "$STALLED_TASKS" ] && STALLED_TASKS=$now
                sleep 0.05
        done
        STALLED_FDS=$(fuse_fds_of "$MEMFS_PID")
        cat <&7 >/dev/null &
        DRAIN_PID=$!
        exec 7>&-
        local p ok=yes
        for p in "${STAT_PIDS[@]}"; do
                fsp_wait_exit "$p" 20 || ok=no
        done
        if [ $ok = yes ]; then pass "$name: every blocked request finished once the log was read"; else fail "$name: requests still blocked"; fi
}

# stall_end: stop memfs and the FIFO's reader.
stall_end() {
        fsp_stop_memfs "$MEMFS_PID" "$mnt"
        kill "$DRAIN_PID" 2>/dev/null
        wait "$DRAIN_PID" 2>/dev/null
}

# max_threads=3 without max_idle_threads: three workers at most; they stay.
stall_run capped max_threads=3 4
if [ "$STALLED_TASKS" = 4 ]; then pass "max_threads=3: 3 workers and the main thread under load"; else fail "max_threads=3: $STALLED_TASKS threads under load, expected 4"; fi
if [ "$STALLED_FDS" = 1 ]; then pass "without clone_fd: one /dev/fuse descriptor"; else fail "without clone_fd: $STALLED_FDS /dev/fuse descriptors"; fi
if ! fsp_wait_until 3 tasks_at_most 3; then pass "without max_idle_threads: the workers stay"; else fail "without max_idle_threads: workers ended ($(tasks_of "$MEMFS_PID") threads left)"; fi
stall_end

# max_threads=5, max_idle_threads=1, clone_fd: five workers, each with its
# own descriptor; all but one end once idle.
stall_run idle max_threads=5,max_idle_threads=1,clone_fd 6
if [ "$STALLED_TASKS" = 6 ]; then pass "max_threads=5: 5 workers and the main thread under load"; else fail "max_threads=5: $STALLED_TASKS threads under load, expected 6"; fi
if [ "$STALLED_FDS" = 6 ]; then pass "clone_fd: a /dev/fuse descriptor per worker, and the session's"; else fail "clone_fd: $STALLED_FDS /dev/fuse descriptors for 5 workers"; fi
if fsp_wait_until 20 tasks_at_most 2; then pass "max_idle_threads=1: idle workers end down to one"; else fail "max_idle_threads=1: $(tasks_of "$MEMFS_PID") threads left once idle"; fi
if [ "$(fuse_fds_of "$MEMFS_PID")" -le 2 ]; then pass "clone_fd: an ended worker's descriptor is closed"; else fail "clone_fd: $(fuse_fds_of "$MEMFS_PID") /dev/fuse descriptors left"; fi
fsp_memfs_alive "$MEMFS_PID" "$mnt"
stall_end

# max_threads=1: one worker serves everything, in turn.
stall_run single max_threads=1 2
if [ "$STALLED_TASKS" = 2 ]; then pass "max_threads=1: one worker under load"; else fail "max_threads=1: $STALLED_TASKS threads under load, expected 2"; fi
stall_end

echo "$failures failed"
[ $failures = 0 ]
