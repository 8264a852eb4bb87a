// cli/admin_cmd.cc — see admin_cmd.h.
#include "cli/admin_cmd.h"

#include <pthread.h>
#include <signal.h>

#include <cctype>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "format/compression.h"
#include "format/manifest.h"
#include "format/sst.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "manifest/sst_paths.h"
#include "slatedb/object_store.h"
#include "slatedb/wal_reader.h"
#include "util/coding.h"

namespace slatedb::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitNotFound = 3;

int Fail(const Status& s) {
  std::cerr << "error: " << s.ToString() << "\n";
  return s.code() == StatusCode::kNotFound ? kExitNotFound : kExitError;
}

sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Waits up to `ms` for a stop signal; true if one arrived.
bool StopSignalWithin(const sigset_t& set, uint64_t ms) {
  timespec timeout{static_cast<time_t>(ms / 1000), static_cast<long>((ms % 1000) * 1000000)};
  return sigtimedwait(&set, nullptr, &timeout) > 0;
}

// The row fields SlateDB's peer prints, in its order.
Json WalRowJson(const WalRow& row) {
  Json j;
  j["wal_id"] = row.wal_id;
  j["seq"] = row.seq;
  j["kind"] = WalRowKindName(row.kind);
  j["key"] = util::ToHex(row.key);
  if (row.kind == WalRowKind::kTombstone) {
    j["value"] = nullptr;
  } else {
    j["value"] = util::ToHex(row.value);
  }
  return j;
}

Json OptionalTs(const std::optional<int64_t>& ts) { return ts ? Json(*ts) : Json(nullptr); }

const char* RowKindName(format::RowKind kind) {
  return WalRowKindName(static_cast<WalRowKind>(kind));
}

Json OptionalHex(const std::optional<std::string>& bytes) {
  return bytes ? Json(util::ToHex(*bytes)) : Json(nullptr);
}

// What InspectSst found out about one SST object.
struct SstReport {
  bool found = false;
  Json json;
  std::vector<std::string> problems;  // each names the object
  std::optional<std::string> first_key, last_key;
  std::optional<format::SstInfo> info;  // as decoded from the object
  uint64_t blocks_checked = 0;
};

struct InspectOptions {
  bool rows = false;
  bool stats = false;
  bool blocks = false;  // decode and CRC-check every data block
};

