#!/bin/bash
# One user cannot starve the others (issue 8, attack 3):
# - a user other than root is refused past --max-instances-per-user with
#   LimitExceeded, while root and another user still start; the same for a
#   class's MaxInstancesPerUser=, counted per user and class;
# - without that limit, a user's 40 instances (over the 64 fds a soft limit
#   of 64 would allow: a few fds each; systemd's 1024 works the same with a
#   few hundred) still leave root and another user able to start: the
#   launcher raised its own limit;
# - during a burst of 64 parallel starts by one user, another user's List is
#   answered (bench/ measures how fast).
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_user fsptest1 >/dev/null
fsp_user fsptest2 >/dev/null
fsp_bus_start
fsp_testfs_class idle

# start_many USER FIRST LAST: starts idle/USER-N for N in FIRST..LAST, stops at the first refusal.
start_many() {
        local user=$1 n
        for n in $(seq "$2" "$3"); do
                fsp_as "$user" "$LAUNCHCTL" start idle "$user-$n" >"$T/start.out" 2>&1 || { echo "$n"; return; }
        done
        echo done
}

# --- the per-user limit
fsp_launcher_start --max-instances-per-user 8
expect_eq "the first refused start is the 9th" "$(start_many fsptest1 1 20)" 9
expect_contains "LimitExceeded, saying why" "$(cat "$T/start.out")" \
        "fsptest1 (uid $(id -u fsptest1)) has 8 instances, as many as the launcher allows one user (--max-instances-per-user=8)"
status=0; fsp_as fsptest1 "$LAUNCHCTL" start idle one-more >/dev/null 2>&1 || status=$?
expect_eq "its exit status: 15" "$status" 15
expect_ok "another user still starts" fsp_as fsptest2 "$LAUNCHCTL" start idle other
expect_ok "root still starts" launchctl start idle root-1
expect_ok "after a stop, the user may start again" fsp_as fsptest1 "$LAUNCHCTL" stop idle fsptest1-1
expect_ok "one more" fsp_as fsptest1 "$LAUNCHCTL" start idle fsptest1-again

# --- a class's own limit (MaxInstancesPerUser=), under the launcher's: per user and class
fsp_testfs_class scarce MaxInstancesPerUser=2
launchctl reload >/dev/null
expect_eq "the first refused start of the class is the 3rd" \
        "$(for n in 1 2 3 4; do fsp_as fsptest2 "$LAUNCHCTL" start scarce "s-$n" >"$T/start.out" 2>&1 || { echo $n; break; }; done)" 3
expect_contains "LimitExceeded, naming the class and the key" "$(cat "$T/start.out")" \
        "fsptest2 (uid $(id -u fsptest2)) has 2 instances of class 'scarce', as many as it allows one user (MaxInstancesPerUser=2)"
expect_ok "(fsptest1 makes room under the launcher's limit)" fsp_as fsptest1 "$LAUNCHCTL" stop idle fsptest1-again
expect_ok "another user starts the class all the same" fsp_as fsptest1 "$LAUNCHCTL" start scarce mine
for n in 1 2 3; do launchctl start scarce "root-$n" >/dev/null 2>&1 || break; done
expect_eq "root is not bounded by it" "$(launchctl list | grep -c '^scarce root-')" 3
fsp_launcher_stop

# --- no per-user limit: the open-file limit is the launcher's hard one
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
prlimit --nofile=64:"$hard" -- "$LAUNCHER" --config-path "$T/conf.d" --state-dir "$T/state" \
        --max-instances-per-user 0 >>"$T/launcher.log" 2>&1 &
LAUNCHER_PID=$!
fsp_bus_wait_name org.winfsp.Launcher1 10
expect_eq "its soft limit is raised to the hard one" "$(awk '/Max open files/ { print $4 }' /proc/$LAUNCHER_PID/limits)" "$hard"
expect_eq "a user starts 40 instances" "$(start_many fsptest1 1 40)" done
expect_ok "they hold more fds than its old soft limit" test "$(ls /proc/$LAUNCHER_PID/fd | wc -l)" -gt 64
pid=$(fsp_pid_of idle fsptest1-40)
expect_eq "an instance gets the launcher's old soft limit back" "$(awk '/Max open files/ { print $4 }' /proc/$pid/limits)" 64
expect_ok "another user still starts" fsp_as fsptest2 "$LAUNCHCTL" start idle other
expect_ok "root still starts" launchctl start idle root-1

# --- a burst of parallel starts by one user; another user's List is answered meanwhile
burst=()
for n in $(seq 1 64); do
        fsp_as fsptest1 "$LAUNCHCTL" start idle "burst-$n" >/dev/null 2>&1 &
        burst+=($!)
done
expect_ok "another user's List during the burst" fsp_as fsptest2 timeout 20 "$LAUNCHCTL" list
wait "${burst[@]}"
expect_eq "the burst's instances all started" "$(launchctl list | grep -c '^idle burst-')" 64
fsp_done
