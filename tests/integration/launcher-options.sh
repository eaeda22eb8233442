#!/bin/bash
# The launcher's own command line and log, as winfsp-launcher(8) says:
# --version, usage errors (exit 2), --bus-address, a second launcher on the
# same bus, --log-level filtering, the "<N>" priority prefix when stderr is
# the journal stream named by JOURNAL_STREAM, closed standard streams; and an
# instance's output: stdout and stderr lines reach the launcher's stderr
# (the journal when there is one, see system/status-journal), a "<N>"
# prefix is taken as the line's priority, a last line without a newline is
# not lost.
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_bus_start
ADDRESS=$DBUS_SYSTEM_BUS_ADDRESS
printf 'partial last words' >"$T/partial"
fsp_testfs_class talker
fsp_testfs_class odd "Frobnicate=1"
fsp_testfs_class keeper "JobControl=0"

# run_launcher LOG ARGS...: a launcher in the background, stderr to LOG;
# LAUNCHER_PID is set so that clean-up ends it.
run_launcher() {
        local log=$1
        shift
        "$LAUNCHER" --config-path "$T/conf.d" --state-dir "$T/state" "$@" 2>>"$log" &
        LAUNCHER_PID=$!
}

# launcher_once WHAT LOG ARGS...: a launcher that comes up (a check) and is
# stopped again; then its log is in $RUN_LOG.
launcher_once() {
        local what=$1 log=$2
        shift 2
        run_launcher "$log" "$@"
        expect_ok "$what: up" fsp_bus_wait_name org.winfsp.Launcher1 10
        fsp_launcher_stop
        RUN_LOG=$(cat "$log")
}

# launcher_exits WANT WHAT ARGS...: a launcher that must exit WANT (bounded); output in $OUT.
launcher_exits() {
        local want=$1 what=$2
        shift 2
        expect_status "$what" "$want" timeout 20 "$LAUNCHER" "$@"
}

# --- the command line
launcher_exits 0 "--version" --version
[[ $OUT =~ ^winfsp-launcher\ [0-9]+\.[0-9]+\.[0-9]+$ ]] && pass "--version says '$OUT'" || fail "--version says '$OUT'"
launcher_exits 2 "an unknown option" --frobnicate
launcher_exits 2 "an unknown log level" --log-level loud
expect_contains "names the level" "$OUT" "--log-level: unknown level 'loud'"
launcher_exits 2 "an argument" --config-path "$T/conf.d" extra
expect_contains "names the argument" "$OUT" "unexpected argument 'extra'"
launcher_exits 1 "--bus-address of no bus" --bus-address "unix:path=$T/nobus" --config-path "$T/conf.d" --state-dir "$T/state"
expect_contains "says which and why" "$OUT" "Failed to connect to the unix:path=$T/nobus bus: No such file or directory"

# --- --bus-address instead of $DBUS_SYSTEM_BUS_ADDRESS; log levels
export -n DBUS_SYSTEM_BUS_ADDRESS
run_launcher "$T/warning.log" --bus-address "$ADDRESS" --log-level warning
export DBUS_SYSTEM_BUS_ADDRESS=$ADDRESS
expect_ok "--bus-address: it serves there" fsp_bus_wait_name org.winfsp.Launcher1 10
expect_ok "a start" bus_call Start ssas talker w 2 --stdout hello
bus_call Stop ss talker w >/dev/null
launcher_exits 1 "a second launcher on the same bus" --config-path "$T/conf.d" --state-dir "$T/state2" --log-level err
expect_contains "says who has the name" "$OUT" "Another launcher already owns org.winfsp.Launcher1"
expect_not_contains "--log-level err: no warning" "$OUT" "unknown key"
fsp_launcher_stop
log=$(cat "$T/warning.log")
expect_contains "--log-level warning: warnings" "$log" "odd.conf:6: unknown key 'Frobnicate'"
expect_not_contains "--log-level warning: no info" "$log" "classes loaded"
expect_not_contains "--log-level warning: no info about instances" "$log" "talker/w: started"
expect_not_contains "--log-level warning: no info at exit" "$log" "exiting"