// Reads and checks `key`: footer, info, index, filter and stats sections (their CRCs), and with
// `opts.blocks` / `opts.rows` every data block.
SstReport InspectSst(ObjectStore& store, const std::string& key, const InspectOptions& opts) {
  SstReport r;
  r.json["object"] = key;
  auto bytes_or = store.Get(key);
  if (!bytes_or.ok()) {
    if (bytes_or.status().code() == StatusCode::kNotFound) {
      r.problems.push_back(key + ": missing");
    } else {
      r.found = true;
      r.problems.push_back(key + ": " + bytes_or.status().ToString());
    }
    return r;
  }
  r.found = true;
  const std::string& bytes = *bytes_or;
  const uint64_t size = bytes.size();
  r.json["size"] = size;
  if (size == 0) {  // a zero-byte WAL fence marker
    r.json["empty"] = true;
    return r;
  }
  auto problem = [&](const std::string& what, const Status& s) {
    r.problems.push_back(key + ": " + what + ": " + s.message());
  };
  if (size <= format::kSstFooterSize) {
    r.problems.push_back(key + ": " + std::to_string(size) + " bytes is too small for an SST");
    return r;
  }
  auto footer =
      format::DecodeFooter(std::string_view(bytes).substr(size - format::kSstFooterSize), size);
  if (!footer.ok()) {
    problem("footer", footer.status());
    return r;
  }
  r.json["format_version"] = footer->version;
  const uint64_t m = footer->metadata_offset;
  auto info_or =
      format::DecodeInfo(std::string_view(bytes).substr(m, size - format::kSstFooterSize - m));
  if (!info_or.ok()) {
    problem("info", info_or.status());
    return r;
  }
  const format::SstInfo& info = *info_or;
  if (Status s = format::ValidateInfoLayout(info, *footer, size); !s.ok()) {
    problem("info layout", s);
    return r;
  }
  const bool wal = info.sst_type == format::SstType::kWal;
  r.info = info;
  r.first_key = info.first_entry;
  r.last_key = info.last_entry;
  r.json["sst_type"] = wal ? "Wal" : "Compacted";
  r.json["info"] = {{"first_entry", OptionalHex(info.first_entry)},
                    {"last_entry", OptionalHex(info.last_entry)},
                    {"compression", std::string(format::CompressionCodecName(info.compression))},
                    {"index_offset", info.index_offset},
                    {"index_len", info.index_len},
                    {"filter_offset", info.filter_offset},
                    {"filter_len", info.filter_len},
                    {"stats_offset", info.stats_offset},
                    {"stats_len", info.stats_len}};
  auto index = format::DecodeIndex(
      std::string_view(bytes).substr(info.index_offset, info.index_len), info.compression);
  if (!index.ok()) {
    problem("index", index.status());
    return r;
  }

  // Filters: their names (a legacy SST has one unnamed whole-key bloom filter).
  Json filters = Json::array();
  if (info.filter_len > 0) {
    std::string_view section = std::string_view(bytes).substr(info.filter_offset, info.filter_len);
    auto filter = format::DecodeFilter(section, info.compression, info.filter_format);
    if (!filter.ok()) {
      problem("filter", filter.status());
    } else if (info.filter_format == format::FilterFormat::kLegacy) {
      filters.push_back({{"name", "_bf"}, {"format", "legacy"}, {"bytes", info.filter_len}});
    } else {
      auto raw = format::Decompress(info.compression,
                                    section.substr(0, section.size() - format::kSectionCrcSize));
      Result<std::vector<std::pair<std::string, std::string>>> named = raw.status();
      if (raw.ok()) named = format::ParseCompositeFilters(*raw);
      if (!named.ok()) {
        problem("filter", named.status());
      } else {
        for (const auto& [name, data] : *named) {
          filters.push_back({{"name", name}, {"format", "composite"}, {"bytes", data.size()}});
        }
      }
    }
  }
  r.json["filters"] = filters;

  if (info.stats_len > 0) {
    auto stats = format::DecodeStats(
        std::string_view(bytes).substr(info.stats_offset, info.stats_len), info.compression);
    if (!stats.ok()) {
      problem("stats", stats.status());
    } else if (opts.stats) {
      Json blocks = Json::array();
      for (const auto& b : stats->block_stats) {
        blocks.push_back({{"num_puts", b.num_puts},
                          {"num_deletes", b.num_deletes},
                          {"num_merges", b.num_merges}});
      }
      r.json["stats"] = {
          {"num_puts", stats->num_puts},         {"num_deletes", stats->num_deletes},
          {"num_merges", stats->num_merges},     {"raw_key_size", stats->raw_key_size},
          {"raw_val_size", stats->raw_val_size}, {"block_stats", blocks}};
    }
  } else if (opts.stats) {
    r.json["stats"] = nullptr;
  }

  Json index_json = Json::array();
  Json rows = Json::array();
  std::optional<std::string> last_row_key;
  for (size_t i = 0; i < index->blocks.size(); ++i) {
    uint64_t start = 0, end = 0;
    Json entry = {{"block", i},
                  {"offset", index->blocks[i].offset},
                  {"first_key", util::ToHex(index->blocks[i].first_key)}};
    Status range = format::BlockRange(*index, info, i, &start, &end);
    if (!range.ok()) {
      problem("index entry #" + std::to_string(i), range);
      entry["ok"] = false;
      index_json.push_back(entry);
      continue;
    }
    entry["size"] = end - start;
    if (opts.blocks || opts.rows) {
      ++r.blocks_checked;
      auto block = format::DecodeBlock(std::string_view(bytes).substr(start, end - start),
                                       info.compression, footer->version);
      Result<std::vector<format::RowEntry>> decoded = block.status();
      if (block.ok()) decoded = (*block)->DecodeAll();
      if (!decoded.ok()) {
        problem("data block #" + std::to_string(i) + " at offset " + std::to_string(start),
                decoded.status());
        entry["ok"] = false;
      } else {
        entry["ok"] = true;
        entry["rows"] = decoded->size();
        if (!decoded->empty()) last_row_key = decoded->back().key;
        if (opts.rows) {
          for (const auto& row : *decoded) {
            Json jr;
            jr["key"] = util::ToHex(row.key);
            jr["seq"] = row.seq;
            jr["kind"] = RowKindName(row.kind);
            jr["value"] = row.is_tombstone() ? Json(nullptr) : Json(util::ToHex(row.value));
            jr["create_ts"] = OptionalTs(row.create_ts);
            jr["expire_ts"] = OptionalTs(row.expire_ts);
            rows.push_back(std::move(jr));
          }
        }
      }
    }
    index_json.push_back(std::move(entry));
  }
  r.json["index"] = std::move(index_json);
  if (opts.rows) r.json["rows"] = std::move(rows);
  if (!wal && !r.last_key && last_row_key) r.last_key = last_row_key;
  if (opts.blocks) {
    r.json["verify"] = {{"blocks_checked", r.blocks_checked}, {"ok", r.problems.empty()}};
  }
  return r;
}

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

