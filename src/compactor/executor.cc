// compactor/executor.cc — see executor.h.
#include "compactor/executor.h"

#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#if defined(__linux__)
#include <pthread.h>
#endif

#include "format/block.h"
#include "format/sst.h"
#include "manifest/paths.h"
#include "manifest/sst_paths.h"
#include "table/iterator.h"
#include "table/merge_resolve.h"
#include "table/sst_options.h"
#include "table/sst_reader.h"
#include "table/sst_writer.h"
#include "util/mutex.h"
#include "util/page_memory.h"
#include "util/thread_name.h"

namespace slatedb::compactor {
namespace {

using format::RowEntry;
using format::RowKind;

// max_fetch_tasks allows up to 1024; a job runs at most this many fetch threads.
constexpr uint64_t kMaxFetchThreadsPerJob = 64;

// True if `key` lies inside `range` (projected / cloned databases only, docs/format.md §7.3).
bool InRange(const format::BytesRange& range, std::string_view key) {
  using format::BoundType;
  const auto& lo = range.start;
  if (lo.type == BoundType::kIncluded && lo.key && key < std::string_view(*lo.key)) return false;
  if (lo.type == BoundType::kExcluded && lo.key && key <= std::string_view(*lo.key)) return false;
  const auto& hi = range.end;
  if (hi.type == BoundType::kIncluded && hi.key && key > std::string_view(*hi.key)) return false;
  if (hi.type == BoundType::kExcluded && hi.key && key >= std::string_view(*hi.key)) return false;
  return true;
}

// True if `key` lies before the start bound `lo` / after the end bound `hi` of a range.
bool BeforeStart(const format::BytesBound& lo, std::string_view key) {
  if (!lo.key) return false;
  if (lo.type == format::BoundType::kIncluded) return key < std::string_view(*lo.key);
  if (lo.type == format::BoundType::kExcluded) return key <= std::string_view(*lo.key);
  return false;
}
bool PastEnd(const format::BytesBound& hi, std::string_view key) {
  if (!hi.key) return false;
  if (hi.type == format::BoundType::kIncluded) return key > std::string_view(*hi.key);
  if (hi.type == format::BoundType::kExcluded) return key >= std::string_view(*hi.key);
  return false;
}

// Source SSTs opened (index read) while planning, shared by every subcompaction of the job
// (SstReader is thread-safe), so each index is read once per job.
using ReaderMap = std::map<format::Ulid, std::shared_ptr<table::SstReader>>;

// Reads bytes [start, start+len) of `key` into *buf: its pages when they are large enough, else
// freshly mapped ones (util::PageMemory), so a scan's chunks reuse the pages of the one before.
Status ReadChunk(ObjectStore& store, std::string_view key, uint64_t start, uint64_t len,
                 util::PageMemory* buf) {
  if (buf->size() < len) *buf = util::PageMemory(len);
  return store.GetRangeInto(key, start, len, buf->data());
}

// One ranged GET of data blocks [first_block, end_block) of one source SST, read into mapped
// pages (util::PageMemory: unmapped when the merge is done with them, so a compaction's input
// buffers never stay in malloc's heaps). The request fields — `into`, a buffer to reuse if it is
// large enough, included — are set before the fetch is queued and then belong to the fetching
// thread; the result is guarded by `mu`.
struct BlockFetch {
  std::shared_ptr<ObjectStore> store;
  std::string key;
  uint64_t start = 0, len = 0;
  size_t first_block = 0, end_block = 0;
  util::PageMemory into;
  util::Mutex mu;
  util::CondVar cv;  // signals done (with mu)
  bool done GUARDED_BY(mu) = false;
  Status status GUARDED_BY(mu) = Status::Internal("fetch not run");
  util::PageMemory bytes GUARDED_BY(mu);  // [0, len) read when status is OK

  // Runs the GET (on a fetch thread).
  void Run() {
    util::PageMemory buf = std::move(into);
    Status st = ReadChunk(*store, key, start, len, &buf);
    Complete(std::move(st), std::move(buf));
  }
  void Complete(Status st, util::PageMemory buf) EXCLUDES(mu) {
    util::MutexLock lock(&mu);
    status = std::move(st);
    bytes = std::move(buf);
    done = true;
    cv.NotifyAll();
  }
  Status Wait(util::PageMemory* out) EXCLUDES(mu) {
    util::MutexLock lock(&mu);
    while (!done) cv.Wait(&mu);
    *out = std::move(bytes);
    return status;
  }
};

// The block fetchers of one compaction job (max_fetch_tasks > 1): a fixed set of threads, so at
// most that many data-block GETs of the job are in flight; further fetches queue. The
// destructor abandons queued fetches (completing them with an error nobody reads) and joins the
// threads, which waits only for the GETs already running — never for the queue.
class FetchPool {
 public:
  explicit FetchPool(size_t threads) {
    for (size_t i = 0; i < threads; ++i) {
      workers_.push_back(
          util::NamedThread("slatedb-fetch-" + std::to_string(i), [this] { Work(); }));
    }
  }
  ~FetchPool() {
    std::deque<std::shared_ptr<BlockFetch>> abandoned;
    {
      util::MutexLock lock(&mu_);
      stop_ = true;
      abandoned.swap(queue_);
      cv_.NotifyAll();
    }
    for (auto& f : abandoned) {
      f->Complete(Status::Internal("block fetch abandoned: job ended"), util::PageMemory());
    }
    for (auto& w : workers_) w.join();
  }
  FetchPool(const FetchPool&) = delete;
  FetchPool& operator=(const FetchPool&) = delete;

