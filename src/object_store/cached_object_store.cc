#include "object_store/cached_object_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "object_store/object_writer.h"
#include "util/coding.h"
#include "util/crc32.h"
#include "util/thread_name.h"

namespace slatedb::object_store {

namespace fs = std::filesystem;

namespace {

// Layout version directory under root_folder; bump when the file formats change.
constexpr std::string_view kLayoutDir = "slatedb-cache-v1";
constexpr std::string_view kMetaName = "meta";
constexpr std::string_view kStoreName = "STORE";
constexpr std::string_view kTempPrefix = ".tmp-";
constexpr uint64_t kChunk = 64 * 1024;       // CRC granularity inside a part
constexpr uint32_t kPartMagic = 0x53444350;  // "SDCP"
constexpr uint32_t kMetaMagic = 0x5344434D;  // "SDCM"
constexpr uint32_t kMetaVersion = 1;
constexpr uint64_t kPartTrailer = 12;  // u64 payload length + u32 magic
// Temp files older than this found by the open scan are leftovers of a crash.
constexpr int64_t kStaleTempSeconds = 600;

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string Hex64(uint64_t v) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[i] = kDigits[v & 0xf];
    v >>= 4;
  }
  return out;
}

uint64_t ChunkCount(uint64_t len) { return (len + kChunk - 1) / kChunk; }
uint64_t PartFileSize(uint64_t len) { return len + 4 * ChunkCount(len) + kPartTrailer; }

void PutStr(std::string* dst, std::string_view s) {
  util::PutU32BE(dst, static_cast<uint32_t>(s.size()));
  dst->append(s);
}
bool GetStr(std::string_view* in, std::string* out) {
  uint32_t n = 0;
  if (!util::GetU32BE(in, &n) || in->size() < n) return false;
  out->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

// Reads a whole small file; errno-style error in *err (0 = ok).
bool ReadSmallFile(const std::string& path, std::string* out, int* err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return false;
  }
  out->clear();
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      *err = errno;
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  *err = 0;
  return true;
}

bool PreadAll(int fd, char* dst, uint64_t len, uint64_t off) {
  while (len > 0) {
    ssize_t n = ::pread(fd, dst, len, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    dst += n;
    len -= static_cast<uint64_t>(n);
    off += static_cast<uint64_t>(n);
  }
  return true;
}

// Writes `pieces` to a new file at `path`; errno in *err on failure (the file is removed).
bool WriteNewFile(const std::string& path, std::initializer_list<std::string_view> pieces,
                  int* err) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *err = errno;
    return false;
  }
  for (std::string_view p : pieces) {
    while (!p.empty()) {
      // 1 MiB pieces: see LocalObjectStore's kWriteChunk (multi-MiB writes are at times slow).
      ssize_t n = ::write(fd, p.data(), std::min<size_t>(p.size(), 1u << 20));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        *err = n < 0 ? errno : ENOSPC;
        ::close(fd);
        ::unlink(path.c_str());
        return false;
      }
      p.remove_prefix(static_cast<size_t>(n));
    }
  }
  if (::close(fd) != 0) {
    *err = errno;
    ::unlink(path.c_str());
    return false;
  }
  *err = 0;
  return true;
}

std::string EncodeMeta(std::string_view key, uint64_t size, int64_t last_modified_ms,
                       std::string_view etag, const std::map<std::string, std::string>& metadata,
                       int64_t last_access_ms) {
  std::string out;
  util::PutU32BE(&out, kMetaMagic);
  util::PutU32BE(&out, kMetaVersion);
  PutStr(&out, key);
  util::PutU64BE(&out, size);
  util::PutU64BE(&out, static_cast<uint64_t>(last_modified_ms));
  PutStr(&out, etag);
  util::PutU32BE(&out, static_cast<uint32_t>(metadata.size()));
  for (const auto& [k, v] : metadata) {
    PutStr(&out, k);
    PutStr(&out, v);
  }
  util::PutU64BE(&out, static_cast<uint64_t>(last_access_ms));
  util::PutU32BE(&out, util::Crc32(out));
  return out;
}

struct DecodedMeta {
  std::string key;
  uint64_t size = 0;
  int64_t last_modified_ms = 0;
  std::string etag;
  std::map<std::string, std::string> metadata;
  int64_t last_access_ms = 0;
};

bool DecodeMeta(std::string_view bytes, DecodedMeta* m) {
  if (bytes.size() < 12) return false;
  uint32_t crc = util::LoadU32BE(bytes.data() + bytes.size() - 4);
  std::string_view body = bytes.substr(0, bytes.size() - 4);
  if (util::Crc32(body) != crc) return false;
  uint32_t magic = 0, version = 0, n = 0;
  uint64_t size = 0, lm = 0, la = 0;
  if (!util::GetU32BE(&body, &magic) || magic != kMetaMagic) return false;
  if (!util::GetU32BE(&body, &version) || version != kMetaVersion) return false;
  if (!GetStr(&body, &m->key) || !util::GetU64BE(&body, &size) || !util::GetU64BE(&body, &lm) ||
      !GetStr(&body, &m->etag) || !util::GetU32BE(&body, &n)) {
    return false;
  }
  for (uint32_t i = 0; i < n; ++i) {
    std::string k, v;
    if (!GetStr(&body, &k) || !GetStr(&body, &v)) return false;
    m->metadata.emplace(std::move(k), std::move(v));
  }
  if (!util::GetU64BE(&body, &la) || !body.empty()) return false;
  m->size = size;
  m->last_modified_ms = static_cast<int64_t>(lm);
  m->last_access_ms = static_cast<int64_t>(la);
  return true;
}

