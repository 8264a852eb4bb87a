/* slatedb/c.h — the C API of slatedb-cpp, in the style of RocksDB's rocksdb/c.h.
 *
 * What: opaque handles over the C++ API (slatedb/db.h): object stores from URLs, settings from
 * JSON, the writer (put, get, delete, merge, write batches, scans, multi-get, flush), snapshots,
 * optimistic transactions (SI and SSI), read-only readers, and merge operators (built in, or C
 * callbacks). Compiles as C11 and C++.
 *
 * Errors: every call that can fail takes `char** errptr`. On success *errptr is left
 * unchanged; on failure, if *errptr was not NULL it is freed, and *errptr is set to a
 * malloc'd message "<Kind>: <message>" (Kind as in slatedb/status.h: "Invalid", "Closed(fenced)",
 * "Unavailable", "Data", "NotFound", ...) that the caller frees with slatedb_free(). A missing
 * key is not an error: slatedb_get returns NULL with *errptr unchanged. slatedb_error_kind()
 * turns a message back into a SLATEDB_ERROR_* code (a commit conflict is
 * SLATEDB_ERROR_TRANSACTION). No C++ exception ever crosses this API.
 *
 * Memory: values returned as `char*` (and `char**` arrays' elements) are malloc'd, owned by the
 * caller, freed with slatedb_free(). `const char*` results (iterator keys and values) stay valid
 * until the iterator moves or is destroyed. Keys and values are byte strings with explicit
 * lengths (not NUL-terminated).
 *
 * Thread safety: a slatedb_t, slatedb_reader_t or slatedb_object_store_t may be used from any
 * number of threads at once, and so may a slatedb_snapshot_t; a write batch, an iterator, a
 * transaction or an options handle from one thread at a time. Destroy iterators before closing,
 * releasing or destroying their source (database, reader, snapshot or transaction). Snapshots and
 * transactions may outlive their database: their calls then fail with "Closed...".
 */
#ifndef SLATEDB_C_H_
#define SLATEDB_C_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define SLATEDB_C_EXPORT __attribute__((visibility("default")))
#else
#define SLATEDB_C_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct slatedb_object_store_t slatedb_object_store_t;
typedef struct slatedb_settings_t slatedb_settings_t;
typedef struct slatedb_mergeoperator_t slatedb_mergeoperator_t;
typedef struct slatedb_options_t slatedb_options_t;
typedef struct slatedb_writeoptions_t slatedb_writeoptions_t;
typedef struct slatedb_readoptions_t slatedb_readoptions_t;
typedef struct slatedb_t slatedb_t;
typedef struct slatedb_reader_t slatedb_reader_t;
typedef struct slatedb_writebatch_t slatedb_writebatch_t;
typedef struct slatedb_iterator_t slatedb_iterator_t;
typedef struct slatedb_snapshot_t slatedb_snapshot_t;
typedef struct slatedb_transaction_t slatedb_transaction_t;

/* The kind of an error message (slatedb::StatusCode), from slatedb_error_kind(). */
enum {
  SLATEDB_ERROR_NONE = 0, /* errmsg is NULL */
  SLATEDB_ERROR_INVALID = 1,
  SLATEDB_ERROR_UNAVAILABLE = 2,
  SLATEDB_ERROR_DATA = 3,
  SLATEDB_ERROR_CLOSED = 4,
  SLATEDB_ERROR_TRANSACTION = 5, /* a transaction's commit conflicted: retry with a new one */
  SLATEDB_ERROR_INTERNAL = 6,
  SLATEDB_ERROR_NOT_FOUND = 7,
  SLATEDB_ERROR_ALREADY_EXISTS = 8,
  SLATEDB_ERROR_PRECONDITION_FAILED = 9,
  SLATEDB_ERROR_PERMISSION_DENIED = 10,
  SLATEDB_ERROR_UNKNOWN = 11 /* not a message of this API */
};

