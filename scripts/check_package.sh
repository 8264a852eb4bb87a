#!/usr/bin/env bash
# Checks that slatedb-cpp can be consumed as README.md says, from a built release tree:
#   1. `cmake --install` of the static default into a prefix; a separate CMake project with
#      find_package(slatedb) and a plain `g++ app.cc $(pkg-config --cflags --libs slatedb)` both
#      build and run examples/consumer/app.cc against it;
#   2. a shared build (BUILD_SHARED_LIBS=ON, tests/bench/CLI off, so no GoogleTest is needed):
#      SONAME, only public symbols exported, and the same two consumers against it;
#   3. examples/subdir: add_subdirectory() of this tree with the slatedb::slatedb alias.
# Each consumer's stdout must be exactly the line the program prints (the library logs nothing
# to stdout). Usage: scripts/check_package.sh [release build dir] (default build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${1:-build/release}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/slatedb-package.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
EXPECTED="slatedb $(sed -n 's/^project(slatedb_cpp VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt): hello=world"
fail() { echo "check_package: FAIL: $*" >&2; exit 1; }

run_app() {  # run_app NAME BINARY [env...]
  local name=$1 bin=$2; shift 2
  local data="$WORK/data-$name"
  local out
  out=$(env "$@" "$bin" "file://$data" 2>"$WORK/$name.stderr") ||
    fail "$name: app exited non-zero: $(cat "$WORK/$name.stderr")"
  [[ $out == "$EXPECTED" ]] || fail "$name: stdout was '$out', expected '$EXPECTED'"
  [[ -d $data/db/manifest ]] || fail "$name: no database written under $data"
  echo "check_package: ok: $name"
}

consumers() {  # consumers LABEL PREFIX [runtime env...]
  local label=$1 prefix=$2; shift 2
  local pcdir
  pcdir=$(dirname "$(find "$prefix" -name slatedb.pc | head -1)")
  [[ -f $pcdir/slatedb.pc ]] || fail "$label: slatedb.pc not installed"
  [[ -z $(find "$prefix/include" -path '*slatedb*' -name '*.h' | xargs grep -l '#include "\(util\|format\|db\|manifest\)/' 2>/dev/null) ]] ||
    fail "$label: an installed header includes an internal header"
  cmake -S examples/consumer -B "$WORK/cmake-$label" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
    >"$WORK/cmake-$label.log" 2>&1 || { cat "$WORK/cmake-$label.log"; fail "$label: find_package"; }
  cmake --build "$WORK/cmake-$label" >>"$WORK/cmake-$label.log" 2>&1 ||
    { cat "$WORK/cmake-$label.log"; fail "$label: consumer build"; }
  run_app "$label-find_package" "$WORK/cmake-$label/app" "$@"
  # shellcheck disable=SC2046
  g++ examples/consumer/app.cc -o "$WORK/pkg-$label" \
    $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs slatedb) ||
    fail "$label: g++ app.cc \$(pkg-config --cflags --libs slatedb)"
  run_app "$label-pkg-config" "$WORK/pkg-$label" "$@"
}

# 1. The static default, installed.
cmake --install "$BUILD" --prefix "$WORK/static" >"$WORK/install-static.log"
[[ -n $(find "$WORK/static" -name libslatedb.a) ]] || fail "static: libslatedb.a not installed"
[[ -x $WORK/static/bin/slatedb ]] || fail "static: the slatedb CLI is not installed"
consumers static "$WORK/static"

# 2. Shared, without tests (so GoogleTest is not needed), installed.
cmake -S . -B "$WORK/shared-build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBUILD_SHARED_LIBS=ON -DSLATEDB_BUILD_TESTS=OFF -DSLATEDB_BUILD_BENCH=OFF \
  -DSLATEDB_BUILD_CLI=OFF >"$WORK/shared-configure.log" 2>&1 ||
  { cat "$WORK/shared-configure.log"; fail "shared: configure"; }
cmake --build "$WORK/shared-build" >"$WORK/shared-build.log" 2>&1 ||
  { tail -50 "$WORK/shared-build.log"; fail "shared: build"; }
cmake --install "$WORK/shared-build" --prefix "$WORK/shared" >"$WORK/install-shared.log"
so=$(find "$WORK/shared" -name 'libslatedb.so.*.*.*' | head -1)
[[ -n $so ]] || fail "shared: libslatedb.so not installed"
soname=$(readelf -d "$so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[[ $soname =~ ^libslatedb\.so\.[0-9]+\.[0-9]+$ ]] || fail "shared: SONAME is '$soname'"
# (Symbols into a variable first: `nm | grep -q` under pipefail fails when grep's early exit
# kills nm with SIGPIPE.)
symbols=$(nm -D -C --defined-only "$so")
internal=$(grep -E ' slatedb::(util|format|table|memtable|wal|manifest|compactor|gc|db|config|object_store)::' \
  <<<"$symbols" | head -5 || true)
[[ -z $internal ]] || fail "shared: internal symbols exported: $internal"
grep -q 'slatedb::Db::Open' <<<"$symbols" || fail "shared: slatedb::Db::Open not exported"
echo "check_package: ok: shared $soname exports only the public API"
consumers shared "$WORK/shared" LD_LIBRARY_PATH="$(dirname "$so")"

# 3. add_subdirectory().
cmake -S examples/subdir -B "$WORK/subdir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSLATEDB_SOURCE_DIR="$ROOT" >"$WORK/subdir.log" 2>&1 || { cat "$WORK/subdir.log"; fail "subdir: configure"; }
grep -q 'GTest\|gtest' "$WORK/subdir/CMakeCache.txt" && fail "subdir: tests were configured in an embedding project"
cmake --build "$WORK/subdir" --target app >>"$WORK/subdir.log" 2>&1 || { tail -50 "$WORK/subdir.log"; fail "subdir: build"; }
run_app subdir "$WORK/subdir/app"
echo "check_package: all consumers built and ran"