// "p<part size>-<index>" → index, if this file is a part of `part_size`.
std::optional<uint64_t> ParsePartName(std::string_view name, uint64_t* part_size) {
  if (name.size() < 4 || name[0] != 'p') return std::nullopt;
  size_t dash = name.find('-');
  if (dash == std::string_view::npos || dash < 2 || dash + 1 >= name.size()) return std::nullopt;
  uint64_t ps = 0, idx = 0;
  for (char c : name.substr(1, dash - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    ps = ps * 10 + static_cast<uint64_t>(c - '0');
  }
  for (char c : name.substr(dash + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    idx = idx * 10 + static_cast<uint64_t>(c - '0');
  }
  *part_size = ps;
  return idx;
}

// Bits for "log this kind of disk error once".
uint32_t ErrnoClass(int err) {
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return 1;
    case EACCES:
    case EPERM:
    case EROFS:
      return 2;
    case ENOTDIR:
    case ENOENT:
      return 4;
    default:
      return 8;
  }
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Open / close

CachedObjectStore::CachedObjectStore(std::shared_ptr<ObjectStore> inner,
                                     const ObjectStoreCacheOptions& options, DiskCacheEnv env,
                                     std::string root, std::string store_dir)
    : inner_(std::move(inner)),
      clock_(env.clock ? env.clock : util::SystemClock::Default()),
      log_(env.log),
      root_(std::move(root)),
      store_dir_(std::move(store_dir)),
      part_size_(options.part_size_bytes),
      max_bytes_(options.max_cache_size_bytes),
      cache_puts_(options.cache_puts),
      scan_interval_(options.scan_interval) {
  if (env.recorder) {
    MetricsRecorder& r = *env.recorder;
    m_hits_ = r.RegisterCounter("slatedb.object_store_cache.part_hit_count",
                                "Parts read from the disk cache.", {});
    m_access_ = r.RegisterCounter("slatedb.object_store_cache.part_access_count",
                                  "Parts read through the disk cache (hits and misses).", {});
    m_evicted_keys_ = r.RegisterCounter("slatedb.object_store_cache.evicted_keys",
                                        "Part files evicted from the disk cache.", {});
    m_evicted_bytes_ = r.RegisterCounter("slatedb.object_store_cache.evicted_bytes",
                                         "Bytes of part files evicted from the disk cache.", {});
    m_keys_ = r.RegisterGauge("slatedb.object_store_cache.cache_keys",
                              "Part files in the disk cache.", {});
    m_bytes_ = r.RegisterGauge("slatedb.object_store_cache.cache_bytes",
                               "Bytes of part files in the disk cache.", {});
  }
}

Result<std::shared_ptr<CachedObjectStore>> CachedObjectStore::Open(
    std::shared_ptr<ObjectStore> inner, const ObjectStoreCacheOptions& options, DiskCacheEnv env) {
  if (!inner) return Status::Invalid("CachedObjectStore: no inner store");
  if (!options.root_folder || options.root_folder->empty() || (*options.root_folder)[0] != '/') {
    return Status::Invalid(
        "object_store_cache_options.root_folder: must be an absolute directory path (got \"" +
        options.root_folder.value_or("") + "\")");
  }
  if (options.part_size_bytes == 0 || options.part_size_bytes % 1024 != 0) {
    return Status::Invalid(
        "object_store_cache_options.part_size_bytes: must be a positive multiple of 1024 (got " +
        std::to_string(options.part_size_bytes) + ")");
  }
  // The store's identity: its secret-free description. Memory stores all describe themselves
  // alike and die with the process, so each instance gets an identity of its own.
  std::string identity = inner->Describe();
  if (identity.rfind("memory:", 0) == 0) {
    static std::atomic<uint64_t> instances{0};
    identity += "#" + std::to_string(::getpid()) + "." + std::to_string(instances.fetch_add(1)) +
                "." + std::to_string(util::SystemClock::Default()->NowMillis());
  }
  const std::string root = *options.root_folder;
  const std::string store_dir =
      (fs::path(root) / std::string(kLayoutDir) / Hex64(Fnv1a64(identity))).string();
  std::error_code ec;
  fs::create_directories(store_dir, ec);
  if (ec) {
    return Status::Invalid("object_store_cache_options.root_folder: cannot create " + store_dir +
                           ": " + ec.message());
  }
  {
    int err = 0;
    std::string store_file = (fs::path(store_dir) / std::string(kStoreName)).string();
    std::string existing;
    if (!ReadSmallFile(store_file, &existing, &err) || existing != identity + "\n") {
      std::string tmp = store_file + ".tmp-" + std::to_string(::getpid());
      if (!WriteNewFile(tmp, {identity, "\n"}, &err) ||
          ::rename(tmp.c_str(), store_file.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return Status::Invalid("object_store_cache_options.root_folder: cannot write " +
                               store_file + ": " + std::strerror(err != 0 ? err : errno));
      }
    }
  }
  bool background = env.background_scan;
  std::shared_ptr<CachedObjectStore> cache(new CachedObjectStore(  // tidy: allow (private ctor)
      std::move(inner), options, std::move(env), root, store_dir));
  cache->Scan();
  {
    util::MutexLock l(&cache->mu_);
    cache->log_.Info("disk cache at {} for {}: {} parts, {} bytes (budget {})", cache->store_dir_,
                     identity, cache->parts_.size(), cache->total_bytes_,
                     cache->max_bytes_ ? std::to_string(*cache->max_bytes_) : "unbounded");
  }
  if (background && cache->scan_interval_) {
    CachedObjectStore* self = cache.get();
    cache->scanner_ = util::NamedThread("slatedb-dcache", [self] { self->ScannerLoop(); });
  }
  return cache;
}

CachedObjectStore::~CachedObjectStore() {
  {
    util::MutexLock l(&mu_);
    stop_ = true;
  }
  wake_.NotifyAll();
  if (scanner_.joinable()) scanner_.join();
  CancelPreload();
  // Persist access times (what a scan would write).
  std::vector<ObjectInfo> dirty;
  {
    util::MutexLock l(&mu_);
    for (auto& [k, info] : objects_) {
      if (info.access_dirty) dirty.push_back(info);
    }
  }
  for (const ObjectInfo& info : dirty) SaveInfo(info);
}

void CachedObjectStore::ScannerLoop() {
  auto next = clock_->SteadyNow() + *scan_interval_;
  // Wake at least once a second of real time to look at the (possibly injected) clock.
  const auto wait =
      std::min<std::chrono::steady_clock::duration>(*scan_interval_, std::chrono::seconds(1));
  while (true) {
    {
      util::MutexLock l(&mu_);
      if (stop_) return;
      wake_.WaitUntil(&mu_,
                      std::chrono::steady_clock::now() + wait);  // tidy: allow (real-time poll)
      if (stop_) return;
    }
    if (clock_->SteadyNow() < next) continue;
    Scan();
    next = clock_->SteadyNow() + *scan_interval_;
  }
}

bool CachedObjectStore::IsCacheable(std::string_view key) {
  size_t slash = key.rfind('/');
  if (slash == std::string_view::npos) return false;
  std::string_view name = key.substr(slash + 1);
  if (name.size() <= 4 || name.substr(name.size() - 4) != ".sst") return false;
  std::string_view dir = key.substr(0, slash);
  size_t prev = dir.rfind('/');
  std::string_view parent = prev == std::string_view::npos ? dir : dir.substr(prev + 1);
  return parent == "compacted";
}

std::string CachedObjectStore::Describe() const {
  return inner_->Describe() + " (disk cache " + store_dir_ + ")";
}

// ------------------------------------------------------------------------------------------
// Paths, records

std::string CachedObjectStore::ObjectDir(std::string_view key) const {
  std::string name = Hex64(Fnv1a64(key));
  std::string crc(8, '0');
  uint32_t c = util::Crc32(key);
  for (int i = 7; i >= 0; --i) {
    crc[i] = "0123456789abcdef"[c & 0xf];
    c >>= 4;
  }
  return store_dir_ + "/" + name + crc;
}

std::string CachedObjectStore::PartPath(const std::string& dir, uint64_t index) const {
  return dir + "/p" + std::to_string(part_size_) + "-" + std::to_string(index);
}

uint64_t CachedObjectStore::PartLength(const ObjectInfo& info, uint64_t index) const {
  uint64_t start = index * part_size_;
  if (start >= info.size) return 0;
  return std::min(part_size_, info.size - start);
}

std::string CachedObjectStore::TempPath(const std::string& dir) {
  return dir + "/" + std::string(kTempPrefix) + std::to_string(::getpid()) + "-" +
         std::to_string(temp_counter_.fetch_add(1));
}

void CachedObjectStore::DiskError(std::string_view what, const std::string& path, int err) {
  bool first = false;
  {
    util::MutexLock l(&mu_);
    ++stats_.disk_errors;
    uint32_t bit = ErrnoClass(err);
    first = (logged_errnos_ & bit) == 0;
    logged_errnos_ |= bit;
  }
  if (first) {
    log_.Warn(
        "disk cache: {} {}: {} (requests fall through to the object store; further errors "
        "of this kind are not logged)",
        what, path, std::strerror(err));
  }
}

void CachedObjectStore::Corrupt(const std::string& path, std::string_view why) {
  log_.Warn("disk cache: dropping {}: {}; it is fetched again", path, why);
  ::unlink(path.c_str());
  {
    util::MutexLock l(&mu_);
    ++stats_.corrupt_parts;
  }
  ForgetPart(path);
}

void CachedObjectStore::EraseRecordLocked(std::unordered_map<std::string, PartRecord>::iterator it,
                                          std::vector<PendingEviction>* out) {
  PendingEviction victim{it->first, ""};
  lru_.erase(it->second.lru_key);
  total_bytes_ -= std::min(total_bytes_, it->second.bytes);
  auto d = dir_parts_.find(it->second.dir);
  if (d != dir_parts_.end() && --d->second == 0) {
    dir_parts_.erase(d);
    victim.dir = it->second.dir;
  }
  parts_.erase(it);
  if (out) out->push_back(std::move(victim));
}

void CachedObjectStore::ForgetPart(const std::string& path) {
  util::MutexLock l(&mu_);
  auto it = parts_.find(path);
  if (it != parts_.end()) EraseRecordLocked(it, nullptr);
}

void CachedObjectStore::Touch(const std::string& path, std::string_view key) {
  const int64_t now = NowMs();
  util::MutexLock l(&mu_);
  auto it = parts_.find(path);
  if (it != parts_.end()) {
    auto node = lru_.extract(it->second.lru_key);
    it->second.lru_key = {now, ++tick_};
    if (!node.empty()) {
      node.key() = it->second.lru_key;
      lru_.insert(std::move(node));
    } else {
      lru_.emplace(it->second.lru_key, path);
    }
  }
  auto o = objects_.find(std::string(key));
  if (o != objects_.end() && o->second.last_access_ms != now) {
    o->second.last_access_ms = now;
    o->second.access_dirty = true;
  }
}

std::vector<CachedObjectStore::PendingEviction> CachedObjectStore::EvictLocked(uint64_t incoming) {
  std::vector<PendingEviction> victims;
  if (!max_bytes_) return victims;
  while (!lru_.empty() && total_bytes_ + reserved_bytes_ + incoming > *max_bytes_) {
    auto it = parts_.find(lru_.begin()->second);
    if (it == parts_.end()) {
      lru_.erase(lru_.begin());
      continue;
    }
    ++stats_.evicted_parts;
    stats_.evicted_bytes += it->second.bytes;
    if (m_evicted_keys_) m_evicted_keys_->Increment(1);
    if (m_evicted_bytes_) m_evicted_bytes_->Increment(it->second.bytes);
    EraseRecordLocked(it, &victims);
  }
  // Objects whose last part went: their sidecar goes with them (a later read Heads again).
  for (const PendingEviction& v : victims) {
    if (v.dir.empty()) continue;
    for (auto o = objects_.begin(); o != objects_.end();) {
      o = o->second.dir == v.dir ? objects_.erase(o) : std::next(o);
    }
  }
  return victims;
}

void CachedObjectStore::RemoveEvicted(const std::vector<PendingEviction>& victims) {
  for (const PendingEviction& v : victims) {
    ::unlink(v.path.c_str());
    if (!v.dir.empty()) {
      std::error_code ec;
      fs::remove_all(v.dir, ec);  // the sidecar and any stray temp files
    }
  }
}

void CachedObjectStore::PublishGauges() {
  uint64_t parts = 0, bytes = 0;
  {
    util::MutexLock l(&mu_);
    parts = parts_.size();
    bytes = total_bytes_;
  }
  if (m_keys_) m_keys_->Set(static_cast<int64_t>(parts));
  if (m_bytes_) m_bytes_->Set(static_cast<int64_t>(bytes));
}

// ------------------------------------------------------------------------------------------
// Sidecars

Result<CachedObjectStore::ObjectInfo> CachedObjectStore::Info(std::string_view key) {
  {
    util::MutexLock l(&mu_);
    auto it = objects_.find(std::string(key));
    if (it != objects_.end()) {
      ++stats_.head_hits;
      return it->second;
    }
  }
  ASSIGN_OR_RETURN(ObjectMeta meta, inner_->Head(key));
  ObjectInfo info;
  info.key = std::string(key);
  info.dir = ObjectDir(key);
  info.size = meta.size;
  info.last_modified_ms = meta.last_modified_ms;
  info.etag = meta.etag;
  info.metadata = meta.metadata;
  info.last_access_ms = NowMs();
  SaveInfo(info);
  {
    util::MutexLock l(&mu_);
    objects_.try_emplace(info.key, info);
  }
  return info;
}

void CachedObjectStore::SaveInfo(const ObjectInfo& info) {
  std::error_code ec;
  fs::create_directories(info.dir, ec);
  if (ec) {
    DiskError("creating", info.dir, ec.value());
    return;
  }
  std::string bytes = EncodeMeta(info.key, info.size, info.last_modified_ms, info.etag,
                                 info.metadata, info.last_access_ms);
  std::string tmp = TempPath(info.dir);
  std::string path = info.dir + "/" + std::string(kMetaName);
  int err = 0;
  if (!WriteNewFile(tmp, {bytes}, &err)) {
    DiskError("writing", tmp, err);
    return;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    DiskError("renaming to", path, errno);
    ::unlink(tmp.c_str());
  }
}

// ------------------------------------------------------------------------------------------
// Parts

std::optional<std::string> CachedObjectStore::ReadPart(const ObjectInfo& info, uint64_t index,
                                                       uint64_t off, uint64_t len) {
  const std::string path = PartPath(info.dir, index);
  {
    util::MutexLock l(&mu_);
    if (parts_.find(path) == parts_.end()) return std::nullopt;
  }
  const uint64_t plen = PartLength(info, index);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err != ENOENT) DiskError("opening", path, err);
    ForgetPart(path);
    return std::nullopt;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != PartFileSize(plen)) {
    ::close(fd);
    Corrupt(path, "its length does not match the object's size (truncated?)");
    return std::nullopt;
  }
  char trailer[kPartTrailer];
  if (!PreadAll(fd, trailer, kPartTrailer, PartFileSize(plen) - kPartTrailer)) {
    int err = errno;
    ::close(fd);
    DiskError("reading", path, err != 0 ? err : EIO);
    ForgetPart(path);
    return std::nullopt;
  }
  if (util::LoadU64BE(trailer) != plen || util::LoadU32BE(trailer + 8) != kPartMagic) {
    ::close(fd);
    Corrupt(path, "bad trailer");
    return std::nullopt;
  }
  const uint64_t c0 = off / kChunk;
  const uint64_t c1 = (off + len - 1) / kChunk;
  const uint64_t begin = c0 * kChunk;
  const uint64_t end = std::min(plen, (c1 + 1) * kChunk);
  std::string data(end - begin, '\0');
  std::string crcs((c1 - c0 + 1) * 4, '\0');
  bool ok = PreadAll(fd, data.data(), data.size(), begin) &&
            PreadAll(fd, crcs.data(), crcs.size(), plen + 4 * c0);
  int err = errno;
  ::close(fd);
  if (!ok) {
    DiskError("reading", path, err != 0 ? err : EIO);
    ForgetPart(path);
    return std::nullopt;
  }
  for (uint64_t c = c0; c <= c1; ++c) {
    std::string_view chunk =
        std::string_view(data).substr((c - c0) * kChunk, std::min(kChunk, end - c * kChunk));
    if (util::Crc32(chunk) != util::LoadU32BE(crcs.data() + 4 * (c - c0))) {
      Corrupt(path, "checksum mismatch in chunk " + std::to_string(c));
      return std::nullopt;
    }
  }
  Touch(path, info.key);
  if (begin == off && data.size() == len) return data;
  return data.substr(off - begin, len);
}

bool CachedObjectStore::WritePartFile(const std::string& path, std::string_view payload) {
  std::string trailer;
  trailer.reserve(4 * ChunkCount(payload.size()) + kPartTrailer);
  for (uint64_t c = 0; c < ChunkCount(payload.size()); ++c) {
    util::PutU32BE(&trailer, util::Crc32(payload.substr(c * kChunk, kChunk)));
  }
  util::PutU64BE(&trailer, payload.size());
  util::PutU32BE(&trailer, kPartMagic);
  int err = 0;
  if (!WriteNewFile(path, {payload, trailer}, &err)) {
    DiskError("writing", path, err);
    return false;
  }
  return true;
}

bool CachedObjectStore::CommitPart(const std::string& dir, uint64_t index, const std::string& tmp,
                                   uint64_t bytes) {
  const std::string path = PartPath(dir, index);
  std::vector<PendingEviction> victims;
  {
    util::MutexLock l(&mu_);
    if ((max_bytes_ && bytes > *max_bytes_) || parts_.count(path) != 0) {
      ::unlink(tmp.c_str());
      return false;
    }
    victims = EvictLocked(bytes);
    reserved_bytes_ += bytes;
  }
  RemoveEvicted(victims);
  bool ok = ::rename(tmp.c_str(), path.c_str()) == 0;
  int err = errno;
  if (!ok) ::unlink(tmp.c_str());
  {
    util::MutexLock l(&mu_);
    reserved_bytes_ -= bytes;
    if (ok && parts_.count(path) == 0) {
      PartRecord rec;
      rec.bytes = bytes;
      rec.lru_key = {NowMs(), ++tick_};
      rec.scan_gen = scan_gen_;
      rec.dir = dir;
      lru_.emplace(rec.lru_key, path);
      parts_.emplace(path, std::move(rec));
      ++dir_parts_[dir];
      total_bytes_ += bytes;
      ++stats_.parts_written;
    }
  }
  if (!ok) DiskError("renaming to", path, err);
  PublishGauges();
  return ok;
}

bool CachedObjectStore::WritePart(const std::string& dir, uint64_t index,
                                  std::string_view payload) {
  const uint64_t bytes = PartFileSize(payload.size());
  {
    util::MutexLock l(&mu_);
    if ((max_bytes_ && bytes > *max_bytes_) || parts_.count(PartPath(dir, index)) != 0) {
      return false;
    }
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    DiskError("creating", dir, ec.value());
    return false;
  }
  std::string tmp = TempPath(dir);
  if (!WritePartFile(tmp, payload)) return false;
  return CommitPart(dir, index, tmp, bytes);
}

// ------------------------------------------------------------------------------------------
// Reads

Result<std::string> CachedObjectStore::GetRange(std::string_view key, uint64_t offset,
                                                std::optional<uint64_t> length) {
  if (!IsCacheable(key)) return inner_->GetRange(key, offset, length);
  ASSIGN_OR_RETURN(ObjectInfo info, Info(key));
  if (offset > info.size) return inner_->GetRange(key, offset, length);  // its own kInvalid
  const uint64_t end =
      length ? offset + std::min<uint64_t>(*length, info.size - offset) : info.size;
  if (end == offset) return std::string();
  const uint64_t first = offset / part_size_;
  const uint64_t last = (end - 1) / part_size_;
  std::vector<std::optional<std::string>> pieces(last - first + 1);
  auto range_in = [&](uint64_t i) {
    uint64_t pstart = i * part_size_;
    uint64_t lo = std::max(offset, pstart) - pstart;
    uint64_t hi = std::min(end, pstart + PartLength(info, i)) - pstart;
    return std::pair<uint64_t, uint64_t>(lo, hi - lo);
  };
  uint64_t hits = 0, hit_bytes = 0;
  for (uint64_t i = first; i <= last; ++i) {
    auto [lo, n] = range_in(i);
    pieces[i - first] = ReadPart(info, i, lo, n);
    if (pieces[i - first]) {
      ++hits;
      hit_bytes += n;
    }
  }
  uint64_t misses = 0, fetched = 0;
  // Contiguous missing parts: one ranged GET each run.
  for (uint64_t i = first; i <= last;) {
    if (pieces[i - first]) {
      ++i;
      continue;
    }
    uint64_t j = i;
    while (j + 1 <= last && !pieces[j + 1 - first]) ++j;
    const uint64_t run_start = i * part_size_;
    const uint64_t run_len = std::min(info.size, (j + 1) * part_size_) - run_start;
    ASSIGN_OR_RETURN(std::string bytes, inner_->GetRange(key, run_start, run_len));
    if (bytes.size() != run_len) {
      return Status::Data(std::string(key) + ": expected " + std::to_string(run_len) +
                          " bytes at offset " + std::to_string(run_start) + " (object of " +
                          std::to_string(info.size) + " bytes when first cached), got " +
                          std::to_string(bytes.size()) + "; the object changed");
    }
    fetched += bytes.size();
    for (uint64_t k = i; k <= j; ++k) {
      std::string_view part =
          std::string_view(bytes).substr((k - i) * part_size_, PartLength(info, k));
      WritePart(info.dir, k, part);
      auto [lo, n] = range_in(k);
      pieces[k - first] = std::string(part.substr(lo, n));
      ++misses;
    }
    i = j + 1;
  }
  {
    util::MutexLock l(&mu_);
    stats_.part_hits += hits;
    stats_.part_misses += misses;
    stats_.hit_bytes += hit_bytes;
    stats_.fetched_bytes += fetched;
  }
  if (m_hits_) m_hits_->Increment(hits);
  if (m_access_) m_access_->Increment(hits + misses);
  if (pieces.size() == 1) return std::move(*pieces[0]);
  std::string out;
  out.reserve(end - offset);
  for (auto& p : pieces) out.append(*p);
  return out;
}

Result<std::string> CachedObjectStore::Get(std::string_view key) {
  if (!IsCacheable(key)) return inner_->Get(key);
  return GetRange(key, 0, std::nullopt);
}

Result<std::string> CachedObjectStore::GetSuffix(std::string_view key, uint64_t n) {
  if (!IsCacheable(key)) return inner_->GetSuffix(key, n);
  ASSIGN_OR_RETURN(ObjectInfo info, Info(key));
  uint64_t take = std::min(n, info.size);
  return GetRange(key, info.size - take, take);
}

Result<ObjectMeta> CachedObjectStore::Head(std::string_view key) {
  if (!IsCacheable(key)) return inner_->Head(key);
  ASSIGN_OR_RETURN(ObjectInfo info, Info(key));
  ObjectMeta meta;
  meta.key = info.key;
  meta.size = info.size;
  meta.last_modified_ms = info.last_modified_ms;
  meta.etag = info.etag;
  meta.metadata = info.metadata;
  return meta;
}

Result<std::vector<ObjectMeta>> CachedObjectStore::List(std::string_view prefix) {
  return inner_->List(prefix);
}

// ------------------------------------------------------------------------------------------
// Writes

void CachedObjectStore::DropObject(std::string_view key) {
  const std::string dir = ObjectDir(key);
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), e; !ec && it != e; it.increment(ec)) {
    files.push_back(it->path().string());
  }
  {
    util::MutexLock l(&mu_);
    objects_.erase(std::string(key));
    for (const std::string& f : files) {
      auto rec = parts_.find(f);
      if (rec != parts_.end()) EraseRecordLocked(rec, nullptr);
    }
  }
  if (!files.empty()) {
    fs::remove_all(dir, ec);
    PublishGauges();
  }
}

