#!/bin/bash
# Access control with real, different users: the bus itself reports their
# uid (the calls are made as them with setpriv), and the launcher decides from
# the class's Security= string, the creator rule and mount-point ownership.
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_require_fuse
u1=$(fsp_user fsptest1)
u2=$(fsp_user fsptest2)
u3=$(fsp_user fsptest3)
fsp_group fspadmins fsptest3 >/dev/null
fsp_fuse_for_users
install -d -m 1777 "$T/rec"
fsp_bus_start

for name in rootonly open ownstop runas denyu2 mounts; do
        fsp_testfs_class "$name"
done
sed -i '/^Security=/d' "$T/conf.d/rootonly.conf"                      # the default: root and admins
sed -i 's/^Security=.*/Security=D:P(A;;RP;;;WD)/' "$T/conf.d/ownstop.conf" # start only; the creator may stop
echo "RunAs=." >>"$T/conf.d/runas.conf"
sed -i "s/^Security=.*/Security=D:P(A;;RPWPLC;;;WD)(D;;RP;;;S-1-22-1-$u2)/" "$T/conf.d/denyu2.conf"
sed -i 's/^CommandLine=.*/CommandLine=--mount %1/' "$T/conf.d/mounts.conf"
printf 'MountPoint=%%1\nRunAs=.\n' >>"$T/conf.d/mounts.conf"
fsp_launcher_start --admin-groups fspadmins

# as USER: the call through gdbus (error names), run as that user.
as() {
        local user=$1 method=$2
        shift 2
        fsp_as "$user" gdbus call --system --dest org.winfsp.Launcher1 --object-path /org/winfsp/Launcher1 \
                --method "org.winfsp.Launcher1.$method" -- "$@"
}

# --- the default security: root and admins only
expect_status "user may not start a root-only class" 1 as fsptest1 Start "'rootonly'" "'a'" "@as []"
expect_contains "AccessDenied" "$OUT" "Error.AccessDenied"
expect_contains "names who and what" "$OUT" "fsptest1 (uid $u1) may not start instances of class 'rootonly'"
expect_ok "an admin (group fspadmins) may" as fsptest3 Start "'rootonly'" "'a'" "@as []"
expect_eq "started by the admin" "$(fsp_info_field rootonly a StartedBy)" "$u3"
expect_ok "root may" bus_call Start ssas rootonly b 0
# An instance the caller may not query answers exactly as one that does not exist.
expect_status "user may not stop it" 1 as fsptest1 Stop "'rootonly'" "'a'"
expect_contains "NoSuchInstance for stop" "$OUT" "Error.NoSuchInstance: no instance rootonly/a"
expect_status "user may not query it" 1 as fsptest1 GetInfo "'rootonly'" "'a'"
expect_contains "NoSuchInstance for info" "$OUT" "Error.NoSuchInstance: no instance rootonly/a"
expect_eq "user's list hides them" "$(as fsptest1 List)" "(@a(ss) [],)"
expect_contains "root's list shows them" "$(bus_call List)" '"rootonly" "b"'

# --- the creator may always stop and query; others may not
expect_ok "u1 starts ownstop/x" as fsptest1 Start "'ownstop'" "'x'" "@as []"
expect_status "u2 may not stop u1's instance" 1 as fsptest2 Stop "'ownstop'" "'x'"
expect_contains "it does not exist for u2" "$OUT" "Error.NoSuchInstance"
expect_contains "u1 sees its own" "$(as fsptest1 List)" "('ownstop', 'x')"
expect_not_contains "u2 does not see it" "$(as fsptest2 List)" "ownstop"
expect_contains "u1 may query its own" "$(as fsptest1 GetInfo "'ownstop'" "'x'")" "'StartedBy': <uint32 $u1>"
expect_ok "u1 may stop its own" as fsptest1 Stop "'ownstop'" "'x'"

