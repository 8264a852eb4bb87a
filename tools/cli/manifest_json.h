// cli/manifest_json.h — a manifest of a database as JSON (for `slatedb manifest`).
// Thread safety: a pure function. Errors: none (the caller reads the manifest).
#pragma once

#include <memory>
#include <string>

#include "format/manifest.h"
#include "slatedb/object_store.h"
#include "slatedb/status.h"

namespace slatedb::cli {

// The manifest as a JSON document (ids as ULID/UUID text, keys as hex).
std::string ManifestToJson(uint64_t manifest_id, const format::Manifest& manifest);

}  // namespace slatedb::cli
