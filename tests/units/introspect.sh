#!/bin/bash
# The interface file units/org.winfsp.Launcher1.xml (installed under
# /usr/share/dbus-1/interfaces/) says what the running launcher answers to
# Introspect: the same methods, signals and properties of
# org.winfsp.Launcher1, with the same arguments in the same order. Member
# order, white space, comments and annotations do not count. And
# org.winfsp.Launcher1(5) names every member and every error the launcher
# has, so the page cannot fall behind either.
# shellcheck source=../integration/lib.sh
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
command -v busctl >/dev/null || { echo "SKIP: busctl is missing (package systemd)"; exit 77; }
fsp_init
fsp_bus_start
fsp_launcher_start

xml=$FSP_SOURCE_DIR/units/org.winfsp.Launcher1.xml
page=$FSP_SOURCE_DIR/man/org.winfsp.Launcher1.5
if ! busctl --system introspect --xml-interface org.winfsp.Launcher1 /org/winfsp/Launcher1 >"$T/live.xml" 2>&1; then
        fail "Introspect of /org/winfsp/Launcher1: $(cat "$T/live.xml")"
        fsp_done
fi

# normalize FILE: one line per member, sorted ("method Stop(in s class, in s instance, out i status)").
normalize() {
        python3 - "$1" <<'PY'
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
lines = []
for iface in root.iter("interface"):
    if iface.get("name") != "org.winfsp.Launcher1":
        continue
    for m in iface:
        if m.tag not in ("method", "signal", "property"):
            continue
        if m.tag == "property":
            lines.append("property %s %s %s" % (m.get("name"), m.get("type"), m.get("access")))
            continue
        args = []
        for a in m.findall("arg"):
            direction = a.get("direction") or ("in" if m.tag == "method" else "out")
            if m.tag == "signal":
                args.append("%s %s" % (a.get("type"), a.get("name")))
            else:
                args.append("%s %s %s" % (direction, a.get("type"), a.get("name")))
        lines.append("%s %s(%s)" % (m.tag, m.get("name"), ", ".join(args)))
print("\n".join(sorted(lines)))
PY
}

normalize "$xml" >"$T/file.txt" 2>&1 || fail "$xml does not parse: $(cat "$T/file.txt")"
normalize "$T/live.xml" >"$T/live.txt" 2>&1 || fail "the launcher's Introspect does not parse: $(cat "$T/live.txt")"
expect_ok "the launcher serves org.winfsp.Launcher1" grep -q . "$T/live.txt"
if diff -u "$T/file.txt" "$T/live.txt" >"$T/diff.txt"; then
        pass "units/org.winfsp.Launcher1.xml matches the launcher's Introspect ($(wc -l <"$T/live.txt") members)"
else
        fail "units/org.winfsp.Launcher1.xml differs from the launcher's Introspect (- file, + launcher):
$(cat "$T/diff.txt")"
fi

# The man page: every member and every error name.
text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$page")
for member in $(awk '{ sub(/\(.*/, "", $2); print $2 }' "$T/live.txt"); do
        expect_contains "org.winfsp.Launcher1(5) documents $member" "$text" "$member("
done
for error in $(sed -n 's/^#define FSP_ERROR_[A-Z_]* *FSP_LAUNCHER_ERROR "\([A-Za-z]*\)".*/\1/p' \
        "$FSP_SOURCE_DIR/include/fsp/launch.h"); do
        expect_contains "org.winfsp.Launcher1(5) documents org.winfsp.Launcher1.Error.$error" "$text" \
                "org.winfsp.Launcher1.Error.$error"
done
fsp_done
