// util/metrics.h — engine-side helpers over slatedb/metrics.h: a recorder whose handles do
// nothing (for components built without one), and a RAII timer for histograms.
//
// Thread safety: NoopMetricsRecorder() and its handles may be used from any thread.
// Ownership: the no-op recorder is a process-wide singleton (shared_ptr, never destroyed early).
// Errors: none.
#pragma once

#include <memory>

#include "slatedb/metrics.h"

namespace slatedb::util {

// A recorder whose handles discard every update.
std::shared_ptr<MetricsRecorder> NoopMetricsRecorder();

// `recorder`, or NoopMetricsRecorder() when it is null.
inline std::shared_ptr<MetricsRecorder> MetricsOrNoop(std::shared_ptr<MetricsRecorder> recorder) {
  return recorder ? std::move(recorder) : NoopMetricsRecorder();
}

}  // namespace slatedb::util
