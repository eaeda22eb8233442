# shellcheck shell=bash disable=SC2034  # (variables set here are read by the scenarios)
# Sourced by the scenario scripts, which run inside the booted test
# container as root: assertions that print one PASS or FAIL line each with
# the reason, bounded waits, and the verdict.
#
# A scenario whose part of the project is not installed yet says so with
# need(), which skips it (exit 77) naming what is missing.

set -u
export SYSTEMD_PAGER='' SYSTEMD_COLORS=0 LC_ALL=C.UTF-8
checks=0
failures=0
BOOT=${FSP_BOOT:-1}

pass() {
        checks=$((checks + 1))
        echo "PASS: $*"
}

fail() {
        checks=$((checks + 1))
        failures=$((failures + 1))
        echo "FAIL: $*"
}

skip() {
        echo "SKIP: $*"
        exit 77
}

# need PATH WHAT: skip unless PATH is installed (WHAT names who brings it).
need() {
        [ -e "$1" ] || skip "$1 is not installed yet (waits for $2)"
}

# check WHAT CMD...: CMD succeeds; else FAIL with its exit status and output.
check() {
        local what=$1 out rc=0
        shift
        out=$("$@" 2>&1) || rc=$?
        if [ $rc = 0 ]; then
                pass "$what"
        else
                fail "$what: '$*' exited $rc: $(printf '%s' "$out" | tail -5)"
        fi
        return $rc
}

# check_fails WHAT CMD...: CMD fails; its output is in $OUT.
check_fails() {
        local what=$1
        shift
        if OUT=$("$@" 2>&1); then
                fail "$what: '$*' succeeded: $OUT"
                return 1
        fi
        pass "$what"
}

check_eq() {
        if [ "$2" = "$3" ]; then
                pass "$1"
        else
                fail "$1: got '$2', expected '$3'"
                return 1
        fi
}

check_contains() {
        case $2 in
        *"$3"*) pass "$1" ;;
        *)
                fail "$1: '$3' not found in: $(printf '%s' "$2" | tail -15)"
                return 1
                ;;
        esac
}

# wait_until SECONDS CMD...: poll CMD every 50 ms until it succeeds.
wait_until() {
        local deadline=$(($(date +%s%N) + $1 * 1000000000))
        shift
        until "$@" >/dev/null 2>&1; do
                [ "$(date +%s%N)" -ge $deadline ] && return 1
                sleep 0.05
        done
}

# is_mounted DIR: a mount sits exactly at DIR (as seen by this process).
is_mounted() {
        awk -v d="$1" '$5 == d { f = 1 } END { exit !f }' /proc/self/mountinfo
}

not_mounted() {
        ! is_mounted "$1"
}

# mount_field DIR N: field N of DIR's line after the " - " separator
# (1 fstype, 2 source), from the last mount at DIR.
mount_field() {
        awk -v d="$1" -v n="$2" '$5 == d { for (i = 7; $i != "-"; i++); v = $(i + n) } END { print v }' /proc/self/mountinfo
}

# unit_prop UNIT PROPERTY: one property's value.
unit_prop() {
        systemctl show -P "$2" "$1"
}

unit_is() {
        [ "$(systemctl is-active "$1" 2>/dev/null)" = "$2" ]
}

# fuse_for_users: a user's FUSE mount (fusermount3) needs /dev/fuse open to
# all, as Debian's udev rule makes it; the container has the host's node,
# which a machine without udev leaves 0600. Do what udev would.
fuse_for_users() {
        if [ "$(stat -c %a /dev/fuse)" != 666 ]; then
                echo "note: /dev/fuse was $(stat -c %a /dev/fuse); made 0666 as udev would"
                chmod 0666 /dev/fuse
        fi
}

