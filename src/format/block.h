// format/block.h — SST data blocks: BlockBuilder, Block (parsed, uncompressed) and
// BlockIterator (docs/format.md §5.3, legacy layout §5.10).
//
// Layout v2: [rows][restart u16 BE]*k [k u16 BE], a restart (full key) every 16 rows.
// Layout v1 (read-only): [rows][offset u16 BE]*n [n u16 BE], one offset per row, keys prefixed
// against the block's first key.
// Thread safety: BlockBuilder and BlockIterator are single-threaded; a Block is immutable after
// Parse and may be shared between threads (it is what the block cache stores).
// Ownership: Block owns its bytes; iterators hold a shared_ptr to their Block.
// Errors: Parse / iterator methods return kData naming the problem (bad trailer, offsets out of
// range, undecodable row).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/row.h"
#include "slatedb/status.h"

namespace slatedb::format {

inline constexpr size_t kDefaultBlockSize = 4096;
inline constexpr size_t kRestartInterval = 16;

class BlockBuilder {
 public:
  explicit BlockBuilder(size_t block_size = kDefaultBlockSize) : block_size_(block_size) {}

  // Adds `row` if the block is empty or the row fits within block_size (the peer's rule,
  // docs/format.md §5.3); returns false (nothing added) otherwise — the caller then finishes the
  // block.
  bool TryAdd(const RowView& row);
  bool empty() const { return num_rows_ == 0; }
  size_t num_rows() const { return num_rows_; }
  // Bytes the finished block would have.
  size_t EstimatedSize() const { return data_.size() + 2 * restarts_.size() + 2; }
  const std::string& first_key() const { return first_key_; }
  const std::string& last_key() const { return last_key_; }
  // Returns the encoded block and resets the builder.
  std::string Finish();
  // Same, but swaps the encoded block into `*out`; the builder keeps `*out`'s old buffer
  // (cleared) for the next block, so a caller reusing `out` allocates nothing per block.
  void FinishInto(std::string* out);

 private:
  size_t block_size_;
  std::string data_;
  std::vector<uint16_t> restarts_;
  size_t num_rows_ = 0;
  std::string first_key_;
  std::string last_key_;
};

class Block {
  struct PrivateTag {};

 public:
  explicit Block(PrivateTag) {}  // use Parse
  // Parses an uncompressed block of SST format `version` (1 or 2).
  static Result<std::shared_ptr<const Block>> Parse(std::string data, uint16_t version);

  uint16_t version() const { return version_; }
  // Bytes really allocated for this block (for cache accounting): the object, its buffers'
  // capacities and the make_shared control block.
  size_t ByteSize() const {
    return sizeof(Block) + 16 + data_.capacity() + offsets_.capacity() * sizeof(uint16_t) +
           (first_key_.capacity() > 15 ? first_key_.capacity() : 0);
  }
  // Every row of the block, in stored order.
  Result<std::vector<RowEntry>> DecodeAll() const;

 private:
  friend class BlockIterator;
  // Decodes the row at byte `offset`; `prev_key` is the previous row's key (v2) — ignored for
  // v1, which uses first_key_. `*next` receives the offset after the row.
  Status DecodeAt(size_t offset, std::string_view prev_key, RowEntry* row, size_t* next) const;
  // The key of the row at a restart/entry point `offset`: a view into the block (v2) or into
  // `*buf` (v1).
  Status KeyAt(size_t offset, std::string* buf, std::string_view* key) const;

  std::string data_;
  size_t data_end_ = 0;            // end of the rows
  std::vector<uint16_t> offsets_;  // v2: restart points; v1: every row
  uint16_t version_ = 2;
  std::string first_key_;  // v1 only
};

// Forward iterator over one block. Not valid until SeekToFirst / Seek.
class BlockIterator {
 public:
  explicit BlockIterator(std::shared_ptr<const Block> block) : block_(std::move(block)) {}

  Status SeekToFirst();
  // Positions at the first row whose key is >= `key` (invalid if none).
  Status Seek(std::string_view key);
  bool Valid() const { return valid_; }
  Status Next();
  const RowEntry& row() const { return row_; }
  // Moves the current row out (the iterator is then invalid).
  RowEntry TakeRow() {
    valid_ = false;
    return std::move(row_);
  }

 private:
  Status ReadAt(size_t offset, std::string_view prev_key);

  std::shared_ptr<const Block> block_;
  RowEntry row_;
  RowEntry scratch_;  // decode target, swapped with row_
  size_t next_offset_ = 0;
  bool valid_ = false;
};

}  // namespace slatedb::format
