// db/full_compaction.h — the manual full compaction behind Admin::SubmitFullCompaction and
// Db::SubmitFullCompaction.
//
// What: for each tree of `m` (the root, then each segment) holding any L0 SST or more than one
// sorted run, one Submitted tiered compaction of all its L0 SSTs (newest first) and all its runs
// into its lowest run (or, without runs, a new run above every run of every tree), appended to
// the latest `.compactions` by compare-and-swap. The compactor validates and runs them like any
// submitted compaction.
// Thread safety: a free function; concurrent submitters race through the CAS.
// Ownership: borrows its arguments.
// Errors: the store's; kInvalid after 100 lost races. Returns the compactions' ids (ULIDs); none
// when every tree already is one sorted run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/manifest.h"
#include "manifest/manifest_store.h"
#include "slatedb/status.h"

namespace slatedb::db {

Result<std::vector<std::string>> SubmitFullCompaction(const manifest::CompactionsStore& compactions,
                                                      const format::Manifest& m, uint64_t seed,
                                                      int64_t now_ms);

}  // namespace slatedb::db
