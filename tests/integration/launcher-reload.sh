#!/bin/bash
# Class files over time: Reload (the method and SIGHUP) picks up new,
# changed, removed and broken classes while running instances keep the
# definition they started with; directory precedence and masking; bad files
# refused with file, line and key while the others load.
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_bus_start
mkdir -p "$T/etc" "$T/lib"
cat >"$T/lib/stubborn.conf" <<EOC
[Service]
Description=version 1
Executable=$TESTFS
CommandLine=--stderr v1 --ignore-term --notify
MountPoint=%9
StopTimeout=1
Security=D:P(A;;RPWPLC;;;WD)
EOC
cat >"$T/lib/masked.conf" <<EOC
[Service]
Executable=$TESTFS
Security=D:P(A;;RPWPLC;;;WD)
EOC
cat >"$T/lib/gone.conf" <<EOC
[Service]
Executable=$TESTFS
CommandLine=--notify
Security=D:P(A;;RPWPLC;;;WD)
EOC
: >"$T/etc/masked.conf" # an empty file in a higher directory masks the class
ln -s /dev/null "$T/etc/nulled.conf"
cp "$T/lib/gone.conf" "$T/lib/nulled.conf"
mkdir -p "$T/mnt/a" "$T/mnt/b"
# The test's own config path, standing for /etc/winfsp/conf.d and <prefix>/lib/winfsp/conf.d.
"$LAUNCHER" --config-path "$T/etc:$T/lib" --state-dir "$T/state" >>"$T/launcher.log" 2>&1 &
LAUNCHER_PID=$!
fsp_bus_wait_name org.winfsp.Launcher1 10 || { cat "$T/launcher.log"; exit 1; }

classes() { bus_call ListClasses; }
expect_contains "stubborn listed" "$(classes)" '"stubborn"'
expect_not_contains "masked by an empty file" "$(classes)" '"masked"'
expect_not_contains "masked by /dev/null" "$(classes)" '"nulled"'
expect_status "a masked class cannot start" 1 gdbus_call Start "'masked'" "'x'" "@as []"
expect_contains "NoSuchClass" "$OUT" "Error.NoSuchClass"

expect_ok "start v1" bus_call Start ssas stubborn one 9 "" "" "" "" "" "" "" "" "$T/mnt/a"
expect_ok "start gone/g" bus_call Start ssas gone g 0

# Change stubborn (StopTimeout 1 -> 30, new output), remove gone, add fresh, break broken.
sed -i 's/^Description=.*/Description=version 2/; s/--stderr v1/--stderr v2/; s/^StopTimeout=1/StopTimeout=30/' "$T/lib/stubborn.conf"
rm "$T/lib/gone.conf"
cat >"$T/lib/fresh.conf" <<EOC
[Service]
Description=new after reload
Executable=$TESTFS
CommandLine=--notify
Security=D:P(A;;RPWPLC;;;WD)
EOC
cat >"$T/lib/broken.conf" <<EOC
[Service]
Executable=$TESTFS
Frobnicate=yes
JobControl=maybe
EOC
expect_status "fresh unknown before reload" 1 gdbus_call Start "'fresh'" "'x'" "@as []"
expect_ok "Reload" bus_call Reload
c=$(classes)
expect_contains "new class after reload" "$c" '"fresh"'
expect_contains "changed class's new description" "$c" '"version 2"'
expect_not_contains "removed class gone from the list" "$c" '"gone"'
expect_contains "broken class listed with its error" "$c" 'broken.conf:4:12: JobControl'
expect_contains "unknown key warned with file and line" "$(cat "$T/launcher.log")" "broken.conf:3: unknown key 'Frobnicate'"
expect_status "broken class refuses to start" 1 gdbus_call Start "'broken'" "'x'" "@as []"
expect_contains "ConfigurationError with the reason" "$OUT" "Error.ConfigurationError"
expect_contains "names the value" "$OUT" "maybe"
expect_ok "fresh starts" bus_call Start ssas fresh x 0

# Running instances keep their definition.
expect_eq "the removed class's instance still runs" "$(fsp_info_field gone g State)" running
expect_ok "and stops" bus_call Stop ss gone g
expect_ok "a new stubborn instance uses version 2" bus_call Start ssas stubborn two 9 "" "" "" "" "" "" "" "" "$T/mnt/b"
expect_ok "v2 output" fsp_wait_until 5 grep -q "stubborn/two.*: v2" "$T/launcher.log"
t0=$(date +%s%N)
expect_eq "the old instance escalates after its old StopTimeout=1" "$(bus_call Stop ss stubborn one)" "i 137"
ms=$((($(date +%s%N) - t0) / 1000000))
if [ $ms -lt 15000 ]; then pass "stopped in ${ms} ms (the old 1 s timeout, not the new 30 s)"; else fail "took ${ms} ms: the new timeout was used"; fi

# SIGHUP reloads too.
sed -i 's/^Description=.*/Description=version 3/' "$T/lib/stubborn.conf"
kill -HUP "$LAUNCHER_PID"
expect_ok "SIGHUP reloads" fsp_wait_until 5 bash -c "busctl --system call org.winfsp.Launcher1 /org/winfsp/Launcher1 org.winfsp.Launcher1 ListClasses | grep -q 'version 3'"
expect_ok "the launcher keeps serving" bus_call List

# Unmasking: remove the empty file, reload, the lower class appears.
rm "$T/etc/masked.conf"
bus_call Reload >/dev/null
expect_contains "unmasked after reload" "$(classes)" '"masked"'

kill -KILL "$(fsp_pid_of stubborn two)" # it ignores SIGTERM and now has StopTimeout=30
bus_call Stop ss fresh x >/dev/null
expect_ok "nothing left" fsp_wait_until 10 fsp_no_instance_processes
fsp_done
