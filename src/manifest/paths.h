// manifest/paths.h — object names of a SlateDB 0.12 database (docs/format.md §4), parsing of listed
// names back into ids, and normalisation of the database path. The implementation is
// format/names.h (so that the WAL layer below parses names the same way); see there for the
// rules: only DIRECT children named exactly like our objects are ours, everything else is
// ignored (and logged at debug level), never fenced on or deleted.
//
// Names (db = the database path, e.g. "db"; an empty path puts everything at the store root):
//   <db>/manifest/<id:020>.manifest        manifest versions
//   <db>/compactions/<id:020>.compactions  compactor state
//   <db>/wal/<id:020>.sst                  WAL SSTs and fences
//   <db>/compacted/<ULID>.sst              L0 and sorted-run SSTs
// Thread safety: pure functions; results are returned by value. Errors: NormalizeDbPath gives
// kInvalid naming the path; parsers return std::nullopt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "format/names.h"
#include "format/ulid.h"

namespace slatedb::manifest {

// Every entry point (Db::Open, DbReader::Open, Compactor::Open, GarbageCollector::Open)
// normalises its path with this before its first object-store call.
using format::NormalizeDbPath;

// "<db>/manifest/" (or "manifest/" for an empty db path); a LIST prefix.
std::string ManifestDir(std::string_view db_path);
std::string CompactionsDir(std::string_view db_path);
std::string WalDir(std::string_view db_path);
std::string CompactedDir(std::string_view db_path);

std::string ManifestPath(std::string_view db_path, uint64_t id);
std::string CompactionsPath(std::string_view db_path, uint64_t id);
std::string WalSstPath(std::string_view db_path, uint64_t id);
using format::CompactedSstPath;  // format/names.h (table::TableStore names SSTs too)
// GC boundary objects (RFC-0026, docs/format.md §9.3): `<db>/gc/manifest.boundary` and
// `<db>/gc/compactions.boundary`.
std::string GcDir(std::string_view db_path);
std::string ManifestBoundaryPath(std::string_view db_path);
std::string CompactionsBoundaryPath(std::string_view db_path);

// A bare file name or a key; only the file name is parsed, and only the exact form counts:
// "00000000000000000007.manifest" (or ".../manifest/0000...7.manifest") → 7, "7.manifest" → none.
// For keys returned by LIST use the Listed* functions, which also require a direct child.
std::optional<uint64_t> ParseManifestId(std::string_view key);
std::optional<uint64_t> ParseCompactionsId(std::string_view key);
std::optional<uint64_t> ParseWalId(std::string_view key);
std::optional<format::Ulid> ParseCompactedSstId(std::string_view key);

// A key listed under the database's directory: the id if it is a direct child of that
// directory named exactly like our objects; else nullopt (debug log line naming the key).
std::optional<uint64_t> ListedManifestId(std::string_view db_path, std::string_view key);
std::optional<uint64_t> ListedCompactionsId(std::string_view db_path, std::string_view key);
std::optional<uint64_t> ListedWalId(std::string_view db_path, std::string_view key);
std::optional<format::Ulid> ListedCompactedSstId(std::string_view db_path, std::string_view key);

}  // namespace slatedb::manifest
