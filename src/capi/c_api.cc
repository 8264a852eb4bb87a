// The C API (include/slatedb/c.h) over the C++ API: handles wrap shared/unique pointers, errors
// become malloc'd "<Kind>: <message>" strings, and no exception crosses the boundary (allocation
// failures inside a call are turned into an error message; the C++ API itself returns Status).
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "slatedb/c.h"
#include "slatedb/db.h"
#include "slatedb/merge_operator.h"
#include "slatedb/options.h"
#include "slatedb/snapshot.h"
#include "slatedb/transaction.h"
#include "slatedb/version.h"

struct slatedb_object_store_t {
  std::shared_ptr<slatedb::ObjectStore> store;
};
struct slatedb_settings_t {
  slatedb::Settings settings;
};
struct slatedb_mergeoperator_t {
  std::shared_ptr<slatedb::MergeOperator> op;
};
struct slatedb_options_t {
  std::optional<slatedb::Settings> settings;
  std::shared_ptr<slatedb::MergeOperator> merge_operator;
  uint64_t seed = 0;
};
struct slatedb_writeoptions_t {
  slatedb::WriteOptions options;
};
struct slatedb_readoptions_t {
  slatedb::ReadOptions options;
  int durability = SLATEDB_DURABILITY_MEMORY;  // checked when used
};
struct slatedb_t {
  std::unique_ptr<slatedb::Db> db;
};
struct slatedb_reader_t {
  std::unique_ptr<slatedb::DbReader> reader;
};
struct slatedb_writebatch_t {
  slatedb::WriteBatch batch;
};
struct slatedb_snapshot_t {
  std::unique_ptr<slatedb::Snapshot> snapshot;
};
struct slatedb_transaction_t {
  std::unique_ptr<slatedb::Transaction> txn;
};
struct slatedb_iterator_t {
  std::unique_ptr<slatedb::DbIterator> it;
  std::optional<slatedb::KeyValue> current;
  slatedb::Status error;
};

namespace {

using slatedb::Result;
using slatedb::Status;

// Handles are created here and owned by the C caller until its destroy/close call.
template <typename T, typename... Args>
T* NewHandle(Args&&... args) {
  return std::make_unique<T>(T{std::forward<Args>(args)...}).release();
}
template <typename T>
void FreeHandle(T* handle) {
  std::unique_ptr<T> owned(handle);
}
// For the create functions without arguments (no exception may escape).
template <typename T>
T* NewEmptyHandle() {
  try {
    return std::make_unique<T>().release();
  } catch (...) {
    return nullptr;
  }
}

char* CopyBytes(std::string_view s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out == nullptr) return nullptr;
  if (!s.empty()) std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  return out;
}

// Returns true if `st` is OK; else stores its message in *errptr.
bool Ok(const Status& st, char** errptr) {
  if (st.ok()) return true;
  if (errptr != nullptr) {
    std::free(*errptr);
    *errptr = CopyBytes(st.ToString());
  }
  return false;
}

// Runs `fn` (returning Status) and turns a C++ exception (only std::bad_alloc is possible from
// our own code) into an error.
template <typename Fn>
Status Guard(Fn&& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory");
  } catch (...) {
    return Status::Internal("unexpected exception");
  }
}

std::string_view View(const char* p, size_t n) {
  return p == nullptr ? std::string_view() : std::string_view(p, n);
}

slatedb::Ttl ToTtl(slatedb_ttl_t t) {
  switch (t.kind) {
    case SLATEDB_TTL_NO_EXPIRY:
      return slatedb::Ttl::NoExpiry();
    case SLATEDB_TTL_EXPIRE_AFTER:
      return slatedb::Ttl::ExpireAfter(std::chrono::milliseconds(t.value));
    case SLATEDB_TTL_EXPIRE_AT:
      return slatedb::Ttl::ExpireAt(t.value);
    default:
      return slatedb::Ttl::Default();
  }
}

Status CheckTtl(slatedb_ttl_t t) {
  if (t.kind < SLATEDB_TTL_DEFAULT || t.kind > SLATEDB_TTL_EXPIRE_AT) {
    return Status::Invalid("slatedb_ttl_t: unknown kind " + std::to_string(t.kind));
  }
  return Status::OK();
}

