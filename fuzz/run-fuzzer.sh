#!/bin/bash
# run-fuzzer.sh NAME SOURCE_DIR OUT_DIR [LIBFUZZER-OPTION...]
#
# Build the libFuzzer harness fuzz/fuzz-NAME.c with the libfsp parsers
# (clang, -fsanitize=fuzzer,address,undefined) into OUT_DIR, when a source
# changed, and run it over its seed corpus fuzz/corpus/NAME plus a scratch
# corpus in OUT_DIR with the options given (e.g. -runs=20000, or
# -max_total_time=600). A crash, a sanitizer report or a broken promise
# leaves the input in OUT_DIR/crash-* and exits non-zero. Exits 77 when
# clang or its libFuzzer runtime is missing.
set -u
name=${1:?usage: run-fuzzer.sh NAME SOURCE_DIR OUT_DIR [LIBFUZZER-OPTION...]}
src=${2:?} out=${3:?}
shift 3

harness=$src/fuzz/fuzz-$name.c
[ -f "$harness" ] || { echo "run-fuzzer.sh: no harness $harness" >&2; exit 2; }
CC=${FUZZ_CC:-clang}
if ! command -v "$CC" >/dev/null; then
        echo "SKIP: $CC is not installed (apt-get install clang libfuzzer-14-dev)"
        exit 77
fi
mkdir -p "$out/corpus-$name"

# The runtime check: a program made of nothing but the fuzzer entry point.
probe=$out/.libfuzzer-probe-$name
if [ ! -x "$probe" ]; then
        printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' >"$probe.c"
        if ! "$CC" -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" 2>"$probe.log"; then
                echo "SKIP: $CC cannot build a libFuzzer program (apt-get install libfuzzer-14-dev):"
                cat "$probe.log"
                exit 77
        fi
fi

# Everything the harnesses may call: the pure parsers of libfsp (fsp-config).
sources=()
for f in error class class-keys class-file cmdline sddl access names mount-options; do
        sources+=("$src/libfsp/$f.c")
done
bin=$out/fuzz-$name
if [ ! -x "$bin" ] || [ -n "$(find "$harness" "$src/fuzz/fuzz.h" "$src/libfsp" "$src/include" -newer "$bin" -print -quit)" ]; then
        # shellcheck disable=SC2046 # pkg-config's flags are words
        if ! "$CC" -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined -D_GNU_SOURCE -std=gnu11 -Wall -Werror -Wno-unused-parameter \
                -I"$src/include" -I"$src/libfsp" $(pkg-config --cflags inih libsystemd) \
                "$harness" "${sources[@]}" $(pkg-config --libs inih libsystemd) -o "$bin.new"; then
                echo "FAIL: cannot build $bin"
                exit 1
        fi
        mv "$bin.new" "$bin"
fi

# New inputs go to the scratch corpus (first directory); the seeds are only read.
cd "$out" || exit 1
# libFuzzer's own failure status is 77, which ctest reads as "skipped": make it 1.
exec "$bin" -artifact_prefix="$out/crash-$name-" -print_final_stats=1 -error_exitcode=1 -timeout_exitcode=1 \
        "$@" "$out/corpus-$name" "$src/fuzz/corpus/$name"
