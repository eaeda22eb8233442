#!/bin/bash
# prefix.sh (FSP_SOURCE_DIR and FSP_BUILD_DIR in the environment)
# An installation under a prefix the loader does not search works as it is,
# and where it is moved to: the project is configured for
# /opt/winfsp-prefix-test, built, installed with DESTDIR (the files land
# somewhere else than the prefix: a relocation already) and moved once more.
# Its programs find libfsp.so.0 through their $ORIGIN RUNPATH, and the
# files that name programs (class files, units, D-Bus activation files)
# name them under the prefix. The build tree the suite runs from, when
# configured for /usr, installs programs without a RUNPATH (the Debian
# package's case).
# shellcheck source=../integration/lib.sh
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
src=$FSP_SOURCE_DIR
build=$FSP_BUILD_DIR
prefix=/opt/winfsp-prefix-test

T=$(mktemp -d /tmp/winfsp-prefix.XXXXXX)
trap 'rm -rf "$T"' EXIT

generator=$(sed -n 's/^CMAKE_GENERATOR:[A-Z]*=//p' "$build/CMakeCache.txt")
if ! cmake -S "$src" -B "$T/build" ${generator:+-G "$generator"} -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX=$prefix -DBUILD_TESTING=OFF >"$T/log" 2>&1 ||
        ! cmake --build "$T/build" -j2 >>"$T/log" 2>&1 ||
        ! DESTDIR=$T/root cmake --install "$T/build" >>"$T/log" 2>&1; then
        tail -30 "$T/log"
        echo "FAIL: configuring, building or installing with --prefix $prefix"
        exit 1
fi
pass "configured, built and installed with the prefix $prefix"

# check_tree ROOT: the programs under ROOT$prefix run with their own libraries.
check_tree() {
        local root=$1 p libs
        for p in bin/launchctl bin/winfsp-net bin/winfsp-memfs libexec/winfsp-launcher; do
                if ! [ -x "$root$prefix/$p" ]; then
                        fail "$prefix/$p is not installed"
                        continue
                fi
                libs=$(env -u LD_LIBRARY_PATH ldd "$root$prefix/$p" 2>&1)
                case $libs in
                *"not found"*) fail "$p under $root: a library is not found: $(grep 'not found' <<<"$libs")" ;;
                *"=> $root$prefix/"*"libfsp"*) pass "$p under $root loads libfsp from its own tree" ;;
                *) fail "$p under $root: libfsp does not come from $root$prefix: $(grep fsp <<<"$libs")" ;;
                esac
                if out=$(env -u LD_LIBRARY_PATH "$root$prefix/$p" --version 2>&1); then
                        pass "$p --version runs: $out"
                else
                        fail "$p --version: $out"
                fi
        done
}
check_tree "$T/root"
mv "$T/root" "$T/moved"
check_tree "$T/moved"

# Files that name a program name it where it is installed: ours under the
# prefix, the distribution's (sshfs, gocryptfs, ...) where Debian puts them.
root=$T/moved
for class in "$root$prefix"/lib/winfsp/conf.d/*.conf; do
        exe=$(sed -n 's/^Executable=//p' "$class")
        case ${class##*/} in
        memfs*) want=$prefix/bin/winfsp-memfs ;;
        *) want=/usr/bin/${exe##*/} ;;
        esac
        if [ "$exe" = "$want" ]; then
                pass "${class##*/}: Executable=$exe"
        else
                fail "${class##*/}: Executable=$exe, expected $want"
        fi
done
[ -e "$root$prefix/lib/winfsp/conf.d/memfs.conf" ] || fail "no class file memfs.conf installed"
for file in $(find "$root$prefix" -name '*.service' -path '*systemd*') \
        $(find "$root$prefix" -name '*.service' -path '*dbus-1*'); do
        for exe in $(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\([^ ]*\).*/\1/p' "$file"); do
                case $exe in
                "$prefix"/*) [ -x "$root$exe" ] && pass "${file#"$root"}: $exe is installed" ||
                        fail "${file#"$root"}: $exe is not installed" ;;
                *) fail "${file#"$root"}: $exe is not under $prefix" ;;
                esac
        done
done

# The suite's own build tree: no RUNPATH when configured for /usr.
if [ "$(sed -n 's/^CMAKE_INSTALL_PREFIX:[A-Z]*=//p' "$build/CMakeCache.txt")" = /usr ]; then
        DESTDIR=$T/usr-root cmake --install "$build" >"$T/usr.log" 2>&1 || fail "cmake --install $build: $(tail -5 "$T/usr.log")"
        for p in usr/bin/launchctl usr/libexec/winfsp-launcher; do
                if readelf -d "$T/usr-root/$p" 2>&1 | grep -Eq 'RPATH|RUNPATH'; then
                        fail "/$p installed from $build (prefix /usr) has a RUNPATH: $(readelf -d "$T/usr-root/$p" | grep -E 'RPATH|RUNPATH')"
                else
                        pass "/$p installed from $build (prefix /usr) has no RUNPATH"
                fi
        done
fi

fsp_done
