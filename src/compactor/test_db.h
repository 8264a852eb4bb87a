// compactor/test_db.h — test-only helper: a database built directly from the table and
// manifest layers (L0 SSTs uploaded and published the way the writer does), a std::map model of
// what it must contain, and verification through table-layer reads. Used by the compactor and
// GC tests; not part of any library.
// Thread safety: TestDb is used by one thread at a time, except Verify*/Scan*, which only read
// the store and may run concurrently with writers and compactors.
// Errors: methods return Status/Result; verification failures are reported as kData messages
// naming the key.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "format/manifest.h"
#include "format/sst.h"
#include "format/ulid.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "manifest/stored_manifest.h"
#include "slatedb/object_store.h"
#include "table/iterator.h"
#include "table/sorted_run_iterator.h"
#include "table/sst_options.h"
#include "table/sst_reader.h"
#include "table/sst_writer.h"
#include "table/table_store.h"
#include "util/clock.h"

namespace slatedb::compactor::testing {

class TestDb {
 public:
  // `store` receives the writes; `read_store` (default: the same) serves verification reads.
  explicit TestDb(std::shared_ptr<ObjectStore> store, std::string path = "db", uint64_t seed = 7)
      : store_(std::move(store)), path_(std::move(path)), ulids_(seed) {
    mstore_ = std::make_shared<manifest::ManifestStore>(store_, path_);
  }

  // Manifest reads and writes go through `store` from now on (e.g. one shared with a compactor).
  void UseManifestStore(std::shared_ptr<manifest::ManifestStore> store) {
    mstore_ = std::move(store);
  }

  Status Init() {
    auto sm = manifest::StoredManifest::LoadOrCreate(mstore_);
    return sm.status();
  }

  // Writes one L0 SST holding `kvs` (nullopt value = tombstone), one seq per row, and publishes
  // it (prepends to l0). Updates the model.
  Status AddL0(const std::vector<std::pair<std::string, std::optional<std::string>>>& kvs,
               size_t block_size = 512) {
    std::map<std::string, format::RowEntry> rows;
    for (const auto& [k, v] : kvs) {
      format::RowEntry r;
      r.key = k;
      r.seq = next_seq_++;
      r.kind = v ? format::RowKind::kValue : format::RowKind::kTombstone;
      if (v) r.value = *v;
      r.create_ts = 1000;
      rows[k] = r;  // the newest write of a key in this batch wins
      model_[k] = v;
    }
    std::vector<format::RowEntry> sorted;
    for (auto& [k, r] : rows) sorted.push_back(r);
    table::SstSettings shape;
    shape.block_size = block_size;
    const format::SstBuilderOptions opts = table::SstBuilderOptionsFor(table::SstKind::kL0, shape);
    format::SstHandle h;
    h.id = ulids_.Next(util::SystemClock::Default()->NowMillis());
    h.format_version = format::kSstFormatVersion;
    ASSIGN_OR_RETURN(format::EncodedSst sst,
                     table::TableStore(store_, path_).WriteRows(h.id, sorted, opts));
    h.info = sst.info;
    l0_bytes_written_ += sst.size;
    uint64_t last_seq = next_seq_ - 1;
    ASSIGN_OR_RETURN(auto sm, manifest::StoredManifest::Load(mstore_));
    return sm.Update([&](format::Manifest& m) {
      m.l0.insert(m.l0.begin(), h);
      m.last_l0_seq = last_seq;
      m.recent_snapshot_min_seq = last_seq;
      m.last_l0_clock_tick = std::max<int64_t>(m.last_l0_clock_tick, 1000);
      return Status::OK();
    });
  }

  // Every visible row (newest version per key, tombstones hidden) of `m`, through iterators.
  static Result<std::map<std::string, std::string>> ScanManifest(
      const std::shared_ptr<ObjectStore>& store, const std::string& path,
      const format::Manifest& m) {
    std::vector<std::unique_ptr<table::RowIterator>> children;
    for (const auto& h : m.l0) {
      ASSIGN_OR_RETURN(auto reader, table::TableStore(store, path).OpenReader(h));
      children.push_back(reader->NewIterator(table::Direction::kForward));
    }
    for (const auto& run : m.compacted) {
      std::vector<table::SstRef> refs;
      for (const auto& h : run.ssts) {
        refs.push_back(
            {manifest::CompactedSstPath(path, h.id), h.info, h.format_version.value_or(1)});
      }
      children.push_back(std::make_unique<table::SortedRunIterator>(
          refs, table::MakeSstOpener(store), table::Direction::kForward));
    }
    table::MergeIterator it(std::move(children), table::Direction::kForward);
    std::map<std::string, std::string> out;
    RETURN_IF_ERROR(it.SeekToFirst());
    std::string last_key;
    bool have_last = false;
    while (it.Valid()) {
      const auto& r = it.row();
      if (!have_last || r.key != last_key) {
        last_key = r.key;
        have_last = true;
        if (r.kind == format::RowKind::kValue) out[r.key] = r.value;
      }
      RETURN_IF_ERROR(it.Next());
    }
    return out;
  }

