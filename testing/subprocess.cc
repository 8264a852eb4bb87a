#include "subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace slatedb::testing {
namespace {

int DecodeWait(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Forks and execs; the child gets pipes for stdin/stdout/stderr (err_fd may be -1 = inherit).
pid_t Spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            int* in_w, int* out_r, int* err_r) {
  int in[2], out[2], err[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return -1;
  if (err_r != nullptr && pipe2(err, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    if (err_r != nullptr) dup2(err[1], 2);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  if (err_r != nullptr) close(err[1]);
  *in_w = in[1];
  *out_r = out[0];
  if (err_r != nullptr) *err_r = err[0];
  return pid;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdin_data,
                         std::chrono::milliseconds timeout,
                         const std::map<std::string, std::string>& env) {
  ProcessResult r;
  int in_w, out_r, err_r;
  pid_t pid = Spawn(argv, env, &in_w, &out_r, &err_r);
  if (pid < 0) {
    r.err = std::string("spawn failed: ") + std::strerror(errno);
    return r;
  }
  signal(SIGPIPE, SIG_IGN);
  fcntl(in_w, F_SETFL, O_NONBLOCK);
  size_t written = 0;
  if (stdin_data.empty()) {
    close(in_w);
    in_w = -1;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out_r, POLLIN, 0});
    if (err_open) fds.push_back({err_r, POLLIN, 0});
    if (in_w >= 0) fds.push_back({in_w, POLLOUT, 0});
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    int n = poll(fds.data(), fds.size(), static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) break;
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in_w) {
        ssize_t w = write(in_w, stdin_data.data() + written, stdin_data.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN) written = stdin_data.size();
        if (written >= stdin_data.size()) {
          close(in_w);
          in_w = -1;
        }
        continue;
      }
      ssize_t got = read(p.fd, buf, sizeof(buf));
      if (got > 0) {
        (p.fd == out_r ? r.out : r.err).append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
        if (p.fd == out_r)
          out_open = false;
        else
          err_open = false;
      }
    }
  }
  if (in_w >= 0) close(in_w);
  close(out_r);
  close(err_r);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = DecodeWait(status);
  return r;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env,
                                     bool capture_stderr) {
  pid_ = Spawn(argv, env, &in_fd_, &out_fd_, capture_stderr ? &err_fd_ : nullptr);
  if (pid_ > 0) fcntl(out_fd_, F_SETFL, O_NONBLOCK);
  if (pid_ > 0 && err_fd_ >= 0) fcntl(err_fd_, F_SETFL, O_NONBLOCK);
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0 && !waited_) {
    kill(pid_, SIGKILL);
    Wait();
  }
  if (in_fd_ >= 0) close(in_fd_);
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

void BackgroundProcess::CloseStdin() {
  if (in_fd_ >= 0) close(in_fd_);
  in_fd_ = -1;
}

void BackgroundProcess::DrainStdout(std::string* out) {
  char buf[65536];
  while (true) {
    ssize_t got = read(out_fd_, buf, sizeof(buf));
    if (got <= 0) break;
    out->append(buf, static_cast<size_t>(got));
  }
}

void BackgroundProcess::DrainStderr(std::string* err) {
  if (err_fd_ < 0) return;
  char buf[65536];
  while (true) {
    ssize_t got = read(err_fd_, buf, sizeof(buf));
    if (got <= 0) break;
    err->append(buf, static_cast<size_t>(got));
  }
}

bool BackgroundProcess::Running() {
  if (pid_ <= 0 || waited_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
  waited_ = true;
  exit_code_ = DecodeWait(status);
  return false;
}

void BackgroundProcess::Signal(int sig) {
  if (pid_ > 0 && !waited_) kill(pid_, sig);
}

int BackgroundProcess::Wait() {
  if (waited_) return exit_code_;
  int status = 0;
  waitpid(pid_, &status, 0);
  waited_ = true;
  exit_code_ = DecodeWait(status);
  return exit_code_;
}

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "slatedb-test-XXXXXX").string();
  char* p = mkdtemp(templ.data());
  path_ = p != nullptr ? p : "";
}

std::string TempDir::Write(const std::string& name, const std::string& text) const {
  std::string p = path_ + "/" + name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

static std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

std::string FixturesDir() {
  return EnvOr("SLATEDB_FIXTURES",
               EnvOr("SLATEDB_SOURCE_DIR", ".") + "/../shared/peer/fixtures-0.12.1");
}
std::string PeerCli() {
  return EnvOr("SLATEDB_PEER", EnvOr("SLATEDB_SOURCE_DIR", ".") + "/../shared/peer/slatedb-peer");
}
std::string OurCli() {
  if (const char* cli = std::getenv("SLATEDB_CLI"); cli != nullptr && *cli != '\0') return cli;
  if (const char* bin = std::getenv("SLATEDB_BINARY_DIR"); bin != nullptr && *bin != '\0') {
    return std::string(bin) + "/tools/cli/slatedb";
  }
  // Under plain ctest: walk up from this test binary to the build tree that holds the CLI.
  std::error_code ec;
  auto dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  for (; !ec && !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
    auto candidate = dir / "tools" / "cli" / "slatedb";
    if (std::filesystem::exists(candidate, ec)) return candidate.string();
  }
  return "./tools/cli/slatedb";
}

bool CopyTree(const std::string& from, const std::string& to) {
  std::error_code ec;
  std::filesystem::copy(
      from, to,
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing,
      ec);
  if (ec) return false;
  // Fixtures are read-only in CI: make the copy writable.
  for (auto& e : std::filesystem::recursive_directory_iterator(to, ec)) {
    std::filesystem::permissions(e.path(), std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::add, ec);
  }
  std::filesystem::permissions(to, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  return true;
}

}  // namespace slatedb::testing
