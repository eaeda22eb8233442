#!/bin/bash
# Passwords through systemd-ask-password, as winfsp-net(1) asks when there is
# no terminal and no remembered password on a booted systemd: a password
# agent (ask_password_agent in lib.sh, speaking systemd's protocol) answers.
# The question names the remote; a refused password is asked again (three
# tries in all); a cancelled question is "no password" (exit 13) and mounts
# nothing; a Credentials=3 class asks for the user name too, with echo.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_template
command -v openssl >/dev/null || skip "openssl is needed to make the crypt(3) hash"
command -v systemd-ask-password >/dev/null || skip "systemd-ask-password is missing"

# Only our agent answers: the console and wall agents would race it.
systemctl stop systemd-ask-password-console.path systemd-ask-password-wall.path 2>/dev/null

mkdir -p /etc/winfsp/conf.d /etc/winfsp-test /mnt/ask1 /mnt/ask2 /mnt/ask3 /mnt/ask4 /mnt/ask5
password="ask-$RANDOM$RANDOM"
printf '%s' "$password" >/etc/winfsp-test/right.password
printf 'wrong-%s' "$password" >/etc/winfsp-test/wrong.password
printf 'alice' >/etc/winfsp-test/alice.user
chmod 600 /etc/winfsp-test/*.password
hash=$(openssl passwd -6 -stdin </etc/winfsp-test/right.password)
printf '%s\n' "$hash" >/etc/winfsp-test/ask.hash
printf 'alice:%s\n' "$hash" >/etc/winfsp-test/ask3.hash
cat >/etc/winfsp/conf.d/memfs-ask.conf <<'CLASS'
[Service]
Executable=/usr/bin/winfsp-memfs
CommandLine=-u %1 -m %2 -F memfs-ask --secret-hash /etc/winfsp-test/ask.hash
MountPoint=%2
Security=D:P(A;;RPWPLC;;;WD)
Credentials=1
CLASS
cat >/etc/winfsp/conf.d/memfs-ask3.conf <<'CLASS'
[Service]
Executable=/usr/bin/winfsp-memfs
CommandLine=-u %1 -m %2 --secret-user %3 --secret-hash /etc/winfsp-test/ask3.hash
MountPoint=%2
Security=D:P(A;;RPWPLC;;;WD)
Credentials=3
CLASS

# use_with_agent DIR REMOTE ANSWER...: winfsp-net use without a terminal (a
# new session, stdin /dev/null) while the agent gives ANSWERs. Sets USE_RC,
# USE_OUT and AGENT_OUT.
use_with_agent() {
        local dir=$1 remote=$2 agent_pid
        shift 2
        ask_password_agent "winfsp:$remote" "$@" >/tmp/agent.out 2>&1 &
        agent_pid=$!
        USE_OUT=$(timeout 60 setsid $NET use "$dir" "$remote" </dev/null 2>&1)
        USE_RC=$?
        wait $agent_pid
        AGENT_OUT=$(cat /tmp/agent.out)
}

use_with_agent /mnt/ask1 //memfs-ask/a file:/etc/winfsp-test/right.password
check_eq "the agent's answer mounts //memfs-ask/a" "$USE_RC" 0
check_contains "the question names the remote" "$AGENT_OUT" "Id=winfsp://memfs-ask/a Message=Password for //memfs-ask/a:"
check_contains "the password is asked without echo" "$AGENT_OUT" "Echo=0"
check_eq "/mnt/ask1 is mounted (fuse.memfs-ask)" "$(mount_field /mnt/ask1 1)" fuse.memfs-ask
write_read /mnt/ask1 "the file system behind the agent's password works"
check "winfsp-net delete" $NET delete /mnt/ask1

use_with_agent /mnt/ask2 //memfs-ask/b file:/etc/winfsp-test/wrong.password file:/etc/winfsp-test/right.password
check_eq "a refused password is asked again, then mounts" "$USE_RC" 0
check_contains "winfsp-net says it was refused" "$USE_OUT" "the password was refused"
check_eq "the agent was asked twice" "$(grep -c '^asked:' <<<"$AGENT_OUT")" 2
check "winfsp-net delete" $NET delete /mnt/ask2

use_with_agent /mnt/ask3 //memfs-ask/c file:/etc/winfsp-test/wrong.password file:/etc/winfsp-test/wrong.password \
        file:/etc/winfsp-test/wrong.password
check_eq "three refusals: authentication failed (7)" "$USE_RC" 7
check_eq "the agent was asked three times" "$(grep -c '^asked:' <<<"$AGENT_OUT")" 3
check "nothing is mounted at /mnt/ask3" not_mounted /mnt/ask3

use_with_agent /mnt/ask4 //memfs-ask/d cancel
check_eq "a cancelled question: no password (13)" "$USE_RC" 13
check_contains "and says so" "$USE_OUT" "no password given"
check "nothing is mounted at /mnt/ask4" not_mounted /mnt/ask4
check "the launcher has no instance memfs-ask d" bash -c "! timeout 15 $LAUNCHCTL info memfs-ask d"

use_with_agent /mnt/ask5 //memfs-ask3/e file:/etc/winfsp-test/alice.user file:/etc/winfsp-test/right.password
check_eq "Credentials=3: user name and password from the agent" "$USE_RC" 0
check_contains "the user name is asked with echo" "$AGENT_OUT" "Message=User name for //memfs-ask3/e Echo=1"
check_contains "then the password for that user" "$AGENT_OUT" "Message=Password for alice on //memfs-ask3/e:"
check "/mnt/ask5 is mounted" is_mounted /mnt/ask5
check "winfsp-net delete" $NET delete /mnt/ask5

leaks=$(grep -lFf /etc/winfsp-test/right.password /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null)
check_eq "the password is in no process's command line or environment" "$leaks" ""
check_eq "the password is not in the journal" "$(journalctl -b --no-pager -o cat | grep -cFf /etc/winfsp-test/right.password)" 0
[ $failures = 0 ] || { echo "--- last agent:"; echo "$AGENT_OUT"; echo "--- last winfsp-net:"; echo "$USE_OUT"; }
finish
