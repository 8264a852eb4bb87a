#include "object_store/local_object_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "object_store/key.h"
#include "object_store/object_reader.h"
#include "object_store/object_writer.h"
#include "util/mutex.h"
#include "util/random.h"

namespace slatedb {
namespace {

using object_store::Printable;

std::string Errno(int err) { return std::strerror(err); }

// Closes a descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

std::string EtagOf(const struct stat& st) {
  char buf[96];
  int64_t ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  std::snprintf(buf, sizeof(buf), "%llx-%llx-%llx", static_cast<unsigned long long>(ns),
                static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(st.st_ino));
  return buf;
}

int64_t MtimeMillis(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

Status FsyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Status::Internal("open directory " + dir + ": " + Errno(errno));
  if (::fsync(fd.get()) != 0)
    return Status::Internal("fsync directory " + dir + ": " + Errno(errno));
  return Status::OK();
}

// Reads [offset, offset+n) of `fd` into out[0, n), retrying interrupted and partial reads;
// *done is what was read (fewer than n only at end of file). Returns 0, or the errno of a failed
// read.
int PreadInto(int fd, uint64_t offset, uint64_t n, char* out, uint64_t* done) {
  *done = 0;
  while (*done < n) {
    ssize_t r = ::pread(fd, out + *done, n - *done, static_cast<off_t>(offset + *done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (r == 0) break;
    *done += static_cast<uint64_t>(r);
  }
  return 0;
}

// Reads [offset, offset+n) of `fd` into `out`; fewer bytes only at end of file. The error is
// strerror's text.
Status PreadAll(int fd, uint64_t offset, uint64_t n, std::string* out) {
  out->resize(n);
  uint64_t done = 0;
  const int err = PreadInto(fd, offset, n, out->data(), &done);
  if (err != 0) return Status::Internal(Errno(err));
  out->resize(done);
  return Status::OK();
}

// kInvalid for a range read starting past the end of `key` (`size` bytes).
Status OffsetBeyondEnd(std::string_view key, uint64_t offset, uint64_t size) {
  return Status::Invalid("range offset " + std::to_string(offset) + " is beyond the end of '" +
                         Printable(key) + "' (size " + std::to_string(size) + ")");
}

// How many readers of one store hold a descriptor (shared with the readers, which may outlive
// nothing but this).
struct ReaderFdBudget {
  size_t cap = 0;
  std::atomic<size_t> open{0};
  // Takes one descriptor slot; false when the cap is reached.
  bool Acquire() {
    size_t n = open.load(std::memory_order_relaxed);
    while (n < cap) {
      if (open.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
    }
    return false;
  }
  void Release() { open.fetch_sub(1, std::memory_order_relaxed); }
};

// The local store's ObjectReader. With a descriptor (`fd_` >= 0, a budget slot held): every read
// is one pread of the file opened at OpenReader, whatever happened to the path since. Without
// (the budget was exhausted): every read opens the path, checks it is still the inode opened at
// OpenReader (kNotFound otherwise: deleted or replaced), preads and closes.
class LocalObjectReader final : public ObjectReader {
 public:
  LocalObjectReader(std::string describe, std::string key, std::string path, int fd,
                    const struct stat& st, std::shared_ptr<ReaderFdBudget> budget)
      : describe_(std::move(describe)),
        key_(std::move(key)),
        path_(std::move(path)),
        fd_(fd),
        size_(static_cast<uint64_t>(st.st_size)),
        ino_(st.st_ino),
        dev_(st.st_dev),
        budget_(std::move(budget)) {}
  ~LocalObjectReader() override {
    if (fd_ >= 0) {
      ::close(fd_);
      budget_->Release();
    }
  }

  Result<std::string> ReadAt(uint64_t offset, uint64_t length) override {
    if (offset > size_ || length > size_ - offset) {
      return object_store::TruncatedRead(describe_, key_, offset, length, size_);
    }
    return Read(offset, length);
  }
  Result<std::string> ReadSuffix(uint64_t n) override {
    n = std::min(n, size_);
    return Read(size_ - n, n);
  }
  Result<uint64_t> Size() override { return size_; }

 private:
  Result<std::string> Read(uint64_t offset, uint64_t n) {
    Fd opened;
    int fd = fd_;
    if (fd < 0) {
      opened.reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
      struct stat st {};
      if (opened.get() < 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR) return Gone("deleted");
        return Status::Internal("open " + describe_ + "/" + object_store::Printable(key_) + ": " +
                                Errno(err));
      }
      if (::fstat(opened.get(), &st) != 0) {
        return Status::Internal("fstat " + describe_ + "/" + object_store::Printable(key_) + ": " +
                                Errno(errno));
      }
      if (st.st_ino != ino_ || st.st_dev != dev_) return Gone("replaced");
      fd = opened.get();
    }
    std::string out;
    Status st = PreadAll(fd, offset, n, &out);
    if (!st.ok()) {
      return Status::Internal("read " + describe_ + "/" + object_store::Printable(key_) + ": " +
                              st.message());
    }
    if (out.size() != n) {
      // Files are published by rename, never written in place: only an outside writer does this.
      return object_store::TruncatedRead(describe_, key_, offset, n, offset + out.size());
    }
    return out;
  }

  Status Gone(std::string_view what) const {
    return Status::NotFound("object '" + object_store::Printable(key_) + "' in " + describe_ +
                            " was " + std::string(what) + " after its reader was opened");
  }

  const std::string describe_;
  const std::string key_;
  const std::string path_;
  const int fd_;  // -1: open per read
  const uint64_t size_;
  const ino_t ino_;
  const dev_t dev_;
  const std::shared_ptr<ReaderFdBudget> budget_;
};

class LocalObjectStore final : public ObjectStore {
 public:
  LocalObjectStore(std::string root, const LocalObjectStoreOptions& options)
      : root_(std::move(root)),
        reader_fds_(std::make_shared<ReaderFdBudget>()),
        rng_(util::EntropySeed()) {
    size_t cap = options.max_open_readers;
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
      cap = std::min<size_t>(cap, static_cast<size_t>(rl.rlim_cur / 2));
    }
    reader_fds_->cap = cap;
  }
  ~LocalObjectStore() override {
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }

  Result<std::string> Put(std::string_view key, std::string_view data,
                          const ObjectPutOptions& options) override {
    RETURN_IF_ERROR(CheckPut(key, options));
    ASSIGN_OR_RETURN(std::string tmp, WriteTemp(key, data));
    return PublishTemp(key, tmp);
  }

  Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view key,
                                                   const ObjectPutOptions& options) override {
    RETURN_IF_ERROR(CheckPut(key, options));
    return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(this, std::string(key)));
  }