// A C merge callback as a MergeOperator.
class CMergeOperator final : public slatedb::MergeOperator {
 public:
  CMergeOperator(void* state, void (*destructor)(void*), slatedb_merge_fn merge,
                 const char* (*name_fn)(void*))
      : state_(state), destructor_(destructor), merge_(merge), name_(name_fn) {}
  ~CMergeOperator() override {
    if (destructor_ != nullptr) destructor_(state_);
  }
  std::string_view name() const override {
    const char* n = name_ != nullptr ? name_(state_) : nullptr;
    return n != nullptr ? std::string_view(n) : std::string_view("c-merge-operator");
  }
  Result<std::string> Merge(std::string_view key, std::optional<std::string_view> existing,
                            std::string_view operand) const override {
    size_t len = 0;
    char* err = nullptr;
    char* out = merge_(state_, key.data(), key.size(), existing ? existing->data() : nullptr,
                       existing ? existing->size() : 0, existing ? 1 : 0, operand.data(),
                       operand.size(), &len, &err);
    if (out == nullptr) {
      std::string msg = err != nullptr ? err : "merge callback returned NULL";
      std::free(err);
      return Status::Invalid(std::string(name()) + ": " + msg);
    }
    std::string result(out, len);
    std::free(out);
    std::free(err);
    return result;
  }

 private:
  void* state_;
  void (*destructor_)(void*);
  slatedb_merge_fn merge_;
  const char* (*name_)(void*);
};

slatedb::Components MakeComponents(slatedb_object_store_t* store, const slatedb_options_t* opts) {
  slatedb::Components c;
  c.object_store = store->store;
  if (opts != nullptr) {
    c.merge_operator = opts->merge_operator;
    c.seed = opts->seed;
  }
  return c;
}

// The ReadOptions of a C handle (NULL = the defaults); kInvalid for an unknown level.
Result<slatedb::ReadOptions> ReadOptionsOf(const slatedb_readoptions_t* ropts) {
  if (ropts == nullptr) return slatedb::ReadOptions();
  slatedb::ReadOptions o = ropts->options;
  switch (ropts->durability) {
    case SLATEDB_DURABILITY_MEMORY:
      o.durability_filter = slatedb::DurabilityLevel::kMemory;
      break;
    case SLATEDB_DURABILITY_REMOTE:
      o.durability_filter = slatedb::DurabilityLevel::kRemote;
      break;
    default:
      return Status::Invalid("slatedb_readoptions_set_durability_filter: unknown level " +
                             std::to_string(ropts->durability) +
                             " (valid: SLATEDB_DURABILITY_MEMORY, SLATEDB_DURABILITY_REMOTE)");
  }
  return o;
}

char* GetFrom(slatedb::DbRead& r, const char* key, size_t key_len, size_t* value_len, char** errptr,
              const slatedb_readoptions_t* ropts = nullptr) {
  char* out = nullptr;
  Status st = Guard([&]() -> Status {
    auto ro = ReadOptionsOf(ropts);
    if (!ro.ok()) return ro.status();
    auto v = r.Get(View(key, key_len), *ro);
    if (!v.ok()) return v.status();
    if (v->has_value()) {
      out = CopyBytes(**v);
      if (out == nullptr) return Status::Internal("out of memory");
      if (value_len != nullptr) *value_len = (*v)->size();
    }
    return Status::OK();
  });
  if (!Ok(st, errptr)) return nullptr;
  if (out == nullptr && value_len != nullptr) *value_len = 0;
  return out;
}

slatedb_iterator_t* ScanOf(slatedb::DbRead& r, std::optional<std::string> start,
                           std::optional<std::string> end, std::optional<std::string> prefix,
                           bool reverse, char** errptr,
                           const slatedb_readoptions_t* ropts = nullptr) {
  slatedb_iterator_t* out = nullptr;
  Status st = Guard([&]() -> Status {
    auto ro = ReadOptionsOf(ropts);
    if (!ro.ok()) return ro.status();
    slatedb::ScanOptions so;
    so.read = *ro;
    so.reverse = reverse;
    auto it = prefix ? r.ScanPrefix(*prefix, so) : r.Scan(slatedb::ScanRange{start, end}, so);
    if (!it.ok()) return it.status();
    auto iter = std::make_unique<slatedb_iterator_t>();
    iter->it = std::move(it).value();
    slatedb_iter_next(iter.get());  // positioned on the first row
    out = iter.release();
    return Status::OK();
  });
  return Ok(st, errptr) ? out : nullptr;
}

