#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang-14, -fsanitize=fuzzer,address,undefined),
# seeds each one from the peer-written fixtures (SlateDB 0.12.1) plus fuzz/corpus/, runs every
# fuzzer for N seconds one after the other, prints the executions per fuzzer and fails if any
# fuzzer crashed (crash inputs are kept in build/fuzz/artifacts/).
# Usage: ./scripts/fuzz.sh [--seconds N] [FUZZER...]   (default 30 s; names: block sst wal
#        manifest compactions sequence_tracker compression settings_json settings_toml)
# Env: SLATEDB_FIXTURES (default ../shared/peer/fixtures-0.12.1 next to the checkout),
#      SLATEDB_FUZZ_JOBS (ninja -j, default 2).
# Replay one crash: build/fuzz/fuzz/fuzz_<name> build/fuzz/artifacts/<name>-crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_FUZZER=30
if [[ ${1:-} == --seconds ]]; then SECONDS_PER_FUZZER=$2; shift 2; fi
ALL=(block sst wal manifest compactions sequence_tracker compression settings_json settings_toml)
if [[ $# -gt 0 ]]; then FUZZERS=("$@"); else FUZZERS=("${ALL[@]}"); fi

BUILD=$ROOT/build/fuzz
[[ -f $BUILD/build.ninja ]] || cmake --preset fuzz -DSLATEDB_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD" --target fuzzers -- -j"${SLATEDB_FUZZ_JOBS:-2}"

FIXTURES=${SLATEDB_FIXTURES:-$ROOT/../shared/peer/fixtures-0.12.1}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/slatedb-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
ARTIFACTS=$BUILD/artifacts
mkdir -p "$ARTIFACTS"

if [[ -d $FIXTURES ]]; then
  "$BUILD/fuzz/fuzz_make_seeds" "$FIXTURES" "$ROOT/fuzz/corpus" "$WORK/seeds" >"$WORK/seeds.log"
else
  echo "fuzz.sh: fixtures not found at $FIXTURES; using only fuzz/corpus/" >&2
  mkdir -p "$WORK/seeds"
  cp -r "$ROOT/fuzz/corpus/." "$WORK/seeds/"
fi

FAILED=()
TOTAL=0
printf '%-18s %12s %10s %8s %s\n' fuzzer executions exec/s seeds result
for name in "${FUZZERS[@]}"; do
  bin=$BUILD/fuzz/fuzz_$name
  if [[ ! -x $bin ]]; then echo "fuzz.sh: unknown fuzzer '$name'" >&2; exit 2; fi
  mkdir -p "$WORK/corpus/$name" "$WORK/seeds/$name"
  nseeds=$(find "$WORK/seeds/$name" -type f | wc -l)
  log=$WORK/$name.log
  rc=0
  # New inputs go to the first (scratch) directory; seeds are read from the second.
  "$bin" -max_total_time="$SECONDS_PER_FUZZER" -timeout=25 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$name-" \
    "$WORK/corpus/$name" "$WORK/seeds/$name" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  result=ok
  if [[ $rc -ne 0 ]]; then
    result="CRASH (exit $rc)"
    FAILED+=("$name")
    cp "$log" "$ARTIFACTS/$name.log"
  fi
  TOTAL=$((TOTAL + ${execs:-0}))
  printf '%-18s %12s %10s %8s %s\n' "$name" "${execs:-?}" "${rate:-?}" "$nseeds" "$result"
done
echo "fuzz.sh: ${#FUZZERS[@]} fuzzers x ${SECONDS_PER_FUZZER}s, $TOTAL executions in total"

if [[ ${#FAILED[@]} -gt 0 ]]; then
  for name in "${FAILED[@]}"; do
    echo "---- $name: $(grep -m1 -E 'ERROR|runtime error|FUZZ INVARIANT|FUZZ:|terminate called' "$ARTIFACTS/$name.log" || true)" >&2
    grep -E 'Test unit written to' "$ARTIFACTS/$name.log" >&2 || true
  done
  echo "fuzz.sh: FAILED: ${FAILED[*]} (logs and inputs in $ARTIFACTS)" >&2
  exit 1
fi
