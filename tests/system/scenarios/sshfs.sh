#!/bin/bash
# The shipped sshfs class under a booted systemd: winfsp@sshfs-USER@HOST
# with the password from LoadCredential= and the port from WINFSP_ARGS,
# against an OpenSSH server the scenario starts on 127.0.0.1 (a user with a
# password). The right password: systemctl start returns mounted, and files
# reach the server; a wrong one: the unit fails within seconds, its journal
# says the password was refused, nothing is mounted and no sshfs is left.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_template
need /usr/lib/winfsp/conf.d/sshfs.conf "the sshfs class (conf.d/sshfs.conf)"
need /usr/bin/sshfs "sshfs (Debian package sshfs)"
need /usr/sbin/sshd "an SSH server (Debian package openssh-server)"

fuse_for_users
user=fspsshfs
password="ssh-$RANDOM$RANDOM"
id -u $user >/dev/null 2>&1 || useradd --shell /bin/sh $user
printf '%s:%s\n' $user "$password" | chpasswd
mkdir -p /etc/winfsp-test /run/sshd /srv/sftp/$user
chown $user: /srv/sftp/$user
printf '%s' "$password" >/etc/winfsp-test/right.password
printf '%s' "wrong-$password" >/etc/winfsp-test/wrong.password
chmod 600 /etc/winfsp-test/*.password
ssh-keygen -q -t ed25519 -N '' -f /etc/winfsp-test/host_key
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >/etc/winfsp-test/sshd_config <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey /etc/winfsp-test/host_key
PidFile none
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
AllowUsers $user
Subsystem sftp internal-sftp -d /srv/sftp/%u
CONF
systemd-run --unit=fsp-test-sshd --quiet /usr/sbin/sshd -D -e -f /etc/winfsp-test/sshd_config
wait_until 10 sh -c "journalctl -b -u fsp-test-sshd -o cat | grep -q 'Server listening on 127.0.0.1 port $port'"
check "sshd listens on 127.0.0.1:$port" sh -c "journalctl -b -u fsp-test-sshd -o cat | grep -q 'port $port'"

dropin() { # dropin UNIT PASSWORD-FILE MOUNT-POINT
        mkdir -p "/etc/systemd/system/$1.d"
        cat >"/etc/systemd/system/$1.d/sshfs.conf" <<DROPIN
[Service]
LoadCredential=winfsp.password:$2
Environment=WINFSP_MOUNTPOINT=$3
Environment="WINFSP_ARGS=-o port=$port"
DROPIN
}
unit=$(systemd-escape --template=winfsp@.service "sshfs/$user@127.0.0.1")
bad=$(systemd-escape --template=winfsp@.service "sshfs/$user@localhost")
dropin "$unit" /etc/winfsp-test/right.password /run/winfsp/ssh
dropin "$bad" /etc/winfsp-test/wrong.password /run/winfsp/ssh-wrong
systemctl daemon-reload

start_unit "$unit" /run/winfsp/ssh
started_or_finish "$unit"
check_eq "/run/winfsp/ssh is mounted when it returns" "$MOUNTED_AT_RETURN" yes
check_eq "it is sshfs" "$(mount_field /run/winfsp/ssh 1)" fuse.sshfs
write_read /run/winfsp/ssh "a file written through sshfs reads back"
check "the file is on the server" test -f /srv/sftp/$user/probe.txt
leaks=$(grep -lFf /etc/winfsp-test/right.password /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null)
check_eq "the password is in no process's command line or environment" "$leaks" ""
check_eq "the password is not in the journal" "$(journalctl -b --no-pager -o cat | grep -cFf /etc/winfsp-test/right.password)" 0

t0=$(date +%s%N)
start_unit "$bad" /run/winfsp/ssh-wrong
ms=$((($(date +%s%N) - t0) / 1000000))
echo "note: the refused start took $ms ms"
check_eq "systemctl start $bad with a wrong password fails" "$START_RC" 1
check "within a few seconds ($ms ms)" test $ms -lt 10000
check "$bad is failed" systemctl is-failed --quiet "$bad"
check "nothing is mounted at /run/winfsp/ssh-wrong" not_mounted /run/winfsp/ssh-wrong
check_contains "its journal says the password was refused" \
        "$(journalctl -b --no-pager -o cat -u "$bad")" "the password in \$CREDENTIALS_DIRECTORY/winfsp.password was refused"
check_eq "no sshfs left for it" "$(pgrep -f "sshfs $user@localhost:" | wc -l)" 0

check "systemctl stop $unit" systemctl stop "$unit"
check "/run/winfsp/ssh is unmounted" not_mounted /run/winfsp/ssh
check_eq "no sshfs left" "$(pgrep -x sshfs | wc -l)" 0
[ $failures = 0 ] || { dump_unit "$unit"; dump_unit "$bad"; }
systemctl stop fsp-test-sshd
finish
