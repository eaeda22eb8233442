#!/bin/bash
# An instance's life through the real launcher on a private bus, driven by
# busctl and gdbus as third-party clients: start, info, list, stop; exists,
# no such class; failing starts with the instance's last words; start
# timeout; stop escalation; dying on its own; readiness by notify and by
# mount; the process's environment; Stderr=; hostile names.
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_require_fuse
fsp_bus_start

# %1 is the mount point here, so MountPoint=%1 checks and pins it.
cat >"$T/conf.d/mounter.conf" <<EOC
[Service]
Description=mounts an empty file system
Executable=$TESTFS
CommandLine=--record $T/record-%I --stderr "hello from %I" --mount %1 //mounter/%I
MountPoint=%1
Security=D:P(A;;RPWPLC;;;WD)
StopTimeout=2
EOC
fsp_testfs_class actions "MountPoint=%9" "StartTimeout=2" "StopTimeout=1"
fsp_testfs_class nomount
fsp_testfs_class logged "MountPoint=%9" "Stderr=$T/logs/%I.log"
fsp_testfs_class inwork "WorkDirectory=$T/work"
# Sends READY=1 with a descriptor of $T/sentinel attached (SCM_RIGHTS), then waits.
cat >"$T/fdsender.py" <<'EOP'
import array, os, signal, socket, sys
fd = array.array("i", [os.open(sys.argv[1], os.O_RDONLY)])
address = os.environ["NOTIFY_SOCKET"].replace("@", "\0", 1)
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendmsg(
    [b"READY=1"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fd.tobytes())], 0, address)
signal.pause()
EOP
cat >"$T/conf.d/fdsender.conf" <<EOC
[Service]
Executable=/usr/bin/python3
CommandLine=$T/fdsender.py $T/sentinel
MountPoint=%1
Security=D:P(A;;RPWPLC;;;WD)
EOC
fsp_testfs_class nowork "WorkDirectory=$T/no-such-dir"
mkdir -p "$T/mnt/a" "$T/mnt/b" "$T/mnt/c" "$T/logs" "$T/work"
fsp_launcher_start
fsp_monitor_start "$T/signals"

# --- start, info, list, stop (busctl)
expect_ok "start returns" bus_call Start ssas mounter one 1 "$T/mnt/a"
expect_ok "mounted when Start returned" fsp_is_mounted "$T/mnt/a"
pid=$(fsp_pid_of mounter one)
expect_eq "info: state" "$(fsp_info_field mounter one State)" running
expect_eq "info: mount point" "$(fsp_info_field mounter one MountPoint)" "$T/mnt/a"
expect_eq "info: started by root" "$(fsp_info_field mounter one StartedBy)" 0
expect_eq "info: no exit yet" "$(fsp_info_field mounter one LastExitStatus)" -1
expect_contains "list shows it" "$(bus_call List)" '"mounter" "one"'
expect_ok "process runs" fsp_pid_alive "$pid"
rec=$T/record-one
expect_eq "argv as the template says" "$(grep -c '^argv' "$rec")" 8
# Root's program started by root mounts the checked directory itself (a
# user's start of a root program goes through a staging directory:
# launcher-attack-mountpoint).
expect_eq "%1, the mount point, is the checked directory" "$(grep '^argv\[6\]' "$rec")" "argv[6]=$T/mnt/a"
expect_eq "GetInfo names the checked mount point" "$(fsp_info_field mounter one MountPoint)" "$T/mnt/a"
expect_ok "the mount is on the checked directory" fsp_is_mounted "$T/mnt/a"
expect_eq "only fds 0-2" "$(grep '^fds=' "$rec")" "fds=0,1,2"
expect_eq "working directory / by default" "$(grep '^cwd=' "$rec")" "cwd=/"
expect_eq "own session" "$(grep '^sid=' "$rec" | cut -d= -f2)" "$pid"
expect_eq "own process group" "$(grep '^pgid=' "$rec" | cut -d= -f2)" "$pid"
expect_eq "stdin is /dev/null" "$(grep '^stdin=' "$rec")" "stdin=chr"
expect_eq "WINFSP_CLASS" "$(grep '^WINFSP_CLASS=' "$rec")" "WINFSP_CLASS=mounter"
expect_eq "WINFSP_INSTANCE" "$(grep '^WINFSP_INSTANCE=' "$rec")" "WINFSP_INSTANCE=one"
expect_contains "NOTIFY_SOCKET is the launcher's" "$(grep '^NOTIFY_SOCKET=' "$rec")" "@winfsp-launcher/"
expect_contains "its stderr reaches the log" "$(cat "$T/launcher.log")" "mounter/one[$pid]: hello from one"
expect_status "second start: InstanceExists" 1 gdbus_call Start "'mounter'" "'one'" "$(gv_strv "$T/mnt/b")"
expect_contains "InstanceExists named" "$OUT" "org.winfsp.Launcher1.Error.InstanceExists"
expect_status "same mount point refused" 1 bus_call Start ssas mounter two 1 "$T/mnt/a"
expect_contains "mount point in use" "$OUT" "is in use by another instance"
expect_eq "stop returns status 0" "$(bus_call Stop ss mounter one)" "i 0"
expect_fail "unmounted after stop" fsp_is_mounted "$T/mnt/a"
expect_fail "process gone after stop" fsp_pid_alive "$pid"
expect_status "info after stop: NoSuchInstance" 1 gdbus_call GetInfo "'mounter'" "'one'"
expect_contains "NoSuchInstance named" "$OUT" "Error.NoSuchInstance"
expect_ok "started and stopped signals" fsp_wait_until 5 grep -q 'string "one"' "$T/signals"
expect_contains "InstanceStopped signal" "$(cat "$T/signals")" "member=InstanceStopped"

