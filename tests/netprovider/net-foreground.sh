#!/bin/bash
# winfsp-net use --foreground, the way winfsp@.service runs it (Type=notify):
# READY=1 on $NOTIFY_SOCKET only once mounted; SIGTERM or SIGINT stop the
# instance and exit 0; umount (the instance ends with 0) exits 0; the file
# system killed exits non-zero; the launcher dying with its instance exits
# non-zero; a password from $CREDENTIALS_DIRECTORY (LoadCredential=).
# shellcheck source=netlib.sh
. "$FSP_SOURCE_DIR/tests/netprovider/netlib.sh"

net_init
fsp_bus_start
PW="Fg-pw-$$-c3"
net_hash "$PW" >"$T/sec.hash"
net_memfs_class mem 0
net_memfs_class sec 1 --secret-hash "$T/sec.hash"
fsp_class slp <<EOF
[Service]
Executable=/bin/sleep
CommandLine=300
Security=D:P(A;;RPWPLC;;;WD)
EOF
fsp_launcher_start

# A stand-in for systemd's notification socket: every datagram, one per line.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    data = s.recv(4096)
    with open(sys.argv[2], "ab") as f:
        f.write(data.replace(b"\n", b" ") + b"\n")
' "$T/notify.sock" "$T/notify.log" &
net_on_exit "kill $! 2>/dev/null"
fsp_wait_until 10 test -S "$T/notify.sock" || { echo "FATAL: no notify socket"; exit 1; }
touch "$T/notify.log"

FG_PID=
foreground() { # foreground NAME ARGS...: start winfsp-net use --foreground in the background
        local name=$1
        shift
        : >"$T/notify.log"
        NOTIFY_SOCKET="$T/notify.sock" "$NET" use --foreground "$@" >"$T/fg-$name.log" 2>&1 &
        FG_PID=$!
        net_on_exit "kill -KILL $FG_PID 2>/dev/null"
}
ready() {
        grep -q 'READY=1' "$T/notify.log"
}
FG_RC=
fg_wait() { # fg_wait: wait for the foreground process (in this shell: it is our child); FG_RC
        FG_RC=0
        fsp_wait_pid "$FG_PID" 30 || FG_RC=$?
}

# ---------------------------------------------------------------- SIGTERM
foreground f1 --mkdir "$T/mnt/f1" //mem/f1
expect_ok "READY=1 is sent" fsp_wait_until 20 ready
expect_ok "mounted when READY=1 came" fsp_is_mounted "$T/mnt/f1"
expect_contains "STATUS= says what is mounted where" "$(cat "$T/notify.log")" "STATUS=//mem/f1 mounted at $T/mnt/f1"
expect_ok "still running after READY" fsp_pid_alive "$FG_PID"
kill -TERM "$FG_PID"
fg_wait
expect_eq "SIGTERM: exit 0" "$FG_RC" "0"
expect_fail "SIGTERM: unmounted" fsp_is_mounted "$T/mnt/f1"
expect_eq "SIGTERM: the instance is gone" "$(net_list_remotes | grep -c //mem/f1)" "0"
expect_contains "STOPPING=1 was sent" "$(cat "$T/notify.log")" "STOPPING=1"

# ---------------------------------------------------------------- SIGINT
foreground f2 --mkdir "$T/mnt/f2" //mem/f2
expect_ok "f2 ready" fsp_wait_until 20 ready
kill -INT "$FG_PID"
fg_wait
expect_eq "SIGINT: exit 0" "$FG_RC" "0"
expect_fail "SIGINT: unmounted" fsp_is_mounted "$T/mnt/f2"

# ---------------------------------------------------------------- umount
foreground f3 --mkdir "$T/mnt/f3" //mem/f3
expect_ok "f3 ready" fsp_wait_until 20 ready
expect_ok "umount f3" umount "$T/mnt/f3"
fg_wait
expect_eq "umount: the file system ended with 0, so does winfsp-net" "$FG_RC" "0"

# ---------------------------------------------------------------- stopped by someone else
# A program that ends by SIGTERM (status 143) when another client stops it:
# a stop, not a failure of the unit.
foreground s1 --mkdir "$T/mnt/s1" //slp/s1
expect_ok "s1 ready" fsp_wait_until 20 ready
expect_status "winfsp-net delete from another client" 0 "$NET" delete //slp/s1
expect_eq "a stop reads as a stop" "$OUT" "//slp/s1 stopped"
fg_wait
expect_eq "stopped by SIGTERM elsewhere: exit 0" "$FG_RC" "0"
expect_contains "STATUS= says it was stopped" "$(cat "$T/notify.log")" "STATUS=//slp/s1 was stopped"

# ---------------------------------------------------------------- the file system killed
foreground f4 --mkdir "$T/mnt/f4" //mem/f4
expect_ok "f4 ready" fsp_wait_until 20 ready
pid=$(fsp_info_field mem f4 Pid)
kill -KILL "$pid"
fg_wait
expect_eq "killed file system: exit 14" "$FG_RC" "14"
expect_contains "killed file system: the message" "$(cat "$T/fg-f4.log")" "winfsp-net: use //mem/f4: //mem/f4 has ended with status"
expect_fail "killed file system: no stale mount" fsp_is_mounted "$T/mnt/f4"

# ---------------------------------------------------------------- credentials
mkdir -p "$T/creds"
printf '%s' "$PW" >"$T/creds/winfsp.password"
chmod 700 "$T/creds"
CREDENTIALS_DIRECTORY="$T/creds" foreground f5 --mkdir --remember=never "$T/mnt/f5" //sec/f5 </dev/null
expect_ok "f5 (with a password) ready" fsp_wait_until 20 ready
expect_ok "f5 mounted" fsp_is_mounted "$T/mnt/f5"
kill -TERM "$FG_PID"
fg_wait
expect_eq "f5 SIGTERM: exit 0" "$FG_RC" "0"
printf 'wrong' >"$T/creds/winfsp.password"
CREDENTIALS_DIRECTORY="$T/creds" foreground f6 --mkdir "$T/mnt/f6" //sec/f6 </dev/null
fg_wait
expect_eq "a refused password: exit 7, no READY" "$FG_RC" "7"
expect_fail "no READY=1 for a failed start" ready

# ---------------------------------------------------------------- the launcher dies
foreground f7 --mkdir "$T/mnt/f7" //mem/f7
expect_ok "f7 ready" fsp_wait_until 20 ready
kill -KILL "$LAUNCHER_PID"
LAUNCHER_PID=
fg_wait
expect_eq "the launcher and its instance gone: exit 14" "$FG_RC" "14"
expect_contains "the launcher gone: the message" "$(cat "$T/fg-f7.log")" "//mem/f7 has ended"

fsp_done
