#!/usr/bin/env bash
# Builds the `asan` (ASan+UBSan, Debug) and `tsan` (TSan, RelWithDebInfo) presets and runs the
# test suite under each through scripts/test.sh (which starts moto for the S3 tests), printing
# build and test times. Sanitizer reports fail the run: ASan/UBSan abort the test, TSan exits 66.
# Usage: ./scripts/sanitizers.sh [--preset asan|tsan]... [--exclude REGEX] [--keep-going]
#                                [extra ctest args]
#   default: both presets; --exclude is a ctest label regex left out (default 'compat': the
#   peer-compatibility tests run the uninstrumented SlateDB peer through node and mostly measure
#   its start-up time; they run in the normal suite).
#   --keep-going: for a tree where some target does not build (work in progress): build what
#   builds (ninja -k 0) and run ctest directly on the tests that were built, without moto (the
#   S3 tests skip themselves). The default path is scripts/test.sh, which stops on a build error.
# Env: SLATEDB_SANITIZE_JOBS (build parallelism, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PRESETS=()
EXCLUDE=compat
KEEP_GOING=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --preset) PRESETS+=("$2"); shift 2 ;;
    --exclude) EXCLUDE=$2; shift 2 ;;
    --keep-going) KEEP_GOING=1; shift ;;
    *) break ;;
  esac
done
[[ ${#PRESETS[@]} -gt 0 ]] || PRESETS=(asan tsan)

export CMAKE_BUILD_PARALLEL_LEVEL=${SLATEDB_SANITIZE_JOBS:-2}
# Fail on the first report, with stacks; LeakSanitizer stays on under asan.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-second_deadlock_stack=1:halt_on_error=1}

SUMMARY=()
RC=0
for preset in "${PRESETS[@]}"; do
  case $preset in asan | tsan) ;; *) echo "sanitizers.sh: unknown preset '$preset'" >&2; exit 2 ;; esac
  start=$(date +%s)
  [[ -f build/$preset/build.ninja ]] || cmake --preset "$preset" >/dev/null
  args=()
  [[ -n $EXCLUDE ]] && args+=(-LE "$EXCLUDE")
  rc=0
  if [[ $KEEP_GOING == 1 ]]; then
    cmake --build --preset "$preset" -- -k 0 || echo "sanitizers.sh: $preset: some targets did not build" >&2
    built=$(date +%s)
    (
      export SLATEDB_PEER="$ROOT/../shared/peer/slatedb-peer"
      export SLATEDB_FIXTURES=${SLATEDB_FIXTURES:-$ROOT/../shared/peer/fixtures-0.12.1}
      export SLATEDB_CLI="$ROOT/build/$preset/tools/cli/slatedb"
      cd "build/$preset" && ctest --output-on-failure -j2 --timeout 900 -E '_NOT_BUILT' \
        "${args[@]}" "$@"
    ) || rc=$?
  else
    cmake --build --preset "$preset"
    built=$(date +%s)
    "$ROOT/scripts/test.sh" --preset "$preset" "${args[@]}" "$@" || rc=$?
  fi
  done_at=$(date +%s)
  line="$preset: build $((built - start))s, tests $((done_at - built))s"
  [[ -n $EXCLUDE ]] && line+=" (labels excluded: $EXCLUDE)"
  if [[ $rc -ne 0 ]]; then line+=" FAILED (exit $rc)"; RC=1; else line+=" passed"; fi
  SUMMARY+=("$line")
done
printf 'sanitizers.sh: %s\n' "${SUMMARY[@]}"
exit $RC
