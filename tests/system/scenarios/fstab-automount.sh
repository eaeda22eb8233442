#!/bin/bash
# /etc/fstab lines with noauto,x-systemd.automount: the first access to
# /mnt/auto mounts //memfs/auto through mount.winfsp, for users other than
# root too; umount (or systemd's idle time-out) ends the instance, and the
# next access mounts it again.
# A class that needs a password asks through systemd-ask-password (a
# password agent answers). A file system that fails to start fails the
# access quickly, leaves nothing mounted and no launcher waiting.
#
# While an automount is pending, only processes in systemd's process group
# (mount.winfsp) may look the path up; anyone else, the launcher and the file
# system included, waits in the kernel until the mount is done. So
# mount.winfsp makes the FUSE mount itself and hands the connection to the
# launcher (the FuseFd start option).
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_template
need $MOUNT_WINFSP "mount.winfsp (netprovider/)"
command -v openssl >/dev/null || skip "openssl is needed to make the crypt(3) hash"
# x-systemd.automount needs the kernel's autofs (CONFIG_AUTOFS_FS); without it
# systemd refuses automount units ("not supported on this system").
grep -qw autofs /proc/filesystems || skip "the kernel has no autofs (CONFIG_AUTOFS_FS unset, no /dev/autofs): x-systemd.automount cannot work here"

# first_access DIR: ls DIR, bounded; on a hang, show who waits and wake them.
first_access() {
        local dir=$1 unit out
        unit=$(systemd-escape --path --suffix=mount "$dir")
        if out=$(timeout 20 ls -la "$dir" 2>&1); then
                pass "ls $dir succeeds (first access)"
                return 0
        fi
        fail "ls $dir (first access) did not succeed within 20 s: $out"
        ps -eo pid,pgid,stat,wchan:24,args | grep -E 'winfsp|memfs|mount' | grep -v grep
        dump_unit "$unit"
        dump_unit winfsp-launcher.service
        # Wake whoever waits on the pending automount, or the shutdown waits
        # for the mount's own time-out.
        systemctl kill --signal=SIGKILL "$unit"
        timeout 10 systemctl stop "${unit%.mount}.automount"
        return 1
}

mkdir -p /etc/winfsp/conf.d /etc/winfsp-test
# A class whose file system fails at once (an option memfs does not know).
cat >/etc/winfsp/conf.d/memfs-broken.conf <<'CLASS'
[Service]
Executable=/usr/bin/winfsp-memfs
CommandLine=--no-such-option -u %1 -m %2
MountPoint=%2
Security=D:P(A;;RPWPLC;;;WD)
CLASS
# A class that wants a password (memfs with --secret-hash).
cat >/etc/winfsp/conf.d/memfs-pw.conf <<'CLASS'
[Service]
Executable=/usr/bin/winfsp-memfs
CommandLine=-u %1 -m %2 --secret-hash /etc/winfsp-test/pw.hash
MountPoint=%2
Security=D:P(A;;RPWPLC;;;WD)
Credentials=1
CLASS
password="sesame-$RANDOM$RANDOM"
printf '%s' "$password" >/etc/winfsp-test/pw.password
chmod 600 /etc/winfsp-test/pw.password
openssl passwd -6 -stdin </etc/winfsp-test/pw.password >/etc/winfsp-test/pw.hash
# A mount unit has no LoadCredential= (systemd 252), so mount.winfsp asks
# through systemd-ask-password; ask_password_agent (lib.sh) answers.

cat >>/etc/fstab <<'FSTAB'
//memfs/auto /mnt/auto winfsp noauto,x-systemd.automount 0 0
//memfs-broken/x /mnt/broken winfsp noauto,x-systemd.automount 0 0
//memfs-pw/x /mnt/pw winfsp noauto,x-systemd.automount 0 0
//memfs/idle /mnt/idle winfsp noauto,x-systemd.automount,x-systemd.idle-timeout=2 0 0
FSTAB
check "systemctl daemon-reload (fstab generator)" systemctl daemon-reload
check "the generator made mnt-auto.automount" systemctl cat mnt-auto.automount
check "systemctl start of the four automounts" \
        systemctl start mnt-auto.automount mnt-broken.automount mnt-pw.automount mnt-idle.automount
check "mnt-auto.automount is active" unit_is mnt-auto.automount active
check_eq "/mnt/auto is an autofs trigger, nothing mounted yet" "$(mount_field /mnt/auto 1)" autofs
# The first access starts the launcher too (D-Bus activation), while the
# automount waits.
check "the launcher is not running yet" bash -c "! systemctl is-active --quiet winfsp-launcher.service"

