#!/usr/bin/env bash
# Builds what is missing, starts the servers the tests need (moto_server on free loopback
# ports), runs the whole suite with ctest, and stops what it started even on failure.
# Usage: ./scripts/test.sh [--preset release|debug|asan|tsan] [extra ctest args]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PRESET=release
if [[ ${1:-} == --preset ]]; then PRESET=$2; shift 2; fi

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

cd "build/$PRESET"
ctest --output-on-failure -j2 --timeout 900 "$@"