# pids_of_exe PATH: pids of the processes running the program PATH.
pids_of_exe() {
        local p
        for p in /proc/[0-9]*; do
                [ "$(readlink "$p/exe" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
        done
}

# memfs_pid_for DIR: the pid of the instance whose mount point is DIR.
memfs_pid_for() {
        local p class inst info
        # The per-user launcher's memfs mounts the path it is given.
        for p in $(pids_of_exe /usr/bin/winfsp-memfs); do
                tr '\0' '\n' <"/proc/$p/cmdline" | grep -qxF -- "$1" && echo "$p" && return 0
        done
        # The system launcher's mounts a private staging directory, moved onto
        # the mount point: ask the launcher which instance has it, and its pid.
        launchctl list 2>/dev/null | while read -r class inst; do
                info=$(launchctl info "$class" "$inst" 2>/dev/null) || continue
                printf '%s\n' "$info" | grep -qxF "MountPoint: $1" || continue
                printf '%s\n' "$info" | sed -n 's/^Pid: \([1-9][0-9]*\)$/\1/p'
        done
}

# cgroup_of PID: the unified-hierarchy (or name=systemd) cgroup path.
cgroup_of() {
        sed -n 's/^0:://p; s/^[0-9]*:name=systemd://p' "/proc/$1/cgroup" | head -1
}

# write_read DIR WHAT: a file written through DIR reads back the same.
write_read() {
        local dir=$1 data
        data="winfsp system test $RANDOM$RANDOM"
        if ! is_mounted "$dir"; then
                fail "$2: nothing is mounted at $dir"
                return 1
        fi
        if ! printf '%s\n' "$data" >"$dir/probe.txt" 2>/tmp/write.err; then
                fail "$2: write $dir/probe.txt: $(cat /tmp/write.err)"
                return 1
        fi
        check_eq "$2" "$(cat "$dir/probe.txt" 2>&1)" "$data"
}

# dump_unit UNIT: status and journal of UNIT, for the reader of a failure.
dump_unit() {
        echo "--- systemctl status $1"
        systemctl status --no-pager -l "$1" 2>&1 | head -30
        echo "--- journalctl -u $1"
        journalctl -b --no-pager -o short-monotonic -u "$1" 2>&1 | tail -30
}

# finish: the verdict, "N passed, M failed", and the exit status.
finish() {
        echo "$((checks - failures)) passed, $failures failed"
        [ $checks -gt 0 ] || { echo "FAIL: the scenario checked nothing"; exit 1; }
        [ $failures = 0 ]
        exit $?
}

LAUNCHER=/usr/libexec/winfsp-launcher
LAUNCHCTL=/usr/bin/launchctl
NET=/usr/bin/winfsp-net
MOUNT_WINFSP=/usr/sbin/mount.winfsp
MEMFS=/usr/bin/winfsp-memfs

# launchctl, bounded: a launcher that hangs fails a check, not the suite.
lctl() {
        timeout 15 $LAUNCHCTL "$@"
}

need_launcher() {
        need $LAUNCHER "the launcher (launcher/)"
        need $LAUNCHCTL "launchctl (launcher/launchctl.c)"
}

# need_template: what winfsp@memfs runs.
need_template() {
        need_launcher
        need $NET "winfsp-net (netprovider/)"
        need $MEMFS "memfs (memfs/)"
        need /usr/lib/winfsp/conf.d/memfs.conf "the memfs class (conf.d/memfs.conf)"
}

# start_unit UNIT: systemctl start, and the state right when it returned.
# Sets MOUNTED_AT_RETURN for the mount point given as $2.
start_unit() {
        local unit=$1 mnt=${2:-}
        START_OUT=$(systemctl start "$unit" 2>&1)
        START_RC=$?
        MOUNTED_AT_RETURN=no
        [ -n "$mnt" ] && is_mounted "$mnt" && MOUNTED_AT_RETURN=yes
        return $START_RC
}

# started_or_finish UNIT: the last start_unit of UNIT succeeded; else say
# why and end the scenario here (what follows would only fail for the same
# reason).
started_or_finish() {
        if [ "$START_RC" = 0 ]; then
                pass "systemctl start $1 succeeds"
                return 0
        fi
        fail "systemctl start $1 exited $START_RC: $START_OUT"
        dump_unit "$1"
        finish
}

# journal_lines_of_fs UNIT PID: the journal lines filed under UNIT that the
# file system wrote (its process, its program, or the class identifier),
# not those of winfsp-net or systemd.
journal_lines_of_fs() {
        journalctl -b --no-pager -o json -u "$1" | python3 -c '
import json, sys
pid, comms, idents = sys.argv[1], {"winfsp-memfs"}, {"memfs", "winfsp-memfs"}
for line in sys.stdin:
    e = json.loads(line)
    if e.get("_PID") == pid or e.get("_COMM") in comms or e.get("SYSLOG_IDENTIFIER") in idents:
        m = e.get("MESSAGE")
        print(m if isinstance(m, str) else repr(m))
' "$2"
}

# ask_password_agent ID ANSWER...: a password agent, speaking systemd's
# protocol (/run/systemd/ask-password, as systemd-tty-ask-password-agent
# does): it answers the questions whose Id= is ID, one ANSWER each, in
# order, then ends (or after 60 s). An ANSWER is file:PATH (the content of
# PATH: passwords stay off command lines) or cancel. One line per question
# on stdout: "asked: Id=... Message=... Echo=... -> ANSWER". Exit status 0
# when every answer was given.
ask_password_agent() {
        python3 - "$@" <<'AGENT'
import configparser, glob, os, socket, sys, time
want, answers = sys.argv[1], sys.argv[2:]
done = set()
deadline = time.monotonic() + 60
while answers and time.monotonic() < deadline:
    for path in sorted(glob.glob("/run/systemd/ask-password/ask.*")):
        try:
            key = (path, os.stat(path).st_ino)
            if key in done:
                continue
            ask = configparser.ConfigParser(interpolation=None)
            ask.read(path)
            if ask.get("Ask", "Id", fallback="") != want:
                continue
            answer = answers.pop(0)
            reply = b"-" if answer == "cancel" else b"+" + open(answer[5:], "rb").read()
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(reply, ask.get("Ask", "Socket"))
            done.add(key)
            print("asked: Id=%s Message=%s Echo=%s -> %s" % (want, ask.get("Ask", "Message", fallback=""),
                  ask.get("Ask", "Echo", fallback="0"), answer), flush=True)
        except (OSError, configparser.Error):
            pass
        if not answers:
            break
    time.sleep(0.05)
sys.exit(1 if answers else 0)
AGENT
}