  void Submit(std::shared_ptr<BlockFetch> fetch) EXCLUDES(mu_) {
    util::MutexLock lock(&mu_);
    queue_.push_back(std::move(fetch));
    cv_.NotifyOne();
  }

 private:
  void Work() EXCLUDES(mu_) {
    while (true) {
      std::shared_ptr<BlockFetch> f;
      {
        util::MutexLock lock(&mu_);
        while (!stop_ && queue_.empty()) cv_.Wait(&mu_);
        if (stop_) return;
        f = std::move(queue_.front());
        queue_.pop_front();
      }
      f->Run();
    }
  }

  util::Mutex mu_;
  util::CondVar cv_;  // signals queue_ / stop_ (with mu_)
  bool stop_ GUARDED_BY(mu_) = false;
  std::deque<std::shared_ptr<BlockFetch>> queue_ GUARDED_BY(mu_);
  std::vector<std::jthread> workers_;
};

// Forward-only scan of a list of key-ordered, non-overlapping SSTs (one L0 SST or one sorted
// run), reading data blocks in chunks of about `chunk_bytes` per ranged GET. Rows are decoded
// one at a time into reused buffers (no per-row allocation); row() stays valid until Next().
// With a FetchPool (`lookahead` >= 1) the reads are prefetched: up to `lookahead` ranged GETs
// of about chunk_bytes / (lookahead + 1) each are queued ahead of the chunk being merged (within
// the current SST), so the bytes an input buffers — that chunk and the ones queued — stay about
// chunk_bytes as without prefetch.
// Without a pool each chunk is read when the merge reaches it.
// With a key range (a subcompaction) only the rows inside it come out: SSTs wholly outside it
// are not opened, and only the data blocks that may hold keys of the range are read (from the
// last block starting before the range's start to the last block starting before its end).
class SequentialScan final : public table::RowIterator {
 public:
  SequentialScan(table::TableStore tables, std::shared_ptr<const manifest::SstPathResolver> paths,
                 std::vector<format::SstHandle> ssts, uint64_t chunk_bytes,
                 FetchPool* pool = nullptr, size_t lookahead = 1,
                 std::optional<format::BytesRange> range = std::nullopt,
                 const ReaderMap* readers = nullptr)
      : tables_(std::move(tables)),
        paths_(std::move(paths)),
        ssts_(std::move(ssts)),
        chunk_bytes_(pool != nullptr
                         ? std::max<uint64_t>(1, chunk_bytes / (std::max<size_t>(1, lookahead) + 1))
                         : chunk_bytes),
        pool_(pool),
        lookahead_(std::max<size_t>(1, lookahead)),
        range_(std::move(range)),
        readers_(readers) {}

  Status SeekToFirst() override {
    sst_ = 0;
    reader_.reset();
    iter_.reset();
    ahead_.clear();
    valid_ = false;
    return Fill();
  }
  Status Seek(std::string_view) override {
    return Status::Internal("SequentialScan supports SeekToFirst only");
  }
  bool Valid() const override { return valid_; }
  Status Next() override {
    if (!valid_) return Status::OK();
    Status st = iter_->Next();
    if (!st.ok()) {
      valid_ = false;
      return st;
    }
    return Fill();
  }
  const RowEntry& row() const override { return iter_->row(); }
  table::Direction direction() const override { return table::Direction::kForward; }

 private:
  // Ensures the scan is on a visible row, opening the next block / chunk / SST as needed, or
  // that the scan is done.
  Status Fill() {
    valid_ = false;
    while (true) {
      if (iter_ && iter_->Valid()) {
        const std::string_view key = iter_->row().key;
        if (range_ && PastEnd(range_->end, key)) return End();  // the rest is past the range
        const auto& range = ssts_[sst_].visible_range;
        // Rows outside an SST's visible range do not exist for this database.
        if ((!range || InRange(*range, key)) && !(range_ && BeforeStart(range_->start, key))) {
          valid_ = true;
          return Status::OK();
        }
        RETURN_IF_ERROR(iter_->Next());
        continue;
      }
      iter_.reset();
      if (reader_ != nullptr && block_ < chunk_end_block_) {
        RETURN_IF_ERROR(OpenBlock());
        continue;
      }
      if (reader_ != nullptr && (!ahead_.empty() || next_block_ < num_blocks_)) {
        RETURN_IF_ERROR(pool_ != nullptr ? NextPrefetched() : LoadChunk());
        continue;
      }
      if (reader_ != nullptr) {
        reader_.reset();
        ++sst_;
      }
      if (sst_ >= ssts_.size()) return Status::OK();
      const auto& h = ssts_[sst_];
      if (range_) {
        if (h.info.first_entry && PastEnd(range_->end, *h.info.first_entry)) return End();
        if (WhollyBeforeRange()) {
          ++sst_;
          continue;
        }
      }
      auto cached = readers_ != nullptr ? readers_->find(h.id) : ReaderMap::const_iterator{};
      if (readers_ != nullptr && cached != readers_->end()) {
        reader_ = cached->second;
      } else {
        ASSIGN_OR_RETURN(reader_, tables_.OpenReader(h, paths_->Path(h.id)));
      }
      ASSIGN_OR_RETURN(index_, reader_->Index());
      num_blocks_ = index_->blocks.size();
      next_block_ = 0;
      block_ = chunk_end_block_ = 0;
      if (range_) LimitBlocksToRange();
      if (pool_ != nullptr) RETURN_IF_ERROR(TopUp());
    }
  }

