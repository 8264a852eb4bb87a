// manifest/sst_paths.h — where the object of a compacted (L0 / sorted-run) SST lives: in the
// database's own `<db>/compacted/` or, for an SST a clone shares with an ancestor, in that
// ancestor's (docs/design.md "Clones"; docs/format.md §7 external_dbs).
//
// A clone's manifest lists, per ancestor database, the SST ids it still reads from there
// (`ExternalDb::sst_ids`). `SstPathResolver` turns an SST id into its object key: an id listed
// by an external db resolves to `<that db's path>/compacted/<id>.sst`, every other id to
// `<own path>/compacted/<id>.sst`. Every reader of compacted SSTs (ReadPath for Db and DbReader,
// the compactor's executor, the CLI's inspection commands) asks one of these instead of building
// the key itself. SST ids are ULIDs that are never reused, so the id → database mapping of one
// manifest version holds for every version that lists the id: `Add` merges the mappings of a
// newer version into the same resolver, and a resolver that has seen several versions answers
// correctly for SSTs of any of them (an iterator on an older state keeps working).
// Also the clone helpers on SST ids shared by the compactor, the GC and Admin::CreateClone.
// Thread safety: not thread-safe for Add; const methods may run concurrently with each other.
// Ownership: holds copies of the paths. Errors: none (an external path that does not normalise
// is used as written).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "format/manifest.h"
#include "format/ulid.h"

namespace slatedb::manifest {

class SstPathResolver {
 public:
  // Resolves every id to `db_path` (already normalised) until Add is called.
  explicit SstPathResolver(std::string db_path) : db_path_(std::move(db_path)) {}
  SstPathResolver(std::string db_path, const format::Manifest& m);

  // Records the external SSTs of `m` (a later mapping of an id replaces an earlier one).
  void Add(const format::Manifest& m);

  // `<owner>/compacted/<id>.sst`.
  std::string Path(const format::Ulid& id) const;
  // The path of the database that holds the SST's object (own path unless external).
  const std::string& OwnerPath(const format::Ulid& id) const;
  bool IsExternal(const format::Ulid& id) const { return external_.contains(id); }
  const std::string& db_path() const { return db_path_; }

 private:
  struct UlidHash {
    size_t operator()(const format::Ulid& id) const noexcept;
  };
  std::string db_path_;
  std::unordered_map<format::Ulid, std::string, UlidHash> external_;
};

// Every SST id `m` lists (L0, sorted runs and named segments), sorted, each once.
std::vector<format::Ulid> ListedSstIds(const format::Manifest& m);

// The SSTs `m` lists that live in its own `compacted/` (listed and in no external db), sorted.
std::vector<format::Ulid> OwnedSstIds(const format::Manifest& m);

// Drops from every external db's sst_ids the ids `m` no longer lists (a compaction rewrote them
// into SSTs of its own). Entries are kept, possibly empty: detaching is the GC's job
// (gc/garbage_collector.h). Returns how many ids were dropped.
size_t PruneExternalSstIds(format::Manifest& m);

}  // namespace slatedb::manifest
