#!/usr/bin/env bash
# Installs every build dependency (Debian 12 package names) and builds the release preset.
# Run as root on a fresh Debian 12 machine: ./scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git clang-14 clang-format-14 python3
  zlib1g-dev libzstd-dev liblz4-dev libsnappy-dev
  libcurl4-openssl-dev libssl-dev libpugixml-dev
  libflatbuffers-dev flatbuffers-compiler
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libspdlog-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev
  zstd curl ccache
)
# The SlateDB peer (compatibility tests) needs node >= 20 and npm. A machine may already have a
# node build that bundles npm (e.g. the nodejs package of another repository, which conflicts with
# Debian's npm): install Debian's packages only for what is missing.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The S3 tests run against moto_server (an S3 emulator). Install it when absent.
if ! command -v moto_server >/dev/null 2>&1; then
  python3 -m pip install --quiet 'moto[server]' || {
    echo "setup: could not install moto_server; S3 tests will be skipped" >&2; }
fi

# Compile through ccache (CMakeLists.txt picks it up): paths relative to the checkout, so a fresh
# clone elsewhere on this machine reuses what an earlier one compiled.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset release
cmake --build --preset release
