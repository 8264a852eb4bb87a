#include "db/full_compaction.h"

#include <algorithm>
#include <utility>

#include "format/segments.h"
#include "format/ulid.h"

namespace slatedb::db {

Result<std::vector<std::string>> SubmitFullCompaction(const manifest::CompactionsStore& compactions,
                                                      const format::Manifest& m, uint64_t seed,
                                                      int64_t now_ms) {
  // A tree without sorted runs gets a new one above every run of every tree (run ids are unique
  // across trees); the others compact into their lowest run, as the scheduler does.
  const std::optional<uint32_t> highest = format::HighestRunId(m);
  uint32_t next_new_run = highest ? *highest + 1 : 0;
  std::vector<format::CompactionRecord> records;
  format::UlidGenerator ulids(seed);
  for (const format::ConstTreeRef& tree : format::AllTrees(m)) {
    if (tree.l0->empty() && tree.compacted->size() <= 1) continue;  // already one run
    format::CompactionRecord rec;
    rec.id = ulids.Next(now_ms);
    rec.kind = format::CompactionKind::kTiered;
    rec.segment = std::string(tree.prefix);
    rec.status = format::CompactionStatus::kSubmitted;
    for (const auto& sst : *tree.l0) rec.l0_view_ids.push_back(sst.ViewId());  // newest first
    for (const auto& run : *tree.compacted) rec.sorted_runs.push_back(run.id);
    if (rec.sorted_runs.empty()) {
      rec.destination = next_new_run++;
    } else {
      rec.destination = *std::min_element(rec.sorted_runs.begin(), rec.sorted_runs.end());
    }
    records.push_back(std::move(rec));
  }
  std::vector<std::string> ids;
  if (records.empty()) return ids;
  // Compare-and-swap onto the latest `.compactions` (the compactor writes it too).
  manifest::CompactionsStore::UpdateOptions update;
  update.max_attempts = 100;
  update.initial = [&]() -> Result<format::Compactions> {
    format::Compactions first;
    first.compactor_epoch = m.compactor_epoch;
    return first;
  };
  auto written = compactions.Update(
      [&](format::Compactions& next) -> Status {
        for (const auto& rec : records) next.recent_compactions.push_back(rec);
        return Status::OK();
      },
      update);
  if (!written.ok()) return written.status().WithContext("submitting a full compaction");
  for (const auto& rec : records) ids.push_back(rec.id.ToString());
  return ids;
}

}  // namespace slatedb::db
