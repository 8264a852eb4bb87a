#!/usr/bin/env bash
# Builds what is missing, starts the servers the tests need (moto_server on free loopback
# ports), runs the whole suite with ctest, and stops what it started even on failure.
#
# Stages (the default run, as CI does it, runs all of them):
#   1. the whole suite on the release preset (unit, S3 on moto, peer compatibility, corruption,
#      reliability: model test, crash loop, fencing, transient faults, compactor/GC shutdown);
#   1b. the clang-tsa build (-Wthread-safety -Werror over the library and CLI);
#   2. packaging: install + consumers (scripts/check_package.sh), then every libFuzzer target for
#      SLATEDB_FUZZ_SECONDS (default 30) each (scripts/fuzz.sh);
#   3. a representative subset under ASan+UBSan and under TSan (see SANITIZER_* below).
# SLATEDB_QUICK=1 runs stage 1 only. Long variants: SLATEDB_CRASH_CYCLES, SLATEDB_MODEL_OPS,
# SLATEDB_SHUTDOWN_MOMENTS (see the tests).
# Usage: ./scripts/test.sh [--preset release|debug|asan|tsan] [extra ctest args]
#   (with --preset or extra ctest args only stage 1 runs, on that preset)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# See setup.sh: ccache keyed on paths relative to the checkout.
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
START_S=$SECONDS
stage() { echo "== [$(date -u +%H:%M:%S), +$((SECONDS - START_S)) s] $*"; }
PRESET=release
STAGES=all
if [[ ${1:-} == --preset ]]; then PRESET=$2; shift 2; STAGES=suite; fi
[[ $# -gt 0 ]] && STAGES=suite
[[ ${SLATEDB_QUICK:-0} == 1 ]] && STAGES=suite

[[ -f build/$PRESET/build.ninja ]] || cmake --preset "$PRESET"
cmake --build --preset "$PRESET"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_moto() {  # start_moto VAR_PREFIX [env assignments...]
  local port; port=$(free_port)
  local log="$ROOT/build/$PRESET/moto-$port.log"
  env "${@:2}" moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
      export "$1=http://127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  echo "test.sh: moto_server did not start on port $port (see $log)" >&2
  return 1
}

if command -v moto_server >/dev/null 2>&1; then
  start_moto SLATEDB_TEST_S3_ENDPOINT
  # A second server that checks SigV4 signatures on every request.
  start_moto SLATEDB_TEST_S3_AUTH_ENDPOINT INITIAL_NO_AUTH_ACTION_COUNT=0
else
  echo "test.sh: moto_server not found; S3 tests will be skipped" >&2
fi

export SLATEDB_PEER="$ROOT/../shared/peer/slatedb-peer"
export SLATEDB_FIXTURES="$ROOT/../shared/peer/fixtures-0.12.1"
export SLATEDB_CLI="$ROOT/build/$PRESET/tools/cli/slatedb"
# Install the peer's npm packages once, before tests run it in parallel (concurrent first-use
# installs into the same directory break each other).
if [[ -x "$ROOT/../shared/peer/install.sh" ]]; then
  "$ROOT/../shared/peer/install.sh" >/dev/null || echo "test.sh: peer install failed" >&2
fi

stage "stage 1: test suite ($PRESET)"
(cd "build/$PRESET" && ctest --output-on-failure -j2 --timeout 900 "$@")
[[ $STAGES == all ]] || exit 0

stage "stage 1b: clang thread-safety analysis (clang-tsa preset: -Wthread-safety -Werror)"
[[ -f build/clang-tsa/build.ninja ]] || cmake --preset clang-tsa >/dev/null
cmake --build --preset clang-tsa

stage "stage 2a: packaging (install, find_package, pkg-config, shared library, add_subdirectory)"
./scripts/check_package.sh "build/$PRESET"

stage "stage 2b: fuzzers (${SLATEDB_FUZZ_SECONDS:-30} s each)"
./scripts/fuzz.sh --seconds "${SLATEDB_FUZZ_SECONDS:-30}"

# Stage 3: sanitizers on a representative subset (the whole suite under both would not fit CI's
# time on 2 cores): every unit test of the engine layers, the model test and the transient-fault
# test; not the S3 conformance suite (moto-bound), the peer compatibility tests (the peer is not
# instrumented), nor the process-level crash/fencing loops (they exercise the same code as the
# model test, through the CLI).
ASAN_TARGETS=(util_test util_log_test db_logging_test db_hardening_test object_store_test object_store_conformance_test format_sst_test
  format_block_test format_bloom_test format_compression_test format_manifest_codec_test
  table_test memtable_test config_test manifest_store_test wal_wal_test db_db_test db_fixtures_test
  db_db_gc_test compactor_test gc_test model_test transient_fault_test db_write_api_test capi_c_test
  db_transaction_test db_merge_test db_metrics_test db_checkpoint_test db_prefix_filter_test db_cdc_test
  db_read_path_test cdc_wal_reader_test util_metrics_test object_store_metrics_test)
TSAN_TARGETS=(util_test db_logging_test db_hardening_test memtable_test table_test wal_wal_test manifest_store_test db_db_test
  db_db_gc_test compactor_test gc_test model_test transient_fault_test db_write_api_test capi_c_test
  db_transaction_test db_metrics_test db_checkpoint_test db_cdc_test cdc_wal_reader_test util_metrics_test)
SANITIZER_EXCLUDE_LABELS='compat|s3|corruption'
for preset in asan tsan; do
  stage "stage 3: $preset"
  [[ -f build/$preset/build.ninja ]] || cmake --preset "$preset" >/dev/null
  if [[ $preset == asan ]]; then wanted=("${ASAN_TARGETS[@]}"); else wanted=("${TSAN_TARGETS[@]}"); fi
  # (No `ninja -t targets | grep -q` pipeline here: under pipefail grep -q's early exit makes
  # ninja die of SIGPIPE and the check fail at random.)
  known=$(ninja -C "build/$preset" -t targets all 2>/dev/null | cut -d: -f1)
  targets=()
  for t in "${wanted[@]}"; do
    if grep -qx "$t" <<<"$known"; then targets+=("$t"); else
      echo "test.sh: no target $t in build/$preset" >&2; exit 1; fi
  done
  cmake --build "build/$preset" --target "${targets[@]}"
  # A test binary that was not built registers one placeholder test "<binary>_NOT_BUILT";
  # the binaries not listed above are left out that way.
  (cd "build/$preset" && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
     ctest --output-on-failure -j2 --timeout 900 -LE "$SANITIZER_EXCLUDE_LABELS" -E '_NOT_BUILT$')
done
stage "all stages passed"
