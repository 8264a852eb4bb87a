// testing/subprocess.h — run a child process with stdin data and capture its output (tests only).
//
// Thread safety: each call is independent. Errors: a failure to start the process is returned
// as exit_code -1 with the reason in err.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace slatedb::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: could not start; 128+N: killed by signal N
  std::string out;
  std::string err;
};

// Runs argv[0] (searched in PATH) with `stdin_data`; waits for it (at most `timeout`; then
// SIGKILL and exit_code 137). `env` entries are added to the current environment.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdin_data = "",
                         std::chrono::milliseconds timeout = std::chrono::minutes(5),
                         const std::map<std::string, std::string>& env = {});

// A child running in the background, its stdout read line by line (for crash tests).
class BackgroundProcess {
 public:
  // capture_stderr: the child's stderr goes to a pipe read by DrainStderr (else it is inherited).
  BackgroundProcess(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env = {},
                    bool capture_stderr = false);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int stdin_fd() const { return in_fd_; }
  void CloseStdin();
  // Reads whatever stdout has produced so far (non-blocking) and appends it to `out`.
  void DrainStdout(std::string* out);
  // The same for stderr (only with capture_stderr).
  void DrainStderr(std::string* err);
  // True while the child has not exited (reaps it when it has; Wait() then returns its code).
  bool Running();
  void Signal(int sig);
  // Waits for exit; returns the exit code (128+N on signal N).
  int Wait();

 private:
  pid_t pid_ = -1;
  int in_fd_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int exit_code_ = -1;
  bool waited_ = false;
};

// A temporary directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  // Writes `text` to `name` inside the directory; returns the file's path.
  std::string Write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

// The whole file, or "" if it cannot be read.
std::string ReadFile(const std::string& path);

// Where the frozen peer fixtures are: $SLATEDB_FIXTURES, else
// $SLATEDB_SOURCE_DIR/../shared/peer/fixtures-0.12.1.
std::string FixturesDir();
// The peer CLI: $SLATEDB_PEER, else $SLATEDB_SOURCE_DIR/../shared/peer/slatedb-peer.
std::string PeerCli();
// Our CLI: $SLATEDB_CLI, else $SLATEDB_BINARY_DIR/tools/cli/slatedb.
std::string OurCli();
// Recursively copies a directory tree (for working on a copy of a read-only fixture).
bool CopyTree(const std::string& from, const std::string& to);

}  // namespace slatedb::testing
