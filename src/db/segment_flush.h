// db/segment_flush.h — the writer side of segments (RFC-0024; docs/design.md "Segments").
//
// What: with Components::segment_extractor set, an L0 flush splits the frozen memtable by the
// extractor's prefix of each key: rows with a prefix p go to one L0 SST of segment p, rows
// without one (outside the extractor's domain) to one L0 SST of the root tree. All of a flush's
// SSTs enter the manifest in one update (ListFlushedL0s, called inside the writer's manifest
// update, for every flush: an unsegmented one is a single root-tree SST), creating the segments
// they name (kept in prefix order). Also the open-time checks of a configured extractor against the
// manifest's segment_extractor_name and segments. Thread safety: free functions; WriteSegmentedL0
// calls `next_id` on the calling thread only. Ownership: nothing is retained. Errors: kInvalid for
// extractor mismatches (naming both names), object-store and SST-build errors from WriteSegmentedL0
// (partial uploads are aborted; SSTs already finished stay as unreferenced objects for GC).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "db/l0_sst_writer.h"
#include "format/manifest.h"
#include "memtable/memtable.h"
#include "slatedb/merge_operator.h"
#include "slatedb/prefix_extractor.h"
#include "slatedb/status.h"

namespace slatedb::db {

// One L0 SST of a flush: the tree it belongs to ("" = the root tree) and its handle.
struct SegmentL0 {
  std::string prefix;
  format::SstHandle handle;
};

// Settings-level checks of Components::segment_extractor (before any I/O): its Name() must be
// non-empty and `compatibility` must not be "0.12" (version-1 manifests cannot hold segments).
Status ValidateSegmentExtractor(const PrefixExtractor* extractor, std::string_view compatibility);

// The open-time check of `extractor` (may be null) against manifest `m`: a writer (`writer`)
// needs the manifest's extractor name exactly (none configured when it names one, or another
// name → kInvalid naming both); a writer may introduce an extractor only on a database whose root
// tree is empty and that has no segments (RFC-0024 "Migration"). Readers only refuse a different
// name (they route structurally, by the manifest's segments, and need no extractor). With an
// extractor, every segment's prefix p must still be a prefix of it (PrefixLen(p, kPrefix) ==
// |p|).
Status CheckSegmentExtractor(const format::Manifest& m, const PrefixExtractor* extractor,
                             bool writer);

// Streams the flush rows of `table` (ForEachFlushRow) into one L0 SST per tree they belong to,
// minting each SST's id with `next_id` as it starts (in key order). A row whose key starts with
// a segment prefix of `current_manifest` (the writer's manifest) goes to that segment, as reads
// route it; otherwise to the segment of its extracted prefix, or to the root tree. A new prefix
// that would nest with another (an extractor breaking its contract; segment prefixes must form an
// antichain) fails the flush with kInvalid naming both. A memtable without rows yields no SST.
Result<std::vector<SegmentL0>> WriteSegmentedL0(const L0SstWriter& writer,
                                                const PrefixExtractor& extractor,
                                                const format::Manifest& current_manifest,
                                                const memtable::Memtable& table,
                                                uint64_t retention_seq,
                                                const MergeOperator* merge_operator,
                                                const std::function<format::Ulid()>& next_id);

// The L0 publish of every flush (segmented or not): adds `ssts` to the front of their trees' L0
// lists in `m`, creating missing segments (in prefix
// order). Idempotent per SST: one already listed, or at or below its tree's L0 watermark (already
// published and compacted), is not added again. Prunes drain markers (segments with no L0 and no
// sorted run left, RFC-0024 "Live → Marker → Absent") this flush does not add to. Returns
// whether any SST was added.
bool ListFlushedL0s(format::Manifest& m, const std::vector<SegmentL0>& ssts);

// Per SST, the end of its largest section (blocks, index, filter, stats; not the small info
// block and footer), summed: what metrics count as flushed bytes.
uint64_t FlushedL0Bytes(const std::vector<SegmentL0>& ssts);

}  // namespace slatedb::db