launcher_once "--log-level notice" "$T/notice.log" --log-level notice
expect_contains "--log-level notice: warnings too" "$RUN_LOG" "unknown key 'Frobnicate'"
expect_not_contains "--log-level notice: no info" "$RUN_LOG" "classes loaded"
launcher_once "--log-level debug" "$T/debug.log" --log-level debug
expect_contains "--log-level debug: info too" "$RUN_LOG" "classes loaded from $T/conf.d"

# --- JOURNAL_STREAM: "<N>" prefixes when stderr is that stream, else the name
: >"$T/stream.log"
JOURNAL_STREAM=$(stat -c %d:%i "$T/stream.log") launcher_once "on the journal stream" "$T/stream.log"
expect_contains "on the journal stream: info as <6>" "$RUN_LOG" "<6>3 classes loaded from $T/conf.d"
expect_contains "on the journal stream: warnings as <4>" "$RUN_LOG" "<4>$T/conf.d/odd.conf:6: unknown key"
expect_not_contains "on the journal stream: no program name" "$RUN_LOG" "winfsp-launcher:"
JOURNAL_STREAM=$(stat -c %d:%i "$T/stream.log") launcher_once "another stream" "$T/other.log"
expect_contains "stderr is not that stream: plain lines" "$RUN_LOG" "winfsp-launcher: 3 classes loaded"
expect_not_contains "stderr is not that stream: no <N>" "$RUN_LOG" "<6>"

# --- a --state-dir it cannot write: JobControl=0 instances run, unrecorded, and it says so
: >"$T/not-a-dir"
run_launcher "$T/state.log" --state-dir "$T/not-a-dir"
expect_ok "an unwritable state directory: up" fsp_bus_wait_name org.winfsp.Launcher1 10
expect_ok "a JobControl=0 start" bus_call Start ssas keeper k 1 --notify
expect_contains "warns that it cannot record it" "$(cat "$T/state.log")" \
        "keeper/k: cannot record it in $T/not-a-dir/instances: Not a directory"
expect_ok "and stops it" bus_call Stop ss keeper k
fsp_launcher_stop

# --- started with stdin and stdout closed: it opens /dev/null there itself
"$LAUNCHER" --config-path "$T/conf.d" --state-dir "$T/state" <&- >&- 2>>"$T/launcher.log" &
LAUNCHER_PID=$!
expect_ok "closed stdio: up" fsp_bus_wait_name org.winfsp.Launcher1 10
expect_eq "its fd 0 is /dev/null" "$(readlink /proc/$LAUNCHER_PID/fd/0)" /dev/null
expect_eq "its fd 1 is /dev/null" "$(readlink /proc/$LAUNCHER_PID/fd/1)" /dev/null
expect_ok "an instance starts" bus_call Start ssas talker closed 3 --record "$T/record-closed" --notify
expect_ok "recorded" fsp_wait_until 5 grep -q '^end$' "$T/record-closed"
expect_eq "the instance has fds 0-2 only" "$(grep '^fds=' "$T/record-closed")" "fds=0,1,2"
bus_call Stop ss talker closed >/dev/null

# --- an instance's output
expect_ok "a talking instance" bus_call Start ssas talker t 8 --stdout "to stdout" --stderr "to stderr" \
        --stdout "<3>an error line" --stderr-partial "$T/partial"
expect_ok "it talks" fsp_wait_until 10 grep -q "talker/t.*: an error line" "$T/launcher.log"
bus_call Stop ss talker t >/dev/null
pid=$(sed -n 's|.*talker/t: started .* as pid \([0-9]*\)$|\1|p' "$T/launcher.log")
log=$(cat "$T/launcher.log")
expect_contains "a stdout line reaches the launcher's stderr" "$log" "talker/t[$pid]: to stdout"
expect_contains "a stderr line too" "$log" "talker/t[$pid]: to stderr"
expect_contains "a <N> prefix is the priority, not text" "$log" "talker/t[$pid]: an error line"
expect_not_contains "the prefix is not shown" "$log" "<3>an error line"
expect_contains "a last line without its newline" "$log" "talker/t[$pid]: partial last words"
fsp_done