Result<std::string> CachedObjectStore::Put(std::string_view key, std::string_view data,
                                           const ObjectPutOptions& options) {
  if (!IsCacheable(key)) return inner_->Put(key, data, options);
  DropObject(key);  // replaced: whatever we had is stale
  ASSIGN_OR_RETURN(std::string etag, inner_->Put(key, data, options));
  if (cache_puts_) {
    ObjectInfo info;
    info.key = std::string(key);
    info.dir = ObjectDir(key);
    info.size = data.size();
    info.last_modified_ms = NowMs();
    info.etag = etag;
    info.metadata = options.metadata;
    info.last_access_ms = NowMs();
    SaveInfo(info);
    {
      util::MutexLock l(&mu_);
      objects_.insert_or_assign(info.key, info);
    }
    for (uint64_t i = 0; i * part_size_ < data.size(); ++i) {
      WritePart(info.dir, i, data.substr(i * part_size_, part_size_));
    }
  }
  return etag;
}

Result<std::string> CachedObjectStore::PutIfAbsent(std::string_view key, std::string_view data,
                                                   const ObjectPutOptions& options) {
  if (IsCacheable(key)) DropObject(key);
  return inner_->PutIfAbsent(key, data, options);
}

Result<std::string> CachedObjectStore::PutIfMatch(std::string_view key, std::string_view data,
                                                  std::string_view etag,
                                                  const ObjectPutOptions& options) {
  if (IsCacheable(key)) DropObject(key);
  return inner_->PutIfMatch(key, data, etag, options);
}