# --- everyone (WD) with rights: u2 may stop u1's
expect_ok "u1 starts open/y" as fsptest1 Start "'open'" "'y'" "@as []"
expect_contains "u2 sees it" "$(as fsptest2 List)" "('open', 'y')"
expect_ok "u2 may stop it" as fsptest2 Stop "'open'" "'y'"

# --- a deny ACE for one uid wins over the allow for everyone
expect_status "u2 denied by S-1-22-1-$u2" 1 as fsptest2 Start "'denyu2'" "'z'" "@as []"
expect_contains "AccessDenied" "$OUT" "Error.AccessDenied"
expect_ok "u1 is not denied" as fsptest1 Start "'denyu2'" "'z'" "@as []"
bus_call Stop ss denyu2 z >/dev/null

# --- ListClasses: CanStart for the caller
classes=$(as fsptest1 ListClasses)
expect_contains "rootonly: u1 cannot start" "$classes" "('rootonly', {'Description': <'test class rootonly'>, 'Credentials': <uint32 0>, 'CanStart': <false>})"
expect_contains "open: u1 can start" "$classes" "('open', {'Description': <'test class open'>, 'Credentials': <uint32 0>, 'CanStart': <true>})"

# --- RunAs=.: the instance runs as the caller, with the caller's groups
expect_ok "u3 starts runas/r" as fsptest3 Start "'runas'" "'r'" "$(gv_strv --record "$T/rec/runas")"
expect_ok "recorded" fsp_wait_until 5 grep -q '^end$' "$T/rec/runas"
expect_eq "runs as the caller" "$(grep '^uid=' "$T/rec/runas")" "uid=$u3"
expect_eq "with the caller's group" "$(grep '^gid=' "$T/rec/runas")" "gid=$(id -g fsptest3)"
expect_contains "and supplementary groups" "$(grep '^groups=' "$T/rec/runas")" "$(getent group fspadmins | cut -d: -f3)"
expect_eq "info: RunAs" "$(fsp_info_field runas r RunAs)" "$u3"
expect_eq "HOME is the user's" "$(tr '\0' '\n' </proc/"$(fsp_pid_of runas r)"/environ | grep '^HOME=')" "HOME=$(getent passwd fsptest3 | cut -d: -f6)"
bus_call Stop ss runas r >/dev/null

# --- mount points: a non-root caller must own it; symlinks are resolved first
install -d -o fsptest1 "$T/mnt/u1"
install -d -o root "$T/mnt/rootdir"
ln -s "$T/mnt/rootdir" "$T/mnt/u1-link"
chown -h fsptest1 "$T/mnt/u1-link"
expect_status "root's directory refused to u1" 1 as fsptest1 Start "'mounts'" "'m1'" "$(gv_strv "$T/mnt/rootdir")"
expect_contains "AccessDenied, says whose" "$OUT" "belongs to uid 0, not to you (uid $u1)"
expect_status "a symlink to root's directory refused" 1 as fsptest1 Start "'mounts'" "'m2'" "$(gv_strv "$T/mnt/u1-link")"
expect_contains "resolved before the check" "$OUT" "'$T/mnt/rootdir' belongs to uid 0"
expect_ok "its own directory: mounted" as fsptest1 Start "'mounts'" "'m3'" "$(gv_strv "$T/mnt/u1")"
expect_ok "mounted" fsp_is_mounted "$T/mnt/u1"
expect_eq "u1 stops it" "$(as fsptest1 Stop "'mounts'" "'m3'")" "(0,)"
expect_fail "unmounted" fsp_is_mounted "$T/mnt/u1"

# --- Reload is root's
expect_status "u1 may not reload" 1 as fsptest1 Reload
expect_contains "AccessDenied" "$OUT" "only root may reload"
expect_ok "root may" bus_call Reload

bus_call Stop ss rootonly a >/dev/null
bus_call Stop ss rootonly b >/dev/null
expect_ok "no instance processes left" fsp_wait_until 5 fsp_no_instance_processes
fsp_done
