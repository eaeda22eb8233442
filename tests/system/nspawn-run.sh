#!/bin/bash
# nspawn-run.sh SCENARIO STAGE_DIR TESTS_DIR [RESULTS_DIR]
#
# Boots the host's own root, with the project installed over it, as a
# systemd-nspawn container and runs one scenario of tests/system/scenarios
# inside it:
#   1. a tmpfs holds the upper directory of an overlay: what the project's
#      packages installed (stage.sh), the test units and the scenario
#      scripts; a scenario marked "# install: none" gets no installation,
#      but the package files in /usr/lib/winfsp-test/debs, to install them
#      itself;
#   2. the overlay (lowerdir=/) is the container's root;
#   3. systemd boots into winfsp-test.target (the overlay's upper directory,
#      what the container changed, visible read-only at
#      /run/winfsp-test/upper), whose service runs the
#      scenario, writes its PASS/FAIL lines into /results (bind-mounted) and
#      powers the container off; a scenario with "# boots: N" is booted N
#      times on the same overlay (the upper directory keeps its state);
#   4. the lines are printed here and give the exit status (0 pass, 1 fail,
#      77 skipped);
#   5. on every exit the container, the overlay, the tmpfs are removed.
# The results of the last run stay in RESULTS_DIR (console, journal, log).
set -u
scenario=${1:?usage: nspawn-run.sh SCENARIO STAGE_DIR TESTS_DIR [RESULTS_DIR]}
stage=${2:?}
tests=${3:?}
keep=${4:-}
boot_timeout=${FSP_SYSTEM_BOOT_TIMEOUT:-200}

T=
nspawn_pid=

skip() {
        echo "SKIP: $*"
        exit 77
}

[ "$(id -u)" = 0 ] || skip "the system tests need root (overlay mounts, systemd-nspawn)"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn is missing (Debian package systemd-container)"
[ -x /lib/systemd/systemd ] || skip "systemd is not installed on the host, whose root the container boots"
[ -c /dev/fuse ] || skip "/dev/fuse is missing"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || skip "the kernel has no overlay file system"
[ -f "$tests/scenarios/$scenario.sh" ] || { echo "FAIL: no scenario $tests/scenarios/$scenario.sh"; exit 1; }
[ -d "$stage/root/usr" ] || skip "nothing staged in $stage (the system/stage test did not run, or skipped: see why there)"

# Processes whose root is inside the overlay: the container's, ours to end.
container_pids() {
        local p root
        for p in /proc/[0-9]*; do
                root=$(readlink "$p/root" 2>/dev/null) || continue
                case $root in "$T/root" | "$T/root/"*) echo "${p#/proc/}" ;; esac
        done
}

