#include "cli/manifest_json.h"

#include <nlohmann/json.hpp>

#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "util/coding.h"

namespace slatedb::cli {
namespace {

using nlohmann::json;

json OptionalHex(const std::optional<std::string>& s) {
  return s ? json(util::ToHex(*s)) : json(nullptr);
}

json SstToJson(const format::SstHandle& sst) {
  const auto& i = sst.info;
  json info = {{"first_entry", OptionalHex(i.first_entry)},
               {"last_entry", OptionalHex(i.last_entry)},
               {"index_offset", i.index_offset},
               {"index_len", i.index_len},
               {"filter_offset", i.filter_offset},
               {"filter_len", i.filter_len},
               {"stats_offset", i.stats_offset},
               {"stats_len", i.stats_len},
               {"compression_format", static_cast<int>(i.compression)},
               {"sst_type", static_cast<int>(i.sst_type)}};
  json j = {{"id", sst.id.ToString()}, {"info", info}};
  j["format_version"] = sst.format_version ? json(*sst.format_version) : json(nullptr);
  j["visible_range"] = sst.visible_range ? json("present") : json(nullptr);
  return j;
}

}  // namespace

std::string ManifestToJson(uint64_t manifest_id, const format::Manifest& m) {
  // One tree's L0 list and sorted runs (the root's and each segment's).
  auto ssts_json = [](const std::vector<format::SstHandle>& ssts) {
    json out = json::array();
    for (const auto& sst : ssts) out.push_back(SstToJson(sst));
    return out;
  };
  auto runs_json = [&](const std::vector<format::SortedRun>& runs) {
    json out = json::array();
    for (const auto& run : runs) out.push_back({{"id", run.id}, {"ssts", ssts_json(run.ssts)}});
    return out;
  };
  json l0 = ssts_json(m.l0);
  json compacted = runs_json(m.compacted);
  // Named segments (RFC-0024): prefix (hex), L0 count and runs per tree, plus the SSTs.
  json segments = json::array();
  for (const auto& s : m.segments) {
    json seg_l0 = ssts_json(s.l0);
    json seg_runs = runs_json(s.compacted);
    segments.push_back({{"prefix", util::ToHex(s.prefix)},
                        {"l0_count", s.l0.size()},
                        {"sorted_runs", s.compacted.size()},
                        {"l0_last_compacted", s.last_compacted_l0_view_id
                                                  ? json(s.last_compacted_l0_view_id->ToString())
                                                  : json(nullptr)},
                        {"l0", seg_l0},
                        {"compacted", seg_runs}});
  }
  json checkpoints = json::array();
  for (const auto& c : m.checkpoints) {
    checkpoints.push_back({{"id", c.id.ToString()},
                           {"manifest_id", c.manifest_id},
                           {"expire_time_s", c.expire_time_s},
                           {"create_time_s", c.create_time_s},
                           {"name", c.name ? json(*c.name) : json(nullptr)}});
  }
  json j = {{"manifest_id", manifest_id},
            {"initialized", m.initialized},
            {"writer_epoch", m.writer_epoch},
            {"compactor_epoch", m.compactor_epoch},
            {"replay_after_wal_id", m.replay_after_wal_id},
            {"wal_id_last_seen", m.wal_id_last_seen},
            {"l0_last_compacted",
             m.l0_last_compacted ? json(m.l0_last_compacted->ToString()) : json(nullptr)},
            {"l0", l0},
            {"compacted", compacted},
            {"last_l0_clock_tick", m.last_l0_clock_tick},
            {"checkpoints", checkpoints},
            {"last_l0_seq", m.last_l0_seq},
            {"recent_snapshot_min_seq", m.recent_snapshot_min_seq},
            {"wal_object_store_uri",
             m.wal_object_store_uri ? json(*m.wal_object_store_uri) : json(nullptr)},
            {"segments", segments},
            {"segment_extractor_name",
             m.segment_extractor_name ? json(*m.segment_extractor_name) : json(nullptr)}};
  return j.dump(1);
}

}  // namespace slatedb::cli
