#!/bin/bash
# winfsp-launcher --user, as a user runs it: on the user's own session bus,
# with no --config-path or --state-dir, so the defaults of
# winfsp-launcher(8) apply: classes from $XDG_CONFIG_HOME/winfsp/conf.d (or
# ~/.config/winfsp/conf.d) before the system directories, state in
# $XDG_RUNTIME_DIR/winfsp, and no start without XDG_RUNTIME_DIR. Its
# instances run as the user and mount FUSE as the user (through fusermount3,
# so /dev/fuse must be usable by users); a class that would run as somebody
# else needs the system launcher. launchctl --user talks to it.
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_require_fuse
fsp_require_tool fusermount3 fuse3
U=fspuser1
uid=$(fsp_user $U)
fsp_fuse_for_users
[ -x "$MEMFS" ] || { echo "FATAL: $MEMFS is not built"; exit 1; }
SYSTEM_PATH=/etc/winfsp/conf.d:/run/winfsp/conf.d:/usr/lib/winfsp/conf.d

HOME_U=$T/home
RUN_U=$T/run
install -d -o $U -m 0700 "$HOME_U" "$RUN_U" "$HOME_U/.config/winfsp/conf.d" "$T/xdg/winfsp/conf.d" "$T/mnt/user"
install -d -o $U -m 0755 "$T/rec"
# JobControl=0: the launcher keeps a record of it in its state directory.
cat >"$HOME_U/.config/winfsp/conf.d/mine.conf" <<EOC
[Service]
Description=in ~/.config
Executable=$TESTFS
CommandLine=--record $T/rec/%I --notify
Security=D:P(A;;RPWPLC;;;WD)
JobControl=0
EOC
cat >"$HOME_U/.config/winfsp/conf.d/mem.conf" <<EOC
[Service]
Executable=$MEMFS
CommandLine=-u //mem/%I -m %1
MountPoint=%1
Security=D:P(A;;RPWPLC;;;WD)
EOC
cat >"$HOME_U/.config/winfsp/conf.d/asroot.conf" <<EOC
[Service]
Executable=$TESTFS
RunAs=root
Security=D:P(A;;RPWPLC;;;WD)
EOC
cat >"$T/xdg/winfsp/conf.d/other.conf" <<EOC
[Service]
Description=in \$XDG_CONFIG_HOME
Executable=$TESTFS
Security=D:P(A;;RPWPLC;;;WD)
EOC
chown -R $U "$HOME_U/.config" "$T/xdg"

# as_u CMD...: CMD as the user, as a command (not a function, so that $!
# of "as_u ... &" is CMD's own pid).
as_u=(setpriv --reuid=$U --regid="$(id -g $U)" --init-groups --)

# The user's session bus.
mkfifo "$T/session.addr"
"${as_u[@]}" dbus-daemon --session --address="unix:path=$RUN_U/bus" --nofork --nopidfile --print-address=3 \
        3>"$T/session.addr" 2>>"$T/session.log" &
SESSION_PID=$!
trap 'rc=$?; kill -TERM $SESSION_PID 2>/dev/null; (exit $rc); fsp_cleanup' EXIT
read -r -t 10 _ <"$T/session.addr" || { echo "FATAL: the session bus did not start"; exit 1; }
SESSION=unix:path=$RUN_U/bus

# as_user CMD...: CMD as the user in its session (HOME, XDG_RUNTIME_DIR, bus).
as_user() {
        fsp_as $U env -u XDG_CONFIG_HOME HOME="$HOME_U" XDG_RUNTIME_DIR="$RUN_U" DBUS_SESSION_BUS_ADDRESS="$SESSION" "$@"
}

# user_launcher WHAT LOG [ENV...]: winfsp-launcher --user as the user, no
# paths given; a check that it comes up. (Not in a subshell: LAUNCHER_PID
# is the clean-up's.)
user_launcher() {
        local what=$1 log=$2
        shift 2
        "${as_u[@]}" env -u XDG_CONFIG_HOME HOME="$HOME_U" XDG_RUNTIME_DIR="$RUN_U" DBUS_SESSION_BUS_ADDRESS="$SESSION" \
                "$@" "$LAUNCHER" --user >>"$log" 2>&1 &
        LAUNCHER_PID=$!
        expect_ok "$what" as_user gdbus wait --session --timeout 10 org.winfsp.Launcher1
}

