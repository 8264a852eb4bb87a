// format/segments.h — the LSM trees of a manifest (RFC-0024 segments, docs/design.md "Segments").
//
// What: a manifest holds one root tree (prefix "": the top-level l0 / compacted /
// l0_last_compacted) and one tree per named Segment (the keys in [prefix, prefix++)). These
// helpers route a key or a range to the trees that hold it and give uniform access to a tree's
// L0 list, sorted runs and L0 watermark by its prefix. Segment prefixes form an antichain (no
// prefix is a proper prefix of another), so at most one segment holds a key; keys no segment's
// prefix starts are in the root tree.
// Thread safety: pure functions over values. Ownership: TreeRef/ConstTreeRef point into the
// manifest they were made from (valid while it lives and its segment vector is not resized).
// Errors: none.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/manifest.h"

namespace slatedb::format {

// The smallest string above every string starting with `prefix` (prefix++; also PrefixRange's
// end, slatedb/db.h), or nullopt when there is none (prefix empty or all 0xff bytes).
inline std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    if (static_cast<unsigned char>(s.back()) != 0xff) {
      s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
      return s;
    }
    s.pop_back();
  }
  return std::nullopt;
}

// Whether the interval [prefix, prefix++) meets the range [start, end) (absent = unbounded).
inline bool SegmentOverlaps(std::string_view prefix, const std::optional<std::string>& start,
                            const std::optional<std::string>& end) {
  if (end && !(std::string_view(*end) > prefix)) return false;
  if (start) {
    const std::optional<std::string> succ = PrefixSuccessor(prefix);
    if (succ && !(*start < *succ)) return false;
  }
  return true;
}

// The index in m.segments of the segment whose prefix starts `key`, or nullopt (the root tree).
inline std::optional<size_t> SegmentForKey(const Manifest& m, std::string_view key) {
  for (size_t i = 0; i < m.segments.size(); ++i) {
    if (key.starts_with(m.segments[i].prefix)) return i;
  }
  return std::nullopt;
}

// The index of the segment named `prefix` (non-empty), or nullopt.
inline std::optional<size_t> FindSegment(const Manifest& m, std::string_view prefix) {
  for (size_t i = 0; i < m.segments.size(); ++i) {
    if (m.segments[i].prefix == prefix) return i;
  }
  return std::nullopt;
}

// One tree's parts, by reference.
struct ConstTreeRef {
  std::string_view prefix;  // "" = the root tree
  const std::vector<SstHandle>* l0;
  const std::vector<SortedRun>* compacted;
  const std::optional<Ulid>* last_compacted;
};
struct TreeRef {
  std::string_view prefix;
  std::vector<SstHandle>* l0;
  std::vector<SortedRun>* compacted;
  std::optional<Ulid>* last_compacted;
};

inline ConstTreeRef RootTree(const Manifest& m) {
  return {"", &m.l0, &m.compacted, &m.l0_last_compacted};
}
inline ConstTreeRef SegmentTree(const Segment& s) {
  return {s.prefix, &s.l0, &s.compacted, &s.last_compacted_l0_view_id};
}
inline TreeRef MutableSegmentTree(Segment& s) {
  return {s.prefix, &s.l0, &s.compacted, &s.last_compacted_l0_view_id};
}

// Every tree: the root first, then the segments in stored order.
inline std::vector<ConstTreeRef> AllTrees(const Manifest& m) {
  std::vector<ConstTreeRef> trees;
  trees.reserve(1 + m.segments.size());
  trees.push_back(RootTree(m));
  for (const Segment& s : m.segments) trees.push_back(SegmentTree(s));
  return trees;
}

// The tree of `prefix` ("" = root), or nullopt when no such segment exists.
inline std::optional<TreeRef> MutableTree(Manifest& m, std::string_view prefix) {
  if (prefix.empty()) return TreeRef{"", &m.l0, &m.compacted, &m.l0_last_compacted};
  for (Segment& s : m.segments) {
    if (s.prefix == prefix) return MutableSegmentTree(s);
  }
  return std::nullopt;
}

// Swaps the tree of segment `prefix` with the root tree of `m` (l0, compacted and the L0
// watermark), so code written for the root tree works on that segment; calling it again swaps
// back. "" is a no-op. False (nothing changed) when no such segment exists.
inline bool SwapTreeIntoRoot(Manifest& m, std::string_view prefix) {
  if (prefix.empty()) return true;
  for (Segment& s : m.segments) {
    if (s.prefix != prefix) continue;
    std::swap(m.l0, s.l0);
    std::swap(m.compacted, s.compacted);
    std::swap(m.l0_last_compacted, s.last_compacted_l0_view_id);
    return true;
  }
  return false;
}

// A copy of `m` with segment `prefix`'s tree in the root's place (SwapTreeIntoRoot), or nullopt
// when no such segment exists.
inline std::optional<Manifest> WithTreeAsRoot(const Manifest& m, std::string_view prefix) {
  Manifest copy = m;
  if (!SwapTreeIntoRoot(copy, prefix)) return std::nullopt;
  return copy;
}

// The highest sorted-run id of any tree (run ids are unique across trees, RFC-0024), or nullopt.
inline std::optional<uint32_t> HighestRunId(const Manifest& m) {
  std::optional<uint32_t> out;
  for (const ConstTreeRef& t : AllTrees(m)) {
    for (const SortedRun& r : *t.compacted) out = std::max(out.value_or(0), r.id);
  }
  return out;
}

// The largest L0 list of any tree (L0 backpressure applies per tree, RFC-0024).
inline size_t MaxTreeL0(const Manifest& m) {
  size_t n = m.l0.size();
  for (const Segment& s : m.segments) n = std::max(n, s.l0.size());
  return n;
}

// Every L0 and sorted-run SST of every tree.
inline size_t TotalL0(const Manifest& m) {
  size_t n = m.l0.size();
  for (const Segment& s : m.segments) n += s.l0.size();
  return n;
}

}  // namespace slatedb::format
