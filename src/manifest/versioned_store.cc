#include "manifest/versioned_store.h"

#include <algorithm>
#include <utility>

#include "format/boundary.h"
#include "manifest/manifest_store.h"
#include "object_store/retrying_object_store.h"
#include "util/log.h"
#include "util/saturating.h"

namespace slatedb::manifest {
namespace {

// How often ReadLatest re-lists when the newest listed object disappears before the GET.
constexpr int kMaxRelists = 16;

// Create-if-absent tagged with our own put-id. When the reply is lost (kUnavailable, also
// after a retrying store gave up), the object is HEADed: if it carries our put-id the write
// landed and this is success — so a CAS loop never re-applies its change on top of a version
// that already holds it. Absent: kUnavailable (did not land; retry). Someone else's:
// kAlreadyExists (lost the race).
Status WriteRaw(ObjectStore& store, const std::string& key, const std::string& bytes) {
  ObjectPutOptions options;
  const std::string put_id = NewPutId();
  options.metadata[kPutIdMetadata] = put_id;
  auto put = store.PutIfAbsent(key, bytes, options);
  if (put.ok()) return Status::OK();
  if (put.status().IsAlreadyExists()) return Status::AlreadyExists(key + " already exists");
  if (!put.status().IsUnavailable()) return put.status().WithContext("create " + key);
  Result<PutOwner> owner = OwnerOfConditionalPut(store, key, put_id, bytes);
  if (owner.ok() && *owner == PutOwner::kOurs) {
    util::Log().Info("slatedb: {} landed although its reply was lost ({})", key,
                     put.status().message());
    return Status::OK();
  }
  if (owner.ok() && *owner == PutOwner::kTheirs) {
    return Status::AlreadyExists(key + " already exists");
  }
  return put.status().WithContext("create " + key);
}

template <typename T>
Result<T> WithKey(Result<T> decoded, const std::string& key) {
  if (decoded.ok()) return decoded;
  return decoded.status().WithContext(key);
}

}  // namespace

StoreFormat StoreFormatFor(std::string_view compatibility) {
  // SlateDB 0.12.1 reads manifest version 2 (tested against the peer: manifest_peer_compat_test,
  // compat_test) but rejects `.compactions` version 2, so only the latter steps back.
  if (compatibility == "0.12") {
    return StoreFormat{format::kManifestFormatVersionV2, format::kCompactionsFormatVersionV1};
  }
  return StoreFormat{};
}

Result<uint64_t> ReadBoundary(ObjectStore& store, const std::string& key) {
  auto bytes = store.Get(key);
  if (bytes.status().IsNotFound()) return uint64_t{0};
  if (!bytes.ok()) return bytes.status().WithContext("get " + key);
  return WithKey(format::DecodeBoundary(*bytes), key);
}

Status AdvanceBoundary(ObjectStore& store, const std::string& key, uint64_t boundary) {
  // Bounded: each round loses only to another collector that raised the boundary meanwhile.
  constexpr int kMaxRounds = 64;
  for (int round = 0; round < kMaxRounds; ++round) {
    // HEAD before GET: if the object changes in between, the etag is the older one and the
    // conditional PUT below fails and retries — never a PUT over a value we did not see.
    auto meta = store.Head(key);
    if (!meta.ok() && !meta.status().IsNotFound()) return meta.status().WithContext("head " + key);
    const std::string bytes = format::EncodeBoundary(boundary);
    Status put;
    if (meta.ok()) {
      ASSIGN_OR_RETURN(const uint64_t current, ReadBoundary(store, key));
      if (current >= boundary) return Status::OK();
      put = store.PutIfMatch(key, bytes, meta->etag).status();
    } else {
      put = store.PutIfAbsent(key, bytes).status();
    }
    if (put.ok()) return Status::OK();
    if (!put.IsAlreadyExists() && !put.IsPreconditionFailed()) {
      return put.WithContext("advance " + key);
    }
  }
  return Status::Unavailable("advance " + key + " to " + std::to_string(boundary) + ": lost " +
                             std::to_string(kMaxRounds) + " conditional writes");
}

template <typename Kind>
VersionedStore<Kind>::VersionedStore(std::shared_ptr<ObjectStore> store, std::string db_path,
                                     StoreFormat format, std::shared_ptr<util::Clock> clock)
    : store_(std::move(store)),
      db_path_(std::move(db_path)),
      format_(format),
      clock_(clock ? std::move(clock) : util::SystemClock::Default()) {}

template <typename Kind>
typename VersionedStore<Kind>::Versioned VersionedStore<Kind>::Make(uint64_t id, Value value) {
  Versioned v;
  v.id = id;
  v.*Kind::kValue = std::move(value);
  return v;
}

template <typename Kind>
Result<typename Kind::Value> VersionedStore<Kind>::Decode(const std::string& bytes,
                                                          const std::string& key) const {
  return WithKey(Kind::Decode(bytes), key);
}

template <typename Kind>
Result<std::vector<VersionInfo>> VersionedStore<Kind>::List() const {
  const std::string dir = Kind::Dir(db_path_);
  auto listed = store_->List(dir);
  if (!listed.ok()) return listed.status().WithContext("list " + dir);
  std::vector<VersionInfo> out;
  for (const ObjectMeta& meta : *listed) {
    // Only direct children named exactly like our versions count (docs/format.md §4.2); others are
    // ignored.
    auto id = Kind::ListedId(db_path_, meta.key);
    if (!id) continue;
    out.push_back(VersionInfo{*id, meta.key, meta.last_modified_ms, meta.size});
  }
  std::sort(out.begin(), out.end(),
            [](const VersionInfo& a, const VersionInfo& b) { return a.id < b.id; });
  return out;
}

template <typename Kind>
Result<std::optional<typename Kind::Versioned>> VersionedStore<Kind>::ReadLatest() const {
  std::optional<Cached> start;
  {
    util::MutexLock lock(&cache_mu_);
    start = cache_;
  }
  const auto now = clock_->SteadyNow();
  if (start && now - start->confirmed < kManifestProbeTrust) {
    // Warm: probe the successors of the cached version (no lock held across the GETs).
    uint64_t id = start->id;
    std::shared_ptr<const Value> latest = start->value;
    for (int hits = 0; hits < kMaxManifestProbeHits; ++hits) {
      const std::string key = Kind::Path(db_path_, id + 1);
      auto bytes = store_->Get(key);
      if (!bytes.ok()) {
        if (!bytes.status().IsNotFound()) return bytes.status().WithContext("get " + key);
        return std::optional<Versioned>(Make(id, *latest));
      }
      ASSIGN_OR_RETURN(Value v, Decode(*bytes, key));
      ++id;
      latest = std::make_shared<const Value>(std::move(v));
      MaybeCache(id, latest, std::nullopt);
    }
    // Far behind: catch up with a LIST instead of reading every version in between.
  }
  // Cold, far behind, or trusted too long: the highest listed id — when it is the cached one, a
  // confirmation that needs no GET. Re-list when it vanished before the GET (garbage collection).
  for (int attempt = 0; attempt < kMaxRelists; ++attempt) {
    ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, List());
    if (versions.empty()) return std::optional<Versioned>();
    const VersionInfo& newest = versions.back();
    if (start && newest.id == start->id) {
      MaybeCache(start->id, start->value, now);
      return std::optional<Versioned>(Make(start->id, *start->value));
    }
    auto bytes = store_->Get(newest.key);
    if (bytes.ok()) {
      ASSIGN_OR_RETURN(Value v, Decode(*bytes, newest.key));
      MaybeCache(newest.id, std::make_shared<const Value>(v), now);
      return std::optional<Versioned>(Make(newest.id, std::move(v)));
    }
    if (!bytes.status().IsNotFound()) return bytes.status().WithContext("get " + newest.key);
  }
  return Status::Unavailable("list " + Kind::Dir(db_path_) +
                             ": the newest object kept vanishing after " +
                             std::to_string(kMaxRelists) + " listings");
}

