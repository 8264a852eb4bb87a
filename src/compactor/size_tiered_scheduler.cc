// compactor/size_tiered_scheduler.cc — see size_tiered_scheduler.h.
#include "compactor/size_tiered_scheduler.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>

#include "format/segments.h"
#include "util/printable.h"

namespace slatedb::compactor {

uint64_t SstSize(const format::SstInfo& info) {
  uint64_t end = info.filter_offset + info.filter_len;
  end = std::max(end, info.index_offset + info.index_len);
  end = std::max(end, info.stats_offset + info.stats_len);
  return end;
}

uint64_t RunSize(const format::SortedRun& run) {
  uint64_t total = 0;
  for (const auto& sst : run.ssts) total += SstSize(sst.info);
  return total;
}

std::string SpecToString(const CompactionSpec& spec) {
  std::string out = "l0=[";
  for (size_t i = 0; i < spec.l0_ids.size(); ++i) {
    if (i > 0) out += ",";
    out += spec.l0_ids[i].ToString();
  }
  out += "] runs=[";
  for (size_t i = 0; i < spec.run_ids.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(spec.run_ids[i]);
  }
  out += "] -> " + std::to_string(spec.destination);
  if (!spec.segment.empty()) out += " segment=" + util::PrintableKey(spec.segment);
  return out;
}

namespace {

Result<double> ParseNumber(const std::string& key, const std::string& value) {
  if (value.empty()) return Status::Invalid("scheduler option " + key + ": empty value");
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(value.c_str(), &end);
  if (errno != 0 || end != value.c_str() + value.size() || !std::isfinite(v)) {
    return Status::Invalid("scheduler option " + key + ": not a number: '" + value + "'");
  }
  return v;
}

Result<size_t> ParseCount(const std::string& key, const std::string& value) {
  ASSIGN_OR_RETURN(double v, ParseNumber(key, value));
  if (v < 0 || v != std::floor(v) || v > 1e6) {
    return Status::Invalid("scheduler option " + key + ": not a count: '" + value + "'");
  }
  return static_cast<size_t>(v);
}

}  // namespace

Result<SizeTieredOptions> ParseSchedulerOptions(const std::map<std::string, std::string>& options) {
  SizeTieredOptions out;
  for (const auto& [key, value] : options) {
    if (key == "min_compaction_sources") {
      ASSIGN_OR_RETURN(out.min_compaction_sources, ParseCount(key, value));
    } else if (key == "max_compaction_sources") {
      ASSIGN_OR_RETURN(out.max_compaction_sources, ParseCount(key, value));
    } else if (key == "include_size_threshold") {
      ASSIGN_OR_RETURN(out.include_size_threshold, ParseNumber(key, value));
      if (out.include_size_threshold <= 0) {
        return Status::Invalid("scheduler option include_size_threshold must be > 0: '" + value +
                               "'");
      }
    } else {
      return Status::Invalid("unknown scheduler option '" + key + "'");
    }
  }
  if (out.min_compaction_sources < 2) {
    return Status::Invalid("scheduler option min_compaction_sources must be >= 2, got " +
                           std::to_string(out.min_compaction_sources));
  }
  if (out.max_compaction_sources < out.min_compaction_sources) {
    return Status::Invalid(
        "scheduler option max_compaction_sources (" + std::to_string(out.max_compaction_sources) +
        ") is below min_compaction_sources (" + std::to_string(out.min_compaction_sources) + ")");
  }
  return out;
}

std::vector<CompactionSpec> PickCompactions(const format::Manifest& manifest,
                                            const std::vector<CompactionSpec>& running,
                                            const SizeTieredOptions& options) {
  std::vector<CompactionSpec> out;
  bool l0_busy = false;
  std::set<uint32_t> busy_runs;
  for (const auto& spec : running) {
    if (!spec.l0_ids.empty()) l0_busy = true;
    busy_runs.insert(spec.run_ids.begin(), spec.run_ids.end());
  }

  // L0 → new run.
  if (!l0_busy && manifest.l0.size() >= options.min_compaction_sources) {
    size_t take = std::min(manifest.l0.size(), options.max_compaction_sources);
    CompactionSpec spec;
    for (size_t i = manifest.l0.size() - take; i < manifest.l0.size(); ++i) {
      spec.l0_ids.push_back(manifest.l0[i].id);
    }
    uint32_t highest = 0;
    bool any = false;
    for (const auto& run : manifest.compacted) {
      highest = any ? std::max(highest, run.id) : run.id;
      any = true;
    }
    spec.destination = any ? highest + 1 : 0;
    out.push_back(std::move(spec));
  }

  // Sorted runs of similar size → the lowest id among them.
  const auto& runs = manifest.compacted;
  size_t i = 0;
  while (i < runs.size()) {
    if (busy_runs.count(runs[i].id) > 0) {
      ++i;
      continue;
    }
    std::vector<size_t> group = {i};
    double total = static_cast<double>(RunSize(runs[i]));
    size_t j = i + 1;
    while (j < runs.size() && group.size() < options.max_compaction_sources &&
           busy_runs.count(runs[j].id) == 0 &&
           static_cast<double>(RunSize(runs[j])) <= options.include_size_threshold * total) {
      group.push_back(j);
      total += static_cast<double>(RunSize(runs[j]));
      ++j;
    }
    if (group.size() >= options.min_compaction_sources) {
      CompactionSpec spec;
      uint32_t lowest = runs[group.front()].id;
      for (size_t g : group) {
        spec.run_ids.push_back(runs[g].id);
        lowest = std::min(lowest, runs[g].id);
      }
      spec.destination = lowest;
      out.push_back(std::move(spec));
      i = j;
    } else {
      ++i;
    }
  }
  return out;
}

std::vector<CompactionSpec> PickSegmentedCompactions(const format::Manifest& manifest,
                                                     const std::vector<CompactionSpec>& running,
                                                     const SizeTieredOptions& options) {
  if (manifest.segments.empty()) return PickCompactions(manifest, running, options);
  struct TreePicks {
    std::string prefix;
    size_t l0 = 0;
    std::vector<CompactionSpec> picks;
  };
  std::vector<TreePicks> trees;
  for (const format::ConstTreeRef& tree : format::AllTrees(manifest)) {
    TreePicks t;
    t.prefix = std::string(tree.prefix);
    t.l0 = tree.l0->size();
    std::vector<CompactionSpec> busy;
    for (const auto& spec : running) {
      if (spec.segment == t.prefix) busy.push_back(spec);
    }
    const std::optional<format::Manifest> view = format::WithTreeAsRoot(manifest, t.prefix);
    if (!view) continue;
    t.picks = PickCompactions(*view, busy, options);
    for (auto& spec : t.picks) spec.segment = t.prefix;
    if (!t.picks.empty()) trees.push_back(std::move(t));
  }
  // Most L0 SSTs first (the tree nearest to L0 backpressure), ties by prefix.
  std::stable_sort(trees.begin(), trees.end(),
                   [](const TreePicks& a, const TreePicks& b) { return a.l0 > b.l0; });
  // A new run's id is above every run of every tree and every running compaction's destination.
  uint32_t next = 0;
  if (auto highest = format::HighestRunId(manifest)) next = *highest + 1;
  for (const auto& spec : running) next = std::max(next, spec.destination + 1);
  // Round robin: each tree's first pick, then each tree's second, ...
  std::vector<CompactionSpec> out;
  for (size_t round = 0;; ++round) {
    bool any = false;
    for (auto& t : trees) {
      if (round >= t.picks.size()) continue;
      any = true;
      CompactionSpec spec = std::move(t.picks[round]);
      if (spec.run_ids.empty()) spec.destination = next++;  // L0 only: a new run
      out.push_back(std::move(spec));
    }
    if (!any) break;
  }
  return out;
}

}  // namespace slatedb::compactor
