#!/bin/bash
# The launcher's own end: SIGTERM stops every JobControl=1 instance within
# its stop timeout and leaves JobControl=0 ones running, to be adopted by the
# next launcher; a killed launcher takes JobControl=1 instances with it; a
# client that goes away mid-call loses nothing.
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_require_fuse
fsp_bus_start
cat >"$T/conf.d/mounter.conf" <<EOC
[Service]
Executable=$TESTFS
CommandLine=--mount %1 //mounter/%I
MountPoint=%1
Security=D:P(A;;RPWPLC;;;WD)
EOC
sed 's/^Security=.*/&\nJobControl=0/' "$T/conf.d/mounter.conf" >"$T/conf.d/keeper.conf"
fsp_testfs_class slow "MountPoint=%9" "StartTimeout=2"
mkdir -p "$T/mnt/a" "$T/mnt/b" "$T/mnt/k" "$T/mnt/s"
fsp_launcher_start

# --- a client that disconnects mid-call
timeout -s KILL 0.3 busctl --system -- call org.winfsp.Launcher1 /org/winfsp/Launcher1 org.winfsp.Launcher1 \
        Start ssas slow gone 9 --stderr never-ready "" "" "" "" "" "" "$T/mnt/s" >/dev/null 2>&1
expect_ok "the abandoned start still times out and is forgotten" fsp_wait_until 10 grep -q "slow/gone: start failed" "$T/launcher.log"
expect_ok "forgotten" fsp_wait_until 10 bash -c "! busctl --system call org.winfsp.Launcher1 /org/winfsp/Launcher1 org.winfsp.Launcher1 GetInfo ss slow gone"
expect_ok "the launcher serves on" bus_call List
expect_ok "no process of it left" fsp_wait_until 5 fsp_no_instance_processes

# --- SIGTERM: JobControl=1 instances are stopped, JobControl=0 ones stay
expect_ok "start a (JobControl=1)" bus_call Start ssas mounter a 1 "$T/mnt/a"
expect_ok "start b (JobControl=1)" bus_call Start ssas mounter b 1 "$T/mnt/b"
expect_ok "start k (JobControl=0)" bus_call Start ssas keeper k 1 "$T/mnt/k"
pa=$(fsp_pid_of mounter a)
pk=$(fsp_pid_of keeper k)
expect_ok "k is recorded for adoption" test -s "$T/state/instances/$pk"
old_launcher=$LAUNCHER_PID
rc=0
fsp_launcher_stop || rc=$?
expect_eq "the launcher exits 0 on SIGTERM" "$rc" 0
expect_fail "a stopped" fsp_pid_alive "$pa"
expect_fail "a unmounted" fsp_is_mounted "$T/mnt/a"
expect_fail "b unmounted" fsp_is_mounted "$T/mnt/b"
expect_ok "k still runs" fsp_pid_alive "$pk"
expect_ok "k still mounted" fsp_is_mounted "$T/mnt/k"
expect_contains "stopping logged" "$(cat "$T/launcher.log")" "stopping 3 instances"

# --- the next launcher adopts k
fsp_launcher_start
expect_contains "adopted: listed" "$(bus_call List)" '"keeper" "k"'
expect_eq "adopted: same pid" "$(fsp_pid_of keeper k)" "$pk"
expect_eq "adopted: running" "$(fsp_info_field keeper k State)" running
expect_eq "adopted: mount point kept" "$(fsp_info_field keeper k MountPoint)" "$T/mnt/k"
expect_contains "adoption logged" "$(cat "$T/launcher.log")" "keeper/k: adopted (pid $pk)"
expect_eq "an adopted instance's status is unknown (-1)" "$(bus_call Stop ss keeper k)" "i -1"
expect_fail "k stopped" fsp_pid_alive "$pk"
expect_fail "k unmounted" fsp_is_mounted "$T/mnt/k"
expect_fail "its record removed" test -e "$T/state/instances/$pk"

# --- a record of a process that is gone is dropped, not adopted
echo "class=6b6565706572" >"$T/state/instances/999999"
printf 'instance=6b\npid=999999\nstarttime=1\n' >>"$T/state/instances/999999"
fsp_launcher_stop
fsp_launcher_start
expect_fail "stale record dropped" test -e "$T/state/instances/999999"
expect_eq "nothing adopted" "$(bus_call List)" "a(ss) 0"

# --- an unreadable record is dropped; an instance whose class was removed
# meanwhile is adopted with the definition it was started with (as a reload
# keeps it), whatever the class file says now or whether it is there
printf 'garbage\n' >"$T/state/instances/12345"
expect_ok "start k2 (JobControl=0)" bus_call Start ssas keeper k2 1 "$T/mnt/k"
pk=$(fsp_pid_of keeper k2)
fsp_launcher_stop
mv "$T/conf.d/keeper.conf" "$T/keeper.conf.away"
fsp_launcher_start
expect_fail "the unreadable record removed" test -e "$T/state/instances/12345"
expect_contains "and said so" "$(cat "$T/launcher.log")" "instances/12345: unreadable instance record, removed"
expect_contains "k2 adopted although its class file is gone" "$(cat "$T/launcher.log")" "keeper/k2: adopted (pid $pk)"
expect_eq "listed" "$(bus_call List)" 'a(ss) 1 "keeper" "k2"'
expect_eq "running" "$(fsp_info_field keeper k2 State)" running
expect_eq "stopped through the launcher" "$(bus_call Stop ss keeper k2)" "i -1"
expect_ok "k2 ends" fsp_wait_until 10 bash -c "! [ -e /proc/$pk ] || grep -q '^State:.*Z' /proc/$pk/status"
expect_ok "and its mount is detached" fsp_wait_until 5 bash -c "! grep -q ' $T/mnt/k ' /proc/self/mountinfo"
mv "$T/keeper.conf.away" "$T/conf.d/keeper.conf"

# --- a launcher killed outright takes JobControl=1 instances with it
# (PR_SET_PDEATHSIG). A user's start of root's program: the program mounted
# a staging directory and the launcher moved its mount onto the user's
# directory, so the program cannot unmount it when it ends, and the launcher
# was killed before it could: the next launcher does, from its record.
fsp_user fsptest1 >/dev/null
install -d -o fsptest1 "$T/mnt/u"
expect_ok "a user starts a again" fsp_as fsptest1 "$LAUNCHCTL" start mounter a "$T/mnt/u"
pa=$(fsp_pid_of mounter a)
kill -KILL "$LAUNCHER_PID"
LAUNCHER_PID=
expect_ok "a ends with its launcher" fsp_wait_until 5 bash -c "! [ -e /proc/$pa ] || grep -q '^State:.*Z' /proc/$pa/status"
expect_ok "a's dead mount is still there" fsp_is_mounted "$T/mnt/u"
fsp_launcher_start
expect_fail "the next launcher detaches it" fsp_is_mounted "$T/mnt/u"
expect_contains "and says so" "$(cat "$T/launcher.log")" "detached the mount $T/mnt/u that a previous launcher's instance left"
fsp_done
