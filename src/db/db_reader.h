// db/db_reader.h — DbReaderImpl, the read-only follower behind slatedb::DbReader (spec §7, §8).
//
// Opens the latest manifest ("no database at <path>" when there is none), replays the WAL SSTs
// after replay_after_wal_id into its own memtable (unless skip_wal_replay), and then, every
// manifest_poll_interval, re-reads the manifest and replays new WAL SSTs. When the writer's
// replay point moves past what the reader replayed, the reader rebuilds its memtable from the
// new replay point. It never writes: no fence, no epoch bump, no checkpoint (the optional
// 10-minute reader checkpoint of the peer is not created).
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
