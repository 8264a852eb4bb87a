#include "cli/commands.h"

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/compactor_cmd.h"
#include "cli/manifest_json.h"
#include "config/settings_io.h"
#include "slatedb/db.h"
#include "slatedb/object_store.h"
#include "util/coding.h"
#include "util/random.h"

namespace slatedb::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNotFound = 3;

struct Global {
  std::string url;
  std::string path;
  std::string settings_json;
  std::string config_file;
  bool hex = false;
  bool reader = false;
};

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

// Either a writer or a read-only reader behind one small surface.
class Handle {
 public:
  static Result<std::unique_ptr<Handle>> Open(const Global& g) {
    auto h = std::make_unique<Handle>();
    ASSIGN_OR_RETURN(auto store, OpenObjectStore(g.url));
    Components components;
    components.object_store = store;
    if (g.reader) {
      ASSIGN_OR_RETURN(h->reader_, DbReader::Open(g.path, components));
    } else {
      ASSIGN_OR_RETURN(Settings settings, LoadSettings(g));
      ASSIGN_OR_RETURN(h->db_, Db::Open(g.path, components, settings));
    }
    return h;
  }

  Db* db() { return db_.get(); }
  Result<std::optional<std::string>> Get(std::string_view key) {
    return db_ ? db_->Get(key) : reader_->Get(key);
  }
  Result<std::unique_ptr<DbIterator>> Scan(const ScanRange& range, const ScanOptions& options) {
    return db_ ? db_->Scan(range, options) : reader_->Scan(range, options);
  }
  Status Close() { return db_ ? db_->Close() : reader_->Close(); }

 private:
  std::unique_ptr<Db> db_;
  std::unique_ptr<DbReader> reader_;
};

Status RequireWriter(const Global& g, const char* cmd) {
  if (g.reader) return Status::Invalid(std::string("'") + cmd + "' needs a writer; drop --reader");
  return Status::OK();
}

// Runs `body` with an open handle and always closes it; a close error is reported too.
template <typename Body>
int WithHandle(const Global& g, Body body) {
  auto h = Handle::Open(g);
  if (!h.ok()) return Fail(h.status());
  int code = body(**h);
  Status close = (*h)->Close();
  if (!close.ok() && code == kExitOk) return Fail(close);
  return code;
}

}  // namespace

