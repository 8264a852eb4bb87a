#include "cli/commands.h"

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/admin_cmd.h"
#include "cli/checkpoint_cmd.h"
#include "cli/clone_cmd.h"
#include "cli/compactor_cmd.h"
#include "cli/manifest_json.h"
#include "cli/metrics_cli.h"
#include "cli/official_cmd.h"
#include "cli/progress.h"
#include "config/settings_io.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "object_store/metrics_object_store.h"
#include "slatedb/db.h"
#include "slatedb/logger.h"
#include "slatedb/merge_operator.h"
#include "slatedb/metrics.h"
#include "slatedb/object_store.h"
#include "slatedb/version.h"
#include "util/clock.h"
#include "util/coding.h"
#include "util/random.h"

namespace slatedb::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNotFound = 3;

// Documented bounds of the workload arguments (see --help).
constexpr uint64_t kMaxValueSize = 256ull << 20;  // 256 MiB per value
constexpr uint64_t kMaxBatch = 1000000;           // rows per write batch
constexpr uint64_t kMaxNum = 1000000000000ull;    // 10^12 keys or reads
constexpr const char* kProgressHelp =
    "progress lines on stderr every second, and the totals at the end (the default when stderr "
    "is a terminal)";

// Options every command shares.
struct Global {
  std::string url;
  std::string path;
  std::string settings_json;
  std::string config_file;
  bool hex = false;
  bool reader = false;
  bool writer = false;
  std::string merge_operator_name;                // --merge-operator (empty: none)
  std::shared_ptr<MergeOperator> merge_operator;  // resolved from the name after parsing
  std::shared_ptr<MetricsRecorder> metrics;       // given to the Db / DbReader (null: its own)
};

// The built-in operators by their --merge-operator names (the peer's names).
Result<std::shared_ptr<MergeOperator>> MergeOperatorByName(const std::string& name) {
  if (name.empty()) return std::shared_ptr<MergeOperator>();
  if (name == "string-append") return StringAppendOperator();
  if (name == "uint64-add") return UInt64AddOperator();
  return Status::Invalid("unknown merge operator '" + name +
                         "' (valid: string-append, uint64-add)");
}

int Fail(const Status& s) {
  std::cerr << "error: " << s.ToString() << "\n";
  return kExitError;
}

// Text <-> bytes per --hex.
Result<std::string> Decode(const Global& g, const std::string& text, const char* what) {
  if (!g.hex) return text;
  std::string out;
  if (!util::FromHex(text, &out)) {
    return Status::Invalid(std::string(what) + " is not valid hex: '" + text + "'");
  }
  return out;
}
std::string Encode(const Global& g, std::string_view bytes) {
  return g.hex ? util::ToHex(bytes) : std::string(bytes);
}

std::string KeyOf(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%016llu", static_cast<unsigned long long>(i));
  return buf;
}

long PeakRssKb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

Result<Settings> LoadSettings(const Global& g) {
  Settings settings;
  if (!g.config_file.empty()) {
    ASSIGN_OR_RETURN(settings, config::SettingsFromFile(g.config_file));
  }
  RETURN_IF_ERROR(config::ApplyEnvFromEnviron(settings));
  if (!g.settings_json.empty()) {
    ASSIGN_OR_RETURN(settings, config::SettingsFromJson(g.settings_json, settings));
  }
  return settings;
}

Status NoDatabase(const Global& g, const std::shared_ptr<ObjectStore>& store) {
  return Status::NotFound("no database at '" + g.path + "' in " + store->Describe());
}

// Reads the latest manifest without writing anything; NotFound names the path and store.
Result<manifest::VersionedManifest> LatestManifest(const Global& g,
                                                   const std::shared_ptr<ObjectStore>& store) {
  ASSIGN_OR_RETURN(std::string path, manifest::NormalizeDbPath(g.path));  // "db/" is "db"
  manifest::ManifestStore manifests(store, path);
  ASSIGN_OR_RETURN(auto latest, manifests.ReadLatest());
  if (!latest) return NoDatabase(g, store);
  return std::move(*latest);
}

