#include "cli/official_cmd.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "config/duration.h"
#include "format/compactions_codec.h"
#include "format/manifest.h"
#include "format/sequence_tracker.h"
#include "format/ulid.h"
#include "gc/garbage_collector.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "slatedb/admin.h"
#include "slatedb/object_store.h"
#include "util/clock.h"
#include "util/coding.h"
#include "util/random.h"

namespace slatedb::cli {
namespace {

using Json = nlohmann::ordered_json;

int Fail(const Status& s) {
  std::cerr << "error: " << s.ToString() << "\n";
  return 1;
}

// ---- store from the environment ----

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  const size_t end = s.find_last_not_of(ws);
  s.erase(end == std::string::npos ? 0 : end + 1);
  return s;
}

// KEY=VALUE lines (dotenv): blank lines and '#' comments skipped, an optional "export " prefix,
// values optionally in single or double quotes. A variable already set is left alone.
Status LoadDotenv(const std::string& file, bool required) {
  std::ifstream in(file);
  if (!in) {
    if (!required) return Status::OK();
    return Status::Invalid("--env-file '" + file + "' cannot be read");
  }
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = Trim(line.substr(7));
    const size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::Invalid("env file '" + file + "' line " + std::to_string(line_no) +
                             ": expected KEY=VALUE");
    }
    const std::string key = Trim(line.substr(0, eq));
    std::string value = Trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'') && value.back() == value[0]) {
      value = value.substr(1, value.size() - 2);
    } else if (const size_t hash = value.find(" #"); hash != std::string::npos) {
      value = Trim(value.substr(0, hash));
    }
    setenv(key.c_str(), value.c_str(), /*overwrite=*/0);
  }
  return Status::OK();
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// ---- JSON in slatedb-cli's (serde) shapes ----

Json BytesJson(const std::string& bytes) {
  Json a = Json::array();
  for (unsigned char c : bytes) a.push_back(static_cast<int>(c));
  return a;
}

Json OptBytes(const std::optional<std::string>& b) { return b ? BytesJson(*b) : Json(nullptr); }

Json OptUlid(const std::optional<format::Ulid>& u) {
  return u ? Json(u->ToString()) : Json(nullptr);
}

// serde's Bound<Bytes>: {"Included": [..]}, {"Excluded": [..]} or "Unbounded".
Json BoundJson(const format::BytesBound& b) {
  if (b.type == format::BoundType::kIncluded) return Json{{"Included", OptBytes(b.key)}};
  if (b.type == format::BoundType::kExcluded) return Json{{"Excluded", OptBytes(b.key)}};
  return "Unbounded";
}

Json RangeJson(const format::BytesRange& r) {
  return Json{{"start_bound", BoundJson(r.start)}, {"end_bound", BoundJson(r.end)}};
}

const char* CodecName(format::CompressionCodec c) {
  switch (c) {
    case format::CompressionCodec::kSnappy:
      return "Snappy";
    case format::CompressionCodec::kZlib:
      return "Zlib";
    case format::CompressionCodec::kLz4:
      return "Lz4";
    case format::CompressionCodec::kZstd:
      return "Zstd";
    case format::CompressionCodec::kNone:
      break;
  }
  return nullptr;
}

Json InfoJson(const format::SstInfo& i) {
  const char* codec = CodecName(i.compression);
  return Json{{"first_entry", OptBytes(i.first_entry)},
              {"last_entry", OptBytes(i.last_entry)},
              {"index_offset", i.index_offset},
              {"index_len", i.index_len},
              {"filter_offset", i.filter_offset},
              {"filter_len", i.filter_len},
              {"compression_codec", codec ? Json(codec) : Json(nullptr)},
              {"sst_type", i.sst_type == format::SstType::kWal ? "Wal" : "Compacted"},
              {"stats_offset", i.stats_offset},
              {"stats_len", i.stats_len},
              {"filter_format",
               i.filter_format == format::FilterFormat::kComposite ? "Composite" : "Legacy"}};
}

