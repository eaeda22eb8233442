#!/bin/bash
# One sd-event loop, nothing blocking: a start stuck in a credentials wait
# does not delay anybody else (List and another start complete while it is
# still pending: an order, not a time), and 100 parallel start/stop pairs
# (real FUSE mounts) leave no process, fd or mount behind. Durations are
# printed as notes; the figures belong to bench/.
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_require_fuse
fsp_bus_start
cat >"$T/conf.d/slow.conf" <<EOC
[Service]
Executable=$TESTFS
CommandLine=--password-silent
Security=D:P(A;;RPWPLC;;;WD)
Credentials=1
CredentialsTimeout=120
EOC
cat >"$T/conf.d/mounter.conf" <<EOC
[Service]
Executable=$TESTFS
CommandLine=--mount %1 //mounter/%I
MountPoint=%1
Security=D:P(A;;RPWPLC;;;WD)
EOC
fsp_launcher_start

# ms CMD...: run it, print how long it took in ms; fails as CMD does.
ms() {
        local t0 rc=0
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || rc=$?
        echo $((($(date +%s%N) - t0) / 1000000))
        return $rc
}

# --- a slow credentials handshake in flight (it would wait 120 s)
printf sesame | gdbus call --system --timeout 150 --dest org.winfsp.Launcher1 --object-path /org/winfsp/Launcher1 \
        --method org.winfsp.Launcher1.StartWithSecret "'slow'" "'s'" "@as []" 0 >"$T/slow.out" 2>&1 &
slow=$!
expect_ok "the slow start is pending" fsp_wait_until 5 grep -q "slow/s: started" "$T/launcher.log"
worst=0 answered=0
for k in $(seq 20); do
        t=$(ms bus_call List) && answered=$((answered + 1))
        [ "$t" -gt "$worst" ] && worst=$t
done
expect_eq "20 List calls answered while it waits" "$answered" 20
echo "note: the slowest of those List calls took $worst ms"
mkdir -p "$T/mnt/during"
t=$(ms bus_call Start ssas mounter during 1 "$T/mnt/during")
expect_ok "another start completes meanwhile" fsp_is_mounted "$T/mnt/during"
echo "note: that start took $t ms"
expect_eq "the slow one is still starting after all that" "$(fsp_info_field slow s State)" starting
expect_ok "and its caller still waits" fsp_pid_alive $slow
bus_call Stop ss mounter during >/dev/null
expect_eq "stopping the pending start" "$(bus_call Stop ss slow s)" "i 0"
fsp_wait_pid $slow 5
expect_contains "the pending caller hears why" "$(cat "$T/slow.out")" "stopped before it was ready"

# --- 100 parallel start/stop pairs with real mounts
fds_before=$(ls /proc/$LAUNCHER_PID/fd | wc -l)
for k in $(seq 100); do mkdir -p "$T/mnt/p$k"; done
t0=$(date +%s%N)
pids=()
for k in $(seq 100); do
        bus_call Start ssas mounter "p$k" 1 "$T/mnt/p$k" >"$T/start.$k" 2>&1 &
        pids+=($!)
done
wait "${pids[@]}" # not a bare wait: the bus and the launcher are children too
t1=$(date +%s%N)
started=$(bus_call List | grep -o '"mounter" "p[0-9]*"' | wc -l)
expect_eq "100 running" "$started" 100
mounted=$(awk -v t="$T/mnt/p" 'index($5, t) == 1' /proc/self/mountinfo | wc -l)
expect_eq "100 mounted" "$mounted" 100
echo "note: 100 parallel starts took $(((t1 - t0) / 1000000)) ms"
pids=()
for k in $(seq 100); do
        bus_call Stop ss mounter "p$k" >"$T/stop.$k" 2>&1 &
        pids+=($!)
done
wait "${pids[@]}"
expect_eq "every stop answered 0" "$(cat "$T"/stop.* | sort | uniq -c | awk '{print $1, $2, $3}')" "100 i 0"
expect_eq "no instance left" "$(bus_call List)" "a(ss) 0"
expect_eq "no mount left" "$(awk -v t="$T/mnt/p" 'index($5, t) == 1' /proc/self/mountinfo | wc -l)" 0
expect_ok "no process left" fsp_wait_until 5 fsp_no_instance_processes
expect_eq "no fd left in the launcher" "$(ls /proc/$LAUNCHER_PID/fd | wc -l)" "$fds_before"
# Its children now: the spawner (winfsp-launcher(8)), and nothing else, zombies included.
children=$(for c in $(cat /proc/$LAUNCHER_PID/task/*/children); do cat /proc/$c/comm 2>/dev/null || echo gone; done | sort | uniq -c | awk '{print $1, $2}')
expect_eq "no child left but the spawner (zombies included)" "$children" "1 winfsp-spawner"
fsp_done