  Result<std::string> PutIfAbsent(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options) override {
    RETURN_IF_ERROR(CheckPut(key, options));
    std::string path = PathOf(key);
    ASSIGN_OR_RETURN(std::string tmp, WriteTemp(key, data));
    int rc = ::link(tmp.c_str(), path.c_str());
    int err = errno;
    // The published object and the temp file share the inode; stat before unlinking the temp.
    struct stat st {};
    bool have_stat = rc == 0 && ::stat(tmp.c_str(), &st) == 0;
    ::unlink(tmp.c_str());
    if (rc != 0) {
      struct stat existing {};
      if (err == EEXIST && ::lstat(path.c_str(), &existing) == 0 && S_ISDIR(existing.st_mode)) {
        return Status::Invalid("object key '" + Printable(key) +
                               "' names a directory of other objects in " + Describe());
      }
      if (err == EEXIST) {
        return Status::AlreadyExists("object '" + Printable(key) + "' already exists in " +
                                     Describe());
      }
      return IoError("link to", key, err);
    }
    RETURN_IF_ERROR(FsyncDir(ParentDir(path)));
    if (!have_stat) return StatEtag(key, path);
    // Unlinking the temp changed the inode's ctime, not its mtime/size/ino: the etag is stable.
    return EtagOf(st);
  }

  Result<std::string> PutIfMatch(std::string_view key, std::string_view data, std::string_view etag,
                                 const ObjectPutOptions& options) override {
    RETURN_IF_ERROR(CheckPut(key, options));
    std::string path = PathOf(key);
    ASSIGN_OR_RETURN(std::string tmp, WriteTemp(key, data));
    return PublishTemp(key, tmp, [&]() -> Status {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return Status::PreconditionFailed("object '" + Printable(key) + "' does not exist in " +
                                          Describe() + " (expected etag " + Printable(etag) + ")");
      }
      std::string current = EtagOf(st);
      if (current != etag) {
        return Status::PreconditionFailed("object '" + Printable(key) + "' has etag " + current +
                                          ", not " + Printable(etag));
      }
      return Status::OK();
    });
  }