cleanup() {
        local rc=$?
        trap - EXIT INT TERM
        if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
                echo "cleanup: the container is still running; stopping it"
                kill -TERM "$nspawn_pid" 2>/dev/null
                wait_gone "$nspawn_pid" 15 || kill -KILL "$nspawn_pid" 2>/dev/null
        fi
        if [ -n "$T" ]; then
                local pids
                pids=$(container_pids)
                [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
                if [ -n "$keep" ] && [ -d "$T/results" ]; then
                        rm -rf "$keep"
                        mkdir -p "$keep"
                        cp -a "$T/results/." "$T/console".* "$keep/" 2>/dev/null
                fi
                mountpoint -q "$T/root" && { umount "$T/root" || umount -l "$T/root"; }
                mountpoint -q "$T" && { umount "$T" || umount -l "$T"; }
                rmdir "$T/root" "$T/upper" "$T/work" "$T/results" "$T" 2>/dev/null
                rm -rf "$T"
        fi
        exit $rc
}

# wait_gone PID SECONDS
wait_gone() {
        local deadline=$((SECONDS + $2))
        while kill -0 "$1" 2>/dev/null; do
                [ $SECONDS -ge $deadline ] && return 1
                sleep 0.1
        done
}

trap cleanup EXIT
trap 'exit 130' INT TERM

# The container gets CAP_IPC_LOCK, which nspawn withholds by default (and
# with it the mlock family of calls) and which root has on a real machine:
# sshfs -o password_stdin keeps the password in a locked page and fails
# without it ("Failed to allocate locked page for password").

# One container at a time on this machine, whichever build tree runs it: the
# containers share the host's cgroup hierarchy (no cgroup namespace here)
# and nspawn's per-machine directories, so two at once disturb each other
# (systemctl status and kill fail with EIO in both).
mkdir -p /run/lock
exec 9>/run/lock/winfsp-system-tests.lock
lock_start=$SECONDS
if ! flock -w 300 9; then
        echo "FAIL: another system test run held /run/lock/winfsp-system-tests.lock for 300 s"
        exit 1
fi
[ $((SECONDS - lock_start)) -gt 1 ] && echo "(waited $((SECONDS - lock_start)) s for another system test run)"

T=$(mktemp -d /tmp/winfsp-system.XXXXXX)
mount -t tmpfs -o mode=0755 winfsp-system "$T" || { echo "FAIL: cannot mount a tmpfs on $T"; exit 1; }
mkdir -p "$T/upper" "$T/work" "$T/root" "$T/results"

# The upper directory: the install, then what only the tests add.
if grep -q '^# install: none' "$tests/scenarios/$scenario.sh"; then
        mkdir -p "$T/upper/usr/lib/winfsp-test/debs"
        cp "$stage"/debs/*.deb "$T/upper/usr/lib/winfsp-test/debs/"
else
        cp -a "$stage/root/." "$T/upper/"
fi
"$tests/populate-upper.sh" "$T/upper" "$tests" "$scenario" || { echo "FAIL: populate-upper.sh failed"; exit 1; }

if ! mount -t overlay winfsp-system -o "lowerdir=/,upperdir=$T/upper,workdir=$T/work" "$T/root"; then
        echo "FAIL: cannot mount the overlay (lowerdir=/, upperdir=$T/upper)"
        exit 1
fi

# systemd supports automount units only where /dev/autofs exists.
binds=(--bind=/dev/fuse)
[ -c /dev/autofs ] && binds+=(--bind=/dev/autofs)
# A coverage build (scripts/coverage.sh): the programs installed in the
# container write their counters into this build tree, bound at its own path.
[ -n "${FSP_COVERAGE_DIR:-}" ] && binds+=(--bind="$FSP_COVERAGE_DIR")

boots=$(sed -n 's/^# boots: *\([0-9]*\).*/\1/p' "$tests/scenarios/$scenario.sh")
boots=${boots:-1}
status=0
for boot in $(seq 1 "$boots"); do
        printf 'scenario=%s\nboot=%s\nboots=%s\n' "$scenario" "$boot" "$boots" >"$T/results/plan"
        start=$(date +%s%N)
        timeout -k 10 "$boot_timeout" systemd-nspawn --quiet --register=no --keep-unit --capability=CAP_IPC_LOCK \
                --directory="$T/root" --machine="winfsp-test" \
                "${binds[@]}" --bind="$T/results:/results" --bind-ro="$T/upper:/run/winfsp-test/upper" \
                --link-journal=no --resolv-conf=off --timezone=off \
                --setenv=SYSTEMD_COLORS=0 --console=read-only \
                --boot -- systemd.unit=winfsp-test.target \
                </dev/null >"$T/console.$boot" 2>&1 9>&- &
        nspawn_pid=$!
        wait "$nspawn_pid"
        nspawn_rc=$?
        nspawn_pid=
        ms=$((($(date +%s%N) - start) / 1000000))
        echo "== boot $boot of $boots: $ms ms, systemd-nspawn exited $nspawn_rc"
        if [ -f "$T/results/boot$boot.log" ]; then
                cat "$T/results/boot$boot.log"
        fi
        rc=$(cat "$T/results/boot$boot.rc" 2>/dev/null)
        if [ "$nspawn_rc" = 124 ] || [ "$nspawn_rc" = 137 ]; then
                echo "FAIL: boot $boot: the container did not power off within ${boot_timeout}s"
                rc=${rc:-1}
                [ "$rc" = 0 ] && rc=1
        fi
        if [ -z "$rc" ]; then
                echo "FAIL: boot $boot: the scenario did not run or did not finish (no result file)"
                rc=1
        fi
        if [ "$rc" = 77 ]; then
                status=77
                break
        fi
        if [ "$rc" != 0 ]; then
                status=1
                echo "--- boot $boot: last lines of the console"
                tail -40 "$T/console.$boot"
                if [ -f "$T/results/journal.$boot" ]; then
                        echo "--- boot $boot: the journal, winfsp lines and errors"
                        grep -Ei 'winfsp|memfs|launch|fail|error|watchdog' "$T/results/journal.$boot" | tail -80
                fi
                break
        fi
done
[ -n "$keep" ] && echo "(results kept in $keep)"
exit $status
