// object_store/metrics_object_store.h — an ObjectStore decorator that records SlateDB's
// object-store metrics for every call: slatedb.object_store.request_count, .error_count and
// .request_duration_seconds, labelled {component, store_type="main", op, api} (docs/metrics.md).
//
// Each component builds its own wrapper around the store it was given (component "db",
// "reader", "compactor" or "gc"), so one recorder shows who made which requests. The wrapper sits
// above whatever store it is given: for an s3:// store from OpenObjectStore that is the retrying
// store, so a call is counted once however many attempts it took (SlateDB counts attempts), and a
// List that pages is one request.
//
// Thread safety: as the inner store; the handles are atomics. Ownership: shares the inner store
// and the clock. Errors: exactly the inner store's (recorded in error_count when not OK).
#pragma once

#include <memory>
#include <string_view>

#include "slatedb/metrics.h"
#include "slatedb/object_store.h"
#include "util/clock.h"

namespace slatedb {

// `component` is the label value ("db", "reader", "compactor", "gc"). A null `recorder` returns
// `inner` unchanged; a null `clock` means the system clock.
std::shared_ptr<ObjectStore> NewMetricsObjectStore(std::shared_ptr<ObjectStore> inner,
                                                   const std::shared_ptr<MetricsRecorder>& recorder,
                                                   std::string_view component,
                                                   std::shared_ptr<util::Clock> clock);

}  // namespace slatedb