Json HandleJson(const format::SstHandle& h) {
  return Json{{"id", Json{{"Compacted", h.id.ToString()}}},
              {"format_version", h.format_version.value_or(1)},
              {"info", InfoJson(h.info)}};
}

// SsTableView: the view id, the physical SST, the projection and the effective range (the
// SST's [first_entry, last_entry] cut by the projection; here: the projection when present).
Json ViewJson(const format::SstHandle& h) {
  format::BytesRange physical;
  if (h.info.first_entry) {
    physical.start = {format::BoundType::kIncluded, h.info.first_entry};
    physical.end = h.info.last_entry
                       ? format::BytesBound{format::BoundType::kIncluded, h.info.last_entry}
                       : format::BytesBound{};
  }
  return Json{{"id", h.ViewId().ToString()},
              {"sst", HandleJson(h)},
              {"visible_range", h.visible_range ? RangeJson(*h.visible_range) : Json(nullptr)},
              {"effective_range", RangeJson(h.visible_range.value_or(physical))}};
}

Json TreeJson(const std::optional<format::Ulid>& last_compacted,
              const std::vector<format::SstHandle>& l0,
              const std::vector<format::SortedRun>& compacted, Json into) {
  into["last_compacted_l0_sst_view_id"] = OptUlid(last_compacted);
  // Our manifest keeps the view id only; for SSTs we wrote (and V1 manifests) it is the SST id.
  into["last_compacted_l0_sst_id"] = OptUlid(last_compacted);
  Json l0_json = Json::array();
  for (const auto& h : l0) l0_json.push_back(ViewJson(h));
  into["l0"] = std::move(l0_json);
  Json runs = Json::array();
  for (const auto& run : compacted) {
    Json views = Json::array();
    for (const auto& h : run.ssts) views.push_back(ViewJson(h));
    runs.push_back(Json{{"id", run.id}, {"sst_views", std::move(views)}});
  }
  into["compacted"] = std::move(runs);
  return into;
}

// RFC 3339 UTC with whole seconds ("2026-12-01T18:00:00Z"), as chrono serializes DateTime<Utc>.
std::string Rfc3339(int64_t unix_s, const char* zone = "Z") {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buf) + zone;
}

// VersionedManifest: {"id", then the manifest flattened: external_dbs, core (initialized, the
// root tree, segments, WAL ids, ticks, tracker bytes, checkpoints, wal uri), epochs}.
Json ManifestJson(uint64_t id, const format::Manifest& m) {
  Json j;
  j["id"] = id;
  Json ext = Json::array();
  for (const auto& e : m.external_dbs) {
    Json ssts = Json::array();
    for (const auto& s : e.sst_ids) ssts.push_back(Json{{"Compacted", s.ToString()}});
    ext.push_back(
        Json{{"path", e.path},
             {"source_checkpoint_id", e.source_checkpoint_id.ToString()},
             {"final_checkpoint_id",
              e.final_checkpoint_id ? Json(e.final_checkpoint_id->ToString()) : Json(nullptr)},
             {"sst_ids", std::move(ssts)}});
  }
  j["external_dbs"] = std::move(ext);
  j["initialized"] = m.initialized;
  j = TreeJson(m.l0_last_compacted, m.l0, m.compacted, std::move(j));
  Json segments = Json::array();
  for (const auto& s : m.segments) {
    segments.push_back(
        Json{{"prefix", BytesJson(s.prefix)},
             {"tree", TreeJson(s.last_compacted_l0_view_id, s.l0, s.compacted, Json::object())}});
  }
  j["segments"] = std::move(segments);
  j["segment_extractor_name"] =
      m.segment_extractor_name ? Json(*m.segment_extractor_name) : Json(nullptr);
  j["next_wal_sst_id"] = m.wal_id_last_seen + 1;
  j["replay_after_wal_id"] = m.replay_after_wal_id;
  j["last_l0_clock_tick"] = m.last_l0_clock_tick;
  j["last_l0_seq"] = m.last_l0_seq;
  j["recent_snapshot_min_seq"] = m.recent_snapshot_min_seq;
  j["sequence_tracker"] = BytesJson(m.sequence_tracker);
  Json cps = Json::array();
  for (const auto& c : m.checkpoints) {
    cps.push_back(Json{{"id", c.id.ToString()},
                       {"manifest_id", c.manifest_id},
                       {"expire_time", c.expire_time_s ? Json(Rfc3339(c.expire_time_s)) : Json()},
                       {"create_time", Rfc3339(c.create_time_s)},
                       {"name", c.name ? Json(*c.name) : Json(nullptr)}});
  }
  j["checkpoints"] = std::move(cps);
  j["wal_object_store_uri"] = m.wal_object_store_uri ? Json(*m.wal_object_store_uri) : Json();
  j["writer_epoch"] = m.writer_epoch;
  j["compactor_epoch"] = m.compactor_epoch;
  return j;
}

