// compactor/executor.cc — see executor.h.
#include "compactor/executor.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include "format/block.h"
#include "format/sst.h"
#include "manifest/paths.h"
#include "table/iterator.h"
#include "table/sst_reader.h"
#include "table/sst_writer.h"

namespace slatedb::compactor {
namespace {

using format::RowEntry;
using format::RowKind;

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

// Forward-only scan of a list of key-ordered, non-overlapping SSTs (one L0 SST or one sorted
// run), reading data blocks in chunks of about `chunk_bytes` per ranged GET. Rows are decoded
// one at a time into reused buffers (no per-row allocation); row() stays valid until Next().
class SequentialScan final : public table::RowIterator {
 public:
  SequentialScan(std::shared_ptr<ObjectStore> store, std::string db_path,
                 std::vector<format::SstHandle> ssts, uint64_t chunk_bytes)
      : store_(std::move(store)),
        db_path_(std::move(db_path)),
        ssts_(std::move(ssts)),
        chunk_bytes_(chunk_bytes) {}

  Status SeekToFirst() override {
    sst_ = 0;
    reader_.reset();
    iter_.reset();
    chunk_.clear();
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
        const auto& range = ssts_[sst_].visible_range;
        // Rows outside an SST's visible range do not exist for this database.
        if (!range || InRange(*range, iter_->row().key)) {
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
      if (reader_ != nullptr && next_block_ < num_blocks_) {
        RETURN_IF_ERROR(LoadChunk());
        continue;
      }
      if (reader_ != nullptr) {
        reader_.reset();
        ++sst_;
      }
      if (sst_ >= ssts_.size()) return Status::OK();
      const auto& h = ssts_[sst_];
      std::string key = manifest::CompactedSstPath(db_path_, h.id);
      ASSIGN_OR_RETURN(reader_, table::SstReader::OpenWithInfo(store_, key, h.info,
                                                               h.format_version.value_or(1)));
      ASSIGN_OR_RETURN(index_, reader_->Index());
      num_blocks_ = index_->blocks.size();
      next_block_ = 0;
      block_ = chunk_end_block_ = 0;
    }
  }

  // Reads the next run of blocks (about chunk_bytes_) in one ranged GET.
  Status LoadChunk() {
    const auto& info = reader_->info();
    uint64_t start = 0, end = 0;
    RETURN_IF_ERROR(format::BlockRange(*index_, info, next_block_, &start, &end));
    size_t last = next_block_;
    uint64_t chunk_end = end;
    while (last + 1 < num_blocks_) {
      uint64_t s = 0, e = 0;
      RETURN_IF_ERROR(format::BlockRange(*index_, info, last + 1, &s, &e));
      if (e - start > chunk_bytes_) break;
      ++last;
      chunk_end = e;
    }
    chunk_.clear();
    auto bytes = store_->GetRange(reader_->object_key(), start, chunk_end - start);
    if (!bytes.ok()) return bytes.status().WithContext(reader_->object_key());
    if (bytes->size() != chunk_end - start) {
      return Status::Data(reader_->object_key() + ": short read of data blocks");
    }
    chunk_ = std::move(*bytes);
    chunk_start_ = start;
    block_ = next_block_;
    chunk_end_block_ = last + 1;
    next_block_ = last + 1;
    return Status::OK();
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

  std::shared_ptr<ObjectStore> store_;
  std::string db_path_;
  std::vector<format::SstHandle> ssts_;
  uint64_t chunk_bytes_;
  size_t sst_ = 0;
  std::shared_ptr<table::SstReader> reader_;
  std::shared_ptr<const format::SstIndex> index_;
  size_t num_blocks_ = 0;
  size_t next_block_ = 0;     // first block not yet read from the store
  std::string chunk_;         // bytes of blocks [chunk block start, chunk_end_block_)
  uint64_t chunk_start_ = 0;  // file offset of chunk_[0]
  size_t block_ = 0;          // next block of the chunk to open
  size_t chunk_end_block_ = 0;
  std::optional<format::BlockIterator> iter_;
  bool valid_ = false;
};

// Builds and uploads output SSTs.
class OutputWriter {
 public:
  OutputWriter(const ExecutorContext& ctx, CompactionJobResult* result)
      : ctx_(ctx), result_(result) {
    opts_.block_size = ctx.output.block_size;
    opts_.compression = ctx.output.compression;
    opts_.filter_bits_per_key = ctx.output.filter_bits_per_key;
    opts_.min_filter_keys = ctx.output.min_filter_keys;
    opts_.sst_type = format::SstType::kCompacted;
    // Outputs fill up to about max_sst_size (plus the key group that crosses it): reserve that
    // much address space once instead of doubling and re-copying the buffer as it grows.
    // Untouched reserved pages cost no memory.
    // Capped so a huge max_sst_size does not turn into a huge allocation.
    constexpr uint64_t kMaxReserve = uint64_t{256} << 20;
    opts_.expected_size =
        static_cast<size_t>(std::min(ctx.output.max_sst_size, kMaxReserve) + (1u << 20));
  }
  Status Add(const RowEntry& row) {
    if (!builder_) builder_.emplace(opts_);
    return builder_->Add(row);
  }
  bool Full() const {
    return builder_.has_value() && builder_->EstimatedSize() >= ctx_.output.max_sst_size;
  }
  Status Finish() {
    if (!builder_ || builder_->num_rows() == 0) return Status::OK();
    ASSIGN_OR_RETURN(format::EncodedSst sst, builder_->Finish());
    builder_.reset();
    format::SstHandle handle;
    handle.id = ctx_.ulids->Next(ctx_.clock->NowMillis());
    handle.info = sst.info;
    handle.format_version = format::kSstFormatVersion;
    std::string key = manifest::CompactedSstPath(ctx_.db_path, handle.id);
    RETURN_IF_ERROR(table::UploadSst(*ctx_.store, key, sst));
    result_->bytes_written += sst.bytes.size();
    result_->rows_written += sst.num_rows;
    result_->outputs.push_back(std::move(handle));
    return Status::OK();
  }