/* What a read sees (slatedb::DurabilityLevel). */
enum {
  SLATEDB_DURABILITY_MEMORY = 0, /* every committed write (default) */
  SLATEDB_DURABILITY_REMOTE = 1  /* only writes durable in object storage */
};

/* Isolation levels of slatedb_transaction_begin (slatedb::IsolationLevel). */
enum {
  SLATEDB_ISOLATION_SNAPSHOT = 0,             /* SI: write-write conflicts */
  SLATEDB_ISOLATION_SERIALIZABLE_SNAPSHOT = 1 /* SSI: also keys read and ranges scanned */
};

/* Time to live of one put or merge (slatedb::Ttl). */
enum {
  SLATEDB_TTL_DEFAULT = 0,
  SLATEDB_TTL_NO_EXPIRY = 1,
  SLATEDB_TTL_EXPIRE_AFTER = 2,
  SLATEDB_TTL_EXPIRE_AT = 3
};
typedef struct slatedb_ttl_t {
  int kind;      /* one of SLATEDB_TTL_* */
  int64_t value; /* EXPIRE_AFTER: milliseconds (>= 0); EXPIRE_AT: Unix milliseconds */
} slatedb_ttl_t;

/* ---- misc ---- */
SLATEDB_C_EXPORT void slatedb_free(void* ptr);
/* "0.1.0" (static storage). */
SLATEDB_C_EXPORT const char* slatedb_version(void);
/* The SLATEDB_ERROR_* kind of a message set through errptr (its "<Kind>" prefix). */
SLATEDB_C_EXPORT int slatedb_error_kind(const char* errmsg);

/* ---- object stores ---- */
/* "memory:///", "file:///abs/dir", "s3://bucket/prefix" (credentials and endpoint from the
 * environment, see the README). */
SLATEDB_C_EXPORT slatedb_object_store_t* slatedb_object_store_open(const char* url, char** errptr);
SLATEDB_C_EXPORT void slatedb_object_store_destroy(slatedb_object_store_t* store);

/* ---- settings ---- */
/* A JSON object as SlateDB's Settings (partial objects lay over the defaults). */
SLATEDB_C_EXPORT slatedb_settings_t* slatedb_settings_from_json(const char* json, char** errptr);
/* A .json/.toml/.yaml/.yml file. */
SLATEDB_C_EXPORT slatedb_settings_t* slatedb_settings_from_file(const char* path, char** errptr);
/* SlateDB's JSON of these settings (malloc'd; free with slatedb_free). */
SLATEDB_C_EXPORT char* slatedb_settings_to_json(const slatedb_settings_t* settings);
SLATEDB_C_EXPORT void slatedb_settings_destroy(slatedb_settings_t* settings);

/* ---- merge operators ---- */
/* A C merge operator. `merge` combines the existing value (has_existing = 0: none) with one
 * operand and returns a malloc'd result with its length in *result_len; to refuse, it returns
 * NULL and sets *errmsg to a malloc'd message. It is called from any thread. `destructor`
 * (may be NULL) gets `state` when the operator is destroyed; `name` returns a static name. */
typedef char* (*slatedb_merge_fn)(void* state, const char* key, size_t key_len,
                                  const char* existing, size_t existing_len, int has_existing,
                                  const char* operand, size_t operand_len, size_t* result_len,
                                  char** errmsg);
SLATEDB_C_EXPORT slatedb_mergeoperator_t* slatedb_mergeoperator_create(
    void* state, void (*destructor)(void* state), slatedb_merge_fn merge,
    const char* (*name)(void* state));
SLATEDB_C_EXPORT slatedb_mergeoperator_t* slatedb_mergeoperator_create_string_append(
    const char* delimiter, size_t delimiter_len);
SLATEDB_C_EXPORT slatedb_mergeoperator_t* slatedb_mergeoperator_create_uint64_add(void);
/* The database keeps its own reference: an operator may be destroyed right after open. */
SLATEDB_C_EXPORT void slatedb_mergeoperator_destroy(slatedb_mergeoperator_t* op);

