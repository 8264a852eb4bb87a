#include "wal/wal_store.h"

#include <algorithm>
#include <cstdio>

#include "format/names.h"
#include "format/sst.h"
#include "object_store/retrying_object_store.h"

namespace slatedb::wal {
namespace {

// The settings a WAL SST is shaped by, through the one Settings mapping.
table::SstSettings WalSstSettings(CompressionCodec codec, uint32_t block_size) {
  Settings settings;
  settings.compression_codec = codec;
  settings.block_size = block_size;
  return table::SstSettings::From(settings);
}

}  // namespace

WalStore::WalStore(std::shared_ptr<ObjectStore> store, std::string db_path, CompressionCodec codec,
                   uint32_t block_size)
    : WalStore(std::move(store), std::move(db_path), WalSstSettings(codec, block_size)) {}

WalStore::WalStore(std::shared_ptr<ObjectStore> store, std::string db_path, table::SstSettings sst)
    : store_(std::move(store)), db_path_(std::move(db_path)), sst_(std::move(sst)) {}

std::string WalStore::Dir() const { return db_path_.empty() ? "wal/" : db_path_ + "/wal/"; }

std::string WalStore::ObjectKey(uint64_t id) const {
  char name[32];
  std::snprintf(name, sizeof(name), "%020llu.sst", static_cast<unsigned long long>(id));
  return Dir() + name;
}

size_t WalStore::EncodedSizeEstimate(std::span<const format::RowView> rows) {
  size_t bytes = 64 << 10;                                        // index, stats, footer
  for (const auto& row : rows) bytes += row.EstimatedSize() + 8;  // + offset and padding
  return bytes;
}

Result<std::string> WalStore::Encode(std::span<const format::RowView> rows) const {
  format::SstBuilderOptions opts = table::SstBuilderOptionsFor(table::SstKind::kWal, sst_);
  // Reserve the whole object once: growing the output string by doubling held up to twice (and,
  // while reallocating, three times) the WAL SST's size, the largest transient of a busy writer.
  // An overestimate costs address space, not memory (untouched pages are not resident).
  opts.expected_size = EncodedSizeEstimate(rows);
  format::SstBuilder builder(opts);
  for (const auto& row : rows) RETURN_IF_ERROR(builder.Add(row));
  ASSIGN_OR_RETURN(format::EncodedSst sst, builder.Finish());
  return std::move(sst.bytes);
}

Status WalStore::Write(uint64_t id, std::span<const format::RowView> rows,
                       const std::string& put_id) const {
  ASSIGN_OR_RETURN(std::string bytes, Encode(rows));
  ObjectPutOptions options;
  if (!put_id.empty()) options.metadata[kPutIdMetadata] = put_id;
  auto etag = store_->PutIfAbsent(ObjectKey(id), bytes, options);
  return etag.ok() ? Status::OK() : etag.status();
}

Result<bool> WalStore::IsOurs(uint64_t id, const std::string& put_id,
                              std::span<const format::RowView> rows) const {
  ASSIGN_OR_RETURN(std::string bytes, Encode(rows));
  ASSIGN_OR_RETURN(PutOwner owner, OwnerOfConditionalPut(*store_, ObjectKey(id), put_id, bytes));
  return owner == PutOwner::kOurs;
}

Status WalStore::WriteFence(uint64_t id) const {
  format::SstBuilder builder(table::SstBuilderOptionsFor(table::SstKind::kWalFence, sst_));
  ASSIGN_OR_RETURN(format::EncodedSst sst, builder.Finish());
  auto etag = store_->PutIfAbsent(ObjectKey(id), sst.bytes);
  return etag.ok() ? Status::OK() : etag.status();
}

std::optional<uint64_t> ParseWalId(std::string_view key) {
  size_t slash = key.rfind('/');
  std::string_view name = slash == std::string_view::npos ? key : key.substr(slash + 1);
  return format::ParseNumberedName(name, ".sst");
}

Result<std::vector<uint64_t>> WalStore::ListIds(uint64_t min_id) const {
  ASSIGN_OR_RETURN(std::vector<ObjectMeta> objects, store_->List(Dir()));
  std::vector<uint64_t> ids;
  for (const auto& meta : objects) {
    // Direct children named exactly like our WAL SSTs only: "wal/backup/…100.sst" must not
    // make a writer fence at 101 (format/names.h).
    std::optional<uint64_t> id = format::ListedNumberedId(Dir(), meta.key, ".sst");
    if (id && *id >= min_id) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::vector<format::RowEntry>> WalStore::Read(uint64_t id) const {
  const std::string key = ObjectKey(id);
  auto bytes = store_->Get(key);
  if (!bytes.ok()) return bytes.status().WithContext(key);
  // A zero-byte object is a fence too: SlateDB's fences share the WAL id space and may be empty
  // objects (docs/format.md §6.2), and its WalReader and replay step over them.
  if (bytes->empty()) return std::vector<format::RowEntry>{};
  auto decoded = format::DecodeSst(*bytes);
  if (!decoded.ok()) return decoded.status().WithContext(key);
  return std::move(decoded->rows);
}

}  // namespace slatedb::wal
