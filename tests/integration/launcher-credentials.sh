#!/bin/bash
# The credentials handshake, launcher side: the secret from the client's fd
# to the instance's stdin, "OK" awaited on its stdout; refusals, silence,
# bad secrets, and the secret never leaking into argv, logs or messages.
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_bus_start

secure_class() { # NAME ACTIONS... : Credentials=1, the actions as its command line
        local name=$1
        shift
        cat >"$T/conf.d/$name.conf" <<EOC
[Service]
Executable=$TESTFS
CommandLine=$*
Security=D:P(A;;RPWPLC;;;WD)
Credentials=1
CredentialsTimeout=1
EOC
}
echo sesame >"$T/password"
secure_class secure --password-file $T/password --notify
secure_class nonl --password-nonl sesame
secure_class silent --password-silent
echo "echo sesame back" >"$T/echo"
secure_class leaky --stderr-file $T/echo --password-file $T/password --stderr after
secure_class echoing --stdout-file $T/echo --password-file $T/password
secure_class unfinished --stderr-partial $T/echo --password-file $T/password --notify
secure_class users --record $T/record-users --arg %3 --password-file $T/password
sed -i 's/^Credentials=1/Credentials=3/' "$T/conf.d/users.conf"
fsp_testfs_class plain
fsp_launcher_start

# with_secret CLASS INSTANCE SECRET [ARGS...]: StartWithSecret through gdbus
# (busctl cannot pass fds), the secret on a pipe as fd 0.
with_secret() {
        local c=$1 i=$2 s=$3
        shift 3
        printf '%s' "$s" | gdbus call --system --dest org.winfsp.Launcher1 --object-path /org/winfsp/Launcher1 \
                --method org.winfsp.Launcher1.StartWithSecret "$(gv_str "$c")" "$(gv_str "$i")" "$(gv_strv "$@")" 0
}

expect_ok "right password: ready" with_secret secure a sesame
expect_eq "running" "$(fsp_info_field secure a State)" running
expect_contains "accepted in the log" "$(cat "$T/launcher.log")" "secure/a: credentials accepted"
expect_eq "stopped" "$(bus_call Stop ss secure a)" "i 0"

expect_ok "OK without a newline is accepted" with_secret nonl a sesame
bus_call Stop ss nonl a >/dev/null

expect_status "wrong password" 1 with_secret secure b bad-guess
expect_contains "AuthenticationFailed" "$OUT" "Error.AuthenticationFailed"
expect_contains "the file system's answer in the message" "$OUT" "refused the credentials: NO wrong password"
expect_not_contains "the secret not in the message" "$OUT" "bad-guess"
expect_status "forgotten" 1 bus_call GetInfo ss secure b
expect_ok "nothing left running" fsp_wait_until 5 fsp_no_instance_processes

t0=$(date +%s%N)
expect_status "silence times out" 1 with_secret silent a sesame
t1=$(date +%s%N)
expect_contains "Timeout" "$OUT" "Error.Timeout"
expect_contains "says CredentialsTimeout" "$OUT" "did not answer the credentials within 1 s"
ms=$(((t1 - t0) / 1000000))
# Never before CredentialsTimeout=1; the upper bound only tells the launcher's
# timer from gdbus's 25 s one.
if [ $ms -ge 1000 ] && [ $ms -lt 20000 ]; then pass "credentials timeout after CredentialsTimeout (${ms} ms)"; else fail "credentials timeout after ${ms} ms"; fi
expect_ok "silent one killed" fsp_wait_until 5 fsp_no_instance_processes

expect_status "plain Start of a credentials class" 1 gdbus_call Start "'secure'" "'c'" "@as []"
expect_contains "ConfigurationError" "$OUT" "Error.ConfigurationError"
expect_contains "says use StartWithSecret" "$OUT" "use StartWithSecret"
expect_status "secret for a class without credentials" 1 with_secret plain d sesame
expect_contains "ConfigurationError" "$OUT" "Error.ConfigurationError"

expect_status "secret over 4 KiB" 1 with_secret secure e "$(head -c 5000 /dev/zero | tr '\0' x)"
expect_contains "InvalidArgument, too long" "$OUT" "longer than 4096 bytes"
expect_status "secret with a newline" 1 with_secret secure f "$(printf 'a\nb')"
expect_contains "InvalidArgument, newline" "$OUT" "newline"

# A client that never closes its end: bounded by CredentialsTimeout, and the launcher keeps serving.
mkfifo "$T/fifo"
exec 7<>"$T/fifo"
t0=$(date +%s%N)
gdbus call --system --dest org.winfsp.Launcher1 --object-path /org/winfsp/Launcher1 \
        --method org.winfsp.Launcher1.StartWithSecret "'secure'" "'g'" "@as []" 0 <&7 >"$T/open.out" 2>&1 &
waiter=$!
expect_ok "List answers while a secret is pending" bus_call List
fsp_wait_pid $waiter 10
t1=$(date +%s%N)
exec 7>&-
expect_contains "open secret pipe times out" "$(cat "$T/open.out")" "did not reach its end within 1 s"

# The secret never shows: not in argv, not in the log, not in an error
# message, even when the file system prints it while the launcher holds it.
expect_ok "leaky one starts" with_secret leaky h sesame
pid=$(fsp_pid_of leaky h)
expect_not_contains "not in its argv" "$(tr '\0' ' ' </proc/"$pid"/cmdline)" sesame
expect_ok "its later output arrives" fsp_wait_until 5 grep -q "leaky/h\[$pid\]: after" "$T/launcher.log"
expect_contains "the line with the secret withheld" "$(cat "$T/launcher.log")" "a line that contained the secret was withheld"
bus_call Stop ss leaky h >/dev/null
# A line not finished when the secret is wiped is screened all the same.
expect_ok "one that leaves a line with the secret unfinished starts" with_secret unfinished h3 sesame
pid=$(fsp_pid_of unfinished h3)
bus_call Stop ss unfinished h3 >/dev/null
expect_ok "that line, completed by its end, withheld" fsp_wait_until 5 grep -q "unfinished/h3\[$pid\]: .*secret was withheld" "$T/launcher.log"
expect_status "an answer echoing the secret" 1 with_secret echoing h2 sesame
expect_contains "refused" "$OUT" "Error.AuthenticationFailed"
expect_contains "the answer shown with the secret masked" "$OUT" "refused the credentials: echo ***** back"
expect_not_contains "secret not in the message" "$OUT" sesame

# Credentials=3: the user name is %3, the password on stdin.
expect_ok "user and password" with_secret users i sesame "" "" alice
expect_ok "recorded" fsp_wait_until 5 grep -q '^end$' "$T/record-users"
expect_eq "%3 is the user name" "$(grep '^argv\[4\]=' "$T/record-users")" "argv[4]=alice"
bus_call Stop ss users i >/dev/null

expect_not_contains "the secret never reached the log" "$(cat "$T/launcher.log")" sesame
fsp_done