/* ---- open options ---- */
SLATEDB_C_EXPORT slatedb_options_t* slatedb_options_create(void);
/* Copied; NULL = the defaults. */
SLATEDB_C_EXPORT void slatedb_options_set_settings(slatedb_options_t* opts,
                                                   const slatedb_settings_t* settings);
SLATEDB_C_EXPORT void slatedb_options_set_merge_operator(slatedb_options_t* opts,
                                                         slatedb_mergeoperator_t* op);
/* Seed of the database's randomness (0 = from entropy). */
SLATEDB_C_EXPORT void slatedb_options_set_seed(slatedb_options_t* opts, uint64_t seed);
SLATEDB_C_EXPORT void slatedb_options_destroy(slatedb_options_t* opts);

SLATEDB_C_EXPORT slatedb_writeoptions_t* slatedb_writeoptions_create(void);
/* 1: the write call returns only once durable (default 0: once in the memtable). */
SLATEDB_C_EXPORT void slatedb_writeoptions_set_await_durable(slatedb_writeoptions_t* opts,
                                                             unsigned char value);
SLATEDB_C_EXPORT void slatedb_writeoptions_destroy(slatedb_writeoptions_t* opts);

SLATEDB_C_EXPORT slatedb_readoptions_t* slatedb_readoptions_create(void);
/* A SLATEDB_DURABILITY_* value; any other value makes reads with these options fail (Invalid). */
SLATEDB_C_EXPORT void slatedb_readoptions_set_durability_filter(slatedb_readoptions_t* opts,
                                                                int level);
/* 1: also see this process's committed writes whose durability failed (default 0). */
SLATEDB_C_EXPORT void slatedb_readoptions_set_dirty(slatedb_readoptions_t* opts,
                                                    unsigned char value);
SLATEDB_C_EXPORT void slatedb_readoptions_destroy(slatedb_readoptions_t* opts);

/* ---- the writer ---- */
/* `settings` may be NULL (SlateDB's defaults). */
SLATEDB_C_EXPORT slatedb_t* slatedb_open(const char* path, slatedb_object_store_t* store,
                                         const slatedb_settings_t* settings, char** errptr);
SLATEDB_C_EXPORT slatedb_t* slatedb_open_with_options(const char* path,
                                                      slatedb_object_store_t* store,
                                                      const slatedb_options_t* opts, char** errptr);
/* Closes (flushing the WAL) and frees the handle, also when closing fails. */
SLATEDB_C_EXPORT void slatedb_close(slatedb_t* db, char** errptr);

/* Writes return the write's sequence number (0 on error). `wopts` may be NULL. */
SLATEDB_C_EXPORT uint64_t slatedb_put(slatedb_t* db, const char* key, size_t key_len,
                                      const char* value, size_t value_len, char** errptr);
SLATEDB_C_EXPORT uint64_t slatedb_put_with_options(slatedb_t* db,
                                                   const slatedb_writeoptions_t* wopts,
                                                   const char* key, size_t key_len,
                                                   const char* value, size_t value_len,
                                                   slatedb_ttl_t ttl, char** errptr);
SLATEDB_C_EXPORT uint64_t slatedb_delete(slatedb_t* db, const char* key, size_t key_len,
                                         char** errptr);
SLATEDB_C_EXPORT uint64_t slatedb_delete_with_options(slatedb_t* db,
                                                      const slatedb_writeoptions_t* wopts,
                                                      const char* key, size_t key_len,
                                                      char** errptr);
SLATEDB_C_EXPORT uint64_t slatedb_merge(slatedb_t* db, const char* key, size_t key_len,
                                        const char* operand, size_t operand_len, char** errptr);
