// cli/manifest_json.h — the latest manifest of a database as JSON (for `slatedb manifest`).
// Reads only (LIST + GET of manifest/); never writes, so it never fences anyone.
// Errors: kNotFound "no database at <path>" when there is no manifest; kData for a corrupt one.
#pragma once

#include <memory>
#include <string>

#include "format/manifest.h"
#include "slatedb/object_store.h"
#include "slatedb/status.h"

namespace slatedb::cli {

// The manifest as a JSON document (ids as ULID/UUID text, keys as hex).
std::string ManifestToJson(uint64_t manifest_id, const format::Manifest& manifest);

Result<std::string> LatestManifestJson(const std::shared_ptr<ObjectStore>& store,
                                       const std::string& db_path);

}  // namespace slatedb::cli
