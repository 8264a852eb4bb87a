// table/sorted_run_iterator.h — iterates the SSTs of one sorted run (or any list of
// non-overlapping compacted SSTs sorted by first key), opening each SST only when reached.
//
// Seek uses the SSTs' first/last entries (from the manifest) to pick the SST to start in.
// Thread safety: one thread at a time. Ownership: holds the opener and the opened readers.
// Errors: opener / reader errors are returned by the positioning call that needed them.
// Limitation: in reverse, the versions of one key must not straddle two SSTs of the run (the
// compactor never splits a key's versions across output SSTs).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "format/sst_info.h"
#include "table/iterator.h"
#include "table/sst_reader.h"

namespace slatedb::table {

struct SstRef {
  std::string object_key;  // e.g. "db/compacted/01M8....sst"
  format::SstInfo info;
  uint16_t format_version = format::kSstFormatVersion;
};

using SstOpener = std::function<Result<std::shared_ptr<SstReader>>(const SstRef&)>;

// An opener that calls SstReader::OpenWithInfo on `store` (no I/O until the first read).
SstOpener MakeSstOpener(std::shared_ptr<ObjectStore> store, SstReaderOptions options = {});

class SortedRunIterator : public RowIterator {
 public:
  SortedRunIterator(std::vector<SstRef> ssts, SstOpener opener, Direction dir);

  Status SeekToFirst() override;
  Status Seek(std::string_view key) override;
  bool Valid() const override { return cur_ != nullptr && cur_->Valid(); }
  Status Next() override;
  const format::RowEntry& row() const override { return cur_->row(); }
  Direction direction() const override { return dir_; }

 private:
  Status OpenAt(size_t i);
  // Moves to following SSTs (in direction order) until positioned on a row or exhausted.
  Status SkipExhausted();

  std::vector<SstRef> ssts_;
  SstOpener opener_;
  Direction dir_;
  size_t idx_ = 0;
  std::unique_ptr<RowIterator> cur_;
};

}  // namespace slatedb::table