/* `ttl` is the operand's own time to live. */
SLATEDB_C_EXPORT uint64_t slatedb_merge_with_options(slatedb_t* db,
                                                     const slatedb_writeoptions_t* wopts,
                                                     const char* key, size_t key_len,
                                                     const char* operand, size_t operand_len,
                                                     slatedb_ttl_t ttl, char** errptr);
SLATEDB_C_EXPORT uint64_t slatedb_write(slatedb_t* db, const slatedb_writebatch_t* batch,
                                        const slatedb_writeoptions_t* wopts, char** errptr);
/* Uploads the WAL now and waits until every earlier write is durable. */
SLATEDB_C_EXPORT void slatedb_flush(slatedb_t* db, char** errptr);
/* Also writes the memtable as an L0 SST. */
SLATEDB_C_EXPORT void slatedb_flush_memtable(slatedb_t* db, char** errptr);

/* NULL when the key is absent (not an error). */
SLATEDB_C_EXPORT char* slatedb_get(slatedb_t* db, const char* key, size_t key_len,
                                   size_t* value_len, char** errptr);
/* `ropts` may be NULL (the defaults). */
SLATEDB_C_EXPORT char* slatedb_get_with_options(slatedb_t* db, const slatedb_readoptions_t* ropts,
                                                const char* key, size_t key_len, size_t* value_len,
                                                char** errptr);
/* values[i] = malloc'd value or NULL if absent, value_lens[i] its length. On error every
 * values[i] is NULL. */
SLATEDB_C_EXPORT void slatedb_multi_get(slatedb_t* db, size_t num_keys, const char* const* keys,
                                        const size_t* key_lens, char** values, size_t* value_lens,
                                        char** errptr);
/* Rows in [start, end) (a NULL bound is unbounded), ascending; the iterator is positioned on
 * the first row. */
SLATEDB_C_EXPORT slatedb_iterator_t* slatedb_scan(slatedb_t* db, const char* start,
                                                  size_t start_len, const char* end, size_t end_len,
                                                  char** errptr);
SLATEDB_C_EXPORT slatedb_iterator_t* slatedb_scan_reverse(slatedb_t* db, const char* start,
                                                          size_t start_len, const char* end,
                                                          size_t end_len, char** errptr);
SLATEDB_C_EXPORT slatedb_iterator_t* slatedb_scan_prefix(slatedb_t* db, const char* prefix,
                                                         size_t prefix_len, char** errptr);
/* slatedb_scan / slatedb_scan_reverse (reverse = 1) with read options (`ropts` may be NULL). */
SLATEDB_C_EXPORT slatedb_iterator_t* slatedb_scan_with_options(
    slatedb_t* db, const slatedb_readoptions_t* ropts, const char* start, size_t start_len,
    const char* end, size_t end_len, unsigned char reverse, char** errptr);

/* ---- write batches ---- */
SLATEDB_C_EXPORT slatedb_writebatch_t* slatedb_writebatch_create(void);
SLATEDB_C_EXPORT void slatedb_writebatch_put(slatedb_writebatch_t* b, const char* key,
                                             size_t key_len, const char* value, size_t value_len);
SLATEDB_C_EXPORT void slatedb_writebatch_put_with_ttl(slatedb_writebatch_t* b, const char* key,
                                                      size_t key_len, const char* value,
                                                      size_t value_len, slatedb_ttl_t ttl);
SLATEDB_C_EXPORT void slatedb_writebatch_delete(slatedb_writebatch_t* b, const char* key,
                                                size_t key_len);
SLATEDB_C_EXPORT void slatedb_writebatch_merge(slatedb_writebatch_t* b, const char* key,
                                               size_t key_len, const char* operand,
                                               size_t operand_len);
SLATEDB_C_EXPORT void slatedb_writebatch_clear(slatedb_writebatch_t* b);
SLATEDB_C_EXPORT size_t slatedb_writebatch_count(const slatedb_writebatch_t* b);
SLATEDB_C_EXPORT void slatedb_writebatch_destroy(slatedb_writebatch_t* b);

