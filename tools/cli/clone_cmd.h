// cli/clone_cmd.h — `slatedb create-clone --parent-path P [--checkpoint ID]`: makes the database
// at the global --path a shallow clone of the database at P in the same store (--url), through
// slatedb::Admin::CreateClone (slatedb/admin.h; docs/design.md "Clones"). Without --checkpoint
// the clone starts from a new checkpoint of P's latest manifest. Running it again with the same
// arguments finishes a clone whose creation was interrupted (and is a no-op on a finished one).
// Prints one JSON object: {"path","parent_path","source_checkpoint_id","final_checkpoint_id",
// "source_manifest_id","manifest_id","wal_ssts_copied"} (source_manifest_id and wal_ssts_copied
// are 0 when the clone was already complete). SlateDB's slatedb-cli has no such command; the
// name follows its create-checkpoint.
// Thread safety: single-threaded entry points. Errors: printed to stderr ("error: ..." naming
// the path or checkpoint); exit codes 0 ok, 1 error, 2 usage (CLI11).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace slatedb::cli {

class CloneCommands {
 public:
  // Registers the subcommand on `app`.
  explicit CloneCommands(CLI::App& app);
  bool parsed() const;
  // Runs it with the clone at `url` / `path`; returns the exit code.
  int Run(const std::string& url, const std::string& path);

 private:
  CLI::App* create_ = nullptr;
  std::string parent_path_;
  std::optional<std::string> checkpoint_;
};

}  // namespace slatedb::cli