# --- the same through gdbus
expect_ok "gdbus start" gdbus call --system --dest org.winfsp.Launcher1 --object-path /org/winfsp/Launcher1 \
        --method org.winfsp.Launcher1.Start mounter g "['$T/mnt/b']"
expect_contains "gdbus info" "$(gdbus call --system --dest org.winfsp.Launcher1 --object-path /org/winfsp/Launcher1 \
        --method org.winfsp.Launcher1.GetInfo mounter g)" "'State': <'running'>"
expect_contains "gdbus stop" "$(gdbus call --system --dest org.winfsp.Launcher1 --object-path /org/winfsp/Launcher1 \
        --method org.winfsp.Launcher1.Stop mounter g)" "(0,)"

# --- errors
expect_status "no such class" 1 gdbus_call Start "'nosuch'" "'x'" "@as []"
expect_contains "NoSuchClass" "$OUT" "Error.NoSuchClass"
expect_contains "message names the class" "$OUT" "no such class 'nosuch'"
expect_status "10 arguments refused" 1 bus_call Start ssas nomount x 10 1 2 3 4 5 6 7 8 9 10
expect_contains "too many arguments" "$OUT" "too many arguments: 10 given, at most 9"
# (Invalid UTF-8 cannot even be sent: D-Bus itself refuses it in a string.)
for bad in "" "a/../b" ".." "x$(printf '\001')y" "$(printf '%0256d' 0)" "/abs" "a//b"; do
        expect_status "hostile instance name refused: $(printf '%q' "$bad")" 1 gdbus_call Start "'nomount'" "$(gv_str "$bad")" "@as []"
        expect_contains "InvalidArgument for $(printf '%q' "$bad")" "$OUT" "Error.InvalidArgument"
done
expect_status "relative mount point refused" 1 bus_call Start ssas mounter rel 1 "mnt/a"
expect_contains "says absolute" "$OUT" "not an absolute path"
expect_status "missing mount point refused" 1 bus_call Start ssas mounter gone 1 "$T/mnt/none"
expect_contains "says which" "$OUT" "$T/mnt/none"

# --- a start that fails: exit status and the last words in the error
expect_status "failing start" 1 gdbus_call Start "'actions'" "'fail'" "$(gv_strv --stderr "first words" --stderr "last words" --exit 3 "" "" "$T/mnt/c")"
expect_contains "StartFailed" "$OUT" "Error.StartFailed"
expect_contains "exit status in the error" "$OUT" "exited with status 3 before it was ready"
expect_contains "last words in the error" "$OUT" "last words"
expect_status "forgotten after failing" 1 bus_call GetInfo ss actions fail
expect_status "exec failure" 1 gdbus_call Start "'broken'" "'x'" "@as []"
cat >"$T/conf.d/broken.conf" <<EOC
[Service]
Executable=$T/does-not-exist
Security=D:P(A;;RPWPLC;;;WD)
EOC
bus_call Reload >/dev/null
expect_status "exec failure" 1 gdbus_call Start "'broken'" "'x'" "@as []"
expect_contains "says it could not execute" "$OUT" "could not execute $T/does-not-exist: No such file or directory"

