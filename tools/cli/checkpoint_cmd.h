// cli/checkpoint_cmd.h — the checkpoint subcommands of SlateDB's official `slatedb-cli`, with its
// names, flags and output:
//
//   create-checkpoint [--lifetime D] [--source ID] [--name N]
//       prints `CheckpointCreateResult { id: <uuid>, manifest_id: <n> }`
//   list-checkpoints [--name N]
//       prints one JSON array: [{"id","manifest_id","expire_time","create_time","name"}], times
//       RFC 3339 UTC ("2026-12-01T18:00:00Z"), expire_time / name null when unset
//   refresh-checkpoint --id ID [--lifetime D]   prints `()`; no --lifetime: never expires
//   delete-checkpoint --id ID                   prints `()`
// Durations as SlateDB reads them ("1h", "7days 30min 10s"; config/duration.h). They run through
// slatedb::Admin (slatedb/admin.h): no writer is opened, nothing is fenced, and nothing is
// created when --path holds no database. Short flags -l, -s, -n, -i as in slatedb-cli.
// Thread safety: single-threaded entry points. Errors: printed to stderr ("error: ..." naming
// the id or path); exit codes 0 ok, 1 error (unknown id, no database, store), 2 usage (CLI11).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace slatedb::cli {

class CheckpointCommands {
 public:
  // Registers the subcommands on `app`.
  explicit CheckpointCommands(CLI::App& app);
  // True if one of them was parsed.
  bool parsed() const;
  // Runs the parsed subcommand on the database at `url` / `path`; returns the exit code.
  int Run(const std::string& url, const std::string& path);

 private:
  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* refresh_ = nullptr;
  CLI::App* delete_ = nullptr;
  std::optional<std::string> lifetime_;
  std::optional<std::string> source_;
  std::optional<std::string> name_;
  std::string id_;
};

}  // namespace slatedb::cli