// A writer (Db) or a read-only DbReader behind one small surface.
class Handle {
 public:
  enum class Mode { kReader, kWriter };

  // kReader: DbReader (never writes, never fences the writer). kWriter: Db::Open, which
  // creates the database if `create` (and says so on stderr), else requires an existing one.
  static Result<std::unique_ptr<Handle>> Open(const Global& g, Mode mode, bool create,
                                              const DbReaderOptions& reader_options = {}) {
    auto h = std::make_unique<Handle>();
    ASSIGN_OR_RETURN(auto store, OpenObjectStore(g.url));
    Components components;
    components.object_store = store;
    components.merge_operator = g.merge_operator;
    components.metrics_recorder = g.metrics;
    if (mode == Mode::kReader) {
      // Check first so a missing database is a clear NotFound naming the store.
      RETURN_IF_ERROR(LatestManifest(g, store).status());
      // The disk cache of the settings also serves a reader (which does not preload); invalid
      // settings are refused here as for a writer.
      DbReaderOptions options = reader_options;
      ASSIGN_OR_RETURN(Settings loaded, LoadSettings(g));
      if (loaded.object_store_cache_options.root_folder) {
        options.object_store_cache_options = loaded.object_store_cache_options;
        options.object_store_cache_options.preload_disk_cache_on_startup.reset();
      }
      ASSIGN_OR_RETURN(h->reader_, DbReader::Open(g.path, components, options));
      return h;
    }
    ASSIGN_OR_RETURN(Settings settings, LoadSettings(g));
    auto existing = LatestManifest(g, store);
    if (!existing.ok() && !existing.status().IsNotFound()) return existing.status();
    const bool exists = existing.ok();
    if (!exists && !create) return NoDatabase(g, store);
    ASSIGN_OR_RETURN(h->db_, Db::Open(g.path, components, settings));
    if (!exists) {
      std::cerr << "slatedb: created a new database at '" << g.path << "' in " << store->Describe()
                << "\n";
    }
    return h;
  }

  Db* db() { return db_.get(); }
  bool is_writer() const { return db_ != nullptr; }
  Result<std::optional<std::string>> Get(std::string_view key) {
    return db_ ? db_->Get(key) : reader_->Get(key);
  }
  DbRead* read() { return db_ ? static_cast<DbRead*>(db_.get()) : reader_.get(); }
  Status Close() { return db_ ? db_->Close() : reader_->Close(); }

 private:
  std::unique_ptr<Db> db_;
  std::unique_ptr<DbReader> reader_;
};

// Runs `body` with an open handle and always closes it; a close error is reported too.
// Reading commands open a reader unless --writer; writing commands refuse --reader.
template <typename Body>
int WithHandle(const Global& g, bool writes, const char* cmd, const DbReaderOptions& reader_options,
               Body body) {
  if (writes && g.reader) {
    return Fail(Status::Invalid(std::string("'") + cmd + "' writes; drop --reader"));
  }
  const bool writer = writes || g.writer;
  auto h = Handle::Open(g, writer ? Handle::Mode::kWriter : Handle::Mode::kReader,
                        /*create=*/writes, reader_options);
  if (!h.ok()) return Fail(h.status());
  int code = body(**h);
  Status close = (*h)->Close();
  if (!close.ok() && code == kExitOk) return Fail(close);
  return code;
}
template <typename Body>
int WithHandle(const Global& g, bool writes, const char* cmd, Body body) {
  return WithHandle(g, writes, cmd, DbReaderOptions(), std::move(body));
}

// ---- one function per command ----

struct KeyValueArgs {
  std::string key;
  std::string value;
  bool await_durable = false;  // put/delete: return only once durable (else: on close)
};

int RunPut(const Global& g, const KeyValueArgs& a) {
  auto k = Decode(g, a.key, "key");
  if (!k.ok()) return Fail(k.status());
  auto v = Decode(g, a.value, "value");
  if (!v.ok()) return Fail(v.status());
  return WithHandle(g, true, "put", [&](Handle& h) {
    Status s = h.db()->Put(*k, *v, WriteOptions{a.await_durable}).status();
    return s.ok() ? kExitOk : Fail(s);
  });
}