// Compaction: {"id", "spec": {"Tiered": {segment, sources, destination}}, "bytes_processed",
// "status", "output_ssts", "worker", "ctx"}.
Json CompactionJson(const format::CompactionRecord& r) {
  {
    Json sources = Json::array();
    for (uint32_t run : r.sorted_runs) sources.push_back(Json{{"SortedRun", run}});
    for (const auto& v : r.l0_view_ids) sources.push_back(Json{{"SstView", v.ToString()}});
    Json spec;
    if (r.kind == format::CompactionKind::kDrainSegment) {
      spec["DrainSegment"] = Json{{"segment", BytesJson(r.segment)}, {"sources", sources}};
    } else {
      spec["Tiered"] = Json{{"segment", BytesJson(r.segment)},
                            {"sources", sources},
                            {"destination", r.destination ? Json(*r.destination) : Json()}};
    }
    Json outputs = Json::array();
    for (const auto& h : r.output_ssts) outputs.push_back(HandleJson(h));
    Json ctx;
    if (r.ctx) {
      Json subs = Json::array();
      for (const auto& s : r.ctx->subcompactions) {
        Json outs = Json::array();
        for (const auto& h : s.output_ssts) outs.push_back(HandleJson(h));
        subs.push_back(Json{{"range", RangeJson(s.range)}, {"output_ssts", std::move(outs)}});
      }
      ctx = Json{{"subcompactions", std::move(subs)},
                 {"retention_min_seq", r.ctx->retention_min_seq}};
    }
    return Json{{"id", r.id.ToString()},
                {"spec", std::move(spec)},
                {"bytes_processed", 0},  // not stored in `.compactions`
                {"status", format::CompactionStatusName(r.status)},
                {"output_ssts", std::move(outputs)},
                {"worker", r.worker ? Json{{"worker_id", r.worker->worker_id},
                                           {"last_heartbeat_ms", r.worker->last_heartbeat_ms}}
                                    : Json()},
                {"ctx", std::move(ctx)}};
  }
}

// VersionedCompactions: {"id", "compactor_epoch", "recent_compactions": {ULID: Compaction}}.
Json CompactionsJson(uint64_t id, const format::Compactions& c) {
  Json recent = Json::object();
  for (const auto& r : c.recent_compactions) recent[r.id.ToString()] = CompactionJson(r);
  return Json{{"id", id}, {"compactor_epoch", c.compactor_epoch}, {"recent_compactions", recent}};
}

