#!/bin/bash
# Install the dependencies, build, and run every test: unit, integration,
# memfs and system (a booted systemd in systemd-nspawn); then the unit,
# integration and memfs tests again in an ASan+UBSan build. Needs root. Exit status 0
# only when every suite passed.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
asan=${ASAN_BUILD_DIR:-$src/build-asan}
release=${RELEASE_BUILD_DIR:-$src/build-rel}
jobs=$(nproc)
failed=()

"$src/scripts/install-deps.sh" || exit 1

step() { # NAME CMD...: run, remember a failure, go on
        local name=$1
        shift
        echo "=== $name"
        local t0=$SECONDS
        if "$@"; then
                echo "=== $name: passed ($((SECONDS - t0)) s)"
        else
                echo "=== $name: FAILED ($((SECONDS - t0)) s)"
                failed+=("$name")
        fi
}

# The system tests install the tree into a container as it would be on a
# Debian system, so this build uses /usr as its prefix.
step "configure" cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_INSTALL_PREFIX=/usr
step "build (warnings are errors)" cmake --build "$build" -j"$jobs"
step "unit, integration and memfs tests" ctest --test-dir "$build" --output-on-failure --schedule-random -j"$jobs" -LE system
step "system tests (systemd in nspawn)" ctest --test-dir "$build" --output-on-failure --schedule-random -L system

# Optimised builds see warnings (maybe-uninitialized, format-truncation) that -O0 does not.
step "configure Release" cmake -S "$src" -B "$release" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr
step "build Release (warnings are errors)" cmake --build "$release" -j"$jobs"

step "configure ASan+UBSan" cmake -S "$src" -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DFSP_SANITIZE=ON \
        -DCMAKE_INSTALL_PREFIX=/usr
step "build ASan+UBSan" cmake --build "$asan" -j"$jobs"
step "unit, integration and memfs tests under ASan+UBSan" \
        env ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir "$asan" --output-on-failure --schedule-random -j"$jobs" -L 'unit|integration|memfs'

# The whole run must stay well under 15 minutes on 2 cores (tests/README.md).
echo "=== total: $((SECONDS / 60)) min $((SECONDS % 60)) s"
if [ ${#failed[@]} -ne 0 ]; then
        printf 'FAILED: %s\n' "${failed[@]}"
        exit 1
fi
echo "all suites passed"
