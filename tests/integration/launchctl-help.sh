#!/bin/bash
# launchctl --help and man/launchctl.1 list the same options, the same
# commands and the same exit codes; usage errors exit 2. Needs no launcher.
set -u
: "${FSP_BUILD_DIR:?}" "${FSP_SOURCE_DIR:?}"
LAUNCHCTL=$FSP_BUILD_DIR/launcher/launchctl
MAN=$FSP_SOURCE_DIR/man/launchctl.1
rc=0

help=$("$LAUNCHCTL" --help) || { echo "FAIL: --help exited $?"; exit 1; }
[ "$("$LAUNCHCTL" -h)" = "$help" ] || { echo "FAIL: -h and --help differ"; rc=1; }

python3 - "$MAN" <<PY || rc=1
import re, sys

help_text = """$help"""
man = open(sys.argv[1]).read().splitlines()

def help_section(title):
    lines, on = [], False
    for l in help_text.splitlines():
        if l.startswith(title):
            on = True
        elif on and l and not l.startswith(" "):
            break
        elif on:
            lines.append(l)
    return lines

help_options = set()
for l in help_section("Options:"):
    column = re.match(r"\s*(\S.*?)(\s{2,}|$)", l)  # the option column, not its explanation
    if column:
        help_options |= set(re.findall(r"(?<![\w-])--?[a-z][a-z-]*", column.group(1)))
help_commands = {l.split()[0] for l in help_section("Commands") if re.match(r"  \w", l)}
help_codes = {int(n) for n in re.findall(r"(?<![\w-])(\d+) [a-z]", help_text.split("Exit status:")[1])}

def man_section(name):
    out, on = [], False
    for l in man:
        if l.startswith(".SH"):
            on = l.split(None, 1)[1].strip('"') == name
        elif on:
            out.append(l)
    return out

def tags(lines):
    """The line after each .TP, without its macro and font escapes."""
    out = []
    for i, l in enumerate(lines[:-1]):
        if l == ".TP":
            t = re.sub(r"^\.\w+\s*", "", lines[i + 1]).replace("\\\\-", "-")
            out.append(re.sub(r'\\\\f[BIRP]|"', "", t))
    return out

man_options = set()
for t in tags(man_section("OPTIONS")):
    man_options |= set(re.findall(r"(?<![\w-])--?[a-z][a-z-]*", t))
man_commands = {t.split()[0] for t in tags(man_section("COMMANDS"))}
man_codes = {int(t) for t in tags(man_section("EXIT STATUS"))}

ok = True
for what, h, m in (("options", help_options, man_options), ("commands", help_commands, man_commands),
                   ("exit codes", help_codes, man_codes)):
    print(f"{what}: --help {sorted(h)}, man page {sorted(m)}")
    if h != m or not h:
        print(f"FAIL: {what} differ: only in --help {sorted(h - m)}, only in the man page {sorted(m - h)}")
        ok = False
if help_codes != set(range(13)):
    print(f"FAIL: exit codes are not 0..12: {sorted(help_codes)}")
    ok = False
sys.exit(0 if ok else 1)
PY

expect() {
        local want=$1 what=$2
        shift 2
        local got=0
        out=$("$@" 2>&1) || got=$?
        if [ "$got" != "$want" ]; then
                echo "FAIL: $what: exited $got, expected $want: $out"
                rc=1
        else
                echo "ok: $what"
        fi
}
expect 0 "--version" "$LAUNCHCTL" --version
case $out in "launchctl (winfsp for Linux) "[0-9]*) ;; *) echo "FAIL: --version says '$out'"; rc=1 ;; esac
expect 2 "no command" "$LAUNCHCTL"
expect 2 "unknown command" "$LAUNCHCTL" frobnicate
case $out in *"unknown command 'frobnicate'"*) ;; *) echo "FAIL: message '$out'"; rc=1 ;; esac
expect 2 "unknown option" "$LAUNCHCTL" --frobnicate list
expect 2 "option without its argument" "$LAUNCHCTL" --bus-address
expect 2 "start without an instance" "$LAUNCHCTL" start memfs
case $out in *"Usage: launchctl start CLASS INSTANCE"*) ;; *) echo "FAIL: message '$out'"; rc=1 ;; esac
expect 2 "stop with too many arguments" "$LAUNCHCTL" stop memfs a b
expect 2 "list with an argument" "$LAUNCHCTL" LIST extra
# A bus that is not there: the launcher cannot be reached.
expect 12 "no bus" "$LAUNCHCTL" --bus-address unix:path=/nonexistent/bus.sock list
case $out in *"launchctl: cannot connect to the unix:path=/nonexistent/bus.sock: "*) ;; *) echo "FAIL: message '$out'"; rc=1 ;; esac
expect 12 "no system bus" env DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/sys.sock "$LAUNCHCTL" list
expect 12 "no session bus" env DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/ses.sock "$LAUNCHCTL" --user list
exit $rc
