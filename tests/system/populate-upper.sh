#!/bin/bash
# populate-upper.sh UPPER TESTS_DIR SCENARIO
# What the system tests add to the installed tree in the overlay's upper
# directory: a machine id of the container's own, the test target and its
# runner, the scenario scripts, and masks for host services that have no
# business in the test container.
set -eu
upper=$1
tests=$2

mkdir -p "$upper/etc/systemd/system" "$upper/usr/lib/winfsp-test/scenarios"
tr -d '-' </proc/sys/kernel/random/uuid >"$upper/etc/machine-id"
# A persistent journal: a scenario that boots twice reads the first boot's
# shutdown in the second.
mkdir -p "$upper/var/log/journal"

install -m 0644 "$tests/units/winfsp-test.target" "$tests/units/winfsp-test.service" "$upper/etc/systemd/system/"
install -m 0755 "$tests/runner.sh" "$upper/usr/lib/winfsp-test/"
install -m 0644 "$tests/scenarios/lib.sh" "$upper/usr/lib/winfsp-test/"
install -m 0755 "$tests"/scenarios/[a-z]*.sh "$upper/usr/lib/winfsp-test/scenarios/"
rm -f "$upper/usr/lib/winfsp-test/scenarios/lib.sh"

# Installed on the host for other reasons; each would only slow the boot
# (and sshd would listen on the host's port 22: the container shares its
# network; the sshfs scenario starts a server of its own on 127.0.0.1).
for unit in postgresql.service e2scrub_reap.service apt-daily.timer apt-daily-upgrade.timer \
        dpkg-db-backup.timer e2scrub_all.timer fstrim.timer man-db.timer systemd-timesyncd.service \
        getty@tty1.service console-getty.service ssh.service ssh.socket; do
        ln -sf /dev/null "$upper/etc/systemd/system/$unit"
done
