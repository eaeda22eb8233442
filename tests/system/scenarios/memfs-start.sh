#!/bin/bash
# systemctl start winfsp@memfs mounts //memfs at /run/winfsp/memfs and
# returns only once it is mounted; winfsp@memfs-share is //memfs/share at
# /run/winfsp/memfs:share, winfsp@memfs\x2dsecure-s would be //memfs-secure/s
# at /run/winfsp/memfs-secure:s (readable, one directory per remote name,
# none inside another); a start that fails fails the unit.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_template

start_unit winfsp@memfs.service /run/winfsp/memfs
started_or_finish winfsp@memfs.service
check_eq "/run/winfsp/memfs is mounted when systemctl start returns" "$MOUNTED_AT_RETURN" yes
check_contains "it is a FUSE mount" "$(mount_field /run/winfsp/memfs 1)" fuse
check "winfsp@memfs is active" unit_is winfsp@memfs.service active
write_read /run/winfsp/memfs "a file written through /run/winfsp/memfs reads back"
info=$(lctl info memfs memfs 2>&1)
check_contains "launchctl info memfs memfs shows the mount point" "$info" /run/winfsp/memfs

share=/run/winfsp/memfs:share
start_unit winfsp@memfs-share.service $share
started_or_finish winfsp@memfs-share.service
check_eq "$share is mounted when systemctl start returns" "$MOUNTED_AT_RETURN" yes
check_contains "the launcher knows it as class memfs, instance share" "$(lctl list 2>&1)" "memfs share"
check_contains "its mount source is //memfs/share" "$(mount_field $share 2)" //memfs/share
write_read $share "a file written through $share reads back"
check "the two are different file systems" test "$(stat -c %d /run/winfsp/memfs)" != "$(stat -c %d $share)"
check_contains "systemctl status shows the mount point as it is" \
        "$(systemctl status --no-pager -l winfsp@memfs-share.service 2>&1)" "$share"

# //memfs/share/docs: beside //memfs/share, not inside it.
docs=/run/winfsp/memfs:share:docs
start_unit winfsp@memfs-share-docs.service $docs
started_or_finish winfsp@memfs-share-docs.service
check_contains "//memfs/share/docs is mounted at $docs" "$(mount_field $docs 2)" //memfs/share/docs
check "$share still shows its own file" test -f $share/probe.txt
check "nothing of //memfs/share/docs appears inside $share" test ! -e $share/docs

start_unit winfsp@nosuchclass.service /run/winfsp/nosuchclass
check_eq "systemctl start winfsp@nosuchclass fails" "$START_RC" 1
check "winfsp@nosuchclass is failed" systemctl is-failed --quiet winfsp@nosuchclass.service
check "nothing is mounted at /run/winfsp/nosuchclass" not_mounted /run/winfsp/nosuchclass
check_contains "the journal of winfsp@nosuchclass names the class" \
        "$(journalctl -b --no-pager -o cat -u winfsp@nosuchclass.service)" nosuchclass

[ $failures = 0 ] || {
        dump_unit winfsp@memfs.service
        dump_unit winfsp@memfs-share.service
        dump_unit winfsp@memfs-share-docs.service
}
finish