  // The scan is done: nothing after this point is inside the range.
  Status End() {
    iter_.reset();
    reader_.reset();
    ahead_.clear();  // queued GETs are completed (and dropped) by the pool
    sst_ = ssts_.size();
    valid_ = false;
    return Status::OK();
  }

  // True if every key of SST sst_ lies before the range (its last key, or the next SST's first
  // key when the manifest does not store the last one).
  bool WhollyBeforeRange() const {
    const format::BytesBound& lo = range_->start;
    if (!lo.key) return false;
    const auto& info = ssts_[sst_].info;
    if (info.last_entry) return BeforeStart(lo, *info.last_entry);
    if (sst_ + 1 < ssts_.size() && ssts_[sst_ + 1].info.first_entry) {
      return *ssts_[sst_ + 1].info.first_entry <= *lo.key;  // every key is below that one
    }
    return false;
  }

  // Restricts [next_block_, num_blocks_) to the blocks that may hold keys of the range. A key's
  // versions may continue from one block into the next, so the first block is the last one that
  // starts before the range's start key.
  void LimitBlocksToRange() {
    const auto& blocks = index_->blocks;
    auto by_first_key = [](const format::BlockMetaEntry& b, std::string_view k) {
      return std::string_view(b.first_key) < k;
    };
    if (range_->start.key) {
      auto it = std::lower_bound(blocks.begin(), blocks.end(), std::string_view(*range_->start.key),
                                 by_first_key);
      next_block_ = it == blocks.begin() ? 0 : static_cast<size_t>(it - blocks.begin()) - 1;
    }
    if (range_->end.key) {
      const std::string_view hi(*range_->end.key);
      auto it = range_->end.type == format::BoundType::kExcluded
                    ? std::lower_bound(blocks.begin(), blocks.end(), hi, by_first_key)
                    : std::upper_bound(blocks.begin(), blocks.end(), hi,
                                       [](std::string_view k, const format::BlockMetaEntry& b) {
                                         return k < std::string_view(b.first_key);
                                       });
      num_blocks_ = static_cast<size_t>(it - blocks.begin());
    }
    next_block_ = std::min(next_block_, num_blocks_);
  }

  // The next run of blocks from next_block_ (about chunk_bytes_): [next_block_, *end_block)
  // at file bytes [*start, *end).
  Status PlanChunk(size_t* end_block, uint64_t* start, uint64_t* end) const {
    const auto& info = reader_->info();
    RETURN_IF_ERROR(format::BlockRange(*index_, info, next_block_, start, end));
    size_t last = next_block_;
    while (last + 1 < num_blocks_) {
      uint64_t s = 0, e = 0;
      RETURN_IF_ERROR(format::BlockRange(*index_, info, last + 1, &s, &e));
      if (e - *start > chunk_bytes_) break;
      ++last;
      *end = e;
    }
    *end_block = last + 1;
    return Status::OK();
  }

  // Installs the bytes of blocks [first, end_block) read from file offset `start` (the first
  // `len` bytes of `bytes`; GetRangeInto never reports a short read as success).
  Status SetChunk(const Status& read, util::PageMemory bytes, size_t first, size_t end_block,
                  uint64_t start, uint64_t len) {
    if (!read.ok()) return read.WithContext(reader_->object_key() + ": data blocks");
    if (bytes.size() < len) return Status::Internal(reader_->object_key() + ": no fetch buffer");
    chunk_ = std::move(bytes);
    chunk_start_ = start;
    block_ = first;
    chunk_end_block_ = end_block;
    return Status::OK();
  }

  // Reads the next run of blocks (about chunk_bytes_) in one ranged GET.
  Status LoadChunk() {
    size_t end_block = 0;
    uint64_t start = 0, end = 0;
    RETURN_IF_ERROR(PlanChunk(&end_block, &start, &end));
    const size_t first = next_block_;
    next_block_ = end_block;
    util::PageMemory buf = std::move(chunk_);  // reused when large enough
    Status read =
        ReadChunk(*tables_.object_store(), reader_->object_key(), start, end - start, &buf);
    return SetChunk(read, std::move(buf), first, end_block, start, end - start);
  }

  // Queues GETs of the current SST's next chunks until lookahead_ are outstanding.
  Status TopUp() {
    while (ahead_.size() < lookahead_ && next_block_ < num_blocks_) {
      auto f = std::make_shared<BlockFetch>();
      uint64_t end = 0;
      RETURN_IF_ERROR(PlanChunk(&f->end_block, &f->start, &end));
      f->store = tables_.object_store();
      f->key = reader_->object_key();
      f->len = end - f->start;
      f->first_block = next_block_;
      if (spare_.size() >= f->len) f->into = std::move(spare_);
      next_block_ = f->end_block;
      ahead_.push_back(f);
      pool_->Submit(std::move(f));
    }
    return Status::OK();
  }

