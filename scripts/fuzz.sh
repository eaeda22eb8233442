#!/bin/bash
# fuzz.sh [SECONDS]: run every libFuzzer harness of fuzz/ for SECONDS each
# (default 300), one after the other, building them with clang into
# build/fuzz (or $FSP_BUILD_DIR/fuzz). The corpora grow in that directory
# between runs; a crash leaves its input there as crash-NAME-*, to be turned
# into a regression test. Needs: clang libfuzzer-14-dev (scripts/apt-packages.txt).
set -u
seconds=${1:-300}
case $seconds in '' | *[!0-9]*) echo "usage: fuzz.sh [SECONDS]" >&2; exit 2 ;; esac
src=$(cd "$(dirname "$0")/.." && pwd)
out=${FSP_BUILD_DIR:-$src/build}/fuzz
rc=0
for harness in "$src"/fuzz/fuzz-*.c; do
        name=$(basename "$harness" .c)
        name=${name#fuzz-}
        echo "=== $name: ${seconds}s"
        "$src/fuzz/run-fuzzer.sh" "$name" "$src" "$out" -max_total_time="$seconds" -timeout=10 \
                -rss_limit_mb=2048 2>&1 | grep -E '^(#[0-9]+ *DONE|Done|stat::|==[0-9]+==|SUMMARY|SKIP|FAIL|.*broken promise)'
        status=${PIPESTATUS[0]}
        [ "$status" = 77 ] && exit 77
        [ "$status" = 0 ] || { echo "=== $name FAILED (status $status); inputs: $out/crash-$name-*"; rc=1; }
done
exit $rc
