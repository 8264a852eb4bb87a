// gc/garbage_collector.h — deletes objects no reader or writer can need any more (docs/design.md
// §11).
//
// Sweeps (each enabled by its GcDirectoryOptions; an object is deleted only when ALL rules
// hold; "live checkpoint" = listed in the latest manifest and not expired):
//   manifests   first removes expired checkpoints from the latest manifest (one CAS update,
//               only when there are any); then deletes versions with an id below the latest, not
//               pinned by a live checkpoint, last-modified older than min_age.
//   WAL SSTs    id below the latest replay_after_wal_id, outside the (replay_after_wal_id,
//               wal_id_last_seen] range of every live checkpoint's manifest, last-modified
//               older than min_age; fences (empty SSTs) are kept unless `delete_fences`;
//               `only_fences` deletes fences only.
//   compacted   not referenced by the latest manifest nor by any live checkpoint's manifest
//               (L0, sorted runs, external_dbs), and ULID time older than the low-watermark
//               min(now − min_age, the oldest compaction id in the latest `.compactions`, the
//               newest L0 ULID in the latest manifest — else l0_last_compacted's). When one of
//               those is missing the watermark is the Unix epoch: nothing is deleted. This is
//               what keeps an uploaded-but-unpublished L0 or compaction output alive; it
//               relies on reading `.compactions` before the manifest (see the .cc).
//   .compactions every version but the latest, last-modified older than min_age.
//   clones      (with the manifest sweep) an external_dbs entry whose sst_ids is empty in the
//               latest manifest and in every live checkpoint's manifest is detached: its final
//               checkpoint is deleted in that (ancestor) database, then the entry is removed.
//               Objects of other databases are never deleted.
// A reader in progress is protected by its own checkpoint or by min_age, and the compactor
// writes a 900-s checkpoint of the pre-compaction state before every commit.
// `RunOnce()` runs every enabled sweep now; `Start()` runs each sweep every `interval` on a
// background util::BackgroundTask (thread "slatedb-gc", one ticker per enabled sweep, on the
// injected clock: a ManualClock's Advance runs the sweeps that became due; sweeps due together
// share one run) until `Stop()`. Each sweep's next run is `interval` after its last one began.
// Thread safety: all methods may be called from any thread; sweeps are serialized.
// Ownership: the collector owns its task; it shares the object store and the clock.
// Errors: Open → kInvalid for a zero interval. RunOnce → the first error (object store,
// kData for a corrupt manifest, kData when a checkpointed manifest is missing); a sweep that
// fails deletes nothing further. In background mode errors are logged (warn) and retried at the
// next interval. Stop → OK (idempotent).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "format/compactions_codec.h"
#include "format/manifest.h"
#include "slatedb/metrics.h"
#include "slatedb/object_store.h"
#include "slatedb/options.h"
#include "slatedb/status.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mutex.h"

namespace slatedb::manifest {
template <typename Kind>
class VersionedStore;
struct ManifestKind;
struct CompactionsKind;
using ManifestStore = VersionedStore<ManifestKind>;
using CompactionsStore = VersionedStore<CompactionsKind>;
}  // namespace slatedb::manifest

namespace slatedb::gc {

struct GcStats {
  uint64_t manifests_deleted = 0;
  uint64_t wal_deleted = 0;
  uint64_t compacted_deleted = 0;
  uint64_t compactions_deleted = 0;
  uint64_t checkpoints_expired = 0;  // expired checkpoints removed from the manifest
  uint64_t clones_detached = 0;      // external_dbs entries removed (their parents unpinned)
  uint64_t runs = 0;
  GcStats& operator+=(const GcStats& o);
};

struct GcExtraOptions {
  bool delete_fences = false;  // fence objects (empty WAL SSTs) are kept by default
  // The WAL sweep deletes only fences, under the same age / replay / checkpoint rules (SlateDB's
  // `wal_fence_options`; implies delete_fences).
  bool only_fences = false;
  util::Log log;  // where sweep failures and debug lines go
  // slatedb.gc.count and slatedb.gc.deleted_count{resource} (docs/metrics.md); null = none.
  std::shared_ptr<MetricsRecorder> metrics;
};

class GarbageCollector {
  struct PrivateTag {};