// slatedb-cli's CompactionRequest JSON → the record to submit (status Submitted, id unset).
// "Full" / {"FullSegment":{"segment":[bytes]}}: every sorted run (of the root tree, or of that
// named segment) into the lowest-id one (L0 SSTs are
// left to the regular scheduler, as SlateDB 0.13+ does). {"Spec":{"sources":[{"SortedRun":N} |
// {"SstView":"ULID"} | {"Sst":"ULID"}], "destination":N}}: exactly those sources.
Result<format::CompactionRecord> RequestToRecord(const std::string& text,
                                                 const format::Manifest& m) {
  Json req;
  try {
    req = Json::parse(text);
  } catch (const std::exception& e) {
    return Status::Invalid(std::string("--request: invalid compaction request JSON: ") + e.what());
  }
  format::CompactionRecord rec;
  rec.status = format::CompactionStatus::kSubmitted;
  bool full = req.is_string() && req.get<std::string>() == "Full";
  if (req.is_object() && req.size() == 1 && req.contains("FullSegment")) {
    const Json& seg = req["FullSegment"];
    if (!seg.is_object() || !seg.contains("segment") || !seg["segment"].is_array()) {
      return Status::Invalid("--request: FullSegment needs {\"segment\": [bytes]}");
    }
    std::string prefix;
    for (const Json& b : seg["segment"]) {
      if (!b.is_number_unsigned() || b.get<uint64_t>() > 255) {
        return Status::Invalid("--request: FullSegment segment must be an array of bytes");
      }
      prefix.push_back(static_cast<char>(b.get<uint64_t>()));
    }
    if (!prefix.empty()) {
      // A named segment (RFC-0024): every sorted run of its tree into the lowest-id one.
      auto at = std::find_if(m.segments.begin(), m.segments.end(),
                             [&](const format::Segment& s) { return s.prefix == prefix; });
      if (at == m.segments.end()) {
        return Status::Invalid("--request FullSegment: no segment " + util::ToHex(prefix));
      }
      if (at->compacted.empty()) {
        return Status::Invalid("--request FullSegment: segment " + util::ToHex(prefix) +
                               " has no sorted runs to compact");
      }
      rec.segment = prefix;
      uint32_t lowest = at->compacted.front().id;
      for (const auto& run : at->compacted) {
        rec.sorted_runs.push_back(run.id);
        lowest = std::min(lowest, run.id);
      }
      rec.destination = lowest;
      return rec;
    }
    full = true;
  }
  if (full) {
    if (m.compacted.empty()) {
      return Status::Invalid("--request \"Full\": the database has no sorted runs to compact");
    }
    uint32_t lowest = m.compacted.front().id;
    for (const auto& run : m.compacted) {
      rec.sorted_runs.push_back(run.id);
      lowest = std::min(lowest, run.id);
    }
    rec.destination = lowest;
    return rec;
  }
  if (!req.is_object() || req.size() != 1 || !req.contains("Spec") || !req["Spec"].is_object()) {
    return Status::Invalid(
        "--request: expected \"Full\", {\"FullSegment\":...} or "
        "{\"Spec\":{\"sources\":[...],\"destination\":N}}, got " +
        req.dump());
  }
  const Json& spec = req["Spec"];
  if (!spec.contains("sources") || !spec["sources"].is_array() || !spec.contains("destination") ||
      !spec["destination"].is_number_unsigned()) {
    return Status::Invalid(
        "--request: Spec needs \"sources\" (array) and \"destination\" (run id)");
  }
  for (const Json& src : spec["sources"]) {
    if (src.is_object() && src.size() == 1 && src.contains("SortedRun") &&
        src["SortedRun"].is_number_unsigned()) {
      rec.sorted_runs.push_back(src["SortedRun"].get<uint32_t>());
      continue;
    }
    const char* key = src.is_object() && src.contains("SstView") ? "SstView" : "Sst";
    if (!src.is_object() || src.size() != 1 || !src.contains(key) || !src[key].is_string()) {
      return Status::Invalid("--request: bad source " + src.dump() +
                             " (expected {\"SortedRun\":N} or {\"SstView\":\"ULID\"})");
    }
    auto id = format::Ulid::Parse(src[key].get<std::string>());
    if (!id.ok()) return id.status().WithContext("--request source " + src.dump());
    rec.l0_view_ids.push_back(*id);
  }
  rec.destination = spec["destination"].get<uint32_t>();
  return rec;
}

bool InRange(uint64_t id, const std::optional<uint64_t>& start,
             const std::optional<uint64_t>& end) {
  return (!start || id >= *start) && (!end || id < *end);
}

}  // namespace

