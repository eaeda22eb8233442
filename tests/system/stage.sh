#!/bin/bash
# stage.sh BUILD_DIR SOURCE_DIR STAGE_DIR
#
# The system tests' install tree: `cmake --install --prefix /usr` of the
# project into STAGE_DIR (DESTDIR), which each test copies into the upper
# directory of its overlay. The paths compiled into the programs and written
# into the units come from the prefix given at configure time, so when
# BUILD_DIR was not configured with /usr, a tree configured with /usr is
# built beside it (BUILD_DIR/tests/system/prefix-usr) and installed instead.
#
# While parts of the project are still missing or do not build, each
# directory that installs is staged and the others are named (the scenarios
# that need them then skip, naming what they miss); set
# FSP_SYSTEM_STRICT=1 to make that an error.
set -u
build=${1:?usage: stage.sh BUILD_DIR SOURCE_DIR STAGE_DIR}
source=${2:?}
stage=${3:?}

cache_value() {
        sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"
}

if [ "$(id -u)" != 0 ]; then
        echo "SKIP: the system tests need root (overlay mounts, systemd-nspawn)"
        exit 77
fi

tree=$build
if [ "$(cache_value CMAKE_INSTALL_PREFIX)" != /usr ]; then
        tree=$build/tests/system/prefix-usr
        echo "stage: $build is configured for $(cache_value CMAKE_INSTALL_PREFIX); building $tree with prefix /usr"
        generator=$(cache_value CMAKE_GENERATOR)
        keep_going=(-k)
        [ "$generator" = Ninja ] && keep_going=(-k 0)
        if ! cmake -S "$source" -B "$tree" -G "$generator" -DCMAKE_INSTALL_PREFIX=/usr \
                -DCMAKE_BUILD_TYPE="$(cache_value CMAKE_BUILD_TYPE)" \
                -DFSP_SANITIZE="$(cache_value FSP_SANITIZE)" -DBUILD_TESTING=OFF >"$build/tests/system/prefix-usr.log" 2>&1; then
                tail -30 "$build/tests/system/prefix-usr.log"
                echo "stage: configuring $tree failed (log: $build/tests/system/prefix-usr.log)"
                exit 1
        fi
        if ! cmake --build "$tree" -j2 -- "${keep_going[@]}" >>"$build/tests/system/prefix-usr.log" 2>&1; then
                echo "stage: some targets of $tree do not build (log: $build/tests/system/prefix-usr.log)"
                [ "${FSP_SYSTEM_STRICT:-0}" = 1 ] && exit 1
        fi
fi

# Test programs the scenarios use, from the build tree (not installed).
stage_test_programs() {
        mkdir -p "$stage/usr/lib/winfsp-test"
        [ -x "$build/tests/helpers/fsp-testfs" ] && cp "$build/tests/helpers/fsp-testfs" "$stage/usr/lib/winfsp-test/"
        return 0
}

rm -rf "$stage"
mkdir -p "$stage"
if DESTDIR=$stage cmake --install "$tree" --prefix /usr >"$stage.log" 2>&1; then
        stage_test_programs
        echo "stage: installed $tree into $stage"
        exit 0
fi
if [ "${FSP_SYSTEM_STRICT:-0}" = 1 ]; then
        tail -20 "$stage.log"
        echo "stage: cmake --install $tree failed"
        exit 1
fi

# Partial: every directory that installs on its own.
rm -rf "$stage"
mkdir -p "$stage"
missing=()
for script in "$tree"/*/cmake_install.cmake; do
        dir=$(dirname "$script")
        case ${dir##*/} in tests | bench | CMakeFiles) continue ;; esac
        if ! DESTDIR=$stage cmake --install "$dir" --prefix /usr >>"$stage.log" 2>&1; then
                missing+=("${dir##*/}")
        fi
done
stage_test_programs
echo "stage: PARTIAL install into $stage; not installed (not built?): ${missing[*]:-none}"
exit 0
