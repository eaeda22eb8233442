#!/bin/bash
# A user watching the bus learns nothing of instances it may not list
# (issue 8, attack 4): InstanceStarted/InstanceStopped go only to subscribers
# that may query the instance, and Stop/GetInfo of an instance it may not
# query answer exactly as for one that does not exist.
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_user fsptest1 >/dev/null
fsp_user fsptest2 >/dev/null
fsp_bus_start
SUB=$FSP_BUILD_DIR/tests/integration/fsp-subscriber
fsp_testfs_class private
sed -i 's/^Security=.*/Security=D:P(A;;RP;;;WD)/' "$T/conf.d/private.conf" # anyone starts; only the creator sees
fsp_testfs_class open
fsp_launcher_start

# watch SUFFIX USER: fsp-subscriber and gdbus monitor as USER, output in $T/SUFFIX.*
watch() {
        fsp_as "$2" "$SUB" >"$T/$1.sub" 2>&1 &
        eval "SUB_$1=\$!"
        fsp_as "$2" gdbus monitor --system --dest org.winfsp.Launcher1 >"$T/$1.mon" 2>&1 &
        eval "MON_$1=\$!"
        fsp_wait_until 5 grep -qx ready "$T/$1.sub"
}
watch a fsptest1
watch b fsptest2
expect_ok "both subscribed" grep -qx ready "$T/b.sub"

expect_ok "user a starts private/a-secret-name" fsp_as fsptest1 "$LAUNCHCTL" start private a-secret-name
expect_ok "root starts private/root-secret-name" launchctl start private root-secret-name
expect_ok "user b starts open/b-visible" fsp_as fsptest2 "$LAUNCHCTL" start open b-visible
expect_ok "user a stops its own" fsp_as fsptest1 "$LAUNCHCTL" stop private a-secret-name
expect_ok "user b stops its own" fsp_as fsptest2 "$LAUNCHCTL" stop open b-visible
expect_ok "a hears of its own start" fsp_wait_until 5 grep -qx "InstanceStarted private a-secret-name" "$T/a.sub"
expect_ok "b hears of its own stop" fsp_wait_until 5 grep -qx "InstanceStopped open b-visible" "$T/b.sub"
expect_ok "a hears of b's open instance" grep -qx "InstanceStarted open b-visible" "$T/a.sub"
expect_fail "a hears nothing of root's" grep -q root-secret-name "$T/a.sub"
for f in b.sub b.mon a.mon; do
        expect_fail "$f: no name of an instance b may not list" grep -q "secret-name" "$T/$f"
done

# Stop and GetInfo of someone else's hidden instance: as if it did not exist.
hidden=$(fsp_as fsptest2 "$LAUNCHCTL" info private root-secret-name 2>&1; echo "rc=$?")
missing=$(fsp_as fsptest2 "$LAUNCHCTL" info private no-such-name 2>&1; echo "rc=$?")
expect_eq "info: the same answer as for a missing instance" \
        "${hidden//root-secret-name/X}" "${missing//no-such-name/X}"
hidden=$(fsp_as fsptest2 "$LAUNCHCTL" stop private root-secret-name 2>&1; echo "rc=$?")
missing=$(fsp_as fsptest2 "$LAUNCHCTL" stop private no-such-name 2>&1; echo "rc=$?")
expect_eq "stop: the same answer as for a missing instance" \
        "${hidden//root-secret-name/X}" "${missing//no-such-name/X}"
expect_ok "root's instance still runs" fsp_pid_alive "$(fsp_pid_of private root-secret-name)"
kill "$SUB_a" "$SUB_b" "$MON_a" "$MON_b" 2>/dev/null
fsp_done