Result<std::string> StoreUrlFromEnv(const std::optional<std::string>& env_file) {
  RETURN_IF_ERROR(LoadDotenv(env_file.value_or(".env"), env_file.has_value()));
  std::string provider = Env("CLOUD_PROVIDER");
  if (provider.empty()) {
    return Status::Invalid(
        "no --url given and CLOUD_PROVIDER is not set (local, memory or aws; see --env-file)");
  }
  for (auto& c : provider) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (provider == "memory") return std::string("memory:///");
  if (provider == "local") {
    const std::string local = Env("LOCAL_PATH");
    if (local.empty()) return Status::Invalid("CLOUD_PROVIDER=local needs LOCAL_PATH");
    std::error_code ec;
    const auto abs = std::filesystem::absolute(local, ec);
    if (ec) return Status::Invalid("LOCAL_PATH '" + local + "': " + ec.message());
    return "file://" + abs.lexically_normal().string();
  }
  if (provider == "aws") {
    std::string bucket = Env("AWS_BUCKET");
    if (bucket.empty()) bucket = Env("AWS_BUCKET_NAME");
    if (bucket.empty()) return Status::Invalid("CLOUD_PROVIDER=aws needs AWS_BUCKET");
    // object_store's AWS_ENDPOINT is our AWS_ENDPOINT_URL.
    const std::string endpoint = Env("AWS_ENDPOINT");
    if (!endpoint.empty() && Env("AWS_ENDPOINT_URL").empty()) {
      setenv("AWS_ENDPOINT_URL", endpoint.c_str(), /*overwrite=*/1);
    }
    return "s3://" + bucket;
  }
  return Status::Invalid("invalid environment variable CLOUD_PROVIDER value '" +
                         Env("CLOUD_PROVIDER") + "' (valid: local, memory, aws)");
}

OfficialCommands::OfficialCommands(CLI::App& app) {
  read_manifest_ = app.add_subcommand("read-manifest",
                                      "print the latest manifest (or --id) as "
                                      "JSON (slatedb-cli)");
  read_manifest_->add_option("-i,--id", id_, "manifest id");
  list_manifests_ =
      app.add_subcommand("list-manifests", "print the manifests in [start, end) (slatedb-cli)");
  list_manifests_->add_option("-s,--start", start_, "first id (inclusive)");
  list_manifests_->add_option("-e,--end", end_, "end id (exclusive)");
  read_compactions_ = app.add_subcommand(
      "read-compactions", "print the latest .compactions (or --id) as JSON (slatedb-cli)");
  read_compactions_->add_option("-i,--id", id_, ".compactions id");
  list_compactions_ = app.add_subcommand(
      "list-compactions", "print the .compactions versions in [start, end) (slatedb-cli)");
  list_compactions_->add_option("-s,--start", start_, "first id (inclusive)");
  list_compactions_->add_option("-e,--end", end_, "end id (exclusive)");
  read_compaction_ = app.add_subcommand(
      "read-compaction", "print one compaction of the latest .compactions as JSON (slatedb-cli)");
  read_compaction_->add_option("-i,--id", compaction_id_, "compaction ULID")->required();
  read_compaction_->add_option("--compactions-id", compactions_id_,
                               ".compactions version (default: the latest)");
  delete_db_ = app.add_subcommand(
      "delete-db", "delete every object of the database; a dry run without --confirm");
  delete_db_->add_flag("--confirm", confirm_, "actually delete");
  gc_ = app.add_subcommand("run-garbage-collection", "one garbage-collection sweep (slatedb-cli)");
  gc_->add_option("-r,--resource", resource_, "manifest|wal|wal-fence|compacted|compactions")
      ->required()
      ->check(CLI::IsMember({"manifest", "wal", "wal-fence", "compacted", "compactions"}));
  gc_->add_option("-m,--min-age", min_age_, "only objects older than this (e.g. 1h)")->required();
  gc_->add_flag("--disable-boundary-files", disable_boundary_files_,
                "delete without advancing the gc/*.boundary objects");
  submit_ = app.add_subcommand("submit-compaction",
                               "write a Submitted compaction to .compactions for the running "
                               "compactor (slatedb-cli)");
  submit_
      ->add_option("--request", request_,
                   "\"Full\", {\"FullSegment\":{\"segment\":[]}} or "
                   "{\"Spec\":{\"sources\":[{\"SortedRun\":3},{\"SstView\":\"ULID\"}],"
                   "\"destination\":3}}")
      ->required();
  submit_->add_option("--scheduler", scheduler_, "size-tiered (the only one)");
  seq_to_ts_ = app.add_subcommand("seq-to-ts", "sequence number → time (sequence tracker)");
  seq_to_ts_->add_option("seq", seq_, "sequence number")->required();
  seq_to_ts_->add_option("--round", round_, "up|down (default down)");
  ts_to_seq_ = app.add_subcommand("ts-to-seq", "Unix seconds → sequence number (sequence tracker)");
  ts_to_seq_->add_option("ts_secs", ts_, "Unix seconds")->required();
  ts_to_seq_->add_option("--round", round_, "up|down (default down)");
}

