#!/bin/bash
# The harness itself: the container booted, the system bus and journal run,
# results reach the host, and a FUSE file system mounts inside (fsp-testfs).
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh

check "multi-user.target is reached" unit_is multi-user.target active
check "the system bus answers" busctl --system list --no-pager
check "journald runs" unit_is systemd-journald.service active
check_eq "systemd runs in a container" "$(systemd-detect-virt --container)" systemd-nspawn
check "/dev/fuse is a character device" test -c /dev/fuse

testfs=/usr/lib/winfsp-test/fsp-testfs
if [ -x $testfs ]; then
        mkdir -p /run/harness
        $testfs --mount /run/harness harness-source &
        pid=$!
        if wait_until 10 is_mounted /run/harness; then
                pass "fsp-testfs mounted a FUSE file system at /run/harness"
                check_eq "its mount source" "$(mount_field /run/harness 2)" harness-source
        else
                fail "fsp-testfs did not mount /run/harness within 10 s"
        fi
        kill -TERM $pid
        wait $pid
        check "unmounted after SIGTERM" not_mounted /run/harness
else
        echo "(fsp-testfs not staged: no FUSE check)"
fi
finish
