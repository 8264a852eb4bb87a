// cli/official_cmd.h — the inspection and maintenance subcommands of SlateDB's official
// `slatedb-cli` that our CLI lacked, with its names, flags and output shapes:
//
//   read-manifest [-i ID]          the latest (or manifest ID) as one JSON object in the shape of
//                                  slatedb-cli's VersionedManifest; "no manifest file found"
//   list-manifests [-s A] [-e B]   a JSON array of the manifests with A <= id < B
//   read-compactions [-i ID]       the latest (or ID) `.compactions` as JSON; "no compactions
//                                  file found"
//   list-compactions [-s A] [-e B] a JSON array of the `.compactions` versions with A <= id < B
//   read-compaction -i ULID [--compactions-id N]
//                                  one compaction record of the latest (or N) `.compactions` as
//                                  JSON; "no compaction found"
//   delete-db [--confirm]          dry run: "would delete N objects:", one indented object key a
//                                  line, "rerun with --confirm to delete"; --confirm: removes
//                                  the checkpoints this database (a clone) pins in its parents,
//                                  writes `<path>/.deleting`, deletes every object under the
//                                  path, the marker last, prints "deleted N objects". Refuses a
//                                  path with objects but neither a manifest nor the marker.
//   run-garbage-collection -r manifest|wal|wal-fence|compacted|compactions -m D
//                                  one sweep of that resource (objects older than D, e.g. "1h");
//                                  wal-fence: only the zero-row WAL fences; prints JSON counters
//   submit-compaction --request R [--scheduler size-tiered]
//                                  R: "Full" (every sorted run into the lowest-id one; L0 is left
//                                  to the scheduler, as SlateDB 0.13+), {"FullSegment":
//                                  {"segment":[]}}, or {"Spec":{"sources":[{"SortedRun":N} |
//                                  {"SstView":"ULID"}],"destination":N}}; appends a Submitted
//                                  job to `.compactions` (compare-and-swap) and prints it as a
//                                  JSON array. The running compactor validates it at its next
//                                  poll and runs it, or marks it Failed and logs why.
//   seq-to-ts SEQ [--round up|down]  RFC 3339 time ("...+00:00") or "not found"
//   ts-to-seq TS [--round up|down]   the seq at Unix second TS or "not found"
// All read through the latest manifest and never open a writer: nothing is fenced, and reading
// commands create nothing. Thread safety: single-threaded entry points. Errors: printed to
// stderr ("error: ..." naming the id or path); exit codes 0 ok, 1 error, 2 usage.
//
// StoreUrlFromEnv: when --url is absent the store comes from the environment as the official CLI
// takes it: CLOUD_PROVIDER=local (LOCAL_PATH) | memory | aws (AWS_BUCKET or AWS_BUCKET_NAME,
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT or
// AWS_ENDPOINT_URL, AWS_ALLOW_HTTP), after loading a dotenv file (--env-file; default ./.env
// when it exists). Variables already set win over the file. kInvalid naming the variable when
// CLOUD_PROVIDER is missing or unknown or a required variable is unset, or naming the file when
// --env-file cannot be read or has a malformed line.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "slatedb/status.h"

namespace slatedb::cli {

// The store URL from the environment (see above); may set AWS_ENDPOINT_URL from AWS_ENDPOINT.
Result<std::string> StoreUrlFromEnv(const std::optional<std::string>& env_file);

class OfficialCommands {
 public:
  // Registers the subcommands on `app`.
  explicit OfficialCommands(CLI::App& app);
  // True if one of them was parsed.
  bool parsed() const;
  // Runs the parsed subcommand on the database at `url` / `path`; returns the exit code.
  int Run(const std::string& url, const std::string& path);

 private:
  CLI::App* read_manifest_ = nullptr;
  CLI::App* list_manifests_ = nullptr;
  CLI::App* read_compactions_ = nullptr;
  CLI::App* list_compactions_ = nullptr;
  CLI::App* read_compaction_ = nullptr;
  CLI::App* delete_db_ = nullptr;
  CLI::App* gc_ = nullptr;
  CLI::App* submit_ = nullptr;
  CLI::App* seq_to_ts_ = nullptr;
  CLI::App* ts_to_seq_ = nullptr;
  std::optional<uint64_t> id_;
  std::string compaction_id_;
  std::optional<uint64_t> compactions_id_;
  std::optional<uint64_t> start_;
  std::optional<uint64_t> end_;
  bool confirm_ = false;
  std::string resource_;
  std::string min_age_;
  bool disable_boundary_files_ = false;
  uint64_t seq_ = 0;
  int64_t ts_ = 0;
  std::string round_ = "down";
  std::string request_;
  std::string scheduler_ = "size-tiered";
};

}  // namespace slatedb::cli
