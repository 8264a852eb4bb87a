// testing/test_settings.h — Settings pieces engine tests share.
//
// Thread safety: pure functions. Ownership: values. Errors: none.
#pragma once

#include <chrono>
#include <string>

#include "slatedb/options.h"

namespace slatedb::testing {

// An embedded compactor that compacts as soon as two L0 SSTs exist (at most `max_sources` per
// job), polling every `poll`.
inline CompactorOptions EagerCompactorOptions(
    std::chrono::milliseconds poll = std::chrono::milliseconds(10), int max_sources = 100) {
  CompactorOptions c;
  c.poll_interval = poll;
  c.scheduler_options["min_compaction_sources"] = "2";
  c.scheduler_options["max_compaction_sources"] = std::to_string(max_sources);
  return c;
}

}  // namespace slatedb::testing