  Result<std::string> Get(std::string_view key) override { return GetRange(key, 0, std::nullopt); }

  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               std::optional<uint64_t> length) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    return ReadRange(key, offset, length, std::nullopt);
  }

  // One open + fstat + pread loop straight into `out`.
  Status GetRangeInto(std::string_view key, uint64_t offset, uint64_t length, char* out) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    std::string path = PathOf(key);
    Fd fd;
    struct stat st {};
    RETURN_IF_ERROR(OpenRegular(key, path, &fd, &st));
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    if (offset > size) return OffsetBeyondEnd(key, offset, size);
    if (length > size - offset) {
      return object_store::TruncatedRead(Describe(), key, offset, length, size);
    }
    uint64_t done = 0;
    const int err = PreadInto(fd.get(), offset, length, out, &done);
    if (err != 0) return IoError("read", key, err);
    if (done < length) {
      return object_store::TruncatedRead(Describe(), key, offset, length, offset + done);
    }
    return Status::OK();
  }

  Result<std::string> GetSuffix(std::string_view key, uint64_t n) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    return ReadRange(key, 0, std::nullopt, n);
  }

  // Opens the file once; the reader keeps the descriptor while the budget allows (see
  // LocalObjectReader).
  Result<std::unique_ptr<ObjectReader>> OpenReader(std::string_view key) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    std::string path = PathOf(key);
    Fd fd;
    struct stat st {};
    RETURN_IF_ERROR(OpenRegular(key, path, &fd, &st));
    int keep = reader_fds_->Acquire() ? fd.release() : -1;
    return std::unique_ptr<ObjectReader>(std::make_unique<LocalObjectReader>(
        Describe(), std::string(key), std::move(path), keep, st, reader_fds_));
  }

  Result<ObjectMeta> Head(std::string_view key) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    std::string path = PathOf(key);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      int err = errno;
      if (err == ENOENT || err == ENOTDIR) return NotFound(key);
      return IoError("stat", key, err);
    }
    if (!S_ISREG(st.st_mode)) return NotFound(key);
    ObjectMeta m;
    m.key.assign(key);
    m.size = static_cast<uint64_t>(st.st_size);
    m.last_modified_ms = MtimeMillis(st);
    m.etag = EtagOf(st);
    return m;
  }

  Result<std::vector<ObjectMeta>> List(std::string_view prefix) override {
    RETURN_IF_ERROR(object_store::ValidateListPrefix(prefix));
    size_t slash = prefix.rfind('/');
    std::string start_rel =
        slash == std::string_view::npos ? std::string() : std::string(prefix.substr(0, slash));
    std::vector<ObjectMeta> out;
    RETURN_IF_ERROR(Walk(start_rel, prefix, &out));
    std::sort(out.begin(), out.end(),
              [](const ObjectMeta& a, const ObjectMeta& b) { return a.key < b.key; });
    return out;
  }

  Status Delete(std::string_view key) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    std::string path = PathOf(key);
    {
      util::MutexLock lock(&lock_mu_);
      ASSIGN_OR_RETURN(auto file_lock, FlockLocked());
      if (::unlink(path.c_str()) != 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR || err == EISDIR) return Status::OK();
        return IoError("unlink", key, err);
      }
    }
    std::string dir = ParentDir(path);
    RETURN_IF_ERROR(FsyncDir(dir));
    // Prune empty parents (never the root). Failure (not empty, raced with a writer) stops it.
    while (dir.size() > root_.size() && ::rmdir(dir.c_str()) == 0) dir = ParentDir(dir);
    return Status::OK();
  }

  std::string Describe() const override { return "file://" + root_; }

 private:
  // Holds the cross-process flock on .tmp.lock (released on destruction). Writers take lock_mu_
  // (the in-process lock: flock does not exclude threads sharing the descriptor) and then this:
  //   util::MutexLock lock(&lock_mu_);
  //   ASSIGN_OR_RETURN(auto file_lock, FlockLocked());
  // so the flock is released before the mutex.
  class FlockHolder {
   public:
    explicit FlockHolder(int fd) : fd_(fd) {}
    FlockHolder(FlockHolder&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    FlockHolder(const FlockHolder&) = delete;
    FlockHolder& operator=(const FlockHolder&) = delete;
    FlockHolder& operator=(FlockHolder&&) = delete;
    ~FlockHolder() {
      if (fd_ >= 0) ::flock(fd_, LOCK_UN);
    }

   private:
    int fd_;
  };

  Result<FlockHolder> FlockLocked() REQUIRES(lock_mu_) {
    if (lock_fd_ < 0) {
      // Created lazily by the first write, so read-only roots can be opened and read, and a
      // store that is only read never creates its root directory.
      std::error_code ec;
      std::filesystem::create_directories(root_, ec);
      if (ec)
        return Status::Internal("create local object store root " + root_ + ": " + ec.message());
      std::string lock_path = root_ + "/.tmp.lock";
      lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (lock_fd_ < 0) return Status::Internal("open " + lock_path + ": " + Errno(errno));
    }
    while (::flock(lock_fd_, LOCK_EX) != 0) {
      if (errno != EINTR) return Status::Internal("flock " + root_ + "/.tmp.lock: " + Errno(errno));
    }
    return FlockHolder(lock_fd_);
  }

  static Status CheckPut(std::string_view key, const ObjectPutOptions& options) {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    return object_store::ValidateMetadata(options.metadata);
  }

  std::string PathOf(std::string_view key) const { return root_ + "/" + std::string(key); }

  static std::string ParentDir(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == 0 ? std::string("/") : path.substr(0, slash);
  }

  Status NotFound(std::string_view key) const {
    return Status::NotFound("object '" + Printable(key) + "' not found in " + Describe());
  }

  Status IoError(std::string_view op, std::string_view key, int err) const {
    return Status::Internal(std::string(op) + " " + Describe() + "/" + Printable(key) + ": " +
                            Errno(err));
  }

  std::string TempName() EXCLUDES(rng_mu_) {
    util::MutexLock l(&rng_mu_);
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%016llx%08llx", static_cast<unsigned long long>(rng_.Next64()),
                  static_cast<unsigned long long>(++temp_counter_ & 0xffffffffu));
    return std::string(object_store::kTempPrefix) + buf;
  }

  // Creates a fresh temp file in the key's directory (creating directories); returns its path
  // and sets `fd`.
  Result<std::string> CreateTemp(std::string_view key, Fd* fd) {
    std::string dir = ParentDir(PathOf(key));
    // A concurrent Delete may prune the directory between mkdir and open: retry a few times.
    for (int attempt = 0;; ++attempt) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) {
        return Status::Internal("create directory " + dir + " for '" + Printable(key) +
                                "': " + ec.message());
      }
      std::string tmp = dir + "/" + TempName();
      int f = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (f >= 0) {
        fd->reset(f);
        return tmp;
      }
      int err = errno;
      if (err == ENOENT && attempt < 16) continue;
      if (err == ENOTDIR || err == EEXIST) {
        return Status::Invalid("object key '" + Printable(key) +
                               "' conflicts with an existing object used as a directory in " +
                               Describe());
      }
      return Status::Internal("create " + tmp + ": " + Errno(err));
    }
  }

  // Writes `data` at the descriptor's position; *written = bytes written (also on error).
  // Writes in pieces of at most kWriteChunk: on this kernel (6.18, ext4) one multi-MiB write()
  // into a fresh file is at times ~10x slower than the same bytes in 1 MiB pieces (measured: 150
  // MiB in 4 MiB writes 0.10-0.45 s, in 1 MiB writes 0.03 s; the time is the kernel's page copy).
  static constexpr size_t kWriteChunk = 1u << 20;
  static Status WriteAll(int fd, const std::string& tmp, std::string_view data, size_t* written) {
    *written = 0;
    while (*written < data.size()) {
      ssize_t n =
          ::write(fd, data.data() + *written, std::min(kWriteChunk, data.size() - *written));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::Internal("write " + tmp + ": " + Errno(errno));
      }
      *written += static_cast<size_t>(n);
    }
    return Status::OK();
  }

  // fsyncs and closes `fd` (removing `tmp` on failure).
  static Status SyncClose(Fd* fd, const std::string& tmp) {
    if (::fsync(fd->get()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return Status::Internal("fsync " + tmp + ": " + Errno(err));
    }
    if (::close(fd->release()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return Status::Internal("close " + tmp + ": " + Errno(err));
    }
    return Status::OK();
  }

  // Under the store lock: runs `precondition` (a Status-returning callable) and, if it passes,
  // renames `tmp` over `key`; then fsyncs the directory and returns the etag. `tmp` is removed
  // on every failure (lock, precondition, rename).
  template <typename Precondition>
  Result<std::string> PublishTemp(std::string_view key, const std::string& tmp,
                                  const Precondition& precondition) {
    std::string path = PathOf(key);
    {
      util::MutexLock lock(&lock_mu_);
      auto file_lock = FlockLocked();
      Status st = file_lock.ok() ? precondition() : file_lock.status();
      if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
        st = IoError("rename to", key, errno);
      }
      if (!st.ok()) {
        ::unlink(tmp.c_str());
        return st;
      }
    }
    RETURN_IF_ERROR(FsyncDir(ParentDir(path)));
    return StatEtag(key, path);
  }
  Result<std::string> PublishTemp(std::string_view key, const std::string& tmp) {
    return PublishTemp(key, tmp, [] { return Status::OK(); });
  }

  // Writes `data` to a fresh temp file in the key's directory (creating directories), fsyncs it
  // and returns its path.
  Result<std::string> WriteTemp(std::string_view key, std::string_view data) {
    Fd fd;
    ASSIGN_OR_RETURN(std::string tmp, CreateTemp(key, &fd));
    size_t written = 0;
    Status st = WriteAll(fd.get(), tmp, data, &written);
    if (!st.ok()) {
      ::unlink(tmp.c_str());
      return st;
    }
    RETURN_IF_ERROR(SyncClose(&fd, tmp));
    return tmp;
  }

  // Streams into a temp file of the key's directory (created at the first write), buffering up
  // to kWriteBuffer bytes; Finish fsyncs and renames it over the key as Put does.
  class Writer final : public ObjectWriter {
   public:
    static constexpr size_t kWriteBuffer = 1u << 20;
    Writer(LocalObjectStore* store, std::string key) : store_(store), key_(std::move(key)) {}
    ~Writer() override { (void)Abort(); }

    Status Append(std::string_view data) override {
      RETURN_IF_ERROR(state_.Check("Append", key_));
      pending_.append(data);
      size_ += data.size();
      return pending_.size() >= kWriteBuffer ? Drain() : Status::OK();
    }
    Result<std::string> Finish() override {
      if (state_.finished()) return state_.etag();
      RETURN_IF_ERROR(state_.Check("Finish", key_));
      RETURN_IF_ERROR(Drain());  // a failed write keeps its bytes: Finish may be retried
      // From here a failure removes the temp file (SyncClose, PublishTemp): the writer is done.
      Status st = SyncClose(&fd_, tmp_);
      Result<std::string> etag = st.ok() ? store_->PublishTemp(key_, tmp_) : st;
      tmp_.clear();
      if (etag.ok()) {
        state_.Finished(*etag);
      } else {
        state_.set_phase(object_store::WriterState::Phase::kAborted);
      }
      return etag;
    }
    Status Abort() override {
      if (state_.phase() == object_store::WriterState::Phase::kFinished) {
        return state_.Check("Abort", key_);
      }
      state_.set_phase(object_store::WriterState::Phase::kAborted);
      fd_.reset(-1);
      if (!tmp_.empty()) ::unlink(tmp_.c_str());
      tmp_.clear();
      std::string().swap(pending_);
      return Status::OK();
    }
    uint64_t size() const override { return size_; }

   private:
    // Writes the pending bytes (creating the temp file first); what was not written stays.
    Status Drain() {
      if (tmp_.empty()) {
        ASSIGN_OR_RETURN(tmp_, store_->CreateTemp(key_, &fd_));
      }
      size_t written = 0;
      Status st = WriteAll(fd_.get(), tmp_, pending_, &written);
      pending_.erase(0, written);
      return st;
    }

    LocalObjectStore* store_;
    std::string key_;
    Fd fd_;
    std::string tmp_;
    std::string pending_;
    uint64_t size_ = 0;
    object_store::WriterState state_;
  };

  Result<std::string> StatEtag(std::string_view key, const std::string& path) const {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return IoError("stat", key, errno);
    return EtagOf(st);
  }

  // Opens object `key` (file `path`) for reading into `*fd` and stats it: kNotFound when it is
  // absent or not a regular file, an I/O error naming the key otherwise.
  Status OpenRegular(std::string_view key, const std::string& path, Fd* fd, struct stat* st) const {
    fd->reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd->get() < 0) {
      int err = errno;
      if (err == ENOENT || err == ENOTDIR) return NotFound(key);
      return IoError("open", key, err);
    }
    if (::fstat(fd->get(), st) != 0) return IoError("fstat", key, errno);
    if (!S_ISREG(st->st_mode)) return NotFound(key);
    return Status::OK();
  }

  // Reads [offset, offset+length) (clipped), or the last `suffix` bytes when suffix is set.
  Result<std::string> ReadRange(std::string_view key, uint64_t offset,
                                std::optional<uint64_t> length,
                                std::optional<uint64_t> suffix) const {
    std::string path = PathOf(key);
    Fd fd;
    struct stat st {};
    RETURN_IF_ERROR(OpenRegular(key, path, &fd, &st));
    uint64_t size = static_cast<uint64_t>(st.st_size);
    uint64_t n;
    if (suffix) {
      n = std::min(*suffix, size);
      offset = size - n;
    } else {
      if (offset > size) return OffsetBeyondEnd(key, offset, size);
      n = size - offset;
      if (length && *length < n) n = *length;
    }
    std::string out(n, '\0');
    uint64_t done = 0;
    // Short only if truncated underneath us (cannot happen with rename-only writes).
    const int err = PreadInto(fd.get(), offset, n, out.data(), &done);
    if (err != 0) return IoError("read", key, err);
    out.resize(done);
    return out;
  }

  // Appends every object under directory `rel` (relative to the root) whose key starts with
  // `prefix`.
  Status Walk(const std::string& rel, std::string_view prefix, std::vector<ObjectMeta>* out) const {
    std::string dir = rel.empty() ? root_ : root_ + "/" + rel;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      int err = errno;
      if (err == ENOENT || err == ENOTDIR) return Status::OK();
      return Status::Internal("opendir " + dir + ": " + Errno(err));
    }
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name(e->d_name);
      if (name == "." || name == "..") continue;
      if (name.substr(0, object_store::kTempPrefix.size()) == object_store::kTempPrefix) continue;
      names.emplace_back(name);
    }
    ::closedir(d);
    for (const std::string& name : names) {
      std::string key = rel.empty() ? name : rel + "/" + name;
      // Prune subtrees that cannot contain a match.
      size_t common = std::min(key.size(), prefix.size());
      if (std::string_view(key).substr(0, common) != prefix.substr(0, common)) continue;
      std::string path = root_ + "/" + key;
      struct stat st {};
      if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) continue;  // deleted concurrently
        return Status::Internal("stat " + path + ": " + Errno(errno));
      }
      if (S_ISDIR(st.st_mode)) {
        RETURN_IF_ERROR(Walk(key, prefix, out));
      } else if (S_ISREG(st.st_mode) && key.size() >= prefix.size()) {
        ObjectMeta m;
        m.key = key;
        m.size = static_cast<uint64_t>(st.st_size);
        m.last_modified_ms = MtimeMillis(st);
        m.etag = EtagOf(st);
        out->push_back(std::move(m));
      }
    }
    return Status::OK();
  }

  const std::string root_;
  const std::shared_ptr<ReaderFdBudget> reader_fds_;
  util::Mutex lock_mu_;                    // held (with the flock) while publishing / deleting
  int lock_fd_ GUARDED_BY(lock_mu_) = -1;  // the destructor closes it unlocked (no users left)
  util::Mutex rng_mu_;
  util::Random rng_ GUARDED_BY(rng_mu_);
  uint64_t temp_counter_ GUARDED_BY(rng_mu_) = 0;
};

}  // namespace