# --- start timeout: never ready, killed and forgotten
t0=$(date +%s%N)
expect_status "start timeout" 1 gdbus_call Start "'actions'" "'slow'" "$(gv_strv --stderr "waiting forever" "" "" "" "" "" "" "$T/mnt/c")"
t1=$(date +%s%N)
expect_contains "Timeout" "$OUT" "Error.Timeout"
expect_contains "says StartTimeout" "$OUT" "not ready within 2 s"
expect_contains "its last words too" "$OUT" "waiting forever"
ms=$(((t1 - t0) / 1000000))
# Never before StartTimeout=2; the upper bound only tells the launcher's own
# timer (its message above) from gdbus's 25 s one, however loaded the machine.
if [ $ms -ge 2000 ] && [ $ms -lt 20000 ]; then pass "timed out after StartTimeout (${ms} ms)"; else fail "timeout took ${ms} ms"; fi
expect_ok "no process left after the timeout" fsp_no_instance_processes

# --- stop escalation: SIGTERM ignored, SIGKILL after StopTimeout=1; the stale mount detached
expect_ok "start a stubborn one" bus_call Start ssas actions stubborn 9 --ignore-term --mount "$T/mnt/c" "" "" "" "" "" "$T/mnt/c"
pid=$(fsp_pid_of actions stubborn)
t0=$(date +%s%N)
expect_eq "stop escalates to SIGKILL" "$(bus_call Stop ss actions stubborn)" "i 137"
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
if [ $ms -ge 1000 ] && [ $ms -lt 20000 ]; then pass "escalation after StopTimeout (${ms} ms)"; else fail "escalation after ${ms} ms"; fi
expect_fail "stubborn process gone" fsp_pid_alive "$pid"
expect_fail "its FUSE mount detached" fsp_is_mounted "$T/mnt/c"
expect_contains "logged the escalation" "$(cat "$T/launcher.log")" "sending SIGKILL"

# --- an instance that dies on its own: reaped, announced, mount detached
expect_ok "start a mortal one" bus_call Start ssas actions mortal 9 --fork-child --mount "$T/mnt/c" "" "" "" "" "" "$T/mnt/c"
pid=$(fsp_pid_of actions mortal)
kill -KILL "$pid"
expect_ok "reaped and forgotten" fsp_wait_until 5 bash -c "! busctl --system call org.winfsp.Launcher1 /org/winfsp/Launcher1 org.winfsp.Launcher1 GetInfo ss actions mortal"
expect_ok "InstanceStopped with 137" fsp_wait_until 5 grep -A3 -q 'member=InstanceStopped' "$T/signals"
expect_contains "status 137 announced" "$(grep -A4 'member=InstanceStopped' "$T/signals" | tr '\n' ' ')" "int32 137"
expect_fail "mount detached after death" fsp_is_mounted "$T/mnt/c"
expect_ok "its child was killed too" fsp_wait_until 5 fsp_no_instance_processes
expect_contains "exit logged" "$(cat "$T/launcher.log")" "actions/mortal: exited with signal 9"

# --- readiness by READY=1 with a MountPoint that never gets a mount
expect_ok "ready by notify" bus_call Start ssas actions notified 9 --notify "" "" "" "" "" "" "" "$T/mnt/c"
expect_eq "running" "$(fsp_info_field actions notified State)" running
expect_eq "stop it" "$(bus_call Stop ss actions notified)" "i 0"
# A descriptor sent along with READY=1 is not kept by the launcher.
: >"$T/sentinel"
expect_ok "ready by a notify message carrying a descriptor" bus_call Start ssas fdsender f 1 "$T/mnt/c"
expect_eq "the launcher did not keep the descriptor" "$(find /proc/$LAUNCHER_PID/fd -lname "$T/sentinel" | wc -l)" 0
expect_ok "stop it" bus_call Stop ss fdsender f

# --- no MountPoint: ready once exec'd
expect_ok "ready at exec" bus_call Start ssas nomount plain 0
expect_eq "running" "$(fsp_info_field nomount plain State)" running
expect_ok "stop it" bus_call Stop ss nomount plain # exec-ready: 0, or 143 before its handler is set

# --- arguments with spaces, quotes and % stay one argument each
expect_ok "hostile arguments" bus_call Start ssas nomount args 3 --record "$T/record-args" 'a b "c" %2 $(x)'
expect_ok "recorded" fsp_wait_until 5 grep -q '^end$' "$T/record-args"
expect_eq "argument kept verbatim" "$(grep '^argv\[3\]=' "$T/record-args")" 'argv[3]=a b "c" %2 $(x)'
bus_call Stop ss nomount args >/dev/null