/* ---- iterators ---- */
SLATEDB_C_EXPORT unsigned char slatedb_iter_valid(const slatedb_iterator_t* it);
SLATEDB_C_EXPORT const char* slatedb_iter_key(const slatedb_iterator_t* it, size_t* key_len);
SLATEDB_C_EXPORT const char* slatedb_iter_value(const slatedb_iterator_t* it, size_t* value_len);
SLATEDB_C_EXPORT void slatedb_iter_next(slatedb_iterator_t* it);
/* Moves to the first row >= key (ascending) or <= key (reverse) within the scan's range. */
SLATEDB_C_EXPORT void slatedb_iter_seek(slatedb_iterator_t* it, const char* key, size_t key_len);
/* The error that ended the iteration early, if any (iteration stops at an error). */
SLATEDB_C_EXPORT void slatedb_iter_get_error(const slatedb_iterator_t* it, char** errptr);
SLATEDB_C_EXPORT void slatedb_iter_destroy(slatedb_iterator_t* it);

/* ---- read-only readers (never fence the writer) ---- */
SLATEDB_C_EXPORT slatedb_reader_t* slatedb_reader_open(const char* path,
                                                       slatedb_object_store_t* store,
                                                       const slatedb_options_t* opts_or_null,
                                                       char** errptr);
SLATEDB_C_EXPORT char* slatedb_reader_get(slatedb_reader_t* r, const char* key, size_t key_len,
                                          size_t* value_len, char** errptr);
SLATEDB_C_EXPORT slatedb_iterator_t* slatedb_reader_scan(slatedb_reader_t* r, const char* start,
                                                         size_t start_len, const char* end,
                                                         size_t end_len, char** errptr);
SLATEDB_C_EXPORT slatedb_iterator_t* slatedb_reader_scan_prefix(slatedb_reader_t* r,
                                                                const char* prefix,
                                                                size_t prefix_len, char** errptr);
SLATEDB_C_EXPORT void slatedb_reader_multi_get(slatedb_reader_t* r, size_t num_keys,
                                               const char* const* keys, const size_t* key_lens,
                                               char** values, size_t* value_lens, char** errptr);
SLATEDB_C_EXPORT void slatedb_reader_close(slatedb_reader_t* r, char** errptr);

/* ---- snapshots (slatedb/snapshot.h): reads at one sequence number ---- */
/* A view at the database's last committed write; later writes, flushes and compactions do not
 * change what it reads. Release it with slatedb_snapshot_release. */
SLATEDB_C_EXPORT slatedb_snapshot_t* slatedb_snapshot_create(slatedb_t* db, char** errptr);
SLATEDB_C_EXPORT uint64_t slatedb_snapshot_seq(const slatedb_snapshot_t* snap);
SLATEDB_C_EXPORT char* slatedb_snapshot_get(slatedb_snapshot_t* snap, const char* key,
                                            size_t key_len, size_t* value_len, char** errptr);
SLATEDB_C_EXPORT void slatedb_snapshot_multi_get(slatedb_snapshot_t* snap, size_t num_keys,
                                                 const char* const* keys, const size_t* key_lens,
                                                 char** values, size_t* value_lens, char** errptr);
SLATEDB_C_EXPORT slatedb_iterator_t* slatedb_snapshot_scan(slatedb_snapshot_t* snap,
                                                           const char* start, size_t start_len,
                                                           const char* end, size_t end_len,
                                                           char** errptr);
SLATEDB_C_EXPORT slatedb_iterator_t* slatedb_snapshot_scan_prefix(slatedb_snapshot_t* snap,
                                                                  const char* prefix,
                                                                  size_t prefix_len, char** errptr);
SLATEDB_C_EXPORT void slatedb_snapshot_release(slatedb_snapshot_t* snap);

/* ---- optimistic transactions (slatedb/transaction.h) ---- */
/* `isolation` is a SLATEDB_ISOLATION_* value. Writes are buffered until commit; reads see them
 * on top of the transaction's snapshot. */