// Operands are bytes like values (text, or hex with --hex), as the peer takes them: a uint64-add
// operand is 8 little-endian bytes, e.g. `--hex merge 6b 0500000000000000` adds 5.
int RunMerge(const Global& g, const KeyValueArgs& a) {
  auto k = Decode(g, a.key, "key");
  if (!k.ok()) return Fail(k.status());
  auto v = Decode(g, a.value, "operand");
  if (!v.ok()) return Fail(v.status());
  return WithHandle(g, true, "merge", [&](Handle& h) {
    Status s = h.db()->Merge(*k, *v, MergeOptions(), WriteOptions{a.await_durable}).status();
    return s.ok() ? kExitOk : Fail(s);
  });
}

int RunDelete(const Global& g, const KeyValueArgs& a) {
  auto k = Decode(g, a.key, "key");
  if (!k.ok()) return Fail(k.status());
  return WithHandle(g, true, "delete", [&](Handle& h) {
    Status s = h.db()->Delete(*k, WriteOptions{a.await_durable}).status();
    return s.ok() ? kExitOk : Fail(s);
  });
}

int RunGet(const Global& g, const KeyValueArgs& a) {
  auto k = Decode(g, a.key, "key");
  if (!k.ok()) return Fail(k.status());
  return WithHandle(g, false, "get", [&](Handle& h) {
    auto r = h.Get(*k);
    if (!r.ok()) return Fail(r.status());
    if (!r->has_value()) {
      std::cerr << "not found\n";
      return kExitNotFound;
    }
    std::cout << Encode(g, **r) << "\n";
    return kExitOk;
  });
}

int RunFlush(const Global& g, bool memtable) {
  return WithHandle(g, true, "flush", [&](Handle& h) {
    Status s = h.db()->Flush(memtable ? FlushType::kMemTable : FlushType::kWal);
    return s.ok() ? kExitOk : Fail(s);
  });
}

struct ScanArgs {
  std::optional<std::string> from, to, prefix;
  bool reverse = false;
  uint64_t limit = UINT64_MAX;
  bool count = false;                     // print "<n> entries, <bytes> bytes" only
  std::optional<std::string> checkpoint;  // a frozen view at this checkpoint id
};

