// db/db_reader.h — DbReaderImpl, the read-only follower behind slatedb::DbReader (docs/design.md
// §12).
//
// Opens the latest manifest ("no database at <path>" when there is none), replays the WAL SSTs
// after replay_after_wal_id into its own memtable (unless skip_wal_replay), and then, every
// manifest_poll_interval, re-reads the manifest and replays new WAL SSTs. When the writer's
// replay point moves past what the reader replayed, the reader rebuilds its memtable from the
// new replay point. It never writes a fence or bumps an epoch; only when
// DbReaderOptions::checkpoint_lifetime is set does it add a checkpoint (as the peer's reader
// does) and remove it again on Close().
// Thread safety: all methods are thread-safe; the poller thread is the memtable's only writer.
// Ownership: owns its poller; shares the object store. Errors: see slatedb/db.h.
#pragma once

#include <memory>
#include <string>

#include "slatedb/db.h"

namespace slatedb::db {

Result<std::unique_ptr<DbReader>> OpenDbReader(const std::string& path, Components components,
                                               DbReaderOptions options);

}  // namespace slatedb::db