AdminCommands::AdminCommands(CLI::App& app) {
  wal_dump_ = app.add_subcommand(
      "wal-dump", "one JSON line per WAL row: {wal_id,seq,kind,key,value} (hex; as SlateDB's)");
  wal_dump_->add_option("--from", from_wal_, "first WAL id (inclusive; default: the oldest)");

  cdc_ = app.add_subcommand("cdc", "rows with seq >= N from the WAL in commit order (JSON lines)");
  cdc_->add_option("--from-seq", from_seq_, "first sequence number")->required();
  cdc_->add_flag("--follow", follow_, "keep polling the WAL tail until SIGINT/SIGTERM (exit 0)");
  cdc_->add_option("--poll-ms", poll_ms_, "poll interval in milliseconds (1..3600000)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{3600000}));
  cdc_->preparse_callback([](size_t) { BlockStopSignals(); });

  sst_dump_ = app.add_subcommand(
      "sst-dump", "one SST as JSON: info, index, filters (ID: compacted ULID or WAL id, or key)");
  sst_dump_->add_option("sst", sst_target_, "ULID, WAL id or object key")->required();
  sst_dump_->add_flag("--rows", sst_rows_, "every row (hex key/value, seq, kind, ttl fields)");
  sst_dump_->add_flag("--stats", sst_stats_, "the stats block");
  sst_dump_->add_flag("--verify", sst_verify_,
                      "decode and CRC-check every data block (exit 1 naming bad blocks)");

  verify_ = app.add_subcommand(
      "verify", "check the manifest, its checkpoints, SSTs and WAL (exit 1 naming each problem)");
  verify_->add_flag("--full", verify_full_, "also decode and CRC-check every data block");
  verify_->add_option("--wal-url", verify_wal_url_,
                      "store URL of the WAL when the database keeps it in a separate store");
}

bool AdminCommands::parsed() const {
  return wal_dump_->parsed() || cdc_->parsed() || sst_dump_->parsed() || verify_->parsed();
}

int AdminCommands::Run(const std::string& url, const std::string& path) {
  if (wal_dump_->parsed()) return RunWalDump(url, path);
  if (cdc_->parsed()) return RunCdc(url, path);
  if (sst_dump_->parsed()) return RunSstDump(url, path);
  return RunVerify(url, path);
}

int AdminCommands::RunWalDump(const std::string& url, const std::string& path) {
  auto store = OpenObjectStore(url);
  if (!store.ok()) return Fail(store.status());
  auto reader = WalReader::Open(*store, path);
  if (!reader.ok()) return Fail(reader.status());
  std::optional<uint64_t> from;
  if (wal_dump_->count("--from") > 0) from = from_wal_;
  auto files = (*reader)->List(from, std::nullopt);
  if (!files.ok()) return Fail(files.status());
  for (const WalFileInfo& f : *files) {
    auto rows = (*reader)->ReadFile(f.id);
    if (!rows.ok()) return Fail(rows.status());
    for (const WalRow& row : *rows) std::cout << WalRowJson(row).dump() << "\n";
  }
  std::cout.flush();
  return kExitOk;
}

int AdminCommands::RunCdc(const std::string& url, const std::string& path) {
  const sigset_t signals = BlockStopSignals();
  auto store = OpenObjectStore(url);
  if (!store.ok()) return Fail(store.status());
  WalReaderOptions options;
  options.poll_interval = std::chrono::milliseconds(poll_ms_);
  auto reader = WalReader::Open(*store, path, options);
  if (!reader.ok()) return Fail(reader.status());
  auto cursor = (*reader)->CursorAtSeq(from_seq_);
  if (!cursor.ok()) return Fail(cursor.status());
  for (uint64_t printed = 0;;) {
    auto next = (*cursor)->TryNext();
    if (!next.ok()) return Fail(next.status());
    if (next->has_value()) {
      Json j = WalRowJson(**next);
      j["create_ts"] = OptionalTs((*next)->create_ts);
      j["expire_ts"] = OptionalTs((*next)->expire_ts);
      std::cout << j.dump() << "\n";
      // A long backlog still stops promptly on a signal (checked without waiting).
      if (follow_ && ++printed % 1024 == 0 && StopSignalWithin(signals, 0)) {
        std::cout.flush();
        return kExitOk;
      }
      continue;
    }
    std::cout.flush();
    if (!follow_) return kExitOk;
    // Caught up: wait (interruptibly) until the next poll is due.
    if (StopSignalWithin(signals, std::min<uint64_t>(poll_ms_, 100))) return kExitOk;
  }
}

int AdminCommands::RunSstDump(const std::string& url, const std::string& path) {
  auto store = OpenObjectStore(url);
  if (!store.ok()) return Fail(store.status());
  auto db_path = manifest::NormalizeDbPath(path);
  if (!db_path.ok()) return Fail(db_path.status());
  // "<ULID>" / "<ULID>.sst" → a compacted SST, "<id>" / "<20 digits>.sst" → a WAL SST, anything
  // else is an object key.
  std::string key = sst_target_;
  std::string bare = sst_target_;
  if (bare.find('/') == std::string::npos && bare.size() > 4 &&
      bare.compare(bare.size() - 4, 4, ".sst") == 0) {
    bare.resize(bare.size() - 4);
  }
  if (auto ulid = format::Ulid::Parse(bare); ulid.ok() && bare.size() == 26) {
    key = manifest::CompactedSstPath(*db_path, *ulid);
    // A clone's SST may live in an ancestor's compacted/: resolve it through the latest manifest
    // (read only; without a manifest the own path stands).
    manifest::ManifestStore manifests(*store, *db_path);
    if (auto latest = manifests.ReadLatest(); latest.ok() && latest->has_value()) {
      key = manifest::SstPathResolver(*db_path, (*latest)->manifest).Path(*ulid);
    }
  } else if (AllDigits(bare) && bare.size() <= 19) {
    key = manifest::WalSstPath(*db_path, std::stoull(bare));
  } else if (AllDigits(bare) && bare.size() == 20 && bare <= "18446744073709551615") {
    key = manifest::WalSstPath(*db_path, std::stoull(bare));
  }
  InspectOptions opts{sst_rows_, sst_stats_, sst_verify_};
  SstReport r = InspectSst(**store, key, opts);
  if (!r.found)
    return Fail(Status::NotFound("no SST object '" + key + "' in " + (*store)->Describe()));
  if (!r.problems.empty()) r.json["problems"] = r.problems;
  std::cout << r.json.dump() << std::endl;
  for (const auto& p : r.problems) std::cerr << "problem: " << p << "\n";
  return r.problems.empty() ? kExitOk : kExitError;
}

int AdminCommands::RunVerify(const std::string& url, const std::string& path) {
  auto store_or = OpenObjectStore(url);
  if (!store_or.ok()) return Fail(store_or.status());
  std::shared_ptr<ObjectStore> store = *store_or;
  auto db_path_or = manifest::NormalizeDbPath(path);
  if (!db_path_or.ok()) return Fail(db_path_or.status());
  const std::string db_path = *db_path_or;
  manifest::ManifestStore manifests(store, db_path);
  auto latest = manifests.ReadLatest();
  if (!latest.ok()) return Fail(latest.status());
  if (!latest->has_value()) {
    return Fail(Status::NotFound("no database at '" + path + "' in " + store->Describe()));
  }
  const manifest::VersionedManifest& head = **latest;

  std::vector<std::string> problems;
  // The manifests to check: the latest and each checkpoint's.
  std::vector<std::pair<std::string, format::Manifest>> views;
  views.emplace_back("manifest " + std::to_string(head.id), head.manifest);
  for (const format::Checkpoint& cp : head.manifest.checkpoints) {
    const std::string label =
        "checkpoint " + cp.id.ToString() + " (manifest " + std::to_string(cp.manifest_id) + ")";
    auto m = manifests.Read(cp.manifest_id);
    if (!m.ok()) {
      problems.push_back(label + ": " + m.status().ToString());
      continue;
    }
    views.emplace_back(label, std::move(*m));
  }

  InspectOptions opts;
  opts.blocks = verify_full_;
  std::map<std::string, SstReport> checked;  // object key → report (each object checked once)
  uint64_t blocks = 0;
  auto check_sst = [&](const manifest::SstPathResolver& paths, const format::SstHandle& h,
                       const std::string& where) -> const SstReport& {
    const std::string key = paths.Path(h.id);  // a clone's SST is its ancestor's object
    auto it = checked.find(key);
    if (it == checked.end()) {
      it = checked.emplace(key, InspectSst(*store, key, opts)).first;
      blocks += it->second.blocks_checked;
      for (const auto& p : it->second.problems) problems.push_back(where + ": " + p);
    }
    // The manifest keeps a copy of each SST's info section: it must be the object's.
    if (it->second.info && !(*it->second.info == h.info)) {
      problems.push_back(where + ": " + key +
                         ": the manifest's copy of the SST info differs from the object's");
    }
    return it->second;
  };
  auto check_tree = [&](const manifest::SstPathResolver& paths,
                        const std::vector<format::SstHandle>& l0,
                        const std::vector<format::SortedRun>& runs, const std::string& label) {
    for (const auto& h : l0) check_sst(paths, h, label + " L0 " + h.id.ToString());
    std::optional<uint32_t> prev_run;
    for (const auto& run : runs) {
      const std::string run_label = label + " sorted run " + std::to_string(run.id);
      if (prev_run && run.id >= *prev_run) {
        problems.push_back(run_label + ": ids not strictly decreasing (after run " +
                           std::to_string(*prev_run) + ")");
      }
      prev_run = run.id;
      std::optional<std::string> prev_first, prev_last;
      std::string prev_name;
      for (const auto& h : run.ssts) {
        const SstReport& r = check_sst(paths, h, run_label + " SST " + h.id.ToString());
        std::optional<std::string> first = h.info.first_entry ? h.info.first_entry : r.first_key;
        std::optional<std::string> last = h.info.last_entry ? h.info.last_entry : r.last_key;
        if (first && prev_first) {
          if (*first <= *prev_first) {
            problems.push_back(run_label + ": SST " + h.id.ToString() +
                               " is out of order (first key " + util::ToHex(*first) +
                               " <= first key of " + prev_name + ")");
          } else if (prev_last && *first <= *prev_last) {
            problems.push_back(run_label + ": SST " + h.id.ToString() + " overlaps " + prev_name +
                               " (first key " + util::ToHex(*first) + " <= its last key " +
                               util::ToHex(*prev_last) + ")");
          }
        }
        prev_first = first;
        prev_last = last;
        prev_name = h.id.ToString();
      }
    }
  };

  // The WAL: listed once; every id the views need must exist and decode. A database that keeps
  // its WAL in a separate store (manifest wal_object_store_uri) is checked there only when
  // --wal-url names that store.
  std::vector<std::string> notes;
  std::shared_ptr<ObjectStore> wal_store = store;
  bool check_wal = true;
  if (!verify_wal_url_.empty()) {
    auto ws = OpenObjectStore(verify_wal_url_);
    if (!ws.ok()) return Fail(ws.status());
    wal_store = *ws;
  } else if (head.manifest.wal_object_store_uri.has_value()) {
    check_wal = false;
    notes.push_back("the WAL is in a separate object store ('" +
                    *head.manifest.wal_object_store_uri +
                    "'): WAL files not checked (pass --wal-url)");
  }
  auto reader = WalReader::Open(wal_store, db_path);
  if (!reader.ok()) return Fail(reader.status());
  Result<std::vector<WalFileInfo>> wal_files = std::vector<WalFileInfo>{};
  if (check_wal) wal_files = (*reader)->List();
  if (!wal_files.ok()) return Fail(wal_files.status());
  std::set<uint64_t> wal_ids;
  for (const auto& f : *wal_files) wal_ids.insert(f.id);
  std::set<uint64_t> wal_checked;
  for (size_t v = 0; v < views.size(); ++v) {
    const auto& [label, m] = views[v];
    const manifest::SstPathResolver paths(db_path, m);
    check_tree(paths, m.l0, m.compacted, label);
    for (const auto& seg : m.segments) {
      check_tree(paths, seg.l0, seg.compacted,
                 label + " segment '" + util::ToHex(seg.prefix) + "'");
    }
    if (!check_wal) continue;
    uint64_t last = m.wal_id_last_seen;
    if (v == 0 && !wal_ids.empty()) last = std::max(last, *wal_ids.rbegin());
    for (uint64_t id = m.replay_after_wal_id + 1; id <= last; ++id) {
      if (!wal_ids.count(id)) {
        problems.push_back(label + ": WAL " + std::to_string(id) + " (" +
                           manifest::WalSstPath(db_path, id) +
                           ") is missing (WAL ids must be "
                           "contiguous after the replay point " +
                           std::to_string(m.replay_after_wal_id) + ")");
        continue;
      }
      if (!wal_checked.insert(id).second) continue;
      auto rows = (*reader)->ReadFile(id);
      if (!rows.ok()) problems.push_back(label + ": " + rows.status().ToString());
    }
  }

  Json summary;
  summary["ok"] = problems.empty();
  summary["manifest_id"] = head.id;
  summary["checkpoints"] = head.manifest.checkpoints.size();
  summary["ssts"] = checked.size();
  summary["wal_files"] = wal_checked.size();
  summary["blocks"] = blocks;
  summary["problems"] = problems;
  if (!notes.empty()) summary["notes"] = notes;
  std::cout << summary.dump() << std::endl;
  for (const auto& p : problems) std::cerr << "problem: " << p << "\n";
  return problems.empty() ? kExitOk : kExitError;
}

}  // namespace slatedb::cli
