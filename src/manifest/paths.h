// manifest/paths.h — object names of a SlateDB 0.12 database (docs/format.md §4) and parsing of listed
// names back into ids.
//
// Names (db = the database path, e.g. "db"; an empty path puts everything at the store root):
//   <db>/manifest/<id:020>.manifest        manifest versions
//   <db>/compactions/<id:020>.compactions  compactor state
//   <db>/wal/<id:020>.sst                  WAL SSTs and fences
//   <db>/compacted/<ULID>.sst              L0 and sorted-run SSTs
// Parsing takes a listed key or a bare file name; the id is the part of the file name before the
// first '.', and names with another extension or an unparsable id give std::nullopt (callers
// ignore such objects, as the peer does).
// Thread safety: pure functions; results are returned by value. Errors: none (parsers return
// std::nullopt).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "format/ulid.h"

namespace slatedb::manifest {

// "<db>/manifest/" (or "manifest/" for an empty db path); a LIST prefix.
std::string ManifestDir(std::string_view db_path);
std::string CompactionsDir(std::string_view db_path);
std::string WalDir(std::string_view db_path);
std::string CompactedDir(std::string_view db_path);

std::string ManifestPath(std::string_view db_path, uint64_t id);
std::string CompactionsPath(std::string_view db_path, uint64_t id);
std::string WalSstPath(std::string_view db_path, uint64_t id);
std::string CompactedSstPath(std::string_view db_path, const format::Ulid& id);

// "00000000000000000007.manifest" (or ".../manifest/0000...7.manifest") → 7.
std::optional<uint64_t> ParseManifestId(std::string_view key);
std::optional<uint64_t> ParseCompactionsId(std::string_view key);
std::optional<uint64_t> ParseWalId(std::string_view key);
std::optional<format::Ulid> ParseCompactedSstId(std::string_view key);

}  // namespace slatedb::manifest
