#!/bin/bash
# --help and the man pages list the same options: winfsp-net(1) and
# mount.winfsp(8), both ways, and the -o words of mount.winfsp.
# Usage: help-man.sh BUILD_DIR SOURCE_DIR
set -u
NET=$1/netprovider/winfsp-net
MOUNT=$1/netprovider/mount.winfsp
MAN1=$2/man/winfsp-net.1
MAN8=$2/man/mount.winfsp.8
failures=0

fail() {
        echo "FAIL: $*"
        failures=$((failures + 1))
}

# Options as the man page's .TP items write them (\- unescaped), one per line.
man_options() {
        awk '/^\.TP/ { getline; print }' "$1" | sed 's/\\-/-/g' | grep -o -- '--\?[a-zA-Z][a-zA-Z-]*' | sort -u
}

# same_options PROGRAM PAGE HELP_OPTIONS MAN_OPTIONS: each list has what the other has.
same_options() {
        local o
        for o in $3; do
                grep -qx -- "$o" <<<"$4" || fail "$1 --help has $o, $2 does not"
        done
        for o in $4; do
                grep -qx -- "$o" <<<"$3" || fail "$2 has $o, $1 --help does not"
        done
}

help_net=$("$NET" --help | grep -o -- '--[a-z][a-z-]*\|^  -[a-z]' | tr -d ' ' | sort -u)
man_net=$(man_options "$MAN1" | grep -- '^-')
same_options winfsp-net winfsp-net.1 "$help_net" "$man_net"
for verb in use delete list forget; do
        "$NET" --help | grep -q "winfsp-net $verb" || fail "winfsp-net --help does not show $verb"
        grep -q "^\.B.* $verb\|^\.BR $verb" "$MAN1" || fail "winfsp-net.1 does not show $verb"
done

help_mount=$("$MOUNT" --help | grep -o -- '^  -[a-zA-Z]\|--help' | tr -d ' ' | sort -u)
man_mount=$(man_options "$MAN8" | grep -- '^-')
same_options mount.winfsp mount.winfsp.8 "$help_mount" "$man_mount"
for word in user= remember password_stdin defaults auto noauto nofail _netdev rw users nouser owner group \
        exec noexec suid nosuid dev nodev comment= x- X-; do
        "$MOUNT" --help | grep -q -- "$word" || fail "mount.winfsp --help does not mention -o $word"
        sed 's/\\-/-/g' "$MAN8" | grep -q -- "$word" || fail "mount.winfsp.8 does not mention -o $word"
done

if [ $failures -ne 0 ]; then
        exit 1
fi
echo "help and man pages agree"