Result<std::shared_ptr<ObjectStore>> NewLocalObjectStore(const std::string& root) {
  return NewLocalObjectStore(root, LocalObjectStoreOptions{});
}

Result<std::shared_ptr<ObjectStore>> NewLocalObjectStore(const std::string& root,
                                                         const LocalObjectStoreOptions& options) {
  if (root.empty() || root.front() != '/') {
    return Status::Invalid("local object store root '" + Printable(root) +
                           "' must be an absolute path");
  }
  if (root.find('\0') != std::string::npos) {
    return Status::Invalid("local object store root '" + Printable(root) + "' contains a NUL byte");
  }
  std::string norm = std::filesystem::path(root).lexically_normal().generic_string();
  while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
  if (norm == "/") {
    return Status::Invalid("local object store root '" + Printable(root) +
                           "' is the file-system root; use a dedicated directory");
  }
  // The root is created by the first write (WriteTemp, Lock), never by opening or reading.
  std::error_code ec;
  if (std::filesystem::exists(norm, ec) && !std::filesystem::is_directory(norm, ec)) {
    return Status::Invalid("local object store root " + norm + " is not a directory");
  }
  return std::shared_ptr<ObjectStore>(std::make_shared<LocalObjectStore>(norm, options));
}

}  // namespace slatedb