int RunScan(const Global& g, const ScanArgs& a) {
  ScanRange range;
  if (a.from) {
    auto f = Decode(g, *a.from, "--from");
    if (!f.ok()) return Fail(f.status());
    range.start = *f;
  }
  if (a.to) {
    auto t = Decode(g, *a.to, "--to");
    if (!t.ok()) return Fail(t.status());
    range.end = *t;
  }
  std::optional<std::string> prefix;
  if (a.prefix) {
    auto p = Decode(g, *a.prefix, "--prefix");
    if (!p.ok()) return Fail(p.status());
    prefix = *p;
  }
  ScanOptions options;
  options.reverse = a.reverse;
  if (a.checkpoint && g.writer) {
    return Fail(Status::Invalid("scan --checkpoint reads a checkpoint; drop --writer"));
  }
  DbReaderOptions reader_options;
  reader_options.checkpoint_id = a.checkpoint;
  return WithHandle(g, false, "scan", reader_options, [&](Handle& h) {
    auto it = prefix ? h.read()->ScanPrefix(*prefix, options) : h.read()->Scan(range, options);
    if (!it.ok()) return Fail(it.status());
    std::string out;
    uint64_t entries = 0, bytes = 0;
    for (uint64_t n = 0; n < a.limit; ++n) {
      auto kv = (*it)->Next();
      if (!kv.ok()) return Fail(kv.status());
      if (!kv->has_value()) break;
      ++entries;
      bytes += (*kv)->key.size() + (*kv)->value.size();
      if (a.count) continue;
      out += Encode(g, (*kv)->key);
      out += '\t';
      out += Encode(g, (*kv)->value);
      out += '\n';
      if (out.size() > (1 << 16)) {
        std::fwrite(out.data(), 1, out.size(), stdout);
        out.clear();
      }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (a.count) std::cout << entries << " entries, " << bytes << " bytes\n";
    return kExitOk;
  });
}

struct LoadArgs {
  uint64_t batch = 1000;
  bool await_durable = false;
  bool ack = false;
  bool merge = false;  // each line is a merge operand
  bool progress = false;
};

int RunLoad(const Global& g, LoadArgs a) {
  if (a.ack) a.await_durable = true;
  return WithHandle(g, true, "load", [&](Handle& h) {
    WriteOptions wo;
    wo.await_durable = a.await_durable;
    WriteBatch wb;
    std::vector<std::string> pending_keys;
    uint64_t count = 0, line_no = 0;
    ProgressCounters done;  // rows and bytes written (batches that returned)
    ProgressReporter progress(ProgressWanted(a.progress), [&](double secs) {
      return RowsLine("load", "rows", done.rows.load(), done.bytes.load(), secs);
    });
    uint64_t batch_bytes = 0;
    auto write_batch = [&]() -> Status {
      if (wb.empty()) return Status::OK();
      RETURN_IF_ERROR(h.db()->Write(wb, wo).status());
      done.rows.fetch_add(wb.size());
      done.bytes.fetch_add(batch_bytes);
      batch_bytes = 0;
      if (a.ack) {
        std::string out;
        for (const auto& k : pending_keys) out += Encode(g, k) + "\n";
        std::fwrite(out.data(), 1, out.size(), stdout);
        std::fflush(stdout);
      }
      wb.Clear();
      pending_keys.clear();
      return Status::OK();
    };
    std::string line;
    while (std::getline(std::cin, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      size_t tab = line.find('\t');
      if (tab == std::string::npos) {
        return Fail(
            Status::Invalid("stdin line " + std::to_string(line_no) + ": expected key<TAB>value"));
      }
      auto k = Decode(g, line.substr(0, tab), "key");
      if (!k.ok()) return Fail(k.status().WithContext("stdin line " + std::to_string(line_no)));
      auto v = Decode(g, line.substr(tab + 1), "value");
      if (!v.ok()) return Fail(v.status().WithContext("stdin line " + std::to_string(line_no)));
      if (a.merge) {
        wb.Merge(*k, *v);
      } else {
        wb.Put(*k, *v);
      }
      if (a.ack) pending_keys.push_back(*k);
      batch_bytes += k->size() + v->size();
      ++count;
      if (wb.size() >= a.batch) {
        if (Status s = write_batch(); !s.ok()) return Fail(s);
      }
    }
    if (Status s = write_batch(); !s.ok()) return Fail(s);
    if (Status s = h.db()->Flush(FlushType::kWal); !s.ok()) return Fail(s);
    progress.Finish();
    if (!a.ack) std::cout << count << "\n";
    return kExitOk;
  });
}

struct FillArgs {
  uint64_t num = 0;
  uint64_t value_size = 100;
  uint64_t batch = 1;
  uint64_t seed = 1;
  std::string order = "random";
  bool await_durable = false;
  bool progress = false;
};

int RunFill(const Global& g, const FillArgs& a) {
  return WithHandle(g, true, "fill", [&](Handle& h) {
    util::Random rng(a.seed);
    std::string val(a.value_size, 'a');
    WriteOptions wo;
    wo.await_durable = a.await_durable;
    auto t0 = std::chrono::steady_clock::now();
    ProgressCounters done;
    ProgressReporter progress(ProgressWanted(a.progress), [&](double secs) {
      return RowsLine("fill", "rows", done.rows.load(), done.bytes.load(), secs);
    });
    WriteBatch wb;
    for (uint64_t i = 0; i < a.num; i += a.batch) {
      wb.Clear();
      uint64_t bytes = 0;
      for (uint64_t j = i; j < std::min(a.num, i + a.batch); ++j) {
        std::string key = KeyOf(a.order == "seq" ? j : rng.Uniform(a.num));
        bytes += key.size() + val.size();
        wb.Put(key, val);
      }
      if (Status s = h.db()->Write(wb, wo).status(); !s.ok()) return Fail(s);
      done.rows.fetch_add(wb.size());
      done.bytes.fetch_add(bytes);
    }
    if (Status s = h.db()->Flush(FlushType::kWal); !s.ok()) return Fail(s);
    progress.Finish();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    nlohmann::json j = {
        {"engine", "slatedb-cpp"},     {"workload", "fill"},        {"num", a.num},
        {"value_size", a.value_size},  {"batch", a.batch},          {"seconds", secs},
        {"ops_per_sec", a.num / secs}, {"peak_rss_kb", PeakRssKb()}};
    std::cout << j.dump() << "\n";
    return kExitOk;
  });
}

struct ReadRandomArgs {
  uint64_t num = 0;
  uint64_t reads = 0;
  uint64_t seed = 2;
  bool progress = false;
};

int RunReadRandom(const Global& g, const ReadRandomArgs& a) {
  return WithHandle(g, false, "readrandom", [&](Handle& h) {
    util::Random rng(a.seed);
    uint64_t found = 0;
    auto t0 = std::chrono::steady_clock::now();
    ProgressCounters done;  // rows: reads; bytes: value bytes found
    std::atomic<uint64_t> found_now{0};
    ProgressReporter progress(ProgressWanted(a.progress), [&](double secs) {
      return RowsLine("readrandom", "reads", done.rows.load(), done.bytes.load(), secs) + ", " +
             std::to_string(found_now.load()) + " found";
    });
    for (uint64_t i = 0; i < a.reads; ++i) {
      auto r = h.Get(KeyOf(rng.Uniform(a.num)));
      if (!r.ok()) return Fail(r.status());
      if (r->has_value()) {
        ++found;
        found_now.store(found, std::memory_order_relaxed);
        done.bytes.fetch_add((*r)->size(), std::memory_order_relaxed);
      }
      done.rows.fetch_add(1, std::memory_order_relaxed);
    }
    progress.Finish();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    nlohmann::json j = {{"engine", "slatedb-cpp"},   {"workload", "readrandom"},
                        {"reads", a.reads},          {"found", found},
                        {"seconds", secs},           {"ops_per_sec", a.reads / secs},
                        {"peak_rss_kb", PeakRssKb()}};
    std::cout << j.dump() << "\n";
    return kExitOk;
  });
}

// Reader mode: the summary comes from the latest manifest (nothing is opened for writing).
// Writer mode (--writer) adds the live writer's counters. Both add "request_cost": this
// command's own object-store requests priced per month (docs/metrics.md). --metrics: then the
// Prometheus text of this process's metrics (reader mode opens a DbReader for them).
int RunStatus(const Global& global, bool show_metrics) {
  const auto started = util::SystemClock::Default()->SteadyNow();
  auto recorder = std::make_shared<DefaultMetricsRecorder>();
  Global g = global;
  g.metrics = recorder;
  auto finish = [&](nlohmann::json j) {
    const std::chrono::duration<double> secs = util::SystemClock::Default()->SteadyNow() - started;
    j["request_cost"] = RequestCostJson(EstimateRequestCost(recorder->Snapshot(), secs.count()));
    std::cout << j.dump() << "\n";
    if (show_metrics) std::cout << ToPrometheusText(recorder->Snapshot());
    return kExitOk;
  };
  if (!g.writer) {
    auto opened = OpenObjectStore(g.url);
    if (!opened.ok()) return Fail(opened.status());
    auto store = NewMetricsObjectStore(*opened, recorder, "reader", nullptr);
    auto latest = LatestManifest(g, store);
    if (!latest.ok()) return Fail(latest.status());
    const format::Manifest& m = latest->manifest;
    nlohmann::json j = {{"mode", "reader"},
                        {"manifest_id", latest->id},
                        {"writer_epoch", m.writer_epoch},
                        {"compactor_epoch", m.compactor_epoch},
                        {"last_l0_seq", m.last_l0_seq},
                        {"replay_after_wal_id", m.replay_after_wal_id},
                        {"next_wal_id", m.wal_id_last_seen + 1},
                        {"l0_ssts", m.l0.size()},
                        {"sorted_runs", m.compacted.size()},
                        {"checkpoints", m.checkpoints.size()}};
    if (show_metrics) {
      auto h = Handle::Open(g, Handle::Mode::kReader, /*create=*/false);
      if (!h.ok()) return Fail(h.status());
      if (Status st = (*h)->Close(); !st.ok()) return Fail(st);
    }
    return finish(std::move(j));
  }
  nlohmann::json summary;
  int code = WithHandle(g, false, "status", [&](Handle& h) {
    auto st = h.db()->GetStatus();
    if (!st.ok()) return Fail(st.status());
    nlohmann::json j = {{"mode", "writer"},
                        {"manifest_id", st->manifest_id},
                        {"writer_epoch", st->writer_epoch},
                        {"compactor_epoch", st->compactor_epoch},
                        {"last_committed_seq", st->last_committed_seq},
                        {"durable_seq", st->durable_seq},
                        {"replay_after_wal_id", st->replay_after_wal_id},
                        {"next_wal_id", st->next_wal_id},
                        {"l0_ssts", st->l0_ssts},
                        {"sorted_runs", st->sorted_runs},
                        {"memtable_bytes", st->memtable_bytes},
                        {"wal_upload_bytes", st->wal_upload_bytes}};
    summary = std::move(j);
    return kExitOk;
  });
  return code == kExitOk ? finish(std::move(summary)) : code;
}

// Reads the manifest directly: never opens a writer, so it never fences anyone.
int RunManifest(const Global& g) {
  auto store = OpenObjectStore(g.url);
  if (!store.ok()) return Fail(store.status());
  auto latest = LatestManifest(g, *store);
  if (!latest.ok()) return Fail(latest.status());
  std::cout << ManifestToJson(latest->id, latest->manifest) << "\n";
  return kExitOk;
}

// -v / -vv / -q / --log-level → the level of the default (stderr) logger.
struct LogArgs {
  int verbose = 0;
  bool quiet = false;
  std::string level;
};

Status ApplyLogArgs(const LogArgs& a) {
  if (!a.level.empty()) {
    ASSIGN_OR_RETURN(LogLevel level, ParseLogLevel(a.level));
    SetDefaultLogLevel(level);
  } else if (a.quiet) {
    SetDefaultLogLevel(LogLevel::kError);
  } else if (a.verbose >= 2) {
    SetDefaultLogLevel(LogLevel::kDebug);
  } else if (a.verbose == 1) {
    SetDefaultLogLevel(LogLevel::kInfo);
  }
  return Status::OK();
}

// The first token that names no subcommand, if the command line has one where a command is
// expected (for "unknown command 'x'").
std::optional<std::string> UnknownCommand(const CLI::App& app,
                                          const std::vector<std::string>& rest) {
  for (const std::string& arg : rest) {
    if (arg.empty() || arg[0] == '-') continue;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) known |= sub->check_name(arg);
    if (!known) return arg;
    break;
  }
  return std::nullopt;
}

}  // namespace

