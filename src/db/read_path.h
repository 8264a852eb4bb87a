// db/read_path.h — point reads and scans over a DbState, shared by Db and DbReader (docs/design.md
// §12).
//
// Get: memtable → immutable memtables (newest first) → L0 SSTs (manifest order, newest first)
// → sorted runs (list order; the SST is found by binary search on first_entry). SSTs whose
// [first_entry, last_entry] excludes the key, or whose bloom filter rejects it, are skipped. The
// versions with seq ≤ the read's snapshot seq are fed newest first to a table::MergeResolver
// (table/merge_resolve.h): a value is returned, a tombstone means not found, merge operands make
// the search go on through older sources down to a value or tombstone and are folded with the
// database's merge operator (none configured → kInvalid naming the key).
// Scan: a MergeIterator over every source (same precedence), wrapped in a DbIterator that hides
// rows above the snapshot seq and resolves each key's versions the same way, in either
// direction, with Seek. A prefix scan (ScanPrefix, i.e. a range equal to PrefixRange(p)) skips
// L0 and sorted-run SSTs whose prefix filter `_bf:p=<extractor name>` excludes p's extracted
// prefix (docs/format.md §5.12); SSTs without a filter of that name are read. Reads apply no
// expiry (as SlateDB 0.12.1; docs/format.md §11). Also owns the open-SST cache; SSTs are opened
// through its table::TableStore, which holds the block cache (writing L0 SSTs is
// db/l0_sst_writer.h's). Thread safety: all methods are
// thread-safe. Ownership: shared by its Db/DbReader and every iterator it creates (iterators keep
// it, and the DbState they read, alive); it shares the merge operator. Errors: kData naming the
// object for corrupt SSTs, object-store errors, kInvalid for merge operands without an operator,
// the operator's error (naming the key), kClosed from iterators once their database is closed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "db/db_state.h"
#include "format/manifest.h"
#include "manifest/sst_paths.h"
#include "slatedb/block_cache.h"
#include "slatedb/iterator.h"
#include "slatedb/merge_operator.h"
#include "slatedb/metrics.h"
#include "slatedb/object_store.h"
#include "slatedb/options.h"
#include "slatedb/prefix_extractor.h"
#include "table/block_cache.h"
#include "table/merge_resolve.h"
#include "table/sst_reader.h"
#include "table/table_store.h"
#include "util/mutex.h"
#include "util/read_mostly.h"

namespace slatedb::db {

class ReadPath : public std::enable_shared_from_this<ReadPath> {
 public:
  // `merge_operator` may be null (reading an operand is then kInvalid); so may
  // `prefix_extractor` (no prefix filters are written or consulted then). `metrics` (may be null)
  // receives the block cache's slatedb.db_cache.* and the filters' slatedb.db.sst_filter_*
  // counters. `block_cache` (Components::block_cache) may be shared with other databases; null =
  // a private cache with BlockCacheOptions' defaults. Our entries use a key scope of our own.
  ReadPath(std::shared_ptr<ObjectStore> store, std::string db_path, const Settings& settings,
           std::shared_ptr<MergeOperator> merge_operator,
           std::shared_ptr<const PrefixExtractor> prefix_extractor = nullptr,
           const std::shared_ptr<MetricsRecorder>& metrics = nullptr,
           std::shared_ptr<BlockCache> block_cache = nullptr);

  Result<std::optional<KeyValue>> Get(const DbState& state, std::string_view key, uint64_t seq);

  // Get for many keys, answers in key order. Keys the memtables answer are resolved at once;
  // the others are read from SSTs by up to kMultiGetParallelism threads at a time (so the
  // blocks of keys that miss the cache are fetched concurrently). The first error (in key
  // order) fails the call.
  static constexpr size_t kMultiGetParallelism = 8;
  Result<std::vector<std::optional<KeyValue>>> MultiGet(const DbState& state,
                                                        const std::vector<std::string>& keys,
                                                        uint64_t seq);

  // `alive` turns false when the database closes; the iterator then returns kClosed.
  Result<std::unique_ptr<DbIterator>> Scan(std::shared_ptr<const DbState> state,
                                           const ScanRange& range, bool reverse, uint64_t seq,
                                           std::shared_ptr<std::atomic<bool>> alive);

  Result<std::shared_ptr<table::SstReader>> OpenSst(const format::SstHandle& handle);

  const MergeOperator* merge_operator() const { return merge_operator_.get(); }

