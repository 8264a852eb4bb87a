// format/names.h — the object names of a SlateDB database (docs/format.md §4): the one place that
// builds them, parses listed keys back into ids, and normalises the database path.
//
// Names (db = the normalised database path, e.g. "db"):
//   <db>/manifest/<id:020>.manifest        manifest versions
//   <db>/compactions/<id:020>.compactions  compactor state
//   <db>/wal/<id:020>.sst                  WAL SSTs and fences
//   <db>/compacted/<ULID>.sst              L0 and sorted-run SSTs (26 upper-case Crockford chars)
// Listing is recursive, so a LIST of "<db>/wal/" also returns "<db>/wal/backup/x.sst"; only
// DIRECT children whose file names are EXACTLY of the engine's own form are ours (20 decimal
// digits, or a canonical ULID, plus the extension). Everything else is ignored — never read,
// fenced on, or deleted — with a debug-level log line naming it (the Listed* functions).
// Lives in format (below wal and manifest) so that every layer parses names the same way;
// manifest/paths.h re-exports it.
// Thread safety: pure functions. Errors: NormalizeDbPath returns kInvalid naming the path;
// parsers return std::nullopt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "format/ulid.h"
#include "slatedb/status.h"

namespace slatedb::format {

// The database path as every component must use it: leading and trailing '/' stripped ("db/"
// and "/db" are "db", as in SlateDB). kInvalid (naming the path) for an empty path (also "/"),
// an empty segment ("a//b"), a "." or ".." segment, or a control character.
Result<std::string> NormalizeDbPath(std::string_view path);

// "<db>/<sub>/" — a LIST prefix.
std::string DbSubdir(std::string_view db_path, std::string_view sub);
// "<db>/compacted/<ULID>.sst" — the object of a compacted (L0 / sorted-run) SST; built here so
// that table::TableStore (below manifest) and manifest/paths.h name it the same way.
std::string CompactedSstPath(std::string_view db_path, const Ulid& id);

// Strict parsers of a bare file name (no '/'): "00000000000000000007.manifest" → 7; anything
// else (other digit counts, extensions, suffixes like ".sst.tmp") → nullopt.
std::optional<uint64_t> ParseNumberedName(std::string_view name, std::string_view ext);
std::optional<Ulid> ParseUlidSstName(std::string_view name);

// A key returned by LIST(dir): its id if it is a direct child of `dir` (which ends with '/')
// named exactly like one of our objects, else nullopt (logged at debug level, naming the key).
std::optional<uint64_t> ListedNumberedId(std::string_view dir, std::string_view key,
                                         std::string_view ext);
std::optional<Ulid> ListedUlidSstId(std::string_view dir, std::string_view key);

}  // namespace slatedb::format