first_access /mnt/auto || finish
check_eq "a FUSE file system of type fuse.memfs is mounted at /mnt/auto" "$(mount_field /mnt/auto 1)" fuse.memfs
check_eq "... its source is the remote name" "$(mount_field /mnt/auto 2)" //memfs/auto
check_contains "... with allow_other" "$(mount_field /mnt/auto 3)" allow_other
check_contains "... and default_permissions" "$(mount_field /mnt/auto 3)" default_permissions
check "mnt-auto.mount is active" unit_is mnt-auto.mount active
check "the launcher was activated for it" unit_is winfsp-launcher.service active
check_contains "the launcher runs instance memfs auto" "$(lctl list 2>&1)" "memfs auto"
check_eq "the instance's mount point is /mnt/auto" "$(lctl info memfs auto 2>&1 | sed -n 's/^ *MountPoint: *//p')" /mnt/auto
write_read /mnt/auto "the automounted file system works"
check "another user can read it (allow_other)" runuser -u nobody -- cat /mnt/auto/probe.txt

check "umount /mnt/auto" umount /mnt/auto
check "the instance ends with the unmount" wait_until 10 bash -c "! timeout 15 $LAUNCHCTL info memfs auto"
check_eq "/mnt/auto is an autofs trigger again" "$(mount_field /mnt/auto 1)" autofs
first_access /mnt/auto || finish
check "the next access mounted it again" wait_until 10 bash -c "timeout 15 $LAUNCHCTL info memfs auto"
check "launchctl stop of the automounted instance" lctl stop memfs auto
check "its mount is detached: /mnt/auto is an autofs trigger again" \
        wait_until 10 bash -c '[ "$(awk '"'"'$5 == "/mnt/auto" { sub(/.* - /, ""); t = $1 } END { print t }'"'"' /proc/self/mountinfo)" = autofs ]'
check "mnt-auto.mount goes inactive" wait_until 10 bash -c "! systemctl is-active --quiet mnt-auto.mount"
first_access /mnt/auto || finish
check "the next access mounted it again" wait_until 10 bash -c "timeout 15 $LAUNCHCTL info memfs auto"
check "systemctl stop mnt-auto.mount" timeout 30 systemctl stop mnt-auto.mount
check "the instance ends with the stop" wait_until 10 bash -c "! timeout 15 $LAUNCHCTL info memfs auto"

# x-systemd.idle-timeout: systemd unmounts it when idle, which ends the instance.
first_access /mnt/idle || finish
check "the idle-timeout line is mounted" is_mounted /mnt/idle
check "idle for 2 s, it is unmounted and the instance ends" \
        wait_until 20 bash -c "! timeout 15 $LAUNCHCTL info memfs idle"
check_eq "/mnt/idle is an autofs trigger again" "$(mount_field /mnt/idle 1)" autofs

# A password through systemd-ask-password, which mount.winfsp runs.
ask_password_agent winfsp://memfs-pw/x file:/etc/winfsp-test/pw.password >/tmp/agent.out 2>&1 &
agent_pid=$!
first_access /mnt/pw || { kill $agent_pid; finish; }
wait $agent_pid
check_eq "the password agent was asked, and answered" "$?" 0
check_eq "/mnt/pw is mounted (fuse.memfs-pw)" "$(mount_field /mnt/pw 1)" fuse.memfs-pw
write_read /mnt/pw "the automounted file system with a password works"
check "umount /mnt/pw" umount /mnt/pw

# A file system that fails: the access fails, and soon.
start=$(date +%s)
check_fails "ls /mnt/broken fails (its file system does not start)" timeout 30 ls /mnt/broken
took=$(($(date +%s) - start))
# Soon: well before the launcher's StartTimeout (30 s) could have ended it.
check "... within 20 s (took ${took} s)" test "$took" -le 20
check_eq "nothing is mounted on the trigger at /mnt/broken" "$(mount_field /mnt/broken 1)" autofs
check "the launcher still answers" lctl list
check "it has no instance memfs-broken x" bash -c "! timeout 15 $LAUNCHCTL info memfs-broken x"
check "mnt-broken.mount failed" wait_until 10 systemctl is-failed --quiet mnt-broken.mount
why=$(journalctl -b --no-pager -o cat -u mnt-broken.mount | grep -F 'exited with')
check "its journal says why (the file system exited)" test -n "$why"

[ $failures = 0 ] || { dump_unit mnt-auto.mount; dump_unit mnt-auto.automount; dump_unit mnt-pw.mount; }
finish