template <typename Kind>
Result<typename Kind::Versioned> VersionedStore<Kind>::ReadLatestSince(uint64_t known_id) const {
  ASSIGN_OR_RETURN(std::optional<Versioned> latest, ReadLatest());
  if (!latest) {
    return Status::Data(std::string(Kind::kName) + " versions of '" + db_path_ +
                        "' disappeared (had version " + std::to_string(known_id) + ")");
  }
  if (latest->id < known_id) {
    return Status::Data("latest " + std::string(Kind::kName) + " of '" + db_path_ +
                        "' went back from " + std::to_string(known_id) + " to " +
                        std::to_string(latest->id));
  }
  return std::move(*latest);
}

template <typename Kind>
void VersionedStore<Kind>::InvalidateCache() const {
  util::MutexLock lock(&cache_mu_);
  cache_.reset();
}

template <typename Kind>
void VersionedStore<Kind>::MaybeCache(
    uint64_t id, std::shared_ptr<const Value> value,
    std::optional<std::chrono::steady_clock::time_point> confirmed) const {
  util::MutexLock lock(&cache_mu_);
  if (cache_ && id < cache_->id) return;
  if (cache_ && id == cache_->id) {
    if (confirmed) cache_->confirmed = std::max(cache_->confirmed, *confirmed);
    return;
  }
  const auto when = confirmed ? *confirmed
                    : cache_  ? cache_->confirmed
                              : std::chrono::steady_clock::time_point();
  cache_ = Cached{id, std::move(value), when};
}