Status CachedObjectStore::Delete(std::string_view key) {
  Status st = inner_->Delete(key);
  if (IsCacheable(key)) DropObject(key);
  return st;
}

// A streamed upload that also keeps its bytes: each full part goes to a temp file in the
// object's cache directory; Finish renames them into place (after the sidecar), Abort removes
// them. At most one part is buffered.
class CachedObjectStore::CachingWriter final : public ObjectWriter {
 public:
  CachingWriter(CachedObjectStore* cache, std::unique_ptr<ObjectWriter> inner, std::string key,
                ObjectPutOptions options)
      : cache_(cache),
        inner_(std::move(inner)),
        key_(std::move(key)),
        dir_(cache->ObjectDir(key_)),
        options_(std::move(options)) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) {
      cache_->DiskError("creating", dir_, ec.value());
      caching_ = false;
    }
  }
  ~CachingWriter() override { Discard(); }

  Status Append(std::string_view data) override {
    size_ += data.size();
    if (caching_) Keep(data);
    return inner_->Append(data);
  }
  Result<std::string> Finish() override {
    ASSIGN_OR_RETURN(std::string etag, inner_->Finish());
    if (caching_ && !done_) {
      done_ = true;
      if (!buf_.empty()) Flush();
      if (caching_) {
        ObjectInfo info;
        info.key = key_;
        info.dir = dir_;
        info.size = size_;
        info.last_modified_ms = cache_->NowMs();
        info.etag = etag;
        info.metadata = options_.metadata;
        info.last_access_ms = info.last_modified_ms;
        cache_->SaveInfo(info);
        {
          util::MutexLock l(&cache_->mu_);
          cache_->objects_.insert_or_assign(info.key, info);
        }
        for (const Pending& p : pending_) cache_->CommitPart(dir_, p.index, p.tmp, p.bytes);
        pending_.clear();
      }
    }
    Discard();
    return etag;
  }
  Status Abort() override {
    Discard();
    return inner_->Abort();
  }
  uint64_t size() const override { return inner_->size(); }

 private:
  struct Pending {
    uint64_t index;
    std::string tmp;
    uint64_t bytes;
  };
  void Keep(std::string_view data) {
    while (!data.empty() && caching_) {
      size_t take = std::min<size_t>(data.size(), cache_->part_size_ - buf_.size());
      buf_.append(data.substr(0, take));
      data.remove_prefix(take);
      if (buf_.size() == cache_->part_size_) Flush();
    }
  }
  void Flush() {
    std::string tmp = cache_->TempPath(dir_);
    if (!cache_->WritePartFile(tmp, buf_)) {
      caching_ = false;
      Discard();
      return;
    }
    pending_.push_back(Pending{next_index_++, tmp, PartFileSize(buf_.size())});
    buf_.clear();
  }
  void Discard() {
    for (const Pending& p : pending_) ::unlink(p.tmp.c_str());
    pending_.clear();
    buf_.clear();
    buf_.shrink_to_fit();
  }

  CachedObjectStore* cache_;
  std::unique_ptr<ObjectWriter> inner_;
  std::string key_;
  std::string dir_;
  ObjectPutOptions options_;
  std::string buf_;
  std::vector<Pending> pending_;
  uint64_t next_index_ = 0;
  uint64_t size_ = 0;
  bool caching_ = true;
  bool done_ = false;
};

