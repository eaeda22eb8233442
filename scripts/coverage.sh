#!/bin/bash
# Line, function and branch coverage of the whole test suite, the booted
# systemd tests included. Needs root (as scripts/test.sh) and gcovr.
#
#   scripts/coverage.sh [--no-system] [--fail-under-line N] [--fail-under-branch N]
#
# 1. A Debug build with gcc --coverage -fprofile-update=atomic in build-cov/
#    (COVERAGE_BUILD_DIR), prefix /usr like the system tests want.
# 2. Every counter file (.gcda) is created empty and mode 0666 before the
#    tests, so that the programs the tests run as other users (RunAs=, user
#    mounts, launcher --user) can add their counts too: libgcov merges into
#    the file named at compile time, and an empty one counts as new.
# 3. The unit, integration and memfs tests, then the system tests. Inside
#    the systemd-nspawn container the installed programs are this build's;
#    nspawn-run.sh binds FSP_COVERAGE_DIR (this build tree) into the
#    container at the same path, so their counters land here as well.
# 4. gcovr: the figures per directory after the non-system tests and after
#    all of them, and an HTML report in build-cov/coverage/index.html.
# Exit status: 1 when a test failed or a --fail-under figure was missed.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=${COVERAGE_BUILD_DIR:-$src/build-cov}
jobs=$(nproc)
system=yes
fail_line=0
fail_branch=0
while [ $# -gt 0 ]; do
        case $1 in
        --no-system) system=no ;;
        --fail-under-line) fail_line=$2; shift ;;
        --fail-under-branch) fail_branch=$2; shift ;;
        -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "coverage.sh: unknown argument '$1'" >&2; exit 2 ;;
        esac
        shift
done
[ "$(id -u)" = 0 ] || { echo "coverage.sh: needs root (the tests mount and make users)" >&2; exit 2; }
command -v gcovr >/dev/null || { echo "coverage.sh: gcovr is missing (apt-get install gcovr)" >&2; exit 2; }

failed=0
t0=$SECONDS
flags="--coverage -fprofile-update=atomic"
mkdir -p "$build"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_INSTALL_PREFIX=/usr \
        -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS=--coverage \
        -DCMAKE_SHARED_LINKER_FLAGS=--coverage >"$build/configure.log" 2>&1 ||
        { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j"$jobs" >"$build/build.log" 2>&1 || { tail -40 "$build/build.log"; exit 1; }

# Fresh counters, writable by everyone; the directories on the way must be
# reachable by the test users.
find "$build" -name '*.gcda' -delete
find "$build" -name '*.gcno' -print0 | while IFS= read -r -d '' gcno; do
        install -m 0666 /dev/null "${gcno%.gcno}.gcda"
done
find "$build" -type d -exec chmod a+rx {} +

# The product's sources only: not the tests, the benchmarks, the fuzzers.
report() { # ARGS...: gcovr over this build with the suite's filters
        gcovr --root "$src" --object-directory "$build" \
                --filter "$src/(libfsp|launcher|fuse|memfs|netprovider)/" \
                --gcov-ignore-parse-errors "$@" "$build"
}

# summary TITLE: one line per directory and the total, from gcovr's JSON.
summary() {
        report --json "$build/coverage.json" 2>"$build/gcovr.log" || { cat "$build/gcovr.log"; return 1; }
        python3 - "$1" "$build/coverage.json" <<'PY'
import collections, json, sys
title, path = sys.argv[1], sys.argv[2]
sums = collections.defaultdict(lambda: [0] * 6)
for f in json.load(open(path))["files"]:
    d = f["file"].split("/")[0]
    s = sums[d]
    for ln in f["lines"]:
        if ln.get("gcovr/noncode"):
            continue
        s[1] += 1
        s[0] += ln["count"] > 0
        for b in ln["branches"]:
            s[5] += 1
            s[4] += b["count"] > 0
    for fn in f.get("functions", []):
        s[3] += 1
        s[2] += fn["execution_count"] > 0
def pct(a, b):
    return f"{100.0 * a / b:5.1f}% {a:>5}/{b:<5}" if b else "    -            "
print(f"coverage: {title}")
print(f"  {'directory':<12} {'lines':<18} {'functions':<18} {'branches':<18}")
total = [0] * 6
for d in sorted(sums):
    s = sums[d]
    total = [a + b for a, b in zip(total, s)]
    print(f"  {d + '/':<12} {pct(s[0], s[1])} {pct(s[2], s[3])} {pct(s[4], s[5])}")
print(f"  {'total':<12} {pct(total[0], total[1])} {pct(total[2], total[3])} {pct(total[4], total[5])}")
with open(path + ".total", "w") as out:
    out.write(f"{100.0 * total[0] / total[1]:.1f} {100.0 * total[4] / total[5]:.1f}\n")
PY
}

export FSP_COVERAGE_DIR=$build
echo "=== unit, integration and memfs tests (coverage build)"
ctest --test-dir "$build" --schedule-random -j"$jobs" -LE system --output-on-failure >"$build/ctest.log" 2>&1 ||
        { failed=1; grep -E 'Failed|\*\*\*|tests passed' "$build/ctest.log"; }
tail -1 "$build/ctest.log"
summary "unit, integration and memfs tests"
if [ $system = yes ]; then
        echo "=== system tests (coverage build installed in the container)"
        ctest --test-dir "$build" -L system --output-on-failure >"$build/ctest-system.log" 2>&1 ||
                { failed=1; grep -E 'Failed|\*\*\*|tests passed' "$build/ctest-system.log"; }
        tail -1 "$build/ctest-system.log"
        summary "the whole suite, system tests included"
fi
mkdir -p "$build/coverage"
report --html-details "$build/coverage/index.html" 2>>"$build/gcovr.log" &&
        echo "per-line report: $build/coverage/index.html"
echo "coverage.sh: $((SECONDS - t0)) s"

read -r line branch <"$build/coverage.json.total"
awk -v l="$line" -v fl="$fail_line" 'BEGIN { exit !(l < fl) }' &&
        { echo "FAIL: line coverage $line% is under $fail_line%"; failed=1; }
awk -v b="$branch" -v fb="$fail_branch" 'BEGIN { exit !(b < fb) }' &&
        { echo "FAIL: branch coverage $branch% is under $fail_branch%"; failed=1; }
exit $failed