int Run(int argc, char** argv) {
  CLI::App app{"slatedb: a SlateDB-compatible key-value store on object storage"};
  app.require_subcommand(1);
  app.get_formatter()->column_width(56);  // every option's help text on its own line
  app.set_version_flag("--version", std::string("slatedb ") + Version());
  Global g;
  LogArgs log;
  std::optional<std::string> env_file;
  auto* url_opt = app.add_option("--url", g.url,
                                 "object store URL: memory:///, file:///abs/dir, "
                                 "s3://bucket[/prefix]; default: from CLOUD_PROVIDER (see "
                                 "--env-file)");
  app.add_option("-e,--env-file", env_file,
                 "dotenv file with CLOUD_PROVIDER=local|memory|aws, LOCAL_PATH, AWS_* (used "
                 "without --url; default ./.env if present)")
      ->excludes(url_opt);
  app.add_option("-p,--path", g.path, "database path inside the store")->required();
  auto* settings_opt =
      app.add_option("--settings", g.settings_json, "partial settings JSON laid over the defaults");
  app.add_option("--config", g.config_file, "settings file (.json, .toml, .yaml or .yml)")
      ->excludes(settings_opt);
  app.add_flag("--hex", g.hex, "keys and values are hex on input and output");
  auto* reader_flag = app.add_flag("--reader", g.reader,
                                   "open read-only (the default of get/scan/status/readrandom)");
  app.add_flag("--writer", g.writer,
               "open reading commands as the writer (fences a running writer)")
      ->excludes(reader_flag);
  app.add_flag("-v,--verbose", log.verbose, "more log lines on stderr (-v info, -vv debug)");
  app.add_flag("-q,--quiet", log.quiet, "only errors on stderr");
  app.add_option(
      "--merge-operator", g.merge_operator_name,
      "string-append|uint64-add: the merge operator for merge, load --merge, reads and "
      "compaction (operands are bytes as values are; uint64-add: 8 little-endian bytes)");
  app.add_option("--log-level", log.level,
                 "trace|debug|info|warn|error|off (default: warn, or "
                 "SLATEDB_LOG)");

  KeyValueArgs kv;
  auto* put = app.add_subcommand("put", "put KEY VALUE (creates the database if missing)");
  put->add_option("key", kv.key, "key")->required();
  put->add_option("value", kv.value, "value")->required();
  put->add_flag("--await-durable", kv.await_durable,
                "wait until the write is durable (else it becomes durable when the command "
                "closes the database, before it exits)");
  auto* get = app.add_subcommand("get", "get KEY: prints the value, exit 3 if absent (reader)");
  get->add_option("key", kv.key, "key")->required();
  auto* merge = app.add_subcommand("merge", "merge KEY OPERAND (needs --merge-operator)");
  merge->add_option("key", kv.key, "key")->required();
  merge->add_option("operand", kv.value, "operand")->required();
  merge->add_flag("--await-durable", kv.await_durable, "wait until the merge is durable");
  auto* del = app.add_subcommand("delete", "delete KEY");
  del->add_option("key", kv.key, "key")->required();
  del->add_flag("--await-durable", kv.await_durable, "wait until the delete is durable");
  auto* flush = app.add_subcommand("flush", "flush the WAL (--memtable: also write an L0)");
  bool flush_memtable = false;
  flush->add_flag("--memtable", flush_memtable, "also flush the memtable to an L0 SST");

  ScanArgs scan_args;
  auto* scan = app.add_subcommand("scan", "one key<TAB>value line per row (reader)");
  auto* scan_from = scan->add_option("--from", scan_args.from, "first key (inclusive)");
  auto* scan_to = scan->add_option("--to", scan_args.to, "end key (exclusive)");
  scan->add_option("--prefix", scan_args.prefix, "only keys starting with P")
      ->excludes(scan_from)
      ->excludes(scan_to);
  scan->add_flag("--reverse", scan_args.reverse, "descending order");
  scan->add_option("--limit,--max-keys", scan_args.limit, "at most N rows (default: all)");
  scan->add_flag("--count", scan_args.count,
                 "print only \"<n> entries, <bytes> bytes\" (key + value bytes)");
  scan->add_option("--checkpoint", scan_args.checkpoint,
                   "read the frozen view of this checkpoint id (protected from the GC)");

  LoadArgs load_args;
  auto* load = app.add_subcommand("load", "key<TAB>value lines on stdin");
  load->add_option("--batch", load_args.batch, "rows per write batch (1..1000000)")
      ->check(CLI::Range(uint64_t{1}, kMaxBatch));
  load->add_flag("--await-durable", load_args.await_durable,
                 "each batch waits until its WAL SST is stored");
  load->add_flag("--ack", load_args.ack,
                 "print each key once it is durable (implies --await-durable)");
  load->add_flag("--merge", load_args.merge,
                 "each line is key<TAB>operand, written as a merge (needs --merge-operator)");
  load->add_flag("--progress", load_args.progress, kProgressHelp);

  FillArgs fill_args;
  auto* fill = app.add_subcommand("fill", "deterministic write workload; prints one JSON line");
  fill->add_option("--num", fill_args.num, "number of writes (0..10^12)")
      ->required()
      ->check(CLI::Range(uint64_t{0}, kMaxNum));
  fill->add_option("--value-size", fill_args.value_size, "bytes per value (0..268435456)")
      ->check(CLI::Range(uint64_t{0}, kMaxValueSize));
  fill->add_option("--batch", fill_args.batch, "rows per write batch (1..1000000)")
      ->check(CLI::Range(uint64_t{1}, kMaxBatch));
  fill->add_option("--seed", fill_args.seed, "seed of the key sequence");
  fill->add_option("--order", fill_args.order, "random or seq")
      ->check(CLI::IsMember({"random", "seq"}));
  fill->add_flag("--await-durable", fill_args.await_durable,
                 "each batch waits until its WAL SST is stored");
  fill->add_flag("--progress", fill_args.progress, kProgressHelp);

  ReadRandomArgs rr_args;
  auto* readrandom = app.add_subcommand("readrandom", "random point reads; one JSON line (reader)");
  readrandom->add_option("--num", rr_args.num, "key space: key0..key(num-1) (1..10^12)")
      ->required()
      ->check(CLI::Range(uint64_t{1}, kMaxNum));
  readrandom->add_option("--reads", rr_args.reads, "number of reads (0..10^12)")
      ->required()
      ->check(CLI::Range(uint64_t{0}, kMaxNum));
  readrandom->add_option("--seed", rr_args.seed, "seed of the key sequence");
  readrandom->add_flag("--progress", rr_args.progress, kProgressHelp);

  auto* status = app.add_subcommand("status", "prints a JSON summary (reader: from the manifest)");
  bool status_metrics = false;
  status->add_flag("--metrics", status_metrics,
                   "then this process's metrics in the Prometheus text format (docs/metrics.md)");
  auto* manifest = app.add_subcommand("manifest", "prints the latest manifest as JSON");
  CloneCommands clone_commands(app);            // create-clone
  CompactorCommands compactor_commands(app);    // compactor, gc
  AdminCommands admin_commands(app);            // wal-dump, cdc, sst-dump, verify
  CheckpointCommands checkpoint_commands(app);  // create/list/refresh/delete-checkpoint
  OfficialCommands official_commands(app);  // read/list-manifest(s), -compactions, delete-db, ...

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::vector<std::string> args(argv + 1, argv + argc);
    bool any_subcommand = false;
    for (const CLI::App* sub : app.get_subcommands({})) any_subcommand |= sub->parsed();
    if (!any_subcommand) {
      if (auto unknown = UnknownCommand(app, app.remaining())) {
        std::cerr << "error: unknown command '" << *unknown << "' (see --help)\n";
        return kExitUsage;
      }
    }
    app.exit(e);
    return kExitUsage;
  }
  if (Status s = ApplyLogArgs(log); !s.ok()) {
    std::cerr << "error: --log-level: " << s.message() << "\n";
    return kExitUsage;
  }

  auto op = MergeOperatorByName(g.merge_operator_name);
  if (!op.ok()) {
    std::cerr << "error: --merge-operator: " << op.status().message() << "\n";
    return kExitUsage;
  }
  g.merge_operator = std::move(*op);
  if (g.url.empty()) {
    auto url = StoreUrlFromEnv(env_file);
    if (!url.ok()) return Fail(url.status());
    g.url = *url;
  }

  if (*put) return RunPut(g, kv);
  if (*merge) return RunMerge(g, kv);
  if (*del) return RunDelete(g, kv);
  if (*get) return RunGet(g, kv);
  if (*flush) return RunFlush(g, flush_memtable);
  if (*scan) return RunScan(g, scan_args);
  if (*load) return RunLoad(g, load_args);
  if (*fill) return RunFill(g, fill_args);
  if (*readrandom) return RunReadRandom(g, rr_args);
  if (*status) return RunStatus(g, status_metrics);
  if (*manifest) return RunManifest(g);
  if (clone_commands.parsed()) return clone_commands.Run(g.url, g.path);
  if (admin_commands.parsed()) return admin_commands.Run(g.url, g.path);
  if (checkpoint_commands.parsed()) return checkpoint_commands.Run(g.url, g.path);
  if (official_commands.parsed()) return official_commands.Run(g.url, g.path);
  if (compactor_commands.parsed()) {
    auto settings = LoadSettings(g);
    if (!settings.ok()) return Fail(settings.status());
    return compactor_commands.Run(g.url, g.path, *settings, g.merge_operator);
  }
  return kExitUsage;
}

}  // namespace slatedb::cli