int Run(int argc, char** argv) {
  CLI::App app{"slatedb: a SlateDB-compatible key-value store on object storage"};
  app.require_subcommand(1);
  Global g;
  app.add_option("--url", g.url, "object store URL: memory:///, file:///abs/dir, s3://bucket[/prefix]")
      ->required();
  app.add_option("--path", g.path, "database path inside the store")->required();
  auto* settings_opt = app.add_option("--settings", g.settings_json,
                                      "partial settings JSON laid over the defaults");
  app.add_option("--config", g.config_file, "settings file (.json or .toml)")
      ->excludes(settings_opt);
  app.add_flag("--hex", g.hex, "keys and values are hex on input and output");
  app.add_flag("--reader", g.reader, "open read-only (never fences the writer)");

  std::string key, value;
  auto* put = app.add_subcommand("put", "put KEY VALUE");
  put->add_option("key", key)->required();
  put->add_option("value", value)->required();
  auto* get = app.add_subcommand("get", "get KEY: prints the value, exit 3 if absent");
  get->add_option("key", key)->required();
  auto* del = app.add_subcommand("delete", "delete KEY");
  del->add_option("key", key)->required();
  auto* flush = app.add_subcommand("flush", "flush the WAL (--memtable: also write an L0)");
  bool flush_memtable = false;
  flush->add_flag("--memtable", flush_memtable, "also flush the memtable to an L0 SST");

  auto* scan = app.add_subcommand("scan", "one key<TAB>value line per row");
  std::optional<std::string> from, to;
  bool reverse = false;
  uint64_t limit = UINT64_MAX;
  scan->add_option("--from", from, "first key (inclusive)");
  scan->add_option("--to", to, "end key (exclusive)");
  scan->add_flag("--reverse", reverse, "descending order");
  scan->add_option("--limit", limit, "at most N rows");

  auto* load = app.add_subcommand("load", "key<TAB>value lines on stdin");
  uint64_t batch = 1000;
  bool await_durable = false, ack = false;
  load->add_option("--batch", batch, "rows per write batch")->check(CLI::PositiveNumber);
  load->add_flag("--await-durable", await_durable, "each batch waits until its WAL SST is stored");
  load->add_flag("--ack", ack, "print each key once it is durable (implies --await-durable)");

  auto* fill = app.add_subcommand("fill", "deterministic write workload; prints one JSON line");
  uint64_t num = 0, value_size = 100, seed = 1, reads = 0;
  std::string order = "random";
  uint64_t fill_batch = 1;
  fill->add_option("--num", num)->required();
  fill->add_option("--value-size", value_size);
  fill->add_option("--batch", fill_batch)->check(CLI::PositiveNumber);
  fill->add_option("--seed", seed);
  fill->add_option("--order", order)->check(CLI::IsMember({"random", "seq"}));
  fill->add_flag("--await-durable", await_durable);

  auto* readrandom = app.add_subcommand("readrandom", "random point reads; prints one JSON line");
  uint64_t read_seed = 2;
  readrandom->add_option("--num", num)->required();
  readrandom->add_option("--reads", reads)->required();
  readrandom->add_option("--seed", read_seed);

  auto* status = app.add_subcommand("status", "prints a JSON summary");
  auto* manifest = app.add_subcommand("manifest", "prints the latest manifest as JSON");
  CompactorCommands compactor_commands(app);  // compactor, gc

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  if (*put || *del) {
    if (Status s = RequireWriter(g, put->parsed() ? "put" : "delete"); !s.ok()) return Fail(s);
    auto k = Decode(g, key, "key");
    if (!k.ok()) return Fail(k.status());
    auto v = Decode(g, value, "value");
    if (!v.ok()) return Fail(v.status());
    return WithHandle(g, [&](Handle& h) {
      Status s = put->parsed() ? h.db()->Put(*k, *v) : h.db()->Delete(*k);
      return s.ok() ? kExitOk : Fail(s);
    });
  }
  if (*get) {
    auto k = Decode(g, key, "key");
    if (!k.ok()) return Fail(k.status());
    return WithHandle(g, [&](Handle& h) {
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
  if (*flush) {
    if (Status s = RequireWriter(g, "flush"); !s.ok()) return Fail(s);
    return WithHandle(g, [&](Handle& h) {
      Status s = h.db()->Flush(flush_memtable ? FlushType::kMemTable : FlushType::kWal);
      return s.ok() ? kExitOk : Fail(s);
    });
  }
  if (*scan) {
    ScanRange range;
    if (from) {
      auto f = Decode(g, *from, "--from");
      if (!f.ok()) return Fail(f.status());
      range.start = *f;
    }
    if (to) {
      auto t = Decode(g, *to, "--to");
      if (!t.ok()) return Fail(t.status());
      range.end = *t;
    }
    ScanOptions options;
    options.reverse = reverse;
    return WithHandle(g, [&](Handle& h) {
      auto it = h.Scan(range, options);
      if (!it.ok()) return Fail(it.status());
      std::string out;
      for (uint64_t n = 0; n < limit; ++n) {
        auto kv = (*it)->Next();
        if (!kv.ok()) return Fail(kv.status());
        if (!kv->has_value()) break;
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
      return kExitOk;
    });
  }
  if (*load) {
    if (Status s = RequireWriter(g, "load"); !s.ok()) return Fail(s);
    if (ack) await_durable = true;
    return WithHandle(g, [&](Handle& h) {
      WriteOptions wo;
      wo.await_durable = await_durable;
      WriteBatch wb;
      std::vector<std::string> pending_keys;
      uint64_t count = 0, line_no = 0;
      auto write_batch = [&]() -> Status {
        if (wb.empty()) return Status::OK();
        RETURN_IF_ERROR(h.db()->Write(wb, wo));
        if (ack) {
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
          return Fail(Status::Invalid("stdin line " + std::to_string(line_no) +
                                      ": expected key<TAB>value"));
        }
        auto k = Decode(g, line.substr(0, tab), "key");
        if (!k.ok()) return Fail(k.status().WithContext("stdin line " + std::to_string(line_no)));
        auto v = Decode(g, line.substr(tab + 1), "value");
        if (!v.ok()) return Fail(v.status().WithContext("stdin line " + std::to_string(line_no)));
        wb.Put(*k, *v);
        if (ack) pending_keys.push_back(*k);
        ++count;
        if (wb.size() >= batch) {
          if (Status s = write_batch(); !s.ok()) return Fail(s);
        }
      }
      if (Status s = write_batch(); !s.ok()) return Fail(s);
      if (Status s = h.db()->Flush(FlushType::kWal); !s.ok()) return Fail(s);
      if (!ack) std::cout << count << "\n";
      return kExitOk;
    });
  }
  if (*fill) {
    if (Status s = RequireWriter(g, "fill"); !s.ok()) return Fail(s);
    return WithHandle(g, [&](Handle& h) {
      util::Random rng(seed);
      std::string val(value_size, 'a');
      WriteOptions wo;
      wo.await_durable = await_durable;
      auto t0 = std::chrono::steady_clock::now();
      WriteBatch wb;
      for (uint64_t i = 0; i < num; i += fill_batch) {
        wb.Clear();
        for (uint64_t j = i; j < std::min(num, i + fill_batch); ++j) {
          wb.Put(KeyOf(order == "seq" ? j : rng.Uniform(num)), val);
        }
        if (Status s = h.db()->Write(wb, wo); !s.ok()) return Fail(s);
      }
      if (Status s = h.db()->Flush(FlushType::kWal); !s.ok()) return Fail(s);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      nlohmann::json j = {{"engine", "slatedb-cpp"}, {"workload", "fill"}, {"num", num},
                          {"value_size", value_size}, {"batch", fill_batch}, {"seconds", secs},
                          {"ops_per_sec", num / secs}, {"peak_rss_kb", PeakRssKb()}};
      std::cout << j.dump() << "\n";
      return kExitOk;
    });
  }
  if (*readrandom) {
    return WithHandle(g, [&](Handle& h) {
      util::Random rng(read_seed);
      uint64_t found = 0;
      auto t0 = std::chrono::steady_clock::now();
      for (uint64_t i = 0; i < reads; ++i) {
        auto r = h.Get(KeyOf(rng.Uniform(num)));
        if (!r.ok()) return Fail(r.status());
        if (r->has_value()) ++found;
      }
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      nlohmann::json j = {{"engine", "slatedb-cpp"}, {"workload", "readrandom"}, {"reads", reads},
                          {"found", found}, {"seconds", secs}, {"ops_per_sec", reads / secs},
                          {"peak_rss_kb", PeakRssKb()}};
      std::cout << j.dump() << "\n";
      return kExitOk;
    });
  }
  if (*status) {
    if (Status s = RequireWriter(g, "status"); !s.ok()) return Fail(s);
    return WithHandle(g, [&](Handle& h) {
      auto st = h.db()->GetStatus();
      if (!st.ok()) return Fail(st.status());
      nlohmann::json j = {{"manifest_id", st->manifest_id},
                          {"writer_epoch", st->writer_epoch},
                          {"compactor_epoch", st->compactor_epoch},
                          {"last_committed_seq", st->last_committed_seq},
                          {"durable_seq", st->durable_seq},
                          {"replay_after_wal_id", st->replay_after_wal_id},
                          {"next_wal_id", st->next_wal_id},
                          {"l0_ssts", st->l0_ssts},
                          {"sorted_runs", st->sorted_runs},
                          {"memtable_bytes", st->memtable_bytes}};
      std::cout << j.dump() << "\n";
      return kExitOk;
    });
  }
  if (compactor_commands.parsed()) {
    auto settings = LoadSettings(g);
    if (!settings.ok()) return Fail(settings.status());
    return compactor_commands.Run(g.url, g.path, *settings);
  }
  if (*manifest) {
    // Reads the manifest directly: never opens a writer, so it never fences anyone.
    auto store = OpenObjectStore(g.url);
    if (!store.ok()) return Fail(store.status());
    auto json = LatestManifestJson(*store, g.path);
    if (!json.ok()) return Fail(json.status());
    std::cout << *json << "\n";
    return kExitOk;
  }
  return kExitUsage;
}

}  // namespace slatedb::cli