// values[i]/value_lens[i] for keys[i]; every values[i] is NULL on error.
void MultiGetFrom(slatedb::DbRead& r, size_t num_keys, const char* const* keys,
                  const size_t* key_lens, char** values, size_t* value_lens, char** errptr) {
  for (size_t i = 0; i < num_keys; ++i) {
    values[i] = nullptr;
    value_lens[i] = 0;
  }
  Status st = Guard([&]() -> Status {
    std::vector<std::string> ks;
    ks.reserve(num_keys);
    for (size_t i = 0; i < num_keys; ++i) ks.emplace_back(View(keys[i], key_lens[i]));
    auto got = r.MultiGet(ks);
    if (!got.ok()) return got.status();
    for (size_t i = 0; i < num_keys; ++i) {
      if (!(*got)[i]) continue;
      values[i] = CopyBytes(*(*got)[i]);
      if (values[i] == nullptr) {
        for (size_t j = 0; j < i; ++j) {
          std::free(values[j]);
          values[j] = nullptr;
        }
        return Status::Internal("out of memory");
      }
      value_lens[i] = (*got)[i]->size();
    }
    return Status::OK();
  });
  Ok(st, errptr);
}

std::vector<std::string> KeyList(size_t num_keys, const char* const* keys, const size_t* key_lens) {
  std::vector<std::string> ks;
  ks.reserve(num_keys);
  for (size_t i = 0; i < num_keys; ++i) ks.emplace_back(View(keys[i], key_lens[i]));
  return ks;
}

// The C name of a StatusCode name ("Closed(fenced)" has the kind "Closed").
int ErrorKindOf(std::string_view msg) {
  static constexpr std::pair<std::string_view, int> kKinds[] = {
      {"Invalid", SLATEDB_ERROR_INVALID},
      {"Unavailable", SLATEDB_ERROR_UNAVAILABLE},
      {"Data", SLATEDB_ERROR_DATA},
      {"Closed", SLATEDB_ERROR_CLOSED},
      {"Transaction", SLATEDB_ERROR_TRANSACTION},
      {"Internal", SLATEDB_ERROR_INTERNAL},
      {"NotFound", SLATEDB_ERROR_NOT_FOUND},
      {"AlreadyExists", SLATEDB_ERROR_ALREADY_EXISTS},
      {"PreconditionFailed", SLATEDB_ERROR_PRECONDITION_FAILED},
      {"PermissionDenied", SLATEDB_ERROR_PERMISSION_DENIED},
  };
  size_t end = msg.find_first_of(":(");
  if (end == std::string_view::npos) return SLATEDB_ERROR_UNKNOWN;
  std::string_view kind = msg.substr(0, end);
  for (const auto& [name, code] : kKinds) {
    if (kind == name) return code;
  }
  return SLATEDB_ERROR_UNKNOWN;
}

std::optional<std::string> Bound(const char* p, size_t n) {
  if (p == nullptr) return std::nullopt;
  return std::string(p, n);
}

uint64_t WriteTo(slatedb_t* db, const slatedb::WriteBatch& batch,
                 const slatedb_writeoptions_t* wopts, char** errptr) {
  uint64_t seq = 0;
  Status st = Guard([&]() -> Status {
    auto h = db->db->Write(batch, wopts != nullptr ? wopts->options : slatedb::WriteOptions());
    if (!h.ok()) return h.status();
    seq = h->seq();
    return Status::OK();
  });
  return Ok(st, errptr) ? seq : 0;
}

}  // namespace