template <typename Kind>
Result<typename Kind::Value> VersionedStore<Kind>::Read(uint64_t id) const {
  const std::string key = Kind::Path(db_path_, id);
  auto bytes = store_->Get(key);
  if (bytes.ok()) return Decode(*bytes, key);
  if (bytes.status().IsNotFound()) {
    return Status::NotFound(std::string(Kind::kName) + " " + key + " does not exist");
  }
  return bytes.status().WithContext("get " + key);
}

template <typename Kind>
Status VersionedStore<Kind>::WriteNew(uint64_t id, const Value& value) const {
  const std::string key = Kind::Path(db_path_, id);
  ASSIGN_OR_RETURN(std::string bytes, WithKey(Kind::Encode(value, format_), key));
  RETURN_IF_ERROR(WriteRaw(*store_, key, bytes));
  // RFC-0026: a version created at or below the GC boundary was fenced (the collector may have
  // deleted that id while we stalled), so it counts as a lost race.
  const std::string boundary_key = Kind::BoundaryPath(db_path_);
  ASSIGN_OR_RETURN(const uint64_t boundary, ReadBoundary(*store_, boundary_key));
  if (id <= boundary) {
    return Status::AlreadyExists(key + " is at or below the GC boundary " +
                                 std::to_string(boundary) + " (" + boundary_key +
                                 "): lost the race to a garbage collector");
  }
  MaybeCache(id, std::make_shared<const Value>(value), clock_->SteadyNow());
  return Status::OK();
}

template <typename Kind>
Status VersionedStore<Kind>::Delete(uint64_t id) const {
  RETURN_IF_ERROR(store_->Delete(Kind::Path(db_path_, id)));
  util::MutexLock lock(&cache_mu_);
  if (cache_ && cache_->id == id) cache_.reset();
  return Status::OK();
}

template <typename Kind>
Result<uint64_t> VersionedStore<Kind>::Boundary() const {
  return ReadBoundary(*store_, Kind::BoundaryPath(db_path_));
}

template <typename Kind>
Status VersionedStore<Kind>::AdvanceBoundary(uint64_t boundary) const {
  return manifest::AdvanceBoundary(*store_, Kind::BoundaryPath(db_path_), boundary);
}

template <typename Kind>
Status VersionedStore<Kind>::Update(Versioned* current, const Mutator& mutator,
                                    const UpdateOptions& options) const {
  const std::shared_ptr<util::Clock> clock = options.clock ? options.clock : clock_;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (options.timeout) deadline = util::SaturatingDeadline(clock->SteadyNow(), *options.timeout);
  int attempts = 0;
  while (true) {
    if (options.check) RETURN_IF_ERROR(options.check(*current));
    Value next = (*current).*Kind::kValue;
    if (mutator) RETURN_IF_ERROR(mutator(next));
    ++attempts;
    const uint64_t id = current->id + 1;
    Status written = WriteNew(id, next);
    if (written.ok()) {
      current->id = id;
      (*current).*Kind::kValue = std::move(next);
      return Status::OK();
    }
    if (!written.IsAlreadyExists()) return written;
    // Lost the race for `id`: re-read the latest version and re-apply the change on top of it.
    const std::string what = std::string(Kind::kName) + " update of '" + db_path_ + "'";
    const std::string last = " (last tried version " + std::to_string(id) + ")";
    if (deadline && clock->SteadyNow() >= *deadline) {
      return Status::Unavailable(what + " timed out after " + std::to_string(attempts) +
                                 " attempts" + last);
    }
    if (options.max_attempts > 0 && attempts >= options.max_attempts) {
      return Status::Unavailable(what + ": lost " + std::to_string(attempts) + " races" + last);
    }
    ASSIGN_OR_RETURN(Versioned latest, ReadLatestSince(current->id));
    *current = std::move(latest);
  }
}

template <typename Kind>
Result<typename Kind::Versioned> VersionedStore<Kind>::Update(const Mutator& mutator,
                                                              const UpdateOptions& options) const {
  ASSIGN_OR_RETURN(std::optional<Versioned> latest, ReadLatest());
  Versioned current;
  if (latest) {
    current = std::move(*latest);
  } else if (options.initial) {
    ASSIGN_OR_RETURN(Value initial, options.initial());
    current = Make(0, std::move(initial));
  } else {
    return Status::Invalid("no " + std::string(Kind::kName) + " at '" + db_path_ + "'");
  }
  RETURN_IF_ERROR(Update(&current, mutator, options));
  return current;
}

template class VersionedStore<ManifestKind>;
template class VersionedStore<CompactionsKind>;

}  // namespace slatedb::manifest