Result<std::unique_ptr<ObjectWriter>> CachedObjectStore::OpenWriter(
    std::string_view key, const ObjectPutOptions& options) {
  if (!IsCacheable(key)) return inner_->OpenWriter(key, options);
  DropObject(key);
  ASSIGN_OR_RETURN(std::unique_ptr<ObjectWriter> w, inner_->OpenWriter(key, options));
  if (!cache_puts_) return w;
  return std::unique_ptr<ObjectWriter>(
      std::make_unique<CachingWriter>(this, std::move(w), std::string(key), options));
}

// ------------------------------------------------------------------------------------------
// Scan, preload

void CachedObjectStore::Scan() {
  util::MutexLock scan_lock(&scan_mu_);
  uint64_t gen = 0;
  bool first_scan = false;
  {
    util::MutexLock l(&mu_);
    gen = ++scan_gen_;
    first_scan = gen == 1;
  }
  // 1. Persist changed access times.
  std::vector<ObjectInfo> dirty;
  {
    util::MutexLock l(&mu_);
    for (auto& [k, info] : objects_) {
      if (info.access_dirty) {
        dirty.push_back(info);
        info.access_dirty = false;
      }
    }
  }
  for (const ObjectInfo& info : dirty) SaveInfo(info);

  // 2. Walk root/<layout>/<store>/<object>/ (every store sharing the root counts).
  struct Found {
    std::string path, dir;
    uint64_t bytes;
    int64_t atime;
  };
  std::vector<Found> found;
  std::vector<ObjectInfo> ours;
  const fs::path layout = fs::path(root_) / std::string(kLayoutDir);
  const int64_t now_s = NowMs() / 1000;
  std::error_code ec;
  for (fs::directory_iterator s(layout, ec), se; !ec && s != se; s.increment(ec)) {
    if (!s->is_directory()) continue;
    const bool our_store = s->path().string() == store_dir_;
    std::error_code ec2;
    for (fs::directory_iterator o(s->path(), ec2), oe; !ec2 && o != oe; o.increment(ec2)) {
      if (!o->is_directory()) continue;
      const std::string dir = o->path().string();
      std::string meta_bytes;
      int err = 0;
      DecodedMeta meta;
      bool have_meta = ReadSmallFile(dir + "/" + std::string(kMetaName), &meta_bytes, &err) &&
                       DecodeMeta(meta_bytes, &meta);
      if (!have_meta) {
        // Without a sidecar the parts cannot be validated: at open (nothing of ours is being
        // written yet) such a directory is a crash leftover or damage.
        // (Only old ones: another process may be creating it right now.)
        struct stat st;
        if (first_scan && ::stat(dir.c_str(), &st) == 0 &&
            now_s - static_cast<int64_t>(st.st_mtime) > kStaleTempSeconds) {
          fs::remove_all(o->path(), ec2);
        }
        ec2.clear();
        continue;
      }
      std::error_code ec3;
      for (fs::directory_iterator f(o->path(), ec3), fe; !ec3 && f != fe; f.increment(ec3)) {
        const std::string name = f->path().filename().string();
        if (name.rfind(kTempPrefix, 0) == 0) {
          struct stat st;
          if (first_scan && ::stat(f->path().c_str(), &st) == 0 &&
              now_s - static_cast<int64_t>(st.st_mtime) > kStaleTempSeconds) {
            ::unlink(f->path().c_str());
          }
          continue;
        }
        uint64_t ps = 0;
        if (!ParsePartName(name, &ps)) continue;
        std::error_code ec4;
        uint64_t bytes = f->file_size(ec4);
        if (ec4) continue;
        found.push_back(Found{f->path().string(), dir, bytes, meta.last_access_ms});
      }
      if (our_store) {
        ObjectInfo info;
        info.key = meta.key;
        info.dir = dir;
        info.size = meta.size;
        info.last_modified_ms = meta.last_modified_ms;
        info.etag = meta.etag;
        info.metadata = std::move(meta.metadata);
        info.last_access_ms = meta.last_access_ms;
        if (dir == ObjectDir(info.key)) ours.push_back(std::move(info));
      }
    }
  }
  // 3. Merge into the index and evict to the budget.
  std::vector<PendingEviction> victims;
  {
    util::MutexLock l(&mu_);
    for (ObjectInfo& info : ours) {
      std::string key = info.key;
      objects_.try_emplace(std::move(key), std::move(info));
    }
    std::unordered_map<std::string, bool> on_disk;
    on_disk.reserve(found.size());
    for (Found& f : found) {
      on_disk.emplace(f.path, true);
      if (parts_.count(f.path) != 0) continue;
      PartRecord rec;
      rec.bytes = f.bytes;
      rec.lru_key = {f.atime, ++tick_};
      rec.scan_gen = gen;
      rec.dir = f.dir;
      lru_.emplace(rec.lru_key, f.path);
      parts_.emplace(f.path, std::move(rec));
      ++dir_parts_[f.dir];
      total_bytes_ += f.bytes;
    }
    for (auto it = parts_.begin(); it != parts_.end();) {
      if (it->second.scan_gen < gen && on_disk.count(it->first) == 0) {
        auto next = std::next(it);
        EraseRecordLocked(it, nullptr);  // vanished (another process evicted it)
        it = next;
      } else {
        ++it;
      }
    }
    victims = EvictLocked(0);
  }
  RemoveEvicted(victims);
  PublishGauges();
}

