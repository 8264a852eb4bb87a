// wal/wal_prefetcher.h — reads a list of WAL SSTs for replay with up to N GETs in flight, handing
// them out strictly in list order (docs/design.md §8, "Parallel replay").
//
// What: `WalPrefetcher(store, ids, parallelism)` starts min(parallelism, ids.size()) fetch
// threads (none when parallelism <= 1: `Next()` then reads on the caller's thread, one object
// after the other, exactly as a plain loop over WalStore::Read). Each thread claims the next
// unclaimed id and reads it (WalStore::Read: decode + checksums), but only while that id is
// within `parallelism` of the oldest id not yet released, so at most `parallelism` objects are
// held at once — counting the one the caller is applying (released by its next `Next()` call).
// `Next()` returns the rows of the next id in order, waiting for its fetch.
// Errors: `Next()` returns exactly what WalStore::Read returned for that id (kNotFound for a
// missing id, kData "<key>: …" for a corrupt object, store errors with the key); later ids are
// not handed out after an error (the caller stops). A zero-byte object is a fence: no rows.
// Thread safety: one consumer thread calls Next(); the fetch threads are internal. The
// destructor stops claiming, waits for the GETs in flight and joins.
// Ownership: shares the WalStore's object store; owns its threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "format/row.h"
#include "slatedb/status.h"
#include "util/mutex.h"
#include "wal/wal_store.h"

namespace slatedb::wal {

// The default of Settings::wal_replay_parallelism (and DbReaderOptions'), and its upper bound.
inline constexpr uint64_t kDefaultWalReplayParallelism = 16;
inline constexpr uint64_t kMaxWalReplayParallelism = 256;

class WalPrefetcher {
 public:
  struct Item {
    uint64_t id = 0;
    Result<std::vector<format::RowEntry>> rows;
  };

  WalPrefetcher(const WalStore& store, std::vector<uint64_t> ids, uint64_t parallelism);
  ~WalPrefetcher();
  WalPrefetcher(const WalPrefetcher&) = delete;
  WalPrefetcher& operator=(const WalPrefetcher&) = delete;

  // The next id's rows (or its read error); std::nullopt after the last id.
  std::optional<Item> Next() EXCLUDES(mu_);

 private:
  void FetchLoop() EXCLUDES(mu_);

  const WalStore& store_;
  const std::vector<uint64_t> ids_;
  const size_t window_;  // max objects held (claimed, fetched or being applied)

  util::Mutex mu_;
  util::CondVar cv_;
  size_t next_claim_ GUARDED_BY(mu_) = 0;     // index of the next id to fetch
  size_t next_hand_out_ GUARDED_BY(mu_) = 0;  // index Next() returns next
  size_t released_ GUARDED_BY(mu_) = 0;       // indices below are no longer held
  bool stop_ GUARDED_BY(mu_) = false;
  std::map<size_t, Result<std::vector<format::RowEntry>>> done_ GUARDED_BY(mu_);
  std::vector<std::jthread> threads_;
};

}  // namespace slatedb::wal
