#!/usr/bin/env bash
# tools/tidy.sh — style and architecture rules, run as the ctest `tidy` (and by hand).
#   1. clang-format-14 finds nothing to change in any tracked C++ file (.clang-format);
#   2. no upward include between layers: src/<layer>/ may include only its own folder and the
#      layers before it, in the order of SLATEDB_LAYERS in CMakeLists.txt;
#   3. in src/ (tests excepted): no rand()/srand()/std::random_device/system_clock::now()/
#      steady_clock::now() outside src/util/ (time and randomness come from util::Clock and
#      util::Random), no `throw`, no naked new/delete;
#   4. no `using namespace` in a header.
# Prints every violation as file:line: rule; exits 1 if there is any. Usage: tools/tidy.sh [root]
set -uo pipefail
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT" || exit 2
CLANG_FORMAT=${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}
fail=0
report() { echo "$1"; fail=1; }

files=$(git ls-files '*.cc' '*.h' 2>/dev/null || find src include tools tests testing bench fuzz examples -name '*.cc' -o -name '*.h')

# 1. Formatting.
if [[ -z $CLANG_FORMAT ]]; then
  report "tidy: clang-format-14 not found"
else
  for f in $files; do
    if ! "$CLANG_FORMAT" --dry-run -Werror "$f" >/dev/null 2>&1; then
      report "$f: clang-format: differs (run $CLANG_FORMAT -i $f)"
    fi
  done
fi

# 2. Layering.
layers=$(sed -n '/^set(SLATEDB_LAYERS/,/)/p' CMakeLists.txt | tr ' ()' '\n\n\n' | sed -n 's|^src/||p')
[[ -n $layers ]] || report "CMakeLists.txt: tidy could not read SLATEDB_LAYERS"
declare -A rank
i=0
for l in $layers; do rank[$l]=$i; i=$((i + 1)); done
for f in $files; do
  [[ $f == src/*/* ]] || continue
  own=${f#src/}; own=${own%%/*}
  [[ -n ${rank[$own]:-} ]] || continue
  while IFS= read -r hit; do
    line=${hit%%:*}; inc=${hit#*:#include \"}; inc=${inc%%\"*}; dep=${inc%%/*}
    [[ -n ${rank[$dep]:-} ]] || continue
    if ((rank[$dep] > rank[$own])); then
      report "$f:$line: upward include of $inc (layer $own may use only layers before it)"
    fi
  done < <(grep -n '^#include "' "$f")
done

# 3. Banned constructs in the engine's own (non-test) sources.
# Comments are stripped; a line marked "tidy: allow" (with the reason beside it) is exempt.
strip_comments() { sed -e '/tidy: allow/s/.*//' -e 's|//.*$||' "$1"; }
for f in $files; do
  [[ $f == src/* ]] || continue
  [[ $f == *_test.cc || $f == *test_db.h ]] && continue
  body=$(strip_comments "$f")
  if [[ $f != src/util/* ]]; then
    grep -nE '\b(s?rand)\(|std::random_device|[Cc]lock::now\(' <<<"$body" |
      while IFS=: read -r line _; do echo "$f:$line: time or randomness outside util/ (use util::Clock / util::Random)"; done
  fi
  grep -nE '(^|[^_[:alnum:]])throw([^_[:alnum:]]|$)' <<<"$body" |
    while IFS=: read -r line _; do echo "$f:$line: throw in src/ (return a Status)"; done
  grep -nE '(^|[^_[:alnum:]>.])new [A-Za-z_:]+[ ({<[]|(^|[^=_[:alnum:]] *)delete(\[\])? [A-Za-z_(*]' <<<"$body" |
    grep -vE ': *= *delete|unique_ptr<[^>]*>( [a-z_]+)?\(new ' |
    while IFS=: read -r line _; do echo "$f:$line: naked new/delete (use std::make_unique / containers)"; done
done > /tmp/tidy.$$ 2>&1
if [[ -s /tmp/tidy.$$ ]]; then cat /tmp/tidy.$$; fail=1; fi
rm -f /tmp/tidy.$$

# 4. using namespace in headers.
for f in $files; do
  [[ $f == *.h ]] || continue
  grep -nE '^\s*using namespace' "$f" | while IFS=: read -r line _; do
    echo "$f:$line: using namespace in a header"; done
done > /tmp/tidy4.$$
if [[ -s /tmp/tidy4.$$ ]]; then cat /tmp/tidy4.$$; fail=1; fi
rm -f /tmp/tidy4.$$

if ((fail)); then echo "tidy: FAILED"; exit 1; fi
echo "tidy: ok ($(wc -w <<<"$files") files)"
