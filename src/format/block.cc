// format/block.cc — data block encode/decode.
#include "format/block.h"

#include <string>
#include <utility>

#include "format/row_codec.h"
#include "util/coding.h"

namespace slatedb::format {

bool BlockBuilder::TryAdd(const RowView& row) {
  bool restart = num_rows_ % kRestartInterval == 0;
  std::string_view prev = restart ? std::string_view() : std::string_view(last_key_);
  if (num_rows_ > 0) {
    size_t row_size = EncodedRowV2Size(prev, row);
    size_t needed = data_.size() + 2 * restarts_.size() + 2 + row_size + (restart ? 2 : 0);
    if (needed > block_size_) return false;
  }
  if (restart) restarts_.push_back(static_cast<uint16_t>(data_.size()));
  EncodeRowV2(&data_, prev, row);
  if (num_rows_ == 0) first_key_ = row.key;
  last_key_ = row.key;
  ++num_rows_;
  return true;
}

std::string BlockBuilder::Finish() {
  std::string out;
  FinishInto(&out);
  return out;
}

void BlockBuilder::FinishInto(std::string* out) {
  for (uint16_t r : restarts_) util::PutU16BE(&data_, r);
  util::PutU16BE(&data_, static_cast<uint16_t>(restarts_.size()));
  out->swap(data_);
  data_.clear();
  restarts_.clear();
  num_rows_ = 0;
  first_key_.clear();
  last_key_.clear();
}

Result<std::shared_ptr<const Block>> Block::Parse(std::string data, uint16_t version) {
  if (version != 1 && version != 2) {
    return Status::Data("unsupported SST format version " + std::to_string(version));
  }
  if (data.size() < 2) {
    return Status::Data("block of " + std::to_string(data.size()) + " bytes is too short");
  }
  size_t count = util::LoadU16BE(data.data() + data.size() - 2);
  if (count == 0) return Status::Data("block has no rows (offset count 0)");
  if (2 + 2 * count > data.size()) {
    return Status::Data("block offset count " + std::to_string(count) + " exceeds block size " +
                        std::to_string(data.size()));
  }
  auto block = std::make_shared<Block>(PrivateTag{});
  block->version_ = version;
  block->data_end_ = data.size() - 2 - 2 * count;
  block->offsets_.reserve(count);
  const char* p = data.data() + block->data_end_;
  for (size_t i = 0; i < count; ++i) {
    uint16_t off = util::LoadU16BE(p + 2 * i);
    bool bad =
        off >= block->data_end_ || (i == 0 && off != 0) || (i > 0 && off <= block->offsets_.back());
    if (bad) {
      return Status::Data("block offset #" + std::to_string(i) + " = " + std::to_string(off) +
                          " is out of order or outside the row area of " +
                          std::to_string(block->data_end_) + " bytes");
    }
    block->offsets_.push_back(off);
  }
  block->data_ = std::move(data);
  if (version == 1) {
    RowEntry first;
    size_t next = 0;
    RETURN_IF_ERROR(block->DecodeAt(0, {}, &first, &next));
    block->first_key_ = std::move(first.key);
  }
  return std::shared_ptr<const Block>(std::move(block));
}

Status Block::DecodeAt(size_t offset, std::string_view prev_key, RowEntry* row,
                       size_t* next) const {
  std::string_view in(data_.data() + offset, data_end_ - offset);
  size_t before = in.size();
  Status st = version_ == 2 ? DecodeRowV2(&in, prev_key, row) : DecodeRowV1(&in, first_key_, row);
  if (!st.ok()) return st.WithContext("block row at offset " + std::to_string(offset));
  *next = offset + (before - in.size());
  return Status::OK();
}

Status Block::KeyAt(size_t offset, std::string* buf, std::string_view* key) const {
  if (version_ == 2) {
    std::string_view in(data_.data() + offset, data_end_ - offset);
    uint32_t shared = 0;
    std::string_view peek = in;
    if (!util::GetVarint32(&peek, &shared)) {
      return Status::Data("block restart point at offset " + std::to_string(offset) +
                          " is truncated");
    }
    if (shared != 0) {
      return Status::Data("block restart point at offset " + std::to_string(offset) +
                          " has a shared prefix");
    }
    Status st = DecodeRowV2WholeKey(&in, key);
    if (!st.ok()) return st.WithContext("block row at offset " + std::to_string(offset));
    return Status::OK();
  }
  RowEntry row;
  size_t next = 0;
  RETURN_IF_ERROR(DecodeAt(offset, {}, &row, &next));
  *buf = std::move(row.key);
  *key = *buf;
  return Status::OK();
}

Result<std::vector<RowEntry>> Block::DecodeAll() const {
  std::vector<RowEntry> rows;
  size_t offset = 0;
  std::string prev;
  while (offset < data_end_) {
    RowEntry row;
    RETURN_IF_ERROR(DecodeAt(offset, prev, &row, &offset));
    prev = row.key;
    rows.push_back(std::move(row));
  }
  if (version_ == 1 && rows.size() != offsets_.size()) {
    return Status::Data("v1 block declares " + std::to_string(offsets_.size()) +
                        " rows but holds " + std::to_string(rows.size()));
  }
  return rows;
}

Status BlockIterator::ReadAt(size_t offset, std::string_view prev_key) {
  if (offset >= block_->data_end_) {
    valid_ = false;
    return Status::OK();
  }
  // `prev_key` may alias row_.key; decode into the scratch entry, then swap (both keep their
  // buffers, so steady-state iteration allocates nothing).
  Status st = block_->DecodeAt(offset, prev_key, &scratch_, &next_offset_);
  if (!st.ok()) {
    valid_ = false;
    return st;
  }
  std::swap(row_, scratch_);
  valid_ = true;
  return Status::OK();
}

Status BlockIterator::SeekToFirst() { return ReadAt(0, {}); }

Status BlockIterator::Next() {
  if (!valid_) return Status::OK();
  return ReadAt(next_offset_, row_.key);
}

Status BlockIterator::Seek(std::string_view key) {
  // Last offset point whose key is < key (or point 0).
  const auto& points = block_->offsets_;
  size_t lo = 0, hi = points.size();  // invariant: answer in [lo, hi)
  std::string buf;                    // v1 keys
  std::string_view point_key;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    RETURN_IF_ERROR(block_->KeyAt(points[mid], &buf, &point_key));
    if (point_key < key) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  if (block_->version_ != 2) {
    RETURN_IF_ERROR(ReadAt(points[lo], {}));
    while (valid_ && std::string_view(row_.key) < key) RETURN_IF_ERROR(Next());
    return Status::OK();
  }
  // v2: the rows passed over only have their keys rebuilt (in row_.key) and the rest stepped
  // over; the row stopped at is decoded and checked in full, and only its value is copied.
  size_t offset = points[lo];
  row_.key.clear();  // a restart point shares nothing
  valid_ = false;
  while (offset < block_->data_end_) {
    std::string_view in(block_->data_.data() + offset, block_->data_end_ - offset);
    const size_t before = in.size();
    uint32_t value_len = 0;
    Status st = DecodeRowV2Key(&in, &row_.key, &value_len);
    if (st.ok() && std::string_view(row_.key) >= key) {
      const std::string_view value = in.substr(0, value_len);
      st = DecodeRowV2Tail(&in, value_len, &row_);
      if (st.ok()) {
        row_.value.assign(value.data(), value.size());
        next_offset_ = offset + (before - in.size());
        valid_ = true;
        return Status::OK();
      }
    } else if (st.ok()) {
      in.remove_prefix(value_len);
      st = SkipRowV2Tail(&in);
    }
    if (!st.ok()) return st.WithContext("block row at offset " + std::to_string(offset));
    offset += before - in.size();
  }
  return Status::OK();
}

}  // namespace slatedb::format
