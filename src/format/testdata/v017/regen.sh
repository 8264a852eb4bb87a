#!/usr/bin/env bash
# Regenerates the golden 0.17 objects of this folder from the JSON descriptions and the
# independent schema slatedb_017.fbs (flatc builds the FlatBuffers; we add the 2-byte big-endian
# version prefix), then checks with flatc that what our codec re-encodes (the *.reencoded.*
# files, written by format_golden_v017_test with SLATEDB_GOLDEN_REWRITE=1) holds exactly the same
# values under the independent schema.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build() {  # json root-type version out
  flatc -b --root-type "golden017.$2" -o "$tmp" slatedb_017.fbs "$1.json"
  printf "\\x00\\x$(printf %02x "$3")" > "$4"
  cat "$tmp/$1.bin" >> "$4"
}
build manifest_v2 ManifestV2 2 manifest_v2.manifest
build compactions_v2 CompactionsV1 2 compactions_v2.compactions
printf '40' > manifest.boundary
printf '7' > compactions.boundary
check() {  # original reencoded root-type
  for f in "$1" "$2"; do
    tail -c +3 "$f" > "$tmp/$(basename "$f").bin"
    flatc --json --strict-json --raw-binary --defaults-json --root-type "golden017.$3" \
      -o "$tmp" slatedb_017.fbs -- "$tmp/$(basename "$f").bin"
  done
  if cmp -s "$tmp/$(basename "$1").json" "$tmp/$(basename "$2").json"; then
    echo "same values: $1 and $2"
  else
    diff "$tmp/$(basename "$1").json" "$tmp/$(basename "$2").json" || true
    echo "DIFFERENT values: $1 and $2" >&2
    exit 1
  fi
}
[[ -f manifest_v2.reencoded.manifest ]] &&
  check manifest_v2.manifest manifest_v2.reencoded.manifest ManifestV2
[[ -f compactions_v2.reencoded.compactions ]] &&
  check compactions_v2.compactions compactions_v2.reencoded.compactions CompactionsV1
exit 0