SLATEDB_C_EXPORT slatedb_transaction_t* slatedb_transaction_begin(slatedb_t* db, int isolation,
                                                                  char** errptr);
SLATEDB_C_EXPORT void slatedb_transaction_put(slatedb_transaction_t* txn, const char* key,
                                              size_t key_len, const char* value, size_t value_len,
                                              char** errptr);
SLATEDB_C_EXPORT void slatedb_transaction_put_with_ttl(slatedb_transaction_t* txn, const char* key,
                                                       size_t key_len, const char* value,
                                                       size_t value_len, slatedb_ttl_t ttl,
                                                       char** errptr);
SLATEDB_C_EXPORT void slatedb_transaction_delete(slatedb_transaction_t* txn, const char* key,
                                                 size_t key_len, char** errptr);
SLATEDB_C_EXPORT void slatedb_transaction_merge(slatedb_transaction_t* txn, const char* key,
                                                size_t key_len, const char* operand,
                                                size_t operand_len, char** errptr);
SLATEDB_C_EXPORT char* slatedb_transaction_get(slatedb_transaction_t* txn, const char* key,
                                               size_t key_len, size_t* value_len, char** errptr);
SLATEDB_C_EXPORT void slatedb_transaction_multi_get(slatedb_transaction_t* txn, size_t num_keys,
                                                    const char* const* keys, const size_t* key_lens,
                                                    char** values, size_t* value_lens,
                                                    char** errptr);
SLATEDB_C_EXPORT slatedb_iterator_t* slatedb_transaction_scan(slatedb_transaction_t* txn,
                                                              const char* start, size_t start_len,
                                                              const char* end, size_t end_len,
                                                              char** errptr);
SLATEDB_C_EXPORT slatedb_iterator_t* slatedb_transaction_scan_prefix(slatedb_transaction_t* txn,
                                                                     const char* prefix,
                                                                     size_t prefix_len,
                                                                     char** errptr);
/* Treats the keys as read for conflict detection (both levels). */
SLATEDB_C_EXPORT void slatedb_transaction_mark_read(slatedb_transaction_t* txn, size_t num_keys,
                                                    const char* const* keys, const size_t* key_lens,
                                                    char** errptr);
/* Keeps the keys in the commit but out of write-conflict detection. */
SLATEDB_C_EXPORT void slatedb_transaction_unmark_write(slatedb_transaction_t* txn, size_t num_keys,
                                                       const char* const* keys,
                                                       const size_t* key_lens, char** errptr);
/* Returns the commit's sequence number (0 on error). A conflict is a "Transaction: ..." error
 * (slatedb_error_kind = SLATEDB_ERROR_TRANSACTION); a failed commit is final. `wopts` may be
 * NULL. The handle still needs slatedb_transaction_destroy. */
SLATEDB_C_EXPORT uint64_t slatedb_transaction_commit(slatedb_transaction_t* txn,
                                                     const slatedb_writeoptions_t* wopts,
                                                     char** errptr);
/* Discards the buffered writes (idempotent; an error after a commit). */
SLATEDB_C_EXPORT void slatedb_transaction_rollback(slatedb_transaction_t* txn, char** errptr);
/* The snapshot seq it reads at; its id (a UUID, valid until destroy); its SLATEDB_ISOLATION_*. */
SLATEDB_C_EXPORT uint64_t slatedb_transaction_seq(const slatedb_transaction_t* txn);
SLATEDB_C_EXPORT const char* slatedb_transaction_id(const slatedb_transaction_t* txn);
SLATEDB_C_EXPORT int slatedb_transaction_isolation(const slatedb_transaction_t* txn);
/* Frees the handle; an unfinished transaction is rolled back. */
SLATEDB_C_EXPORT void slatedb_transaction_destroy(slatedb_transaction_t* txn);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SLATEDB_C_H_ */