  // Takes the oldest prefetched chunk (waiting for its GET), after queueing the next ones.
  Status NextPrefetched() {
    RETURN_IF_ERROR(TopUp());
    std::shared_ptr<BlockFetch> f = std::move(ahead_.front());
    ahead_.pop_front();
    spare_ = std::move(chunk_);  // the merged chunk's pages, for the next GET queued
    RETURN_IF_ERROR(TopUp());    // keep lookahead_ GETs queued while this chunk is merged
    util::PageMemory bytes;
    Status read = f->Wait(&bytes);
    return SetChunk(read, std::move(bytes), f->first_block, f->end_block, f->start, f->len);
  }

  // Verifies, decompresses and parses block block_ of the current chunk; positions iter_ on
  // its first row.
  Status OpenBlock() {
    const auto& info = reader_->info();
    uint64_t s = 0, e = 0;
    RETURN_IF_ERROR(format::BlockRange(*index_, info, block_, &s, &e));
    std::string_view section(chunk_.data() + (s - chunk_start_), e - s);
    auto block = format::DecodeBlock(section, info.compression, reader_->format_version());
    if (!block.ok()) {
      return block.status().WithContext(reader_->object_key() + ": block #" +
                                        std::to_string(block_));
    }
    ++block_;
    iter_.emplace(std::move(*block));
    return iter_->SeekToFirst();
  }

  table::TableStore tables_;
  std::shared_ptr<const manifest::SstPathResolver> paths_;
  std::vector<format::SstHandle> ssts_;
  uint64_t chunk_bytes_;
  size_t sst_ = 0;
  std::shared_ptr<table::SstReader> reader_;
  std::shared_ptr<const format::SstIndex> index_;
  size_t num_blocks_ = 0;
  size_t next_block_ = 0;     // first block not yet read from the store
  util::PageMemory chunk_;    // starts with blocks [chunk block start, chunk_end_block_)
  util::PageMemory spare_;    // a merged chunk's pages, handed to the next fetch queued
  uint64_t chunk_start_ = 0;  // file offset of chunk_[0]
  size_t block_ = 0;          // next block of the chunk to open
  size_t chunk_end_block_ = 0;
  std::optional<format::BlockIterator> iter_;
  bool valid_ = false;
  FetchPool* pool_;                                // null: no prefetch
  size_t lookahead_;                               // GETs queued ahead (with a pool)
  std::deque<std::shared_ptr<BlockFetch>> ahead_;  // of the current SST, in block order
  std::optional<format::BytesRange> range_;        // a subcompaction's keys; null: all
  const ReaderMap* readers_;                       // opened while planning; may be null
};

// Builds and uploads output SSTs, streaming each (table::StreamingSstWriter): blocks go to the
// store as they fill, so memory is one block + the store writer's part buffer + index entries and
// filter hashes, whatever max_sst_size is. An output is rolled at max_sst_size (at a key
// boundary); one that is abandoned (cancel, error, destruction) has its upload aborted.
class OutputWriter {
 public:
  OutputWriter(const ExecutorContext& ctx, CompactionJobResult* result, size_t range)
      : ctx_(ctx),
        result_(result),
        range_(range),
        tables_(ctx.tables()),
        opts_(table::SstBuilderOptionsFor(table::SstKind::kCompacted, ctx.output)) {}
  Status Add(const RowEntry& row) {
    if (!writer_) {
      handle_ = format::SstHandle{};
      handle_.id = ctx_.ulids->Next(ctx_.clock->NowMillis());
      handle_.format_version = format::kSstFormatVersion;
      ASSIGN_OR_RETURN(writer_, tables_.OpenWriter(handle_.id, opts_));
    }
    return writer_->Add(row);
  }
  bool Full() const { return writer_ && writer_->EstimatedSize() >= ctx_.output.max_sst_size; }
  bool Open() const { return writer_ != nullptr; }
  Status Finish() {
    if (!writer_) return Status::OK();
    if (writer_->num_rows() == 0) {
      Abort();
      return Status::OK();
    }
    Result<format::EncodedSst> sst = writer_->Finish();
    writer_.reset();
    RETURN_IF_ERROR(sst.status());
    handle_.info = sst->info;
    result_->bytes_written += sst->size;
    result_->rows_written += sst->num_rows;
    result_->outputs.push_back(std::move(handle_));
    if (ctx_.on_output) ctx_.on_output(result_->id, range_, result_->outputs.back());
    return Status::OK();
  }
  // Abandons the output being written (its upload is aborted; no object appears).
  void Abort() {
    if (writer_) writer_->Abort();
    writer_.reset();
  }

 private:
  const ExecutorContext& ctx_;
  CompactionJobResult* result_;
  const size_t range_;  // the subcompaction's index (on_output)
  const table::TableStore tables_;
  format::SstBuilderOptions opts_;
  std::unique_ptr<table::StreamingSstWriter> writer_;
  format::SstHandle handle_;
};

// Applies expiry, retention, merge-operand collapsing and bottom-run tombstone dropping to the
// versions of each key as they stream by (newest first), adding the survivors to the output.
class VersionFilter {
 public:
  VersionFilter(const CompactionJob& job, const ExecutorContext& ctx, OutputWriter* out)
      : job_(job), ctx_(ctx), out_(out) {}

