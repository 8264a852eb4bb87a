// table/sst_writer.h — build an SST and upload it.
//
// Compacted SSTs (L0, sorted runs) are written with an unconditional Put (their ULID names are
// unique); WAL SSTs and fences with PutIfAbsent, so kAlreadyExists means "fenced" (docs/format.md
// §6.1). Thread safety: pure functions over a thread-safe ObjectStore. Ownership: the caller keeps
// the store; the returned EncodedSst owns its bytes.
// Errors: kInvalid for rows the builder rejects (order, keys); object-store errors unchanged
// (kAlreadyExists for an existing WAL object).
#pragma once

#include <string_view>
#include <vector>

#include "format/sst.h"
#include "slatedb/object_store.h"

namespace slatedb::table {

// Uploads an already-built SST according to its type.
Status UploadSst(ObjectStore& store, std::string_view object_key, const format::EncodedSst& sst);

// Builds from `rows` (see SstBuilder::Add for the order) and uploads; returns the built SST
// (bytes, info, row count) so the caller can record the info in the manifest.
Result<format::EncodedSst> WriteSst(ObjectStore& store, std::string_view object_key,
                                    const std::vector<format::RowEntry>& rows,
                                    const format::SstBuilderOptions& options);

}  // namespace slatedb::table
