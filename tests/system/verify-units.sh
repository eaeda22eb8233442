#!/bin/bash
# verify-units.sh BUILD_DIR
# `systemd-analyze verify` of the units as installed (cmake --install of
# units/ into a temporary DESTDIR, checked with --root): no warning at all,
# not even an "ignoring" one, for the launcher, the template (two
# instances), the per-user launcher; and the D-Bus activation files name
# what exists. Programs that are not part of this check (they may not be
# built) are stood in for by empty executables; the system test
# system/units-verify checks the same units with the real programs.
set -u
build=${1:?usage: verify-units.sh BUILD_DIR}
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze is missing"; exit 77; }
[ -d /usr/lib/systemd/system ] || { echo "SKIP: no systemd units on this host to verify against"; exit 77; }

T=$(mktemp -d /tmp/winfsp-verify.XXXXXX)
trap 'rm -rf "$T"' EXIT
root=$T/root
failures=0
fail() {
        echo "FAIL: $*"
        failures=$((failures + 1))
}
pass() {
        echo "PASS: $*"
}

if ! DESTDIR=$root cmake --install "$build/units" >"$T/install.log" 2>&1; then
        cat "$T/install.log"
        echo "FAIL: cmake --install $build/units"
        exit 1
fi
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:[A-Z]*=//p' "$build/CMakeCache.txt")
sysdir=$(find "$root" -path '*/systemd/system/winfsp-launcher.service' -printf '%h\n' | head -1)
userdir=$(find "$root" -path '*/systemd/user/winfsp-launcher.service' -printf '%h\n' | head -1)
[ -n "$sysdir" ] && [ -n "$userdir" ] || { echo "FAIL: the units were not installed under $root"; exit 1; }
pass "units installed in ${sysdir#"$root"} and ${userdir#"$root"}"

# The rest of a system for the dependencies (sysinit.target, dbus.socket...).
mkdir -p "$root/usr/lib/systemd/system"
cp -rn /usr/lib/systemd/system/. "$root/usr/lib/systemd/system/"

# Stand-ins for the programs the units run.
for path in $(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\([^ ]*\).*/\1/p' "$sysdir"/winfsp* "$userdir"/winfsp*) \
        $(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$root/$prefix/share/dbus-1/"*services/*.service); do
        [ -e "$root$path" ] && continue
        mkdir -p "$(dirname "$root$path")"
        printf '#!/bin/sh\nexit 0\n' >"$root$path"
        chmod +x "$root$path"
done

verify() {
        local what=$1 out rc=0
        shift
        out=$(systemd-analyze verify --man=no "$@" 2>&1) || rc=$?
        if [ $rc = 0 ] && [ -z "$out" ]; then
                pass "systemd-analyze verify $what"
        else
                fail "systemd-analyze verify $what (exit $rc): $out"
        fi
}
verify "winfsp-launcher.service" --root="$root" winfsp-launcher.service
verify "winfsp@memfs.service" --root="$root" winfsp@memfs.service
verify "winfsp@memfs-share.service" --root="$root" winfsp@memfs-share.service
# systemd-analyze has no --user with --root: the per-user unit is checked
# as a system unit of another name.
cp "$userdir/winfsp-launcher.service" "$root/usr/lib/systemd/system/winfsp-launcher-peruser.service"
verify "the per-user winfsp-launcher.service" --root="$root" winfsp-launcher-peruser.service

# The template maps the instance name as the man page says.
cmdline=$(grep '^ExecStart=' "$sysdir/winfsp@.service")
case $cmdline in
*"//%I"*) pass "ExecStart= passes //%I (the unescaped instance name)" ;;
*) fail "ExecStart= does not pass //%I: $cmdline" ;;
esac

# D-Bus activation files.
for kind in system-services services; do
        file=$(find "$root" -path "*/dbus-1/$kind/org.winfsp.Launcher1.service" | head -1)
        if [ -z "$file" ]; then
                fail "no dbus-1/$kind/org.winfsp.Launcher1.service installed"
                continue
        fi
        grep -qx 'Name=org.winfsp.Launcher1' "$file" || fail "$file: no Name=org.winfsp.Launcher1"
        grep -qx 'SystemdService=winfsp-launcher.service' "$file" || fail "$file: no SystemdService=winfsp-launcher.service"
        exec=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$file")
        case $exec in /*) ;; *) fail "$file: Exec= is not an absolute path: $exec" ;; esac
        if [ $kind = system-services ]; then
                grep -qx 'User=root' "$file" || fail "$file: a system service needs User=root"
        else
                grep -q -- '--user' "$file" || fail "$file: the session service must run the launcher with --user"
        fi
        pass "dbus-1/$kind/org.winfsp.Launcher1.service"
done
[ -n "$(find "$root" -path '*/dbus-1/system.d/org.winfsp.Launcher1.conf')" ] || fail "the bus policy is not installed in dbus-1/system.d"

# Nothing in the launcher's unit may give it (and so its instances) a mount
# namespace of its own or break the setuid fusermount3.
for key in ProtectSystem ProtectHome PrivateTmp PrivateMounts PrivateDevices ProtectKernelTunables \
        ProtectKernelModules ProtectKernelLogs ProtectControlGroups ReadOnlyPaths InaccessiblePaths \
        TemporaryFileSystem BindPaths NoNewPrivileges RestrictSUIDSGID MountFlags RootDirectory DeviceAllow; do
        grep -q "^$key=" "$sysdir/winfsp-launcher.service" "$userdir/winfsp-launcher.service" "$sysdir/winfsp@.service" &&
                fail "a unit sets $key=, which changes the mounts or privileges the file systems see"
done

# In a user's manager a seccomp-based option implies NoNewPrivileges=yes.
for key in LockPersonality RestrictRealtime SystemCallArchitectures SystemCallFilter RestrictNamespaces \
        RestrictAddressFamilies MemoryDenyWriteExecute ProtectHostname ProtectClock ProtectKernelLogs; do
        grep -q "^$key=" "$userdir/winfsp-launcher.service" &&
                fail "the per-user unit sets $key=, which implies NoNewPrivileges=yes there (no fusermount3)"
done

if [ $failures = 0 ]; then
        echo "all checks passed"
        exit 0
fi
echo "$failures checks failed"
exit 1