# --- WorkDirectory=
expect_ok "WorkDirectory= given" bus_call Start ssas inwork w 3 --record "$T/record-work" --notify
expect_ok "recorded" fsp_wait_until 5 grep -q '^end$' "$T/record-work"
expect_eq "the instance works there" "$(grep '^cwd=' "$T/record-work")" "cwd=$T/work"
bus_call Stop ss inwork w >/dev/null
expect_status "a WorkDirectory= that does not exist" 1 gdbus_call Start "'nowork'" "'w'" "@as []"
expect_contains "StartFailed" "$OUT" "Error.StartFailed"
expect_contains "says which and why" "$OUT" "enter the WorkDirectory $T/no-such-dir: No such file or directory"

# --- Stderr= a file: created 0600, lines appended
expect_ok "logged instance" bus_call Start ssas logged f 9 --stderr "to the file" --notify "" "" "" "" "" "$T/mnt/c"
expect_ok "line in the file" fsp_wait_until 5 grep -q "to the file" "$T/logs/f.log"
expect_eq "file mode 0600" "$(stat -c %a "$T/logs/f.log")" 600
bus_call Stop ss logged f >/dev/null

# --- FuseFd: the caller mounted /dev/fuse itself (as mount.winfsp does for an
# automount); the file system gets it as fd 3 and "/dev/fd/3" as %1; the
# launcher never looks the path up.
mkdir -p "$T/mnt/pre"
FUSEMOUNT=$FSP_BUILD_DIR/tests/helpers/fsp-fusemount
expect_ok "start on a mounted connection" "$FUSEMOUNT" "$T/mnt/pre" mounter pre "$T/mnt/pre"
expect_eq "its mount point is the path" "$(fsp_info_field mounter pre MountPoint)" "$T/mnt/pre"
expect_eq "the file system got /dev/fd/3" "$(grep '^argv\[6\]=' "$T/record-pre")" "argv[6]=/dev/fd/3"
expect_contains "and fd 3 open" "$(grep '^fds=' "$T/record-pre")" "fds=0,1,2,3"
expect_ok "the mount answers" ls "$T/mnt/pre"
expect_eq "stop" "$(bus_call Stop ss mounter pre)" "i 0"
expect_fail "the caller's mount is gone with it" fsp_is_mounted "$T/mnt/pre"
expect_status "FuseFd with a relative path" 1 "$FUSEMOUNT" "$T/mnt/pre" mounter rel "mnt/pre"
expect_contains "refused as not canonical" "$OUT" "not a canonical absolute path"
umount -l "$T/mnt/pre" 2>/dev/null
# memfs on such a connection: libfsp-fuse takes /dev/fd/3 as its mount point.
cat >"$T/conf.d/memfd.conf" <<EOC
[Service]
Executable=$MEMFS
CommandLine=-u //memfd/%I -m %1
MountPoint=%1
Security=D:P(A;;RPWPLC;;;WD)
EOC
bus_call Reload >/dev/null
mkdir -p "$T/mnt/memfd"
expect_ok "memfs on a mounted connection" "$FUSEMOUNT" "$T/mnt/memfd" memfd m "$T/mnt/memfd"
expect_contains "it got /dev/fd/3" "$(tr '\0' ' ' </proc/"$(fsp_pid_of memfd m)"/cmdline)" "-m /dev/fd/3"
expect_ok "and serves it" sh -c "echo via-fd >'$T/mnt/memfd/f' && grep -qx via-fd '$T/mnt/memfd/f'"
expect_eq "stop" "$(bus_call Stop ss memfd m)" "i 0"
expect_fail "unmounted" fsp_is_mounted "$T/mnt/memfd"

# Stacked: a mount that is not ours (a tmpfs here; an autofs trigger under an
# automount) lies under the instance's. When the instance dies only its FUSE
# mount, the topmost, is detached.
mkdir -p "$T/mnt/stack"
mount -t tmpfs fsp-under "$T/mnt/stack"
expect_ok "start on top of another mount" "$FUSEMOUNT" "$T/mnt/stack" mounter stack "$T/mnt/stack"
kill -KILL "$(fsp_pid_of mounter stack)"
expect_ok "forgotten" fsp_wait_until 5 bash -c "! busctl --system call org.winfsp.Launcher1 /org/winfsp/Launcher1 org.winfsp.Launcher1 GetInfo ss mounter stack"
expect_eq "the FUSE mount detached, the one under it kept" \
        "$(awk -v d="$T/mnt/stack" '$5 == d { sub(/.* - /, ""); print $1 }' /proc/self/mountinfo | tr '\n' ' ')" "tmpfs "
umount "$T/mnt/stack"

# --- nothing left behind
expect_eq "no instances left" "$(bus_call List)" "a(ss) 0"
expect_ok "no instance processes left" fsp_no_instance_processes
fsp_done
