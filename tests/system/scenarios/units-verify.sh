#!/bin/bash
# systemd-analyze verify of the installed units, on the booted system with
# the real programs and man pages in place: no output at all.
# Waits for (2026-11-21): the man pages winfsp-launcher(8) (launcher) and
# winfsp-net(1) (netprovider) named by Documentation=.
# shellcheck source=lib.sh
. /usr/lib/winfsp-test/lib.sh
need_launcher
need $NET "winfsp-net (netprovider/)"

verify() {
        local what=$1 out rc=0
        shift
        out=$("$@" 2>&1) || rc=$?
        if [ $rc = 0 ] && [ -z "$out" ]; then
                pass "$what"
        else
                fail "$what (exit $rc): $out"
        fi
}
verify "systemd-analyze verify winfsp-launcher.service winfsp@memfs.service winfsp@memfs-share.service" \
        systemd-analyze verify --man=no winfsp-launcher.service winfsp@memfs.service winfsp@memfs-share.service
rundir=$(mktemp -d)
verify "systemd-analyze --user verify winfsp-launcher.service (per user)" \
        env XDG_RUNTIME_DIR="$rundir" systemd-analyze --user verify --man=no winfsp-launcher.service
# The pages named by Documentation= (man:...) are installed.
for unit in /usr/lib/systemd/system/winfsp-launcher.service /usr/lib/systemd/system/winfsp@.service \
        /usr/lib/systemd/user/winfsp-launcher.service; do
        for doc in $(sed -n 's/^Documentation=//p' "$unit"); do
                page=${doc#man:}
                name=${page%(*}
                section=${page##*(}
                section=${section%)}
                if [ -e "/usr/share/man/man$section/$name.$section" ] || [ -e "/usr/share/man/man$section/$name.$section.gz" ]; then
                        pass "${unit##*/}: Documentation=$doc is installed"
                else
                        fail "${unit##*/}: Documentation=$doc: no /usr/share/man/man$section/$name.$section"
                fi
        done
done
finish