bool OfficialCommands::parsed() const {
  for (const CLI::App* c : {read_manifest_, list_manifests_, read_compactions_, list_compactions_,
                            read_compaction_, delete_db_, gc_, submit_, seq_to_ts_, ts_to_seq_}) {
    if (c->parsed()) return true;
  }
  return false;
}

int OfficialCommands::Run(const std::string& url, const std::string& path_arg) {
  auto opened = OpenObjectStore(url);
  if (!opened.ok()) return Fail(opened.status());
  std::shared_ptr<ObjectStore> store = *opened;
  auto normalized = manifest::NormalizeDbPath(path_arg);
  if (!normalized.ok()) return Fail(normalized.status());
  const std::string path = *normalized;
  manifest::ManifestStore manifests(store, path);
  manifest::CompactionsStore compactions(store, path);

  if (read_manifest_->parsed()) {
    std::optional<manifest::VersionedManifest> m;
    if (id_) {
      auto r = manifests.Read(*id_);
      if (r.ok()) {
        m = manifest::VersionedManifest{*id_, std::move(*r)};
      } else if (!r.status().IsNotFound()) {
        return Fail(r.status());
      }
    } else {
      auto r = manifests.ReadLatest();
      if (!r.ok()) return Fail(r.status());
      m = std::move(*r);
    }
    if (!m) {
      std::cerr << "slatedb: no manifest" << (id_ ? " " + std::to_string(*id_) : std::string())
                << " at '" << path << "' in " << store->Describe() << "\n";
      std::cout << "no manifest file found\n";
      return 0;
    }
    std::cout << ManifestJson(m->id, m->manifest).dump() << "\n";
    return 0;
  }
  if (list_manifests_->parsed() || list_compactions_->parsed()) {
    const bool man = list_manifests_->parsed();
    auto versions = man ? manifests.List() : compactions.List();
    if (!versions.ok()) return Fail(versions.status());
    Json out = Json::array();
    for (const auto& v : *versions) {
      if (!InRange(v.id, start_, end_)) continue;
      if (man) {
        auto m = manifests.Read(v.id);
        if (m.status().IsNotFound()) continue;  // deleted by a GC since the listing
        if (!m.ok()) return Fail(m.status());
        out.push_back(ManifestJson(v.id, *m));
      } else {
        auto c = compactions.Read(v.id);
        if (c.status().IsNotFound()) continue;
        if (!c.ok()) return Fail(c.status());
        out.push_back(CompactionsJson(v.id, *c));
      }
    }
    std::cout << out.dump() << "\n";
    return 0;
  }
  if (read_compactions_->parsed()) {
    std::optional<manifest::VersionedCompactions> c;
    if (id_) {
      auto r = compactions.Read(*id_);
      if (r.ok()) {
        c = manifest::VersionedCompactions{*id_, std::move(*r)};
      } else if (!r.status().IsNotFound()) {
        return Fail(r.status());
      }
    } else {
      auto r = compactions.ReadLatest();
      if (!r.ok()) return Fail(r.status());
      c = std::move(*r);
    }
    if (!c) {
      std::cerr << "slatedb: no .compactions" << (id_ ? " " + std::to_string(*id_) : std::string())
                << " at '" << path << "' in " << store->Describe() << "\n";
      std::cout << "no compactions file found\n";
      return 0;
    }
    std::cout << CompactionsJson(c->id, c->compactions).dump() << "\n";
    return 0;
  }
  if (read_compaction_->parsed()) {
    auto wanted = format::Ulid::Parse(compaction_id_);
    if (!wanted.ok()) return Fail(wanted.status().WithContext("--id"));
    std::optional<format::Compactions> c;
    if (compactions_id_) {
      auto r = compactions.Read(*compactions_id_);
      if (r.ok()) {
        c = std::move(*r);
      } else if (!r.status().IsNotFound()) {
        return Fail(r.status());
      }
    } else {
      auto r = compactions.ReadLatest();
      if (!r.ok()) return Fail(r.status());
      if (*r) c = std::move((*r)->compactions);
    }
    if (c) {
      for (const auto& rec : c->recent_compactions) {
        if (rec.id == *wanted) {
          std::cout << CompactionJson(rec).dump() << "\n";
          return 0;
        }
      }
    }
    std::cout << "no compaction found\n";
    return 0;
  }
  if (delete_db_->parsed()) {
    const std::string prefix = path + "/";
    auto listed = store->List(prefix);
    if (!listed.ok()) return Fail(listed.status());
    if (!confirm_) {
      std::cout << "would delete " << listed->size() << " objects:\n";
      for (const auto& o : *listed) std::cout << "  " << o.key << "\n";
      std::cout << "rerun with --confirm to delete\n";
      return 0;
    }
    const std::string marker = path + "/.deleting";
    bool marker_exists = false;
    for (const auto& o : *listed) marker_exists |= o.key == marker;
    auto latest = manifests.ReadLatest();
    if (!latest.ok()) return Fail(latest.status());
    if (!*latest && !marker_exists && !listed->empty()) {
      return Fail(Status::Invalid("'" + path + "' in " + store->Describe() +
                                  " holds objects but no manifest and no .deleting marker: not "
                                  "a database, refusing to delete it"));
    }
    // A clone: drop the checkpoints it pinned in its parents first.
    if (*latest) {
      for (const auto& e : (*latest)->manifest.external_dbs) {
        if (!e.final_checkpoint_id) continue;
        auto parent = Admin::Open(e.path, store);
        if (!parent.ok()) continue;  // the parent is gone: nothing left to unpin
        Status st = (*parent)->DeleteCheckpoint(e.final_checkpoint_id->ToString());
        if (!st.ok() && !st.IsNotFound()) {
          return Fail(st.WithContext("removing checkpoint " + e.final_checkpoint_id->ToString() +
                                     " from parent " + e.path));
        }
      }
    }
    if (!marker_exists) {
      if (auto put = store->Put(marker, ""); !put.ok()) return Fail(put.status());
    }
    // Everything but the marker, then the marker: a crash in between leaves the marker, so a
    // rerun knows it may finish.
    uint64_t deleted = 0;
    for (const auto& o : *listed) {
      if (o.key == marker) continue;
      if (Status st = store->Delete(o.key); !st.ok()) return Fail(st);
      ++deleted;
    }
    if (Status st = store->Delete(marker); !st.ok()) return Fail(st);
    ++deleted;
    std::cout << "deleted " << deleted << " objects\n";
    return 0;
  }

  // The rest reads the latest manifest of an existing database.
  auto latest = manifests.ReadLatest();
  if (!latest.ok()) return Fail(latest.status());
  if (!*latest) {
    return Fail(Status::NotFound("no database at '" + path + "' in " + store->Describe()));
  }
  if (gc_->parsed()) {
    auto min_age = config::ParseDuration(min_age_);
    if (!min_age.ok()) return Fail(min_age.status().WithContext("--min-age"));
    GarbageCollectorOptions options;
    options.manifest_options.reset();
    options.wal_options.reset();
    options.compacted_options.reset();
    options.compactions_options.reset();
    options.boundary_files_enabled = !disable_boundary_files_;
    GcDirectoryOptions dir;
    dir.min_age = *min_age;
    gc::GcExtraOptions extra;
    if (resource_ == "manifest") options.manifest_options = dir;
    if (resource_ == "wal" || resource_ == "wal-fence") options.wal_options = dir;
    if (resource_ == "compacted") options.compacted_options = dir;
    if (resource_ == "compactions") options.compactions_options = dir;
    if (resource_ == "wal-fence") {
      extra.delete_fences = true;
      extra.only_fences = true;
    }
    auto collector = gc::GarbageCollector::Open(store, path, options, util::SystemClock::Default(),
                                                std::move(extra));
    if (!collector.ok()) return Fail(collector.status());
    auto stats = (*collector)->RunOnce();
    if (!stats.ok()) return Fail(stats.status());
    Json j = {{"resource", resource_},
              {"manifests_deleted", stats->manifests_deleted},
              {"wal_deleted", stats->wal_deleted},
              {"compacted_deleted", stats->compacted_deleted},
              {"compactions_deleted", stats->compactions_deleted},
              {"checkpoints_expired", stats->checkpoints_expired}};
    std::cout << j.dump() << "\n";
    return 0;
  }
  if (submit_->parsed()) {
    if (scheduler_ != "size-tiered") {
      return Fail(Status::Invalid("unsupported scheduler: " + scheduler_ + " (only size-tiered)"));
    }
    auto rec = RequestToRecord(request_, (*latest)->manifest);
    if (!rec.ok()) return Fail(rec.status());
    format::UlidGenerator ulids(util::EntropySeed());
    rec->id = ulids.Next(util::SystemClock::Default()->NowMillis());
    // Compare-and-swap onto the latest `.compactions` (the compactor writes it too).
    manifest::CompactionsStore::UpdateOptions update;
    update.max_attempts = 100;
    update.initial = [&]() -> Result<format::Compactions> {
      format::Compactions first;
      first.compactor_epoch = (*latest)->manifest.compactor_epoch;
      return first;
    };
    auto written = compactions.Update(
        [&](format::Compactions& next) -> Status {
          next.recent_compactions.push_back(*rec);
          return Status::OK();
        },
        update);
    if (!written.ok()) return Fail(written.status());
    Json out = Json::array();
    out.push_back(CompactionJson(*rec));
    std::cout << out.dump() << "\n";
    return 0;
  }
  if (seq_to_ts_->parsed() || ts_to_seq_->parsed()) {
    std::string round = round_;
    for (auto& c : round) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    format::FindOption option;
    if (round == "up" || round == "roundup") {
      option = format::FindOption::kRoundUp;
    } else if (round == "down" || round == "rounddown") {
      option = format::FindOption::kRoundDown;
    } else {
      std::cerr << "error: --round: invalid find option '" << round_ << "' (up or down)\n";
      return 2;
    }
    auto tracker = format::SequenceTracker::Decode((*latest)->manifest.sequence_tracker);
    if (!tracker.ok()) {
      return Fail(tracker.status().WithContext("manifest " + std::to_string((*latest)->id)));
    }
    if (seq_to_ts_->parsed()) {
      auto ts = tracker->FindTimestamp(seq_, option);
      std::cout << (ts ? Rfc3339(*ts, "+00:00") : std::string("not found")) << "\n";
    } else {
      auto seq = tracker->FindSeq(ts_, option);
      std::cout << (seq ? std::to_string(*seq) : std::string("not found")) << "\n";
    }
    return 0;
  }
  return 2;
}

}  // namespace slatedb::cli
