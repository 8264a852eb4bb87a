// object_store/memory_object_store.h — the in-process object store (`memory:///`).
//
// What: a std::map of objects behind one mutex; etags are "m<counter>" (unique per store),
// user metadata is kept, last_modified comes from the injected clock. NewMemoryObjectStore() in
// slatedb/object_store.h uses the system clock; this overload lets tests inject one.
// Thread safety: every method may be called concurrently (one mutex; conditional writes are
// atomic). Ownership: shared; the store owns its objects.
// Errors: kNotFound, kAlreadyExists, kPreconditionFailed, kInvalid (bad key/range/metadata).
#pragma once

#include <memory>

#include "slatedb/object_store.h"
#include "util/clock.h"

namespace slatedb {

std::shared_ptr<ObjectStore> NewMemoryObjectStore(std::shared_ptr<util::Clock> clock);

}  // namespace slatedb
