#!/bin/bash
# install: none
# The Debian packages as an administrator meets them, on a booted system
# that has never had them: apt installs the set with what it depends on;
# nothing of ours runs yet (the launcher is D-Bus activated); right away
# "systemctl start winfsp@memfs" mounts, "launchctl list" shows it,
# "mount -t winfsp" mounts; then "apt purge", with a file system still
# mounted, stops everything and leaves behind only what Debian policy lets
# a purged package leave: the package system's own records (dpkg, apt,
# PackageKit, deb-systemd-helper), logs and caches (man-db, ld.so). The
# packages are in /usr/lib/winfsp-test/debs (nspawn-run.sh).
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
export DEBIAN_FRONTEND=noninteractive
debs=(/usr/lib/winfsp-test/debs/*.deb)
[ -e "${debs[0]}" ] || { fail "no packages in /usr/lib/winfsp-test/debs"; finish; }
packages=$(for d in "${debs[@]}"; do dpkg-deb -f "$d" Package; done | sort | tr '\n' ' ')

# What the container changed is the overlay's upper directory
# (nspawn-run.sh shows it at /run/winfsp-test/upper): its files, with size
# and time, and whiteouts for what was deleted; and its directories, of
# which those that were not on the system before are new.
upper=/run/winfsp-test/upper
upper_files() {
        (cd $upper && find . ! -type d -printf '/%P\t%y\t%s\t%T@\n' | sort)
}
upper_dirs() {
        (cd $upper && find . -mindepth 1 -type d -printf '/%P\n' | sort)
}
[ -d $upper/usr/lib/winfsp-test ] || { fail "the overlay's upper directory is not at $upper"; finish; }

# man-db's index is a cache, and rebuilding it is most of what dpkg spends.
rm -f /var/lib/man-db/auto-update

# The host this container overlays may carry a Docker-style policy-rc.d that
# forbids every service action (exit 101): a Debian machine does not, and
# the maintainer scripts' stops must be seen as they happen there.
rm -f /usr/sbin/policy-rc.d
check "none of the packages is installed before" sh -c "! dpkg-query -W $packages 2>/dev/null | grep -q ."
check "no launcher on the system before" test ! -e /usr/libexec/winfsp-launcher
upper_files >/tmp/files.before
find / -xdev -type d | sort >/tmp/dirs.before

# Install: apt, the way the README says.
if out=$(apt-get install -y "${debs[@]}" 2>&1); then
        pass "apt-get install ./*.deb ($packages)"
else
        fail "apt-get install: $(printf '%s' "$out" | tail -15)"
        finish
fi
for p in $packages; do
        check_eq "$p is installed" "$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>&1)" installed
done
check_eq "the launcher is not enabled (D-Bus activated)" "$(systemctl is-enabled winfsp-launcher.service 2>&1)" disabled
check_eq "nor started at installation" "$(systemctl is-active winfsp-launcher.service 2>&1)" inactive
check "the bash completion is where bash-completion looks" test -f /usr/share/bash-completion/completions/launchctl -a \
        -L /usr/share/bash-completion/completions/winfsp-net
check "the D-Bus interface is installed" test -f /usr/share/dbus-1/interfaces/org.winfsp.Launcher1.xml
check "org.winfsp.Launcher1(5) is installed" test -f /usr/share/man/man5/org.winfsp.Launcher1.5.gz

# Use, right after: no daemon-reload, no bus reload by hand.
start_unit winfsp@memfs.service /run/winfsp/memfs
started_or_finish winfsp@memfs.service
check_eq "/run/winfsp/memfs is mounted when systemctl start returns" "$MOUNTED_AT_RETURN" yes
write_read /run/winfsp/memfs "a file written through /run/winfsp/memfs reads back"
check "the launcher runs now, started on demand" unit_is winfsp-launcher.service active
check_contains "launchctl list shows it" "$(timeout 15 launchctl list 2>&1)" "memfs memfs"
mkdir -p /mnt/pkg
check "mount -t winfsp //memfs/pkg /mnt/pkg" timeout 30 mount -t winfsp //memfs/pkg /mnt/pkg
write_read /mnt/pkg "a file written through /mnt/pkg reads back"
check_contains "its mount source is //memfs/pkg" "$(mount_field /mnt/pkg 2)" //memfs/pkg
check "umount /mnt/pkg" umount /mnt/pkg
wait_until 10 sh -c '! launchctl list | grep -q "memfs pkg"' || fail "the instance of /mnt/pkg did not end after umount"
rmdir /mnt/pkg

# An upgrade (here: the same packages again) restarts nothing: the
# launcher and the file system it runs stay, and systemd has the units as
# they are on disk.
launcher_pid=$(unit_prop winfsp-launcher.service MainPID)
if out=$(dpkg -i "${debs[@]}" 2>&1); then
        pass "dpkg -i of the packages again (an upgrade)"
else
        fail "dpkg -i again: $(printf '%s' "$out" | tail -15)"
fi
check_eq "the launcher was not restarted" "$(unit_prop winfsp-launcher.service MainPID)" "$launcher_pid"
check "/run/winfsp/memfs is still mounted" is_mounted /run/winfsp/memfs
check_eq "systemd needs no daemon-reload" "$(unit_prop winfsp@memfs.service NeedDaemonReload)" no

# Purge while winfsp@memfs is mounted: removal stops the file systems and
# the launcher before their programs go.
if out=$(apt-get purge -y $packages 2>&1); then
        pass "apt-get purge $packages"
else
        fail "apt-get purge: $(printf '%s' "$out" | tail -15)"
fi
check "nothing is mounted at /run/winfsp/memfs any more" not_mounted /run/winfsp/memfs
check_eq "no memfs runs" "$(pids_of_exe /usr/bin/winfsp-memfs)" ""
check_eq "no launcher runs (its program deleted or not)" "$(pgrep -x winfsp-launcher)" ""
check "winfsp@memfs is stopped" sh -c "! systemctl is-active --quiet winfsp@memfs.service"
check "dpkg knows none of the packages" sh -c "! dpkg-query -W -f '\${db:Status-Status}\n' $packages 2>/dev/null | grep -qv not-installed"
check "/run/winfsp is gone (only empty directories were left in it)" test ! -e /run/winfsp ||
        { find /run/winfsp | head; grep ' /run/winfsp' /proc/self/mountinfo; }

# What is left: only what the package system, logs and caches keep.
upper_files >/tmp/files.after
upper_dirs >/tmp/dirs.after
{
        comm -13 /tmp/files.before /tmp/files.after | cut -f1
        comm -13 /tmp/dirs.before /tmp/dirs.after
} | sort -u >/tmp/changed
allowed='^(/var/lib/dpkg/|/var/lib/apt/|/var/lib/PackageKit/|/var/cache/(apt|debconf|man|ldconfig)/|/var/log/|/etc/ld\.so\.cache$|/var/lib/systemd/(deb-systemd-helper-enabled|deb-systemd-user-helper-enabled|timers|random-seed|catalog)(/|$))'
left=$(grep -Ev "$allowed" /tmp/changed)
check_eq "purge leaves nothing outside the package system's records, logs and caches" "$left" ""
ours=$(grep -Ei 'winfsp|libfsp|memfs' /tmp/changed | grep -Ev '^/var/log/|^/var/lib/dpkg/(status|status-old|available|triggers/|lock)' )
check_eq "and nothing of ours, even there" "$ours" ""
# For the reader of a failure: what changed, in the allowed places.
[ $failures = 0 ] || { echo "--- changed or new since before the installation:"; head -60 /tmp/changed; }
finish
