#!/bin/sh
# grade.sh — run exercise graders and add up their points.
#
# usage: scripts/grade.sh build/normal/grade/NN-slug/student ...
# Each grader runs in its own build folder (so the trace a failing cluster test writes lands
# there, next to it) and ends its report with "score EARNED/TOTAL"; this script prints every
# report, then one line per exercise and the total.
set -u
if [ $# -eq 0 ]; then
    echo "grade: no exercise matches (see exercises/)" >&2
    exit 2
fi
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
earned=0; total=0
for prog in "$@"; do
    dir=$(dirname "$prog")
    name=$(basename "$dir")
    rm -f "$dir"/*.trace
    out=$(cd "$dir" && "./$(basename "$prog")" 2>&1)
    echo "$out"
    score=$(echo "$out" | sed -n 's/^score \([0-9]*\/[0-9]*\)$/\1/p' | tail -n 1)
    if [ -z "$score" ]; then
        score="0/?"
        echo "$name: the grader crashed before printing its score" >&2
    else
        earned=$((earned + ${score%/*})); total=$((total + ${score#*/}))
    fi
    for t in "$dir"/*.trace; do
        [ -e "$t" ] && echo "  trace: $t   (./bcoslab replay $t)"
    done
    printf '%-28s %s\n' "$name" "$score" >>"$summary"
done
echo
echo "== grades =="
cat "$summary"
printf '%-28s %s\n' "total" "$earned/$total"
