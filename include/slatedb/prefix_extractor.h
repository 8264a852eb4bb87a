// slatedb/prefix_extractor.h — prefix extractors: which leading bytes of a key a prefix bloom
// filter records (SlateDB's `PrefixExtractor`, docs/format.md §5.12).
//
// With Components::prefix_extractor set (and settings `compatibility: "0.17"`), every L0 and
// compacted SST gets, besides its whole-key filter `_bf`, the filter `_bf:p=<Name()>`: the hashes
// of every key and of the extracted prefix of every key in the extractor's domain. ScanPrefix(p)
// then skips an SST whose filter of the same name says no key starts with p's extracted prefix.
// Filters written under another name are never used for that (so a changed extractor gives no
// wrong answer, only no skipping); point reads keep using the whole-key hashes.
// PrefixLen(input, target) is SlateDB's `prefix_len(PrefixTarget)`: the length n of the prefix
// of `input` that is (kPoint: `input` is a whole key) or may be probed (kPrefix: `input` is a scan
// prefix) in the filter, or nullopt when `input` has none (kPoint: the key is outside the
// extractor's domain — only its whole key is recorded; kPrefix: probing is not safe, the filter
// is not consulted). Contract: n <= input.size(); if PrefixLen(k, kPoint) = n then every key
// sharing k's first n bytes also gets n; if PrefixLen(p, kPrefix) = n then every extension q of p
// has PrefixLen(q, kPoint) = n. Name() must change whenever the extraction changes.
// Thread safety: implementations are called concurrently (flushes, compaction, scans) and must be
// thread-safe and pure. Ownership: shared (Components holds a shared_ptr).
// Compatibility: such SSTs are readable by SlateDB >= 0.13 (and us), not by SlateDB 0.12.1.
// Errors: NewFixedPrefixExtractor(0) is kInvalid. Db::Open rejects (kInvalid) an extractor with
// an empty Name() and one configured with `compatibility: "0.12"`; an SST build whose extractor
// returns n > the key's length fails with kInvalid naming the extractor.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "slatedb/export.h"
#include "slatedb/status.h"

namespace slatedb {

// What PrefixLen's input is: a whole key (stored, or a point lookup) or a scan prefix.
enum class PrefixTarget { kPoint, kPrefix };

class SLATEDB_EXPORT PrefixExtractor {
 public:
  virtual ~PrefixExtractor() = default;
  // Identifies the extraction; part of the filter's name (`_bf:p=<Name()>`). Non-empty.
  virtual std::string_view Name() const = 0;
  // See the header comment.
  virtual std::optional<size_t> PrefixLen(std::string_view input, PrefixTarget target) const = 0;

  // A key is in the domain when it has a prefix (PrefixLen(key, kPoint) is set).
  bool InDomain(std::string_view key) const {
    return PrefixLen(key, PrefixTarget::kPoint).has_value();
  }
};

// The first `length` bytes of every key at least that long (shorter keys are out of the domain;
// a scan prefix shorter than `length` cannot use the filter). Name: "fixed-<length>", the name
// SlateDB's own tests give their fixed-length extractor. kInvalid for length 0.
SLATEDB_EXPORT Result<std::shared_ptr<const PrefixExtractor>> NewFixedPrefixExtractor(
    size_t length);

}  // namespace slatedb