  // Ends the previous key (writing what it still holds) and starts a new one.
  Status StartKey() {
    RETURN_IF_ERROR(FinishKey());
    done_ = false;
    pending_.clear();
    return Status::OK();
  }

  // Writes what the current key still holds (call after its last version).
  Status FinishKey() {
    if (below_.empty()) return Status::OK();
    std::vector<RowEntry> rows = std::move(below_);
    below_.clear();
    if (rows.size() == 1 && rows.front().kind != RowKind::kMerge) return Emit(rows.front());
    auto collapsed = table::CollapseOperands(*ctx_.merge_operator, rows, job_.output_is_bottom);
    if (!collapsed.ok()) {
      // The operands stay as they are; a read of the key reports the error.
      if (!warned_) {
        warned_ = true;
        ctx_.log.Warn("compactor {}: compaction {} keeps merge operands unmerged: {}", ctx_.db_path,
                      job_.id.ToString(), collapsed.status().ToString());
      }
    } else {
      rows = std::move(*collapsed);
    }
    for (const auto& r : rows) RETURN_IF_ERROR(Emit(r));
    return Status::OK();
  }

  Status Add(const RowEntry& row) {
    if (done_) return Status::OK();  // older than a version every reader already sees
    const RowEntry* r = &row;
    if (row.expire_ts && *row.expire_ts <= job_.compaction_clock_tick) {
      if (row.kind == RowKind::kMerge) return Status::OK();  // expired operand: dropped
      scratch_ = row;
      if (scratch_.kind == RowKind::kValue) {
        scratch_.kind = RowKind::kTombstone;  // keeps seq and create_ts
        scratch_.value.clear();
      }
      scratch_.expire_ts.reset();
      r = &scratch_;
    }
    if (r->seq > job_.retention_min_seq) return Emit(*r);  // a snapshot may see it as it is
    // At or below the bound: every reader sees the same thing from here down to the first
    // value or tombstone, which hides everything older.
    if (r->kind != RowKind::kMerge) done_ = true;
    if (ctx_.merge_operator == nullptr) {
      if (r->kind == RowKind::kMerge && !ctx_.merge_notice_logged->exchange(true)) {
        ctx_.log.Info(
            "compactor {}: merge operands are kept as they are (no merge operator configured)",
            ctx_.db_path);
      }
      return Emit(*r);
    }
    below_.push_back(*r);
    return done_ ? FinishKey() : Status::OK();
  }

 private:
  Status Emit(const RowEntry& r) {
    if (job_.output_is_bottom && r.kind == RowKind::kTombstone) {
      // Nothing older exists below the output: a tombstone hides something only if a retained
      // older version of the key follows it, so it waits for one.
      pending_.push_back(r);
      return Status::OK();
    }
    for (const auto& t : pending_) RETURN_IF_ERROR(out_->Add(t));
    pending_.clear();
    return out_->Add(r);
  }

