// SstPathResolver (manifest/sst_paths.h): SST id → object key, own or an ancestor's.
#include "manifest/sst_paths.h"

#include <algorithm>
#include <set>

#include "manifest/paths.h"

namespace slatedb::manifest {

size_t SstPathResolver::UlidHash::operator()(const format::Ulid& id) const noexcept {
  return static_cast<size_t>(id.high * 0x9E3779B97F4A7C15ull ^ id.low);
}

SstPathResolver::SstPathResolver(std::string db_path, const format::Manifest& m)
    : db_path_(std::move(db_path)) {
  Add(m);
}

void SstPathResolver::Add(const format::Manifest& m) {
  for (const format::ExternalDb& db : m.external_dbs) {
    auto normalized = NormalizeDbPath(db.path);
    const std::string& path = normalized.ok() ? *normalized : db.path;
    for (const format::Ulid& id : db.sst_ids) external_[id] = path;
  }
}

const std::string& SstPathResolver::OwnerPath(const format::Ulid& id) const {
  auto it = external_.find(id);
  return it == external_.end() ? db_path_ : it->second;
}

std::string SstPathResolver::Path(const format::Ulid& id) const {
  return CompactedSstPath(OwnerPath(id), id);
}

std::vector<format::Ulid> ListedSstIds(const format::Manifest& m) {
  std::set<format::Ulid> ids;
  auto add_tree = [&](const std::vector<format::SstHandle>& l0,
                      const std::vector<format::SortedRun>& runs) {
    for (const auto& h : l0) ids.insert(h.id);
    for (const auto& r : runs) {
      for (const auto& h : r.ssts) ids.insert(h.id);
    }
  };
  add_tree(m.l0, m.compacted);
  for (const auto& seg : m.segments) add_tree(seg.l0, seg.compacted);
  return {ids.begin(), ids.end()};
}

std::vector<format::Ulid> OwnedSstIds(const format::Manifest& m) {
  std::set<format::Ulid> external;
  for (const auto& db : m.external_dbs) external.insert(db.sst_ids.begin(), db.sst_ids.end());
  std::vector<format::Ulid> out;
  for (const auto& id : ListedSstIds(m)) {
    if (!external.contains(id)) out.push_back(id);
  }
  return out;
}

size_t PruneExternalSstIds(format::Manifest& m) {
  if (m.external_dbs.empty()) return 0;
  const std::vector<format::Ulid> listed = ListedSstIds(m);
  size_t dropped = 0;
  for (auto& db : m.external_dbs) {
    dropped += std::erase_if(db.sst_ids, [&](const format::Ulid& id) {
      return !std::binary_search(listed.begin(), listed.end(), id);
    });
  }
  return dropped;
}

}  // namespace slatedb::manifest
