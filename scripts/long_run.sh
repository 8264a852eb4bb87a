#!/usr/bin/env bash
# The nightly-style long run, one command: the reliability tests with large budgets, then every
# fuzzer for longer. Everything it runs is also in the default suite with small budgets.
#   ./scripts/long_run.sh [--hours H]     (default 1 hour of fuzzing in total, see below)
# Budgets (override by environment): SLATEDB_CRASH_CYCLES=2000 SLATEDB_CRASH_S3_CYCLES=200
# SLATEDB_CRASH_DISK_CYCLES=1000 (the filling-tmpfs loop; needs root)
# SLATEDB_MODEL_OPS=200000 SLATEDB_SHUTDOWN_MOMENTS=2000; fuzzing gets H hours split over the
# nine fuzzers. It prints each test's summary line (cycles survived, acks verified, seeds) and
# exits non-zero on the first failure. Replay a failure with the printed SLATEDB_TEST_SEED.
set -euo pipefail
cd "$(dirname "$0")/.."
HOURS=1
if [[ ${1:-} == --hours ]]; then HOURS=$2; shift 2; fi
export SLATEDB_CRASH_CYCLES=${SLATEDB_CRASH_CYCLES:-2000}
export SLATEDB_CRASH_S3_CYCLES=${SLATEDB_CRASH_S3_CYCLES:-200}
export SLATEDB_CRASH_DISK_CYCLES=${SLATEDB_CRASH_DISK_CYCLES:-1000}
export SLATEDB_MODEL_OPS=${SLATEDB_MODEL_OPS:-200000}
export SLATEDB_SHUTDOWN_MOMENTS=${SLATEDB_SHUTDOWN_MOMENTS:-2000}
echo "long_run: crash cycles $SLATEDB_CRASH_CYCLES (S3 $SLATEDB_CRASH_S3_CYCLES, filling disk" \
     "$SLATEDB_CRASH_DISK_CYCLES), model ops" \
     "$SLATEDB_MODEL_OPS, shutdown moments $SLATEDB_SHUTDOWN_MOMENTS, fuzzing $HOURS h"
# The test binaries directly (ctest's per-test timeouts are for the short default budgets).
# S3 variants run too when SLATEDB_TEST_S3_ENDPOINT points at a moto_server.
B=build/release
[[ -f $B/build.ninja ]] || cmake --preset release
cmake --build --preset release
export SLATEDB_SOURCE_DIR=$PWD SLATEDB_BINARY_DIR=$PWD/$B SLATEDB_CLI=$PWD/$B/tools/cli/slatedb
for t in "tests/crash_test" "tests/model_test" "tests/transient_fault_test" "tests/fencing_test" \
         "src/gc/gc_test --gtest_filter=CompactorShutdownTest.*"; do
  bin=${t%% *}
  [[ -x $B/$bin ]] || { echo "long_run: $B/$bin not built" >&2; exit 1; }
  echo "== $t"
  # shellcheck disable=SC2086
  "$B/"$t --gtest_brief=1
done
./scripts/fuzz.sh --seconds $((HOURS * 3600 / 9))
echo "long_run: passed"