# --- the defaults
user_launcher "the user launcher comes up" "$T/user.log"
expect_contains "classes from ~/.config first, then the system's" "$(cat "$T/user.log")" \
        "classes loaded from $HOME_U/.config/winfsp/conf.d:$SYSTEM_PATH"
classes=$(as_user "$LAUNCHCTL" --user classes)
expect_contains "launchctl --user classes: the user's class" "$classes" "mine"
expect_ok "launchctl --user start" as_user "$LAUNCHCTL" --user start mine one
expect_ok "recorded" fsp_wait_until 5 grep -q '^end$' "$T/rec/one"
expect_contains "the instance runs as the user" "$(grep '^uid=' "$T/rec/one")" "uid=$uid"
expect_contains "launchctl --user list" "$(as_user "$LAUNCHCTL" --user list)" "one"
pid=$(sed -n 's/^pid=//p' "$T/rec/one")
expect_ok "its state is kept in \$XDG_RUNTIME_DIR/winfsp" test -s "$RUN_U/winfsp/instances/$pid"
expect_ok "launchctl --user stop" as_user "$LAUNCHCTL" --user stop mine one

# A user's FUSE mount, through the user's launcher.
expect_ok "memfs mounts as the user" as_user "$LAUNCHCTL" --user start mem m "$T/mnt/user"
line=$(grep " $T/mnt/user " /proc/self/mountinfo)
expect_contains "mounted for the user" "$line" "user_id=$uid"
expect_ok "the user writes there" as_user sh -c "echo hi >'$T/mnt/user/f'"
expect_ok "stop unmounts" as_user "$LAUNCHCTL" --user stop mem m
expect_fail "unmounted" fsp_is_mounted "$T/mnt/user"

expect_status "RunAs= another user needs the system launcher" 10 as_user "$LAUNCHCTL" --user start asroot x
expect_contains "says so" "$OUT" "RunAs=root needs the system launcher"
fsp_launcher_stop

# --- $XDG_CONFIG_HOME instead of ~/.config
user_launcher "with XDG_CONFIG_HOME: up" "$T/xdg.log" XDG_CONFIG_HOME="$T/xdg"
expect_contains "classes from \$XDG_CONFIG_HOME first" "$(cat "$T/xdg.log")" \
        "classes loaded from $T/xdg/winfsp/conf.d:$SYSTEM_PATH"
classes=$(as_user "$LAUNCHCTL" --user classes)
expect_contains "its class is there" "$classes" "other"
expect_not_contains "~/.config is not read" "$classes" "mine"
fsp_launcher_stop

# --- no HOME nor XDG_CONFIG_HOME: the system directories only
"${as_u[@]}" env -u XDG_CONFIG_HOME -u HOME XDG_RUNTIME_DIR="$RUN_U" DBUS_SESSION_BUS_ADDRESS="$SESSION" \
        "$LAUNCHER" --user >>"$T/nohome.log" 2>&1 &
LAUNCHER_PID=$!
expect_ok "without HOME: up" as_user gdbus wait --session --timeout 10 org.winfsp.Launcher1
expect_contains "without HOME: the system directories only" "$(cat "$T/nohome.log")" "classes loaded from $SYSTEM_PATH"
fsp_launcher_stop

# --- no XDG_RUNTIME_DIR: no state directory, no launcher
expect_status "without XDG_RUNTIME_DIR it does not start" 1 \
        fsp_as $U timeout 20 env -u XDG_RUNTIME_DIR HOME="$HOME_U" DBUS_SESSION_BUS_ADDRESS="$SESSION" "$LAUNCHER" --user
expect_contains "and says why" "$OUT" "No state directory (is XDG_RUNTIME_DIR set?)"

fsp_done