  const CompactionJob& job_;
  const ExecutorContext& ctx_;
  OutputWriter* out_;
  bool done_ = false;
  bool warned_ = false;            // an operator failure was logged for this job
  std::vector<RowEntry> pending_;  // bottom run: tombstones not yet known to hide anything
  std::vector<RowEntry> below_;    // with an operator: versions at or below the bound
  RowEntry scratch_;
};

// A subcompaction's range is at least the largest input SST; an SST contributes at most this
// many anchors (groups of consecutive data blocks) to the plan.
constexpr size_t kMaxAnchorsPerSst = 128;
// A job with more source SSTs than this is split at SST boundaries (no index read to plan).
constexpr size_t kMaxPlanIndexReads = 64;
// Each subcompaction's scans buffer about read_chunk_bytes / subcompactions per input, but GETs
// stay at least this large.
constexpr uint64_t kMinSubcompactionChunkBytes = 1 << 20;
// What a job's input scans buffer at most together (about; a chunk is never cut below
// kMinSubcompactionChunkBytes): a merge of many L0 SSTs reads each in chunks of this / inputs
// instead of read_chunk_bytes each (10 inputs at 8 MiB buffered 80 MiB, more than the memtables
// the L0s came from). RocksDB reads compaction inputs with 2 MiB of readahead each.
constexpr uint64_t kJobReadBufferBytes = 32 << 20;

format::BytesRange Unbounded() { return format::BytesRange{}; }

// Every source SST of the job: the L0s, then the runs' SSTs.
std::vector<const format::SstHandle*> SourceSsts(const CompactionJob& job) {
  std::vector<const format::SstHandle*> all;
  for (const auto& h : job.l0) all.push_back(&h);
  for (const auto& run : job.runs) {
    for (const auto& h : run.ssts) all.push_back(&h);
  }
  return all;
}

// Splits the job into at most ctx.max_subcompactions key ranges of about equal input bytes
// (RFC-0028's heuristic, in our words): candidate split keys ("anchors") are the first keys of
// groups of data blocks of every input SST (at most kMaxAnchorsPerSst per SST, each weighing
// the bytes of its group); a range is at least max(total / N, the largest input SST), and a
// split is placed at the first anchor at which the running byte total reaches the next
// multiple of that target. A job no larger than the target is one unbounded range (its indexes
// are then not read here); a job of more than kMaxPlanIndexReads SSTs uses the SSTs' first keys
// as anchors instead of reading indexes. The indexes read are kept in `readers` for the scans.
Result<std::vector<format::BytesRange>> PlanRanges(
    const CompactionJob& job, const ExecutorContext& ctx,
    const std::shared_ptr<const manifest::SstPathResolver>& paths, ReaderMap* readers) {
  const uint64_t n = ctx.max_subcompactions;
  if (n <= 1) return std::vector<format::BytesRange>{Unbounded()};
  const std::vector<const format::SstHandle*> ssts = SourceSsts(job);
  // A range is at least an output SST and at least the largest input SST: a job no larger than
  // that is one merge (splitting it would only cut smaller output SSTs).
  uint64_t total = 0, largest = ctx.output.max_sst_size;
  for (const auto* h : ssts) {
    const uint64_t size = SstSize(h->info);
    total += size;
    largest = std::max(largest, size);
  }
  if (std::max(total / n, largest) >= total) {
    return std::vector<format::BytesRange>{Unbounded()};  // a small job is not split
  }
  std::vector<std::pair<std::string, uint64_t>> anchors;
  uint64_t anchored = 0;
  if (ssts.size() > kMaxPlanIndexReads) {
    // Many SSTs (large sorted runs): their own boundaries are fine enough, and reading every
    // index one after another before the merge starts would cost more than it balances.
    for (const auto* h : ssts) {
      if (!h->info.first_entry) continue;
      if (h->visible_range && !InRange(*h->visible_range, *h->info.first_entry)) continue;
      anchors.emplace_back(*h->info.first_entry, SstSize(h->info));
      anchored += SstSize(h->info);
    }
  }
  for (const auto* h : ssts) {
    if (ssts.size() > kMaxPlanIndexReads) break;
    ASSIGN_OR_RETURN(auto reader, ctx.tables().OpenReader(*h, paths->Path(h->id)));
    ASSIGN_OR_RETURN(auto index, reader->Index());
    (*readers)[h->id] = reader;
    const size_t blocks = index->blocks.size();
    const size_t stride = std::max<size_t>(1, (blocks + kMaxAnchorsPerSst - 1) / kMaxAnchorsPerSst);
    for (size_t b = 0; b < blocks; b += stride) {
      const size_t last = std::min(blocks, b + stride) - 1;
      uint64_t s0 = 0, e0 = 0, s1 = 0, e1 = 0;
      RETURN_IF_ERROR(format::BlockRange(*index, h->info, b, &s0, &e0));
      RETURN_IF_ERROR(format::BlockRange(*index, h->info, last, &s1, &e1));
      const std::string& key = index->blocks[b].first_key;
      if (h->visible_range && !InRange(*h->visible_range, key)) continue;
      anchors.emplace_back(key, e1 - s0);
      anchored += e1 - s0;
    }
  }
  const uint64_t target = std::max(anchored / n, largest);
  if (anchors.empty() || target == 0 || target >= anchored) {
    return std::vector<format::BytesRange>{Unbounded()};
  }
  std::sort(anchors.begin(), anchors.end());
  std::vector<std::string> splits;
  uint64_t threshold = target, cumulative = 0;
  for (const auto& [key, bytes] : anchors) {
    // A split key is above the smallest key and above the previous split: no range is empty.
    const std::string& floor = splits.empty() ? anchors.front().first : splits.back();
    if (cumulative >= threshold && splits.size() + 1 < n && key > floor) {
      splits.push_back(key);
      threshold += target;
    }
    cumulative += bytes;
  }
  std::vector<format::BytesRange> ranges;
  format::BytesBound lo;  // unbounded
  for (const auto& key : splits) {
    ranges.push_back(format::BytesRange{lo, {format::BoundType::kExcluded, key}});
    lo = {format::BoundType::kIncluded, key};
  }
  ranges.push_back(format::BytesRange{lo, {}});
  return ranges;
}

// enable_trivial_move: the input SSTs in key order when their key ranges ([first, last] of each
// L0 SST and of each SST of the source runs) are pairwise disjoint, all are in this database,
// none has a visible range and every first and last key is known; nullopt when rows must be
// rewritten. (Disjoint SSTs in key order are a valid sorted run whatever input they came from.)
std::optional<std::vector<format::SstHandle>> TrivialMoveOutputs(
    const CompactionJob& job, const manifest::SstPathResolver& paths) {
  std::vector<const format::SstHandle*> ssts = SourceSsts(job);
  for (const auto* h : ssts) {
    if (h->visible_range || !h->info.first_entry || !h->info.last_entry ||
        paths.IsExternal(h->id)) {
      return std::nullopt;
    }
  }
  std::sort(ssts.begin(), ssts.end(), [](const format::SstHandle* a, const format::SstHandle* b) {
    return *a->info.first_entry < *b->info.first_entry;
  });
  std::vector<format::SstHandle> outputs;
  for (size_t i = 0; i < ssts.size(); ++i) {
    if (i > 0 && *ssts[i]->info.first_entry <= *ssts[i - 1]->info.last_entry) {
      return std::nullopt;  // overlapping keys: the versions must be merged
    }
    outputs.push_back(*ssts[i]);
  }
  return outputs;
}

// What one subcompaction hands back to the job.
struct SubResult {
  size_t index = 0;  // the range's position in the job's ranges
  Status status;
  bool cancelled = false;
  CompactionJobResult part;  // outputs / bytes_written / rows_written of this range
};

// Merges the rows of `range` of every source into output SSTs (the whole job when unbounded).
// Stops at a key boundary when `cancel` (the job's) or `abort` (a sibling failed) is set.
void RunRange(const CompactionJob& job, const ExecutorContext& ctx,
              const std::shared_ptr<const manifest::SstPathResolver>& paths,
              const ReaderMap& readers, const format::BytesRange& range, bool bounded,
              uint64_t chunk_bytes, FetchPool* fetch_pool, size_t lookahead,
              const std::atomic<bool>& cancel, const std::atomic<bool>& abort, SubResult* out) {
  std::optional<format::BytesRange> scan_range;
  if (bounded) scan_range = range;
  std::vector<std::unique_ptr<table::RowIterator>> children;
  for (const auto& sst : job.l0) {
    children.push_back(
        std::make_unique<SequentialScan>(ctx.tables(), paths, std::vector<format::SstHandle>{sst},
                                         chunk_bytes, fetch_pool, lookahead, scan_range, &readers));
  }
  for (const auto& run : job.runs) {
    children.push_back(std::make_unique<SequentialScan>(
        ctx.tables(), paths, run.ssts, chunk_bytes, fetch_pool, lookahead, scan_range, &readers));
  }
  table::MergeIterator merged(std::move(children), table::Direction::kForward);
  OutputWriter writer(ctx, &out->part, out->index);
  auto fail = [&](Status st) { out->status = std::move(st); };
  Status st = merged.SeekToFirst();
  if (!st.ok()) return fail(st);
  VersionFilter filter(job, ctx, &writer);
  std::string current_key;
  bool have_key = false;
  while (merged.Valid()) {
    const RowEntry& row = merged.row();
    if (!have_key || row.key != current_key) {
      // A key boundary: the only place an output SST may end, and so the only place a job stops
      // early (a key's versions never straddle two SSTs of a run). The previous key's last rows
      // are written first.
      st = filter.StartKey();
      if (!st.ok()) return fail(st);
      if (cancel.load() || abort.load()) {
        // Stopped mid-output: the output being written is aborted (never visible); the outputs
        // finished so far are orphans, as for a stop at an SST boundary.
        writer.Abort();
        out->cancelled = true;
        return;
      }
      if (writer.Full()) {
        st = writer.Finish();
        if (!st.ok()) return fail(st);
      }
      current_key.assign(row.key);
      have_key = true;
    }
    st = filter.Add(row);
    if (!st.ok()) return fail(st);
    st = merged.Next();
    if (!st.ok()) return fail(st);
  }
  st = filter.FinishKey();
  if (!st.ok()) return fail(st);
  st = writer.Finish();
  if (!st.ok()) return fail(st);
}

}  // namespace

uint64_t InputChunkBytes(uint64_t read_chunk_bytes, size_t inputs, size_t subs) {
  const uint64_t per_input = std::min<uint64_t>(
      read_chunk_bytes, std::max<uint64_t>(kMinSubcompactionChunkBytes,
                                           kJobReadBufferBytes / std::max<size_t>(1, inputs)));
  if (subs <= 1) return per_input;
  return std::max<uint64_t>(std::min(per_input, kMinSubcompactionChunkBytes), per_input / subs);
}

ExecutorContext ExecutorContextFor(std::shared_ptr<ObjectStore> store, std::string db_path,
                                   const OutputSettings& output, std::shared_ptr<util::Clock> clock,
                                   std::shared_ptr<format::UlidGenerator> ulids,
                                   const CompactorOptions& options,
                                   std::shared_ptr<MergeOperator> merge_operator, util::Log log) {
  ExecutorContext ctx;
  ctx.store = std::move(store);
  ctx.db_path = std::move(db_path);
  ctx.output = output;
  ctx.clock = std::move(clock);
  ctx.ulids = std::move(ulids);
  ctx.max_fetch_tasks = options.max_fetch_tasks;
  ctx.max_subcompactions = options.max_subcompactions;
  ctx.enable_trivial_move = options.enable_trivial_move;
  ctx.merge_operator = std::move(merge_operator);
  ctx.log = std::move(log);
  return ctx;
}

CompactionJobResult RunCompaction(const CompactionJob& job, const ExecutorContext& ctx,
                                  const std::atomic<bool>& cancel) {
  CompactionJobResult result;
  result.id = job.id;
  result.retention_min_seq = job.retention_min_seq;
  if (cancel.load()) {
    result.cancelled = true;
    return result;
  }
  const std::shared_ptr<const manifest::SstPathResolver> paths =
      job.sst_paths ? job.sst_paths : std::make_shared<manifest::SstPathResolver>(ctx.db_path);
  if (ctx.enable_trivial_move && job.resume.empty()) {
    if (auto moved = TrivialMoveOutputs(job, *paths)) {
      result.outputs = std::move(*moved);
      result.trivial_move = true;
      return result;
    }
  }
  for (const auto& sst : job.l0) result.bytes_read += SstSize(sst.info);
  for (const auto& run : job.runs) result.bytes_read += RunSize(run);

  // The ranges: an earlier attempt's (resumed), or a new plan.
  ReaderMap readers;
  std::vector<format::BytesRange> ranges;
  std::vector<std::vector<format::SstHandle>> recorded;  // per range: an earlier attempt's
  if (!job.resume.empty()) {
    for (const auto& sub : job.resume) {
      ranges.push_back(sub.range);
      recorded.push_back(sub.output_ssts);
    }
  } else {
    Result<std::vector<format::BytesRange>> planned = PlanRanges(job, ctx, paths, &readers);
    if (!planned.ok()) {
      result.status = planned.status();
      return result;
    }
    ranges = std::move(*planned);
    recorded.resize(ranges.size());
  }
  const size_t subs = ranges.size();

  // max_fetch_tasks N > 1: the job's data-block reads run on N - 1 fetch threads of its own,
  // shared by its subcompactions, each input queueing its share of them ahead of the merge; the
  // merge threads' own reads (source indexes) come on top. Declared before the subcompactions'
  // inputs, so it is destroyed after them (abandoning queued fetches).
  const size_t inputs = job.l0.size() + job.runs.size();
  const size_t fetch_tasks = static_cast<size_t>(
      std::min<uint64_t>(std::max<uint64_t>(ctx.max_fetch_tasks, 1), kMaxFetchThreadsPerJob + 1));
  std::optional<FetchPool> pool;
  size_t lookahead = 1;
  if (fetch_tasks > 1 && inputs > 0) {
    pool.emplace(fetch_tasks - 1);
    lookahead = std::max<size_t>(1, (fetch_tasks + inputs - 1) / inputs);
  }
  FetchPool* fetch_pool = pool ? &*pool : nullptr;
  const uint64_t chunk_bytes = InputChunkBytes(ctx.read_chunk_bytes, inputs, subs);

  std::vector<SubResult> parts(subs);
  for (size_t i = 0; i < subs; ++i) {
    parts[i].index = i;
    parts[i].part.id = job.id;  // on_output reports it
  }
  if (ctx.on_ranges) ctx.on_ranges(job.id, ranges);
  std::atomic<bool> abort{false};
  auto run = [&](size_t i) {
    format::BytesRange range = ranges[i];
    bool bounded = range.start.key.has_value() || range.end.key.has_value();
    if (!recorded[i].empty()) {
      // Resumed: continue after the last key the recorded outputs hold.
      const auto& last = recorded[i].back().info.last_entry;
      if (!last) {
        parts[i].status = Status::Data("compaction " + job.id.ToString() + ": recorded output " +
                                       recorded[i].back().id.ToString() + " has no last key");
        abort.store(true);
        return;
      }
      range.start = {format::BoundType::kExcluded, *last};
      bounded = true;
    }
    RunRange(job, ctx, paths, readers, range, bounded, chunk_bytes, fetch_pool, lookahead, cancel,
             abort, &parts[i]);
    if (!parts[i].status.ok()) abort.store(true);  // the siblings stop at their next key
  };
  {
    // Subcompaction 0 runs on the job's thread, the others on threads of their own; all are
    // joined before the result is put together (a cancelled job drains every one).
    std::vector<std::jthread> threads;
    for (size_t i = 1; i < subs; ++i) {
      threads.push_back(
          util::NamedThread("slatedb-subc-" + std::to_string(i), [&run, i] { run(i); }));
    }
    run(0);
  }

  bool cancelled = false;
  for (size_t i = 0; i < subs; ++i) {
    SubResult& p = parts[i];
    if (result.status.ok() && !p.status.ok()) result.status = p.status;
    cancelled = cancelled || p.cancelled;
    format::Subcompaction sub;
    sub.range = ranges[i];
    sub.output_ssts = std::move(recorded[i]);
    sub.output_ssts.insert(sub.output_ssts.end(), p.part.outputs.begin(), p.part.outputs.end());
    result.outputs.insert(result.outputs.end(), sub.output_ssts.begin(), sub.output_ssts.end());
    result.bytes_written += p.part.bytes_written;
    result.rows_written += p.part.rows_written;
    result.subcompactions.push_back(std::move(sub));
  }
  result.cancelled = result.status.ok() && cancelled;
  return result;
}

CompactionExecutor::CompactionExecutor(ExecutorContext ctx, size_t threads,
                                       CompletionFn on_complete)
    : ctx_(std::move(ctx)),
      on_complete_(std::move(on_complete)),
      jobs_(threads == 0 ? 1 : threads) {
  if (threads == 0) threads = 1;
  for (size_t i = 0; i < threads; ++i) {
    workers_.push_back(
        util::NamedThread("slatedb-cjob-" + std::to_string(i), [this] { WorkerLoop(); }));
  }
}

CompactionExecutor::~CompactionExecutor() {
  CloseAndCancel();
  Join();
}

bool CompactionExecutor::Submit(CompactionJob job) {
  return jobs_.Send(std::move(job)) == util::SendResult::kOk;
}

void CompactionExecutor::CloseAndCancel() {
  cancel_.store(true);
  jobs_.Close();
}

void CompactionExecutor::Join() {
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
}

void CompactionExecutor::WorkerLoop() {
  // Receive returns queued jobs even after Close, so every accepted job is completed once.
  while (auto job = jobs_.Receive()) {
    CompactionJobResult result = RunCompaction(*job, ctx_, cancel_);
    on_complete_(std::move(result));
  }
}

}  // namespace slatedb::compactor