  // The bytes a prefix filter is probed with for a scan of `range`, or nullopt when no filter
  // applies: `range` must be PrefixRange(p) of a non-empty p (as ScanPrefix(p) gives) and the
  // extractor must give p a prefix (PrefixLen(p, kPrefix)).
  std::optional<std::string> PrefixProbe(const ScanRange& range) const;
  // True when the SST's prefix filter of our extractor says no key starts with `probe` (the
  // scan can skip it); false when it may, or when the SST has no filter of that name.
  Result<bool> PrefixFilterExcludes(const format::SstHandle& handle, std::string_view probe);
  // How often a prefix filter was consulted and excluded the SST (negatives, the SST was
  // skipped) or did not (positives); as SlateDB's sst_filter_prefix_{negatives,positives}.
  uint64_t prefix_filter_negatives() const { return prefix_negatives_.load(); }
  uint64_t prefix_filter_positives() const { return prefix_positives_.load(); }

  // Learns where `manifest`'s SSTs live (a clone's external SSTs, manifest/sst_paths.h; do this
  // before publishing a state holding it), then resolves the readers of every SST it lists, once,
  // for the Gets of states holding this very manifest (no reader-map lookup per SST probed then);
  // and forgets (at once) cached readers of SSTs no longer listed (compacted away), so their
  // descriptors close before GC deletes the files. Iterators keep their own.
  void Retain(std::shared_ptr<const format::Manifest> manifest);

  const std::shared_ptr<BlockCache>& block_cache() const { return tables_.block_cache(); }

 private:
  // Feeds the versions of `key` in one SST (seq <= `seq`, newest first) to `resolver`, until it
  // is done.
  // `reader` = the handle's resolved reader, or null (then OpenSst finds it).
  Status GetFromSst(const format::SstHandle& handle, table::SstReader* reader, std::string_view key,
                    uint64_t seq, table::MergeResolver* resolver);

  // Readers of one manifest's SSTs: per tree (the root, then each segment in stored order),
  // parallel to its l0 and compacted lists.
  struct TreeReaders {
    std::vector<std::shared_ptr<table::SstReader>> l0;
    std::vector<std::vector<std::shared_ptr<table::SstReader>>> runs;
  };
  struct ResolvedReaders {
    std::shared_ptr<const format::Manifest> manifest;
    std::vector<TreeReaders> trees;
  };
  struct UlidHash {
    size_t operator()(const format::Ulid& u) const {
      return u.high * 0x9e3779b97f4a7c15ULL ^ u.low;
    }
  };

  Settings settings_;
  std::shared_ptr<MergeOperator> merge_operator_;
  std::shared_ptr<const PrefixExtractor> prefix_extractor_;
  std::atomic<uint64_t> prefix_negatives_{0};
  std::atomic<uint64_t> prefix_positives_{0};
  // The SSTs' object store with our block cache, key scope and cache counters.
  table::TableStore tables_;
  // slatedb.db.sst_filter_*_count{kind=point}: the filter's answers in GetFromSst.
  std::shared_ptr<CounterHandle> filter_positives_;
  std::shared_ptr<CounterHandle> filter_negatives_;
  std::shared_ptr<CounterHandle> filter_false_positives_;
  util::Mutex mu_;  // guards the reader map and `sst_paths_` (never held across I/O)
  std::unordered_map<format::Ulid, std::shared_ptr<table::SstReader>, UlidHash> readers_
      GUARDED_BY(mu_);                                   // by SST id
  manifest::SstPathResolver sst_paths_ GUARDED_BY(mu_);  // every version seen so far
  // Of the newest Retain; Gets pin it (util/read_mostly.h).
  util::ReadMostly<ResolvedReaders> resolved_;
};

// The rows an L0 flush writes (internal order: key asc, seq desc): per key, every version with
// seq > retention_seq, plus the versions at or below it down to and including the first value
// or tombstone (only the newest one when that is a value or tombstone itself: older ones are
// hidden from every reader). With `merge_operator` those operands are collapsed
// (table::CollapseOperands; no expiry is applied); without one, or when the operator fails on
// them (the read of the key will report it), they are kept as they are.
std::vector<format::RowEntry> CollectFlushRows(const Memtable& table, uint64_t retention_seq,
                                               const MergeOperator* merge_operator);
// The same rows, in order, handed to `fn` one at a time (the row is valid during the call
// only); stops at and returns the first error of `fn`.
Status ForEachFlushRow(const Memtable& table, uint64_t retention_seq,
                       const MergeOperator* merge_operator,
                       const std::function<Status(const format::RowEntry&)>& fn);

// The values of MultiGet's answers.
std::vector<std::optional<std::string>> ValuesOf(std::vector<std::optional<KeyValue>> kvs);

}  // namespace slatedb::db