extern "C" {

void slatedb_free(void* ptr) { std::free(ptr); }

const char* slatedb_version(void) { return SLATEDB_VERSION_STRING; }

int slatedb_error_kind(const char* errmsg) {
  if (errmsg == nullptr) return SLATEDB_ERROR_NONE;
  return ErrorKindOf(errmsg);
}

slatedb_object_store_t* slatedb_object_store_open(const char* url, char** errptr) {
  slatedb_object_store_t* out = nullptr;
  Status st = Guard([&]() -> Status {
    if (url == nullptr) return Status::Invalid("slatedb_object_store_open: url is NULL");
    auto s = slatedb::OpenObjectStore(url);
    if (!s.ok()) return s.status();
    out = NewHandle<slatedb_object_store_t>(std::move(s).value());
    return Status::OK();
  });
  return Ok(st, errptr) ? out : nullptr;
}

void slatedb_object_store_destroy(slatedb_object_store_t* store) { FreeHandle(store); }

slatedb_settings_t* slatedb_settings_from_json(const char* json, char** errptr) {
  slatedb_settings_t* out = nullptr;
  Status st = Guard([&]() -> Status {
    if (json == nullptr) return Status::Invalid("slatedb_settings_from_json: json is NULL");
    auto s = slatedb::Settings::FromJson(json);
    if (!s.ok()) return s.status();
    out = NewHandle<slatedb_settings_t>(std::move(s).value());
    return Status::OK();
  });
  return Ok(st, errptr) ? out : nullptr;
}

slatedb_settings_t* slatedb_settings_from_file(const char* path, char** errptr) {
  slatedb_settings_t* out = nullptr;
  Status st = Guard([&]() -> Status {
    if (path == nullptr) return Status::Invalid("slatedb_settings_from_file: path is NULL");
    auto s = slatedb::Settings::FromFile(path);
    if (!s.ok()) return s.status();
    out = NewHandle<slatedb_settings_t>(std::move(s).value());
    return Status::OK();
  });
  return Ok(st, errptr) ? out : nullptr;
}

char* slatedb_settings_to_json(const slatedb_settings_t* settings) {
  if (settings == nullptr) return nullptr;
  try {
    return CopyBytes(settings->settings.ToJson(/*pretty=*/false));
  } catch (...) {
    return nullptr;
  }
}

void slatedb_settings_destroy(slatedb_settings_t* settings) { FreeHandle(settings); }

slatedb_mergeoperator_t* slatedb_mergeoperator_create(void* state, void (*destructor)(void*),
                                                      slatedb_merge_fn merge,
                                                      const char* (*name)(void*)) {
  if (merge == nullptr) return nullptr;
  try {
    return NewHandle<slatedb_mergeoperator_t>(
        std::make_shared<CMergeOperator>(state, destructor, merge, name));
  } catch (...) {
    return nullptr;
  }
}

slatedb_mergeoperator_t* slatedb_mergeoperator_create_string_append(const char* delimiter,
                                                                    size_t delimiter_len) {
  try {
    return NewHandle<slatedb_mergeoperator_t>(
        slatedb::StringAppendOperator(std::string(View(delimiter, delimiter_len))));
  } catch (...) {
    return nullptr;
  }
}

slatedb_mergeoperator_t* slatedb_mergeoperator_create_uint64_add(void) {
  try {
    return NewHandle<slatedb_mergeoperator_t>(slatedb::UInt64AddOperator());
  } catch (...) {
    return nullptr;
  }
}

void slatedb_mergeoperator_destroy(slatedb_mergeoperator_t* op) { FreeHandle(op); }

slatedb_options_t* slatedb_options_create(void) { return NewEmptyHandle<slatedb_options_t>(); }

void slatedb_options_set_settings(slatedb_options_t* opts, const slatedb_settings_t* settings) {
  if (opts == nullptr) return;
  if (settings == nullptr) {
    opts->settings.reset();
  } else {
    opts->settings = settings->settings;
  }
}

void slatedb_options_set_merge_operator(slatedb_options_t* opts, slatedb_mergeoperator_t* op) {
  if (opts == nullptr) return;
  opts->merge_operator = op != nullptr ? op->op : nullptr;
}

void slatedb_options_set_seed(slatedb_options_t* opts, uint64_t seed) {
  if (opts != nullptr) opts->seed = seed;
}

void slatedb_options_destroy(slatedb_options_t* opts) { FreeHandle(opts); }

slatedb_writeoptions_t* slatedb_writeoptions_create(void) {
  return NewEmptyHandle<slatedb_writeoptions_t>();
}

void slatedb_writeoptions_set_await_durable(slatedb_writeoptions_t* opts, unsigned char value) {
  if (opts != nullptr) opts->options.await_durable = value != 0;
}

void slatedb_writeoptions_destroy(slatedb_writeoptions_t* opts) { FreeHandle(opts); }

slatedb_readoptions_t* slatedb_readoptions_create(void) {
  return NewEmptyHandle<slatedb_readoptions_t>();
}

void slatedb_readoptions_set_durability_filter(slatedb_readoptions_t* opts, int level) {
  if (opts != nullptr) opts->durability = level;
}

void slatedb_readoptions_set_dirty(slatedb_readoptions_t* opts, unsigned char value) {
  if (opts != nullptr) opts->options.dirty = value != 0;
}

void slatedb_readoptions_destroy(slatedb_readoptions_t* opts) { FreeHandle(opts); }

slatedb_t* slatedb_open(const char* path, slatedb_object_store_t* store,
                        const slatedb_settings_t* settings, char** errptr) {
  slatedb_options_t opts;
  if (settings != nullptr) opts.settings = settings->settings;
  return slatedb_open_with_options(path, store, &opts, errptr);
}

slatedb_t* slatedb_open_with_options(const char* path, slatedb_object_store_t* store,
                                     const slatedb_options_t* opts, char** errptr) {
  slatedb_t* out = nullptr;
  Status st = Guard([&]() -> Status {
    if (path == nullptr) return Status::Invalid("slatedb_open: path is NULL");
    if (store == nullptr) return Status::Invalid("slatedb_open: store is NULL");
    slatedb::Settings s = opts != nullptr && opts->settings ? *opts->settings : slatedb::Settings();
    auto db = slatedb::Db::Open(path, MakeComponents(store, opts), std::move(s));
    if (!db.ok()) return db.status();
    out = NewHandle<slatedb_t>(std::move(db).value());
    return Status::OK();
  });
  return Ok(st, errptr) ? out : nullptr;
}

void slatedb_close(slatedb_t* db, char** errptr) {
  if (db == nullptr) return;
  Status st = Guard([&] { return db->db->Close(); });
  FreeHandle(db);
  Ok(st, errptr);
}

uint64_t slatedb_put(slatedb_t* db, const char* key, size_t key_len, const char* value,
                     size_t value_len, char** errptr) {
  slatedb_ttl_t ttl = {SLATEDB_TTL_DEFAULT, 0};
  return slatedb_put_with_options(db, nullptr, key, key_len, value, value_len, ttl, errptr);
}

uint64_t slatedb_put_with_options(slatedb_t* db, const slatedb_writeoptions_t* wopts,
                                  const char* key, size_t key_len, const char* value,
                                  size_t value_len, slatedb_ttl_t ttl, char** errptr) {
  if (!Ok(CheckTtl(ttl), errptr)) return 0;
  slatedb::WriteBatch b;
  b.Put(View(key, key_len), View(value, value_len), slatedb::PutOptions{ToTtl(ttl)});
  return WriteTo(db, b, wopts, errptr);
}

uint64_t slatedb_delete(slatedb_t* db, const char* key, size_t key_len, char** errptr) {
  return slatedb_delete_with_options(db, nullptr, key, key_len, errptr);
}

uint64_t slatedb_delete_with_options(slatedb_t* db, const slatedb_writeoptions_t* wopts,
                                     const char* key, size_t key_len, char** errptr) {
  slatedb::WriteBatch b;
  b.Delete(View(key, key_len));
  return WriteTo(db, b, wopts, errptr);
}

uint64_t slatedb_merge(slatedb_t* db, const char* key, size_t key_len, const char* operand,
                       size_t operand_len, char** errptr) {
  slatedb_ttl_t ttl = {SLATEDB_TTL_DEFAULT, 0};
  return slatedb_merge_with_options(db, nullptr, key, key_len, operand, operand_len, ttl, errptr);
}

uint64_t slatedb_merge_with_options(slatedb_t* db, const slatedb_writeoptions_t* wopts,
                                    const char* key, size_t key_len, const char* operand,
                                    size_t operand_len, slatedb_ttl_t ttl, char** errptr) {
  if (!Ok(CheckTtl(ttl), errptr)) return 0;
  slatedb::WriteBatch b;
  b.Merge(View(key, key_len), View(operand, operand_len), slatedb::MergeOptions{ToTtl(ttl)});
  return WriteTo(db, b, wopts, errptr);
}

uint64_t slatedb_write(slatedb_t* db, const slatedb_writebatch_t* batch,
                       const slatedb_writeoptions_t* wopts, char** errptr) {
  if (batch == nullptr) {
    Ok(Status::Invalid("slatedb_write: batch is NULL"), errptr);
    return 0;
  }
  return WriteTo(db, batch->batch, wopts, errptr);
}

void slatedb_flush(slatedb_t* db, char** errptr) {
  Ok(Guard([&] { return db->db->Flush(slatedb::FlushType::kWal); }), errptr);
}

void slatedb_flush_memtable(slatedb_t* db, char** errptr) {
  Ok(Guard([&] { return db->db->Flush(slatedb::FlushType::kMemTable); }), errptr);
}

char* slatedb_get(slatedb_t* db, const char* key, size_t key_len, size_t* value_len,
                  char** errptr) {
  return GetFrom(*db->db, key, key_len, value_len, errptr);
}

char* slatedb_get_with_options(slatedb_t* db, const slatedb_readoptions_t* ropts, const char* key,
                               size_t key_len, size_t* value_len, char** errptr) {
  return GetFrom(*db->db, key, key_len, value_len, errptr, ropts);
}

void slatedb_multi_get(slatedb_t* db, size_t num_keys, const char* const* keys,
                       const size_t* key_lens, char** values, size_t* value_lens, char** errptr) {
  MultiGetFrom(*db->db, num_keys, keys, key_lens, values, value_lens, errptr);
}

slatedb_iterator_t* slatedb_scan(slatedb_t* db, const char* start, size_t start_len,
                                 const char* end, size_t end_len, char** errptr) {
  return ScanOf(*db->db, Bound(start, start_len), Bound(end, end_len), std::nullopt, false, errptr);
}

slatedb_iterator_t* slatedb_scan_reverse(slatedb_t* db, const char* start, size_t start_len,
                                         const char* end, size_t end_len, char** errptr) {
  return ScanOf(*db->db, Bound(start, start_len), Bound(end, end_len), std::nullopt, true, errptr);
}

slatedb_iterator_t* slatedb_scan_prefix(slatedb_t* db, const char* prefix, size_t prefix_len,
                                        char** errptr) {
  return ScanOf(*db->db, std::nullopt, std::nullopt, std::string(View(prefix, prefix_len)), false,
                errptr);
}

slatedb_iterator_t* slatedb_scan_with_options(slatedb_t* db, const slatedb_readoptions_t* ropts,
                                              const char* start, size_t start_len, const char* end,
                                              size_t end_len, unsigned char reverse,
                                              char** errptr) {
  return ScanOf(*db->db, Bound(start, start_len), Bound(end, end_len), std::nullopt, reverse != 0,
                errptr, ropts);
}

slatedb_writebatch_t* slatedb_writebatch_create(void) {
  return NewEmptyHandle<slatedb_writebatch_t>();
}

void slatedb_writebatch_put(slatedb_writebatch_t* b, const char* key, size_t key_len,
                            const char* value, size_t value_len) {
  b->batch.Put(View(key, key_len), View(value, value_len));
}

void slatedb_writebatch_put_with_ttl(slatedb_writebatch_t* b, const char* key, size_t key_len,
                                     const char* value, size_t value_len, slatedb_ttl_t ttl) {
  b->batch.Put(View(key, key_len), View(value, value_len), slatedb::PutOptions{ToTtl(ttl)});
}

void slatedb_writebatch_delete(slatedb_writebatch_t* b, const char* key, size_t key_len) {
  b->batch.Delete(View(key, key_len));
}

void slatedb_writebatch_merge(slatedb_writebatch_t* b, const char* key, size_t key_len,
                              const char* operand, size_t operand_len) {
  b->batch.Merge(View(key, key_len), View(operand, operand_len));
}

void slatedb_writebatch_clear(slatedb_writebatch_t* b) { b->batch.Clear(); }

size_t slatedb_writebatch_count(const slatedb_writebatch_t* b) { return b->batch.size(); }

void slatedb_writebatch_destroy(slatedb_writebatch_t* b) { FreeHandle(b); }

unsigned char slatedb_iter_valid(const slatedb_iterator_t* it) {
  return it != nullptr && it->current.has_value() ? 1 : 0;
}

const char* slatedb_iter_key(const slatedb_iterator_t* it, size_t* key_len) {
  if (!slatedb_iter_valid(it)) {
    if (key_len != nullptr) *key_len = 0;
    return nullptr;
  }
  if (key_len != nullptr) *key_len = it->current->key.size();
  return it->current->key.data();
}

const char* slatedb_iter_value(const slatedb_iterator_t* it, size_t* value_len) {
  if (!slatedb_iter_valid(it)) {
    if (value_len != nullptr) *value_len = 0;
    return nullptr;
  }
  if (value_len != nullptr) *value_len = it->current->value.size();
  return it->current->value.data();
}

void slatedb_iter_next(slatedb_iterator_t* it) {
  if (it == nullptr || !it->error.ok()) return;
  Status st = Guard([&]() -> Status {
    auto kv = it->it->Next();
    if (!kv.ok()) return kv.status();
    it->current = std::move(kv).value();
    return Status::OK();
  });
  if (!st.ok()) {
    it->error = st;
    it->current.reset();
  }
}

void slatedb_iter_seek(slatedb_iterator_t* it, const char* key, size_t key_len) {
  if (it == nullptr || !it->error.ok()) return;
  Status st = Guard([&] { return it->it->Seek(View(key, key_len)); });
  if (!st.ok()) {
    it->error = st;
    it->current.reset();
    return;
  }
  slatedb_iter_next(it);
}

void slatedb_iter_get_error(const slatedb_iterator_t* it, char** errptr) {
  if (it != nullptr) Ok(it->error, errptr);
}

void slatedb_iter_destroy(slatedb_iterator_t* it) { FreeHandle(it); }

slatedb_reader_t* slatedb_reader_open(const char* path, slatedb_object_store_t* store,
                                      const slatedb_options_t* opts, char** errptr) {
  slatedb_reader_t* out = nullptr;
  Status st = Guard([&]() -> Status {
    if (path == nullptr) return Status::Invalid("slatedb_reader_open: path is NULL");
    if (store == nullptr) return Status::Invalid("slatedb_reader_open: store is NULL");
    auto r = slatedb::DbReader::Open(path, MakeComponents(store, opts));
    if (!r.ok()) return r.status();
    out = NewHandle<slatedb_reader_t>(std::move(r).value());
    return Status::OK();
  });
  return Ok(st, errptr) ? out : nullptr;
}

char* slatedb_reader_get(slatedb_reader_t* r, const char* key, size_t key_len, size_t* value_len,
                         char** errptr) {
  return GetFrom(*r->reader, key, key_len, value_len, errptr);
}

slatedb_iterator_t* slatedb_reader_scan(slatedb_reader_t* r, const char* start, size_t start_len,
                                        const char* end, size_t end_len, char** errptr) {
  return ScanOf(*r->reader, Bound(start, start_len), Bound(end, end_len), std::nullopt, false,
                errptr);
}

slatedb_iterator_t* slatedb_reader_scan_prefix(slatedb_reader_t* r, const char* prefix,
                                               size_t prefix_len, char** errptr) {
  return ScanOf(*r->reader, std::nullopt, std::nullopt, std::string(View(prefix, prefix_len)),
                false, errptr);
}

void slatedb_reader_multi_get(slatedb_reader_t* r, size_t num_keys, const char* const* keys,
                              const size_t* key_lens, char** values, size_t* value_lens,
                              char** errptr) {
  MultiGetFrom(*r->reader, num_keys, keys, key_lens, values, value_lens, errptr);
}

void slatedb_reader_close(slatedb_reader_t* r, char** errptr) {
  if (r == nullptr) return;
  Status st = Guard([&] { return r->reader->Close(); });
  FreeHandle(r);
  Ok(st, errptr);
}

slatedb_snapshot_t* slatedb_snapshot_create(slatedb_t* db, char** errptr) {
  slatedb_snapshot_t* out = nullptr;
  Status st = Guard([&]() -> Status {
    if (db == nullptr) return Status::Invalid("slatedb_snapshot_create: db is NULL");
    auto snap = db->db->Snapshot();
    if (!snap.ok()) return snap.status();
    out = NewHandle<slatedb_snapshot_t>(std::move(snap).value());
    return Status::OK();
  });
  return Ok(st, errptr) ? out : nullptr;
}

uint64_t slatedb_snapshot_seq(const slatedb_snapshot_t* snap) {
  return snap != nullptr ? snap->snapshot->seq() : 0;
}

char* slatedb_snapshot_get(slatedb_snapshot_t* snap, const char* key, size_t key_len,
                           size_t* value_len, char** errptr) {
  return GetFrom(*snap->snapshot, key, key_len, value_len, errptr);
}

void slatedb_snapshot_multi_get(slatedb_snapshot_t* snap, size_t num_keys, const char* const* keys,
                                const size_t* key_lens, char** values, size_t* value_lens,
                                char** errptr) {
  MultiGetFrom(*snap->snapshot, num_keys, keys, key_lens, values, value_lens, errptr);
}

slatedb_iterator_t* slatedb_snapshot_scan(slatedb_snapshot_t* snap, const char* start,
                                          size_t start_len, const char* end, size_t end_len,
                                          char** errptr) {
  return ScanOf(*snap->snapshot, Bound(start, start_len), Bound(end, end_len), std::nullopt, false,
                errptr);
}

slatedb_iterator_t* slatedb_snapshot_scan_prefix(slatedb_snapshot_t* snap, const char* prefix,
                                                 size_t prefix_len, char** errptr) {
  return ScanOf(*snap->snapshot, std::nullopt, std::nullopt, std::string(View(prefix, prefix_len)),
                false, errptr);
}

void slatedb_snapshot_release(slatedb_snapshot_t* snap) { FreeHandle(snap); }

slatedb_transaction_t* slatedb_transaction_begin(slatedb_t* db, int isolation, char** errptr) {
  slatedb_transaction_t* out = nullptr;
  Status st = Guard([&]() -> Status {
    if (db == nullptr) return Status::Invalid("slatedb_transaction_begin: db is NULL");
    slatedb::IsolationLevel level;
    switch (isolation) {
      case SLATEDB_ISOLATION_SNAPSHOT:
        level = slatedb::IsolationLevel::kSnapshot;
        break;
      case SLATEDB_ISOLATION_SERIALIZABLE_SNAPSHOT:
        level = slatedb::IsolationLevel::kSerializableSnapshot;
        break;
      default:
        return Status::Invalid("slatedb_transaction_begin: unknown isolation level " +
                               std::to_string(isolation));
    }
    auto txn = db->db->Begin(level);
    if (!txn.ok()) return txn.status();
    out = NewHandle<slatedb_transaction_t>(std::move(txn).value());
    return Status::OK();
  });
  return Ok(st, errptr) ? out : nullptr;
}

void slatedb_transaction_put(slatedb_transaction_t* txn, const char* key, size_t key_len,
                             const char* value, size_t value_len, char** errptr) {
  slatedb_ttl_t ttl = {SLATEDB_TTL_DEFAULT, 0};
  slatedb_transaction_put_with_ttl(txn, key, key_len, value, value_len, ttl, errptr);
}

void slatedb_transaction_put_with_ttl(slatedb_transaction_t* txn, const char* key, size_t key_len,
                                      const char* value, size_t value_len, slatedb_ttl_t ttl,
                                      char** errptr) {
  if (!Ok(CheckTtl(ttl), errptr)) return;
  Ok(Guard([&] {
       return txn->txn->Put(View(key, key_len), View(value, value_len),
                            slatedb::PutOptions{ToTtl(ttl)});
     }),
     errptr);
}

void slatedb_transaction_delete(slatedb_transaction_t* txn, const char* key, size_t key_len,
                                char** errptr) {
  Ok(Guard([&] { return txn->txn->Delete(View(key, key_len)); }), errptr);
}

void slatedb_transaction_merge(slatedb_transaction_t* txn, const char* key, size_t key_len,
                               const char* operand, size_t operand_len, char** errptr) {
  Ok(Guard([&] { return txn->txn->Merge(View(key, key_len), View(operand, operand_len)); }),
     errptr);
}

char* slatedb_transaction_get(slatedb_transaction_t* txn, const char* key, size_t key_len,
                              size_t* value_len, char** errptr) {
  return GetFrom(*txn->txn, key, key_len, value_len, errptr);
}

void slatedb_transaction_multi_get(slatedb_transaction_t* txn, size_t num_keys,
                                   const char* const* keys, const size_t* key_lens, char** values,
                                   size_t* value_lens, char** errptr) {
  MultiGetFrom(*txn->txn, num_keys, keys, key_lens, values, value_lens, errptr);
}

slatedb_iterator_t* slatedb_transaction_scan(slatedb_transaction_t* txn, const char* start,
                                             size_t start_len, const char* end, size_t end_len,
                                             char** errptr) {
  return ScanOf(*txn->txn, Bound(start, start_len), Bound(end, end_len), std::nullopt, false,
                errptr);
}

slatedb_iterator_t* slatedb_transaction_scan_prefix(slatedb_transaction_t* txn, const char* prefix,
                                                    size_t prefix_len, char** errptr) {
  return ScanOf(*txn->txn, std::nullopt, std::nullopt, std::string(View(prefix, prefix_len)), false,
                errptr);
}

void slatedb_transaction_mark_read(slatedb_transaction_t* txn, size_t num_keys,
                                   const char* const* keys, const size_t* key_lens, char** errptr) {
  Ok(Guard([&] { return txn->txn->MarkRead(KeyList(num_keys, keys, key_lens)); }), errptr);
}

void slatedb_transaction_unmark_write(slatedb_transaction_t* txn, size_t num_keys,
                                      const char* const* keys, const size_t* key_lens,
                                      char** errptr) {
  Ok(Guard([&] { return txn->txn->UnmarkWrite(KeyList(num_keys, keys, key_lens)); }), errptr);
}

uint64_t slatedb_transaction_commit(slatedb_transaction_t* txn, const slatedb_writeoptions_t* wopts,
                                    char** errptr) {
  uint64_t seq = 0;
  Status st = Guard([&]() -> Status {
    auto h = txn->txn->Commit(wopts != nullptr ? wopts->options : slatedb::WriteOptions());
    if (!h.ok()) return h.status();
    seq = h->seq();
    return Status::OK();
  });
  return Ok(st, errptr) ? seq : 0;
}

void slatedb_transaction_rollback(slatedb_transaction_t* txn, char** errptr) {
  Ok(Guard([&] { return txn->txn->Rollback(); }), errptr);
}

uint64_t slatedb_transaction_seq(const slatedb_transaction_t* txn) {
  return txn != nullptr ? txn->txn->seq() : 0;
}

const char* slatedb_transaction_id(const slatedb_transaction_t* txn) {
  return txn != nullptr ? txn->txn->id().c_str() : nullptr;
}

int slatedb_transaction_isolation(const slatedb_transaction_t* txn) {
  if (txn == nullptr) return -1;
  return txn->txn->isolation_level() == slatedb::IsolationLevel::kSerializableSnapshot
             ? SLATEDB_ISOLATION_SERIALIZABLE_SNAPSHOT
             : SLATEDB_ISOLATION_SNAPSHOT;
}

void slatedb_transaction_destroy(slatedb_transaction_t* txn) { FreeHandle(txn); }

}  // extern "C"
