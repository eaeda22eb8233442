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

help_net=$("$NET" --help | grep -o -- '--[a-z][a-z-]*\|^  -[a-z]' | tr -d ' ' | sort -u)
man_net=$(man_options "$MAN1" | grep -- '^-')
for o in $help_net; do
        grep -qx -- "$o" <<<"$man_net" || fail "winfsp-net --help has $o, winfsp-net.1 does not"
done
for o in $man_net; do
        grep -qx -- "$o" <<<"$help_net" || fail "winfsp-net.1 has $o, winfsp-net --help does not"
done
for verb in use delete list forget; do
        "$NET" --help | grep -q "winfsp-net $verb" || fail "winfsp-net --help does not show $verb"
        grep -q "^\.B.* $verb\|^\.BR $verb" "$MAN1" || fail "winfsp-net.1 does not show $verb"
done

help_mount=$("$MOUNT" --help | grep -o -- '^  -[a-zA-Z]\|--help' | tr -d ' ' | sort -u)
man_mount=$(man_options "$MAN8" | grep -- '^-')
for o in $help_mount; do
        grep -qx -- "$o" <<<"$man_mount" || fail "mount.winfsp --help has $o, mount.winfsp.8 does not"
done
for o in $man_mount; do
        grep -qx -- "$o" <<<"$help_mount" || fail "mount.winfsp.8 has $o, mount.winfsp --help does not"
done
for word in user= remember password_stdin defaults auto noauto nofail _netdev rw users nouser owner group \
        exec noexec suid nosuid dev nodev comment= x- X-; do
        "$MOUNT" --help | grep -q -- "$word" || fail "mount.winfsp --help does not mention -o $word"
        sed 's/\\-/-/g' "$MAN8" | grep -q -- "$word" || fail "mount.winfsp.8 does not mention -o $word"
done

if [ $failures -ne 0 ]; then
        exit 1
fi
echo "help and man pages agree"
