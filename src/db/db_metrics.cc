// db/db_metrics.cc — see db_metrics.h.
#include "db/db_metrics.h"

#include <string>

namespace slatedb::db {
namespace {

constexpr std::string_view kRequestCount = "slatedb.db.request_count";
constexpr std::string_view kRequestHelp = "Database API calls by operation";

std::shared_ptr<CounterHandle> Requests(MetricsRecorder& rec, const char* op) {
  return rec.RegisterCounter(kRequestCount, kRequestHelp, {{"op", op}});
}

}  // namespace

ReadMetrics::ReadMetrics(MetricsRecorder& rec)
    : get_requests(Requests(rec, "get")),
      scan_requests(Requests(rec, "scan")),
      l0_sst_count(rec.RegisterGauge("slatedb.db.l0_sst_count", "L0 SSTs in the manifest", {})),
      sorted_run_count(
          rec.RegisterGauge("slatedb.db.sorted_run_count", "Sorted runs in the manifest", {})) {}

DbMetrics::DbMetrics(MetricsRecorder& rec)
    : read(rec),
      put_requests(Requests(rec, "put")),
      delete_requests(Requests(rec, "delete")),
      merge_requests(Requests(rec, "merge")),
      write_requests(Requests(rec, "write")),
      flush_requests(Requests(rec, "flush")),
      write_ops(rec.RegisterCounter("slatedb.db.write_ops",
                                    "Rows written (puts, deletes and merge operands)", {})),
      write_batch_count(rec.RegisterCounter("slatedb.db.write_batch_count",
                                            "Write batches applied to the memtable", {})),
      backpressure_count(rec.RegisterCounter(
          "slatedb.db.backpressure_count",
          "Writes that stalled because max_unflushed_bytes were not yet in L0", {})),
      l0_stall_count(rec.RegisterCounter("slatedb.db.l0_stall_count",
                                         "L0 flusher waits for L0 room (l0_max_ssts reached)",
                                         {{"type", "num_ssts"}})),
      immutable_memtable_flushes(rec.RegisterCounter("slatedb.db.immutable_memtable_flushes",
                                                     "Immutable memtables flushed to L0", {})),
      l0_flush_bytes(
          rec.RegisterCounter("slatedb.db.l0_flush_bytes", "Bytes of L0 SSTs written", {})),
      total_mem_size_bytes(rec.RegisterGauge(
          "slatedb.db.total_mem_size_bytes",
          "Estimated bytes in the memtable and immutable memtables (not yet in L0)", {})),
      wal_buffer_flushes(rec.RegisterCounter("slatedb.wal.wal_buffer_flushes",
                                             "WAL SSTs uploaded from the WAL buffer", {})),
      wal_buffer_flush_requests(rec.RegisterCounter("slatedb.wal.wal_buffer_flush_requests",
                                                    "Explicit requests to flush the WAL buffer",
                                                    {})),
      wal_flush_bytes(rec.RegisterCounter("slatedb.wal.wal_flush_bytes",
                                          "Estimated row bytes uploaded in WAL SSTs", {})),
      wal_buffer_estimated_bytes(rec.RegisterGauge("slatedb.wal.wal_buffer_estimated_bytes",
                                                   "Estimated bytes in the WAL buffer", {})),
      wal_upload_bytes(rec.RegisterGauge(
          "slatedb.wal.wal_upload_bytes",
          "Estimated bytes of the WAL SST being uploaded (counted by backpressure)", {})),
      memtable_freeze_count(rec.RegisterCounter("slatedb.memtable_flush.memtable_freeze_count",
                                                "Memtables frozen (made immutable)", {})),
      memtable_flush_requests(rec.RegisterCounter("slatedb.memtable_flush.flush_request_count",
                                                  "Explicit memtable flush requests", {})),
      manifest_refresh_count(rec.RegisterCounter("slatedb.memtable_flush.manifest_refresh_count",
                                                 "Manifest re-reads by the writer", {})) {}

std::shared_ptr<MetricsRecorder> RecorderOrDefault(std::shared_ptr<MetricsRecorder> injected) {
  if (injected) return injected;
  return std::make_shared<DefaultMetricsRecorder>();
}

Result<MetricsSnapshot> SnapshotOf(const std::shared_ptr<MetricsRecorder>& rec) {
  const auto* def = dynamic_cast<const DefaultMetricsRecorder*>(rec.get());
  if (def == nullptr) {
    return Status::Invalid(
        "Components.metrics_recorder is not a DefaultMetricsRecorder: read the metrics from the "
        "recorder you injected");
  }
  return def->Snapshot();
}

}  // namespace slatedb::db
