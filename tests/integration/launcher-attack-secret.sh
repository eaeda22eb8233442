#!/bin/bash
# The secret reaches no log for the instance's whole life (issue 8, attack
# 5): a file system that answers OK and then prints the password (at once,
# split over two lines, over two writes, on stderr, a while later, into its
# Stderr= file, into STATUS=) gets none of it into the journal, the
# launcher's log, its log file or GetInfo; a line that held it says it was
# withheld, and ordinary lines still get through.
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_bus_start
PW="Zq7-secret-Hx4"   # 14 bytes: cut after 6 it is "Zq7-se" + "cret-Hx4"
A=${PW:0:6}
B=${PW:6}
cat >"$T/leaky.sh" <<'EOS'
read -r p || true
echo OK
echo "hello before"
echo "the password is $p"
printf '%s\n%s\n' "pw starts ${p%????????}" "${p#??????} ends it"
printf 'written in two %s' "${p%????????}"; printf '%s writes\n' "${p#??????}"
echo "on stderr: $p" >&2
echo "hello after"
sleep 1.5
echo "late: $p"
echo "hello late"
# STATUS= from the main process (a notifier that exits first is not matched to the instance).
P=$p exec python3 -c '
import os, socket, time
a = os.environ["NOTIFY_SOCKET"]
a = "\0" + a[1:] if a[0] == "@" else a
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(("STATUS=status " + os.environ["P"]).encode(), a)
time.sleep(60)'
EOS
for c in leaky leakyfile; do
        fsp_class "$c" <<EOC
[Service]
Executable=/bin/sh
CommandLine=$T/leaky.sh
Security=D:P(A;;RPWPLC;;;WD)
Credentials=1
EOC
done
echo "Stderr=$T/leakyfile.log" >>"$T/conf.d/leakyfile.conf"
fsp_launcher_start

with_secret() { # CLASS INSTANCE
        printf '%s' "$PW" | "$LAUNCHCTL" startWithSecret "$1" "$2"
}
expect_ok "starts" with_secret leaky a
expect_ok "starts with a log file" with_secret leakyfile b
expect_ok "the late line came" fsp_wait_until 10 grep -q "leaky/a.*hello late" "$T/launcher.log"
expect_ok "and into the file" fsp_wait_until 10 grep -q "hello late" "$T/leakyfile.log"
status_withheld() { fsp_info_field leaky a Status | grep -q 'status that contained the secret was withheld'; }
expect_ok "its STATUS= arrived, withheld" fsp_wait_until 5 status_withheld
expect_not_contains "STATUS= did not keep it" "$(fsp_info_field leaky a Status)" "$A"
expect_ok "stop" "$LAUNCHCTL" stop leaky a
expect_ok "stop the other" "$LAUNCHCTL" stop leakyfile b
log=$(cat "$T/launcher.log" "$T/leakyfile.log")
journal=$(journalctl --no-pager -o cat -t leaky -t leakyfile --since "-5 min" 2>/dev/null || true)
for where in log journal; do
        text=${!where}
        expect_not_contains "$where: not the whole secret" "$text" "$PW"
        expect_not_contains "$where: not its first part" "$text" "$A"
        expect_not_contains "$where: not its second part" "$text" "$B"
done
expect_contains "ordinary lines get through" "$log" "hello before"
expect_contains "after the secret too" "$log" "hello after"
expect_ok "withheld lines say so (6 in each)" test "$(grep -c 'secret was withheld' <<<"$log")" -ge 12
fsp_done
