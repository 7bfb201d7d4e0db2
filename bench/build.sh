#!/usr/bin/env bash
# Benchmark `csp-consolidate build` against the floor (DESIGN.md, "Performance and scale").
#
#   bench/build.sh                 # workload L, 5 runs each
#   SIZE=S RUNS=3 bench/build.sh   # quicker
#
# Steps: release build; generate the workload into target/bench-data/$SIZE if absent
# (examples/gen_workload.rs, deterministic); run the floor (examples/floor.rs: read every
# input, write a same-size workbook, one thread, no logic) and then `build`, each RUNS times
# after one warm-up run. Reports median wall time, median CPU time (user+sys, less sensitive
# to other load on a shared machine) and peak RSS ("Maximum resident set size" from
# /usr/bin/time), and checks the targets: build ≤ 1.5 × floor, peak RSS < 100 MB.
# Uses hyperfine for the wall-time median when it is installed.
#
# Exit: 0 targets met; 1 a target missed; 2 `build` could not run (floor still reported).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-L}
RUNS=${RUNS:-5}
DATA=target/bench-data/$SIZE
OUT=target/bench-out
BIN=${BIN:-target/release/csp-consolidate}   # override to bench another binary
MAX_RATIO=1.5
MAX_RSS_MB=100
mkdir -p "$OUT"

[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time (GNU time) is required for peak RSS" >&2; exit 2; }

echo "== release build"
cargo build --release --bin csp-consolidate --example floor --example gen_workload

if [ ! -f "$DATA/.complete" ]; then
    echo "== generating workload $SIZE into $DATA"
    rm -rf "$DATA"
    target/release/examples/gen_workload --size "$SIZE" --out "$DATA"
    touch "$DATA/.complete"
fi

FLOOR_CMD=(target/release/examples/floor "$DATA" "$OUT/floor-$SIZE.xlsx")
BUILD_CMD=("$BIN" build "$DATA/exports" --customers "$DATA/Customers.csv"
    --activity "$DATA/ActivityLog.csv" --out "$OUT/migration-$SIZE.xlsx")

median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# measure NAME OKCODES CMD...: sets ${NAME}_WALL ${NAME}_CPU ${NAME}_RSS_MB.
# OKCODES: space-separated exit codes that count as a successful run.
measure() {
    local name=$1 ok=$2; shift 2
    local log="$OUT/$name-$SIZE.time" i code
    : > "$log"
    for ((i = 0; i <= RUNS; i++)); do   # run 0 is the warm-up
        code=0
        # A first build (no workbook there yet): rebuilding over one costs
        # build a read of the old file (the guard for review work).
        [ -n "${PREP:-}" ] && bash -c "$PREP"
        /usr/bin/time -f "%e %U %S %M" -o "$OUT/one.time" "$@" > "$OUT/$name-$SIZE.out" 2>&1 || code=$?
        if [[ " $ok " != *" $code "* ]]; then
            echo "bench: $name exited with $code; last output:" >&2
            tail -n 5 "$OUT/$name-$SIZE.out" >&2
            return 1
        fi
        [ "$i" -gt 0 ] && tail -n 1 "$OUT/one.time" >> "$log"
    done
    local wall cpu rss
    wall=$(awk '{print $1}' "$log" | median)
    cpu=$(awk '{print $2 + $3}' "$log" | median)
    rss=$(awk 'BEGIN {m=0} {if ($4 > m) m=$4} END {printf "%.1f", m/1024}' "$log")
    if command -v hyperfine > /dev/null; then
        local q=() arg
        for arg in "$@"; do q+=("$(printf '%q' "$arg")"); done
        local ignore=()
        [ "$ok" != "0" ] && ignore=(--ignore-failure)
        local prep=()
        [ -n "${PREP:-}" ] && prep=(--prepare "$PREP")
        hyperfine --warmup 1 --runs "$RUNS" "${ignore[@]}" "${prep[@]}" --export-json "$OUT/$name-$SIZE.json" "${q[*]}" > /dev/null
        wall=$(grep -o '"median": *[0-9.e+-]*' "$OUT/$name-$SIZE.json" | head -n 1 | awk '{print $2}')
    fi
    printf -v "${name}_WALL" '%s' "$wall"
    printf -v "${name}_CPU" '%s' "$cpu"
    printf -v "${name}_RSS_MB" '%s' "$rss"
    printf '%-6s median wall %6.3f s   median cpu %6.3f s   peak RSS %7.1f MB   (%d runs)\n' \
        "$name" "$wall" "$cpu" "$rss" "$RUNS"
}

echo "== workload $SIZE: $(ls "$DATA/exports" | wc -l) exports, $(($(wc -l < "$DATA/Customers.csv") - 1)) customers, $(($(wc -l < "$DATA/ActivityLog.csv") - 1)) activity rows"
echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   floor: ${FLOOR_CMD[*]}"
measure floor "0" "${FLOOR_CMD[@]}"

echo "   build: ${BUILD_CMD[*]}"
# `build` exits 1 when it reported issues: a completed run (the L workload has unknown names).
if ! PREP="rm -f $OUT/migration-$SIZE.xlsx" measure build "0 1" "${BUILD_CMD[@]}"; then
    echo
    echo "bench: \`csp-consolidate build\` did not run to completion (not on this branch yet?)."
    echo "bench: floor reported above; build not measured."
    exit 2
fi

ratio=$(awk -v b="$build_WALL" -v f="$floor_WALL" 'BEGIN {printf "%.2f", b/f}')
cpu_ratio=$(awk -v b="$build_CPU" -v f="$floor_CPU" 'BEGIN {printf "%.2f", b/f}')
ratio_ok=$(awk -v r="$ratio" -v m="$MAX_RATIO" 'BEGIN {print (r <= m) ? "PASS" : "FAIL"}')
rss_ok=$(awk -v r="$build_RSS_MB" -v m="$MAX_RSS_MB" 'BEGIN {print (r < m) ? "PASS" : "FAIL"}')
echo
echo "build/floor wall ratio ${ratio}x (cpu ratio ${cpu_ratio}x), target <= ${MAX_RATIO}x: $ratio_ok"
echo "build peak RSS ${build_RSS_MB} MB, target < ${MAX_RSS_MB} MB: $rss_ok"
[ "$ratio_ok" = PASS ] && [ "$rss_ok" = PASS ]
