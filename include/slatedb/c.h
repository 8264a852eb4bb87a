/* slatedb/c.h — the C API of slatedb-cpp, in the style of RocksDB's rocksdb/c.h.
 *
 * What: opaque handles over the C++ API (slatedb/db.h): object stores from URLs, settings from
 * JSON, the writer (put, get, delete, merge, write batches, scans, multi-get, flush), read-only
 * readers, and merge operators (built in, or C callbacks). Compiles as C11 and C++.
 *
 * Errors: every call that can fail takes `char** errptr`. On success *errptr is left
 * unchanged; on failure, if *errptr was not NULL it is freed, and *errptr is set to a
 * malloc'd message "<Kind>: <message>" (Kind as in slatedb/status.h: "Invalid", "Closed(fenced)",
 * "Unavailable", "Data", "NotFound", ...) that the caller frees with slatedb_free(). A missing
 * key is not an error: slatedb_get returns NULL with *errptr unchanged. No C++ exception ever
 * crosses this API.
 *
 * Memory: values returned as `char*` (and `char**` arrays' elements) are malloc'd, owned by the
 * caller, freed with slatedb_free(). `const char*` results (iterator keys and values) stay valid
 * until the iterator moves or is destroyed. Keys and values are byte strings with explicit
 * lengths (not NUL-terminated).
 *
 * Thread safety: a slatedb_t, slatedb_reader_t or slatedb_object_store_t may be used from any
 * number of threads at once; a write batch, an iterator or an options handle from one thread at
 * a time. Destroy iterators before closing their database.
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
typedef struct slatedb_t slatedb_t;
typedef struct slatedb_reader_t slatedb_reader_t;
typedef struct slatedb_writebatch_t slatedb_writebatch_t;
typedef struct slatedb_iterator_t slatedb_iterator_t;

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
SLATEDB_C_EXPORT uint64_t slatedb_merge(slatedb_t* db, const char* key, size_t key_len,
                                        const char* operand, size_t operand_len, char** errptr);
SLATEDB_C_EXPORT uint64_t slatedb_write(slatedb_t* db, const slatedb_writebatch_t* batch,
                                        const slatedb_writeoptions_t* wopts, char** errptr);
/* Uploads the WAL now and waits until every earlier write is durable. */
SLATEDB_C_EXPORT void slatedb_flush(slatedb_t* db, char** errptr);
/* Also writes the memtable as an L0 SST. */
SLATEDB_C_EXPORT void slatedb_flush_memtable(slatedb_t* db, char** errptr);

/* NULL when the key is absent (not an error). */
SLATEDB_C_EXPORT char* slatedb_get(slatedb_t* db, const char* key, size_t key_len,
                                   size_t* value_len, char** errptr);
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
SLATEDB_C_EXPORT void slatedb_reader_close(slatedb_reader_t* r, char** errptr);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SLATEDB_C_H_ */
