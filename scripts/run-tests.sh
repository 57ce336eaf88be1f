#!/bin/sh
# run-tests.sh — run cmocka test programs one after another and add up their results.
#
# usage: scripts/run-tests.sh FLAVOUR PROGRAM...
# Each program prints cmocka's own report; this script adds the closing line
# "FLAVOUR: N passed, N failed" and exits non-zero if any test or program failed.
set -u
flavour=$1; shift
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
# Slow conformance cases (the 1 GiB Keccak answer) run in the optimised build only, where they
# take seconds; under the sanitizers they would take minutes and prove nothing more.
if [ "$flavour" = normal ]; then
    export BL_SLOW_TESTS=${BL_SLOW_TESTS:-1}
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0; failed=0; broken=""
for prog in "$@"; do
    "$prog" >"$log" 2>&1
    rc=$?
    cat "$log"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
        # the program died (sanitizer report, crash) before cmocka could count
        failed=$((failed + 1)); broken="$broken $(basename "$prog")"
    fi
done
[ -n "$broken" ] && echo "$flavour: programs that crashed:$broken"
echo "$flavour: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