  // Checks the structure of `m` (runs ordered by descending id, SSTs of a run ordered and
  // non-overlapping, each SST listed once) and that point reads and a full scan of the latest
  // manifest match the model.
  Status Verify(const std::shared_ptr<ObjectStore>& read_store) const {
    manifest::ManifestStore ms(read_store, path_);
    ASSIGN_OR_RETURN(auto latest, ms.ReadLatest());
    if (!latest) return Status::Data("no manifest");
    const format::Manifest& m = latest->manifest;
    RETURN_IF_ERROR(CheckStructure(m));
    ASSIGN_OR_RETURN(auto rows, ScanManifest(read_store, path_, m));
    for (const auto& [k, v] : model_) {
      auto it = rows.find(k);
      if (v && (it == rows.end() || it->second != *v)) {
        return Status::Data("key " + k + ": expected '" + *v + "', got " +
                            (it == rows.end() ? "nothing" : "'" + it->second + "'"));
      }
      if (!v && it != rows.end()) return Status::Data("key " + k + ": deleted but visible");
    }
    for (const auto& [k, v] : rows) {
      if (model_.count(k) == 0) return Status::Data("key " + k + ": not in the model");
    }
    // Point reads in precedence order for a sample of keys.
    size_t n = 0;
    for (const auto& [k, v] : model_) {
      if (n++ % 7 != 0) continue;
      ASSIGN_OR_RETURN(auto got, PointGet(read_store, m, k));
      if (got != v) return Status::Data("point get of " + k + " disagrees with the model");
    }
    return Status::OK();
  }

  Result<std::optional<std::string>> PointGet(const std::shared_ptr<ObjectStore>& read_store,
                                              const format::Manifest& m,
                                              const std::string& key) const {
    auto probe = [&](const format::SstHandle& h) -> Result<std::optional<format::RowEntry>> {
      if (h.info.first_entry && key < *h.info.first_entry) return std::optional<format::RowEntry>();
      if (h.info.last_entry && key > *h.info.last_entry) return std::optional<format::RowEntry>();
      ASSIGN_OR_RETURN(auto reader, table::TableStore(read_store, path_).OpenReader(h));
      return reader->Get(key, UINT64_MAX);
    };
    auto decide = [](const format::RowEntry& r) -> std::optional<std::string> {
      if (r.kind == format::RowKind::kValue) return r.value;
      return std::nullopt;
    };
    for (const auto& h : m.l0) {
      ASSIGN_OR_RETURN(auto row, probe(h));
      if (row) return decide(*row);
    }
    for (const auto& run : m.compacted) {
      for (const auto& h : run.ssts) {
        ASSIGN_OR_RETURN(auto row, probe(h));
        if (row) return decide(*row);
      }
    }
    return std::optional<std::string>();
  }

  static Status CheckStructure(const format::Manifest& m) {
    std::set<format::Ulid> seen;
    for (const auto& h : m.l0) {
      if (!seen.insert(h.id).second) return Status::Data("SST listed twice: " + h.id.ToString());
    }
    for (size_t i = 0; i < m.compacted.size(); ++i) {
      if (i > 0 && m.compacted[i - 1].id <= m.compacted[i].id) {
        return Status::Data("runs not in descending id order");
      }
      const auto& ssts = m.compacted[i].ssts;
      for (size_t j = 0; j < ssts.size(); ++j) {
        if (!seen.insert(ssts[j].id).second) {
          return Status::Data("SST listed twice: " + ssts[j].id.ToString());
        }
        if (j > 0 && !(*ssts[j - 1].info.last_entry < *ssts[j].info.first_entry)) {
          return Status::Data("run " + std::to_string(m.compacted[i].id) + " overlaps");
        }
      }
    }
    return Status::OK();
  }

  // SST ids referenced by `m`.
  static std::set<format::Ulid> Referenced(const format::Manifest& m) {
    std::set<format::Ulid> out;
    for (const auto& h : m.l0) out.insert(h.id);
    for (const auto& r : m.compacted) {
      for (const auto& h : r.ssts) out.insert(h.id);
    }
    return out;
  }

  Result<format::Manifest> Latest() const {
    ASSIGN_OR_RETURN(auto latest, mstore_->ReadLatest());
    if (!latest) return Status::Data("no manifest");
    return latest->manifest;
  }

  const std::shared_ptr<ObjectStore>& store() const { return store_; }
  const std::string& path() const { return path_; }
  const std::map<std::string, std::optional<std::string>>& model() const { return model_; }
  uint64_t l0_bytes_written() const { return l0_bytes_written_; }

 private:
  std::shared_ptr<ObjectStore> store_;
  std::string path_;
  std::shared_ptr<manifest::ManifestStore> mstore_;
  format::UlidGenerator ulids_;
  uint64_t next_seq_ = 1;
  uint64_t l0_bytes_written_ = 0;
  std::map<std::string, std::optional<std::string>> model_;
};

}  // namespace slatedb::compactor::testing