uint64_t CachedObjectStore::Preload(const std::vector<std::string>& keys, uint64_t max_bytes) {
  uint64_t fetched = 0;
  for (const std::string& key : keys) {
    if (!IsCacheable(key)) continue;
    if (preload_cancel_.load()) break;
    auto info = Info(key);
    if (!info.ok()) {
      log_.Warn("disk cache preload: {}: {}", key, info.status().ToString());
      continue;
    }
    const uint64_t need = PartFileSize(info->size);  // upper bound of what it adds
    {
      util::MutexLock l(&mu_);
      const uint64_t used = total_bytes_ + reserved_bytes_;
      if (fetched + need > max_bytes || (max_bytes_ && used + need > *max_bytes_)) break;
    }
    for (uint64_t i = 0; i * part_size_ < info->size; ++i) {
      if (preload_cancel_.load()) return fetched;
      auto bytes = GetRange(key, i * part_size_, PartLength(*info, i));
      if (!bytes.ok()) {
        log_.Warn("disk cache preload: {}: {}", key, bytes.status().ToString());
        break;
      }
    }
    fetched += info->size;
  }
  return fetched;
}

void CachedObjectStore::StartPreload(std::vector<std::string> keys, uint64_t max_bytes) {
  util::MutexLock l(&preload_mu_);
  if (preload_thread_.joinable()) preload_thread_.join();
  preload_cancel_.store(false);
  preload_thread_ = std::thread([this, keys = std::move(keys), max_bytes] {
    util::SetCurrentThreadName("slatedb-dcload");
    uint64_t n = Preload(keys, max_bytes);
    log_.Info("disk cache preload: {} bytes of {} SSTs", n, keys.size());
  });
}

void CachedObjectStore::CancelPreload() {
  preload_cancel_.store(true);
  util::MutexLock l(&preload_mu_);
  if (preload_thread_.joinable()) preload_thread_.join();
}

void CachedObjectStore::WaitForPreload() {
  util::MutexLock l(&preload_mu_);
  if (preload_thread_.joinable()) preload_thread_.join();
}

DiskCacheStats CachedObjectStore::stats() const {
  util::MutexLock l(&mu_);
  DiskCacheStats s = stats_;
  s.cached_parts = parts_.size();
  s.cached_bytes = total_bytes_;
  return s;
}

Result<std::shared_ptr<ObjectStore>> MaybeWrapWithDiskCache(std::shared_ptr<ObjectStore> inner,
                                                            const ObjectStoreCacheOptions& options,
                                                            DiskCacheEnv env) {
  if (!options.root_folder) return inner;
  ASSIGN_OR_RETURN(auto cache, CachedObjectStore::Open(std::move(inner), options, std::move(env)));
  return std::shared_ptr<ObjectStore>(std::move(cache));
}

}  // namespace slatedb::object_store
