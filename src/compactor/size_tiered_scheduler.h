// compactor/size_tiered_scheduler.h — size-tiered compaction decisions (docs/design.md §10): a pure
// function from (manifest, running compactions, options) to new compaction specs.
//
// Rules:
//   * L0: when no running compaction has L0 sources and at least min_compaction_sources L0 SSTs
//     exist, the oldest min(count, max_compaction_sources) of them (the tail of the list) are
//     compacted into a new run with id = highest run id + 1 (0 if there is none). At most one
//     L0 compaction runs at a time (two would claim the same destination id).
//   * Sorted runs: among runs not used by a running compaction, walking from the newest (highest
//     id) to the oldest through adjacent free runs, a group starts at a run and takes the next
//     older run while that run's size <= include_size_threshold × (sum of the group so far), up
//     to max_compaction_sources runs. A group of at least min_compaction_sources runs is merged
//     into the lowest id among them. Only adjacent runs are grouped so precedence is preserved.
// Thread safety: pure functions. Errors: ParseSchedulerOptions returns kInvalid naming the
// offending key and value.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compactor/compaction.h"
#include "format/manifest.h"
#include "slatedb/status.h"

namespace slatedb::compactor {

struct SizeTieredOptions {
  size_t min_compaction_sources = 4;
  size_t max_compaction_sources = 8;
  double include_size_threshold = 4.0;
};

// Reads SlateDB's string options (min_compaction_sources, max_compaction_sources,
// include_size_threshold); unknown keys are kInvalid, as are non-numbers, min < 2 and max < min.
Result<SizeTieredOptions> ParseSchedulerOptions(const std::map<std::string, std::string>& options);

// New compactions to submit for `manifest`, given the specs still running.
std::vector<CompactionSpec> PickCompactions(const format::Manifest& manifest,
                                            const std::vector<CompactionSpec>& running,
                                            const SizeTieredOptions& options);

// PickCompactions per tree (RFC-0024): the root tree and each segment (specs carry `segment`;
// `running` specs count only in their own tree). Trees with more L0 SSTs come first, and the
// picks are taken round robin (every tree's first pick before any tree's second). L0-only specs
// get fresh destination ids above every run of every tree and every running destination.
// Without segments this is exactly PickCompactions.
std::vector<CompactionSpec> PickSegmentedCompactions(const format::Manifest& manifest,
                                                     const std::vector<CompactionSpec>& running,
                                                     const SizeTieredOptions& options);

}  // namespace slatedb::compactor