 public:
  static Result<std::unique_ptr<GarbageCollector>> Open(std::shared_ptr<ObjectStore> store,
                                                        std::string db_path,
                                                        GarbageCollectorOptions options,
                                                        std::shared_ptr<util::Clock> clock,
                                                        GcExtraOptions extra = {});
  GarbageCollector(PrivateTag, std::shared_ptr<ObjectStore> store, std::string db_path,
                   GarbageCollectorOptions options, std::shared_ptr<util::Clock> clock,
                   GcExtraOptions extra);
  ~GarbageCollector();
  GarbageCollector(const GarbageCollector&) = delete;
  GarbageCollector& operator=(const GarbageCollector&) = delete;

  // Runs every enabled sweep once, now (ignores the intervals).
  Result<GcStats> RunOnce();
  // Starts the background thread. kInvalid if already started.
  Status Start();
  // Stops and joins the background thread (idempotent; waits for a sweep in progress).
  Status Stop();
  // Returns once the background thread has run every sweep that was due (on the clock) when
  // this was called — a round trip through its channel; at once when not started or stopped.
  // For tests that advance a ManualClock and then check what the collector did.
  void WaitIdle();
  // Totals over every sweep so far.
  GcStats totals() const;
  // True once Stop() has joined the background thread (no sweep runs from then on).
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }

 private:
  enum Sweep { kManifest = 0, kWal, kCompacted, kCompactions, kSweepCount };
  // What one run read before sweeping: the latest `.compactions` (read first, see the .cc), the
  // latest manifest, the manifests live checkpoints pin, and the run's clock reading.
  struct SweepView {
    uint64_t latest_id = 0;
    format::Manifest latest;
    int64_t now_ms = 0;
    std::optional<format::Compactions> compactions;  // none stored yet: nullopt
    std::map<uint64_t, format::Manifest> pinned;     // by manifest id (live checkpoints only)
    bool Expired(const format::Checkpoint& cp) const;
    bool OldEnough(const GcDirectoryOptions& o, int64_t t_ms) const;  // older than min_age
  };
  Result<GcStats> RunSweeps(const bool (&which)[kSweepCount]);
  // The four sweeps and their steps (see the header comment); each deletes only what its rules
  // allow and returns the first object-store error.
  void ExpireCheckpoints(const SweepView& view, GcStats* stats);  // failure logged, not fatal
  Status LoadPinned(manifest::ManifestStore& ms, SweepView* view);
  Status SweepManifests(manifest::ManifestStore& ms, const SweepView& view, GcStats* stats);
  Status SweepWals(const SweepView& view, GcStats* stats);
  // The compacted sweep's low-watermark (ms since the epoch; 0 = delete nothing).
  int64_t CompactedWatermark(const SweepView& view) const;
  Status SweepCompacted(const SweepView& view, GcStats* stats);
  Status SweepCompactions(manifest::CompactionsStore& cs, const SweepView& view, GcStats* stats);
  // Part of the manifest sweep of a clone: for each external db no version still reads from,
  // deletes its final checkpoint in that db, then removes the entry from our manifest.
  Status DetachClones(const format::Manifest& latest,
                      const std::map<uint64_t, format::Manifest>& pinned, GcStats* stats);
  class Task;  // the background task (the .cc)
  // The background task's sweeps: the enabled ones, by ticker index.
  void RunDue(const bool (&which)[kSweepCount]);

  const std::shared_ptr<ObjectStore> store_;
  const std::string db_path_;
  const GarbageCollectorOptions options_;
  const std::shared_ptr<util::Clock> clock_;
  const GcExtraOptions extra_;
  struct Metrics {
    explicit Metrics(MetricsRecorder& rec);
    std::shared_ptr<CounterHandle> runs, manifests, wals, compacted, compactions;
  };
  const Metrics metrics_;

  // One sweep at a time (held across a sweep's object-store calls; it guards no data, only
  // serializes RunOnce with the background loop). Acquired before mu_.
  util::Mutex sweep_mu_;
  mutable util::Mutex mu_ ACQUIRED_AFTER(sweep_mu_);
  bool started_ GUARDED_BY(mu_) = false;
  std::atomic<bool> stopped_{false};
  GcStats totals_ GUARDED_BY(mu_);
  // Created and started by Start(), stopped by Stop() (outside mu_: its sweeps take mu_), kept
  // until destruction. Last member: destroyed first.
  std::unique_ptr<Task> task_ GUARDED_BY(mu_);
};

}  // namespace slatedb::gc