 private:
  const ExecutorContext& ctx_;
  CompactionJobResult* result_;
  format::SstBuilderOptions opts_;
  std::optional<format::SstBuilder> builder_;
};

// Applies expiry, retention and bottom-run tombstone dropping to the versions of each key as
// they stream by (newest first), adding the survivors to the output without copying them.
class VersionFilter {
 public:
  VersionFilter(const CompactionJob& job, OutputWriter* out) : job_(job), out_(out) {}

  void StartKey() {
    done_ = false;
    pending_.clear();
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
    if (r->seq <= job_.retention_min_seq && r->kind != RowKind::kMerge) done_ = true;
    if (job_.output_is_bottom && r->kind == RowKind::kTombstone) {
      // Nothing older exists below the output: a tombstone hides something only if a retained
      // older version of the key follows it, so it waits for one.
      pending_.push_back(*r);
      return Status::OK();
    }
    for (const auto& t : pending_) RETURN_IF_ERROR(out_->Add(t));
    pending_.clear();
    return out_->Add(*r);
  }

 private:
  const CompactionJob& job_;
  OutputWriter* out_;
  bool done_ = false;
  std::vector<RowEntry> pending_;  // bottom run: tombstones not yet known to hide anything
  RowEntry scratch_;
};

}  // namespace

CompactionJobResult RunCompaction(const CompactionJob& job, const ExecutorContext& ctx,
                                  const std::atomic<bool>& cancel) {
  CompactionJobResult result;
  result.id = job.id;
  if (cancel.load()) {
    result.cancelled = true;
    return result;
  }
  std::vector<std::unique_ptr<table::RowIterator>> children;
  for (const auto& sst : job.l0) {
    result.bytes_read += SstSize(sst.info);
    children.push_back(std::make_unique<SequentialScan>(
        ctx.store, ctx.db_path, std::vector<format::SstHandle>{sst}, ctx.read_chunk_bytes));
  }
  for (const auto& run : job.runs) {
    result.bytes_read += RunSize(run);
    children.push_back(
        std::make_unique<SequentialScan>(ctx.store, ctx.db_path, run.ssts, ctx.read_chunk_bytes));
  }
  table::MergeIterator merged(std::move(children), table::Direction::kForward);
  OutputWriter out(ctx, &result);

  auto fail = [&](Status st) {
    result.status = std::move(st);
    return std::move(result);
  };
  Status st = merged.SeekToFirst();
  if (!st.ok()) return fail(st);
  VersionFilter filter(job, &out);
  std::string current_key;
  bool have_key = false;
  while (merged.Valid()) {
    const RowEntry& row = merged.row();
    if (!have_key || row.key != current_key) {
      // A key boundary: the only place an output SST may end, and so the only place a job stops
      // early (a key's versions never straddle two SSTs of a run).
      if (out.Full()) {
        st = out.Finish();
        if (!st.ok()) return fail(st);
        if (cancel.load()) {
          result.cancelled = true;
          return result;
        }
      }
      current_key.assign(row.key);
      have_key = true;
      filter.StartKey();
    }
    st = filter.Add(row);
    if (!st.ok()) return fail(st);
    st = merged.Next();
    if (!st.ok()) return fail(st);
  }
  st = out.Finish();
  if (!st.ok()) return fail(st);
  return result;
}

CompactionExecutor::CompactionExecutor(ExecutorContext ctx, size_t threads,
                                       CompletionFn on_complete)
    : ctx_(std::move(ctx)),
      on_complete_(std::move(on_complete)),
      jobs_(threads == 0 ? 1 : threads) {
  if (threads == 0) threads = 1;
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
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
