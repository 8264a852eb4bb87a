// db/db_metrics.h — the handles a Db (DbMetrics) and a DbReader (ReaderMetrics) update, with
// SlateDB's names (slatedb.db.*, slatedb.wal.*, slatedb.memtable_flush.*; docs/metrics.md).
//
// Thread safety: the handles are thread-safe (atomics in DefaultMetricsRecorder); the structs
// are built once and then only read. Ownership: the structs share the handles with the recorder.
// Errors: none.
#pragma once

#include <memory>

#include "format/manifest.h"
#include "slatedb/metrics.h"
#include "slatedb/status.h"

namespace slatedb::db {

// Read-side series, registered by both a Db and a DbReader.
struct ReadMetrics {
  explicit ReadMetrics(MetricsRecorder& rec);
  // Sets l0_sst_count and sorted_run_count from `m`.
  void SetManifestGauges(const format::Manifest& m) const {
    l0_sst_count->Set(static_cast<int64_t>(m.l0.size()));
    sorted_run_count->Set(static_cast<int64_t>(m.compacted.size()));
  }
  std::shared_ptr<CounterHandle> get_requests;   // request_count{op=get}
  std::shared_ptr<CounterHandle> scan_requests;  // request_count{op=scan}
  std::shared_ptr<GaugeHandle> l0_sst_count;
  std::shared_ptr<GaugeHandle> sorted_run_count;
};

struct DbMetrics {
  explicit DbMetrics(MetricsRecorder& rec);
  ReadMetrics read;
  std::shared_ptr<CounterHandle> put_requests;     // request_count{op=put}
  std::shared_ptr<CounterHandle> delete_requests;  // request_count{op=delete}
  std::shared_ptr<CounterHandle> merge_requests;   // request_count{op=merge}
  std::shared_ptr<CounterHandle> write_requests;   // request_count{op=write}
  std::shared_ptr<CounterHandle> flush_requests;   // request_count{op=flush}
  std::shared_ptr<CounterHandle> write_ops;
  std::shared_ptr<CounterHandle> write_batch_count;
  std::shared_ptr<CounterHandle> backpressure_count;
  std::shared_ptr<CounterHandle> l0_stall_count;  // l0_stall_count{type=num_ssts}
  std::shared_ptr<CounterHandle> immutable_memtable_flushes;
  std::shared_ptr<CounterHandle> l0_flush_bytes;
  std::shared_ptr<GaugeHandle> total_mem_size_bytes;
  std::shared_ptr<CounterHandle> wal_buffer_flushes;
  std::shared_ptr<CounterHandle> wal_buffer_flush_requests;
  std::shared_ptr<CounterHandle> wal_flush_bytes;
  std::shared_ptr<GaugeHandle> wal_buffer_estimated_bytes;
  std::shared_ptr<GaugeHandle> wal_upload_bytes;
  std::shared_ptr<CounterHandle> memtable_freeze_count;
  std::shared_ptr<CounterHandle> memtable_flush_requests;  // memtable_flush.flush_request_count
  std::shared_ptr<CounterHandle> manifest_refresh_count;
};

// The recorder a Db / DbReader uses: `injected`, or a new private DefaultMetricsRecorder.
std::shared_ptr<MetricsRecorder> RecorderOrDefault(std::shared_ptr<MetricsRecorder> injected);
// Db::Metrics / DbReader::Metrics: the snapshot of `rec` if it is a DefaultMetricsRecorder,
// else kInvalid.
Result<MetricsSnapshot> SnapshotOf(const std::shared_ptr<MetricsRecorder>& rec);

}  // namespace slatedb::db
