// cli/admin_cmd.h — change data capture and inspection subcommands of `slatedb` (docs/cdc.md).
//
//   wal-dump [--from ID]          one JSON line per WAL row, {"wal_id","seq","kind","key","value"}
//                                 (key/value hex, value null for tombstones), byte for byte as
//                                 SlateDB's peer prints them; reads only the WAL objects.
//   cdc --from-seq N [--follow] [--poll-ms MS]
//                                 rows with seq >= N in commit order, one JSON line each (the
//                                 wal-dump fields plus create_ts / expire_ts); --follow keeps
//                                 polling the WAL tail until SIGINT / SIGTERM, then exits 0.
//   sst-dump ID|OBJECT [--rows] [--stats] [--verify]
//                                 one JSON object: SST info, index entries, filter names, with
//                                 --stats the stats block, --rows every row, --verify a CRC and
//                                 decode check of every data block (exit 1 naming bad blocks).
//                                 ID is a compacted SST ULID or a WAL id; OBJECT an object key.
//   verify [--full] [--wal-url U] checks the latest manifest and each checkpoint's manifest: every
//                                 SST they reference exists and decodes (with --full every data
//                                 block), sorted runs are ordered and non-overlapping, WAL ids are
//                                 contiguous after the replay point (in the --wal-url store when
//                                 the WAL is kept apart); prints a JSON summary, each
//                                 problem on stderr, exit 1 if there is any.
// None of them writes to the store. Thread safety: single-threaded entry points. Errors: printed
// to stderr; exit codes 0 ok, 1 error or problems found, 3 no such SST / database.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace slatedb::cli {

class AdminCommands {
 public:
  // Registers the subcommands on `app`.
  explicit AdminCommands(CLI::App& app);
  // True if one of the subcommands was parsed.
  bool parsed() const;
  // Runs the parsed subcommand on the database `path` in the store at `url`; returns the process
  // exit code.
  int Run(const std::string& url, const std::string& path);

 private:
  int RunWalDump(const std::string& url, const std::string& path);
  int RunCdc(const std::string& url, const std::string& path);
  int RunSstDump(const std::string& url, const std::string& path);
  int RunVerify(const std::string& url, const std::string& path);

  CLI::App* wal_dump_ = nullptr;
  CLI::App* cdc_ = nullptr;
  CLI::App* sst_dump_ = nullptr;
  CLI::App* verify_ = nullptr;
  uint64_t from_wal_ = 0;
  bool from_wal_set_ = false;
  uint64_t from_seq_ = 0;
  bool follow_ = false;
  uint64_t poll_ms_ = 1000;
  std::string sst_target_;
  bool sst_rows_ = false;
  bool sst_stats_ = false;
  bool sst_verify_ = false;
  bool verify_full_ = false;
  std::string verify_wal_url_;
};

}  // namespace slatedb::cli
