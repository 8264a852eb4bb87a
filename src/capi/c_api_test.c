/* The C API from C11 (compiled with -std=c11 -Wall -Wextra -Werror): every call family, errors,
 * ownership. Usage: capi_c_test <scratch directory (absolute)>. Exit 0 = every check passed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "slatedb/c.h"

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

#define CHECK_NO_ERROR(err)                                                        \
  do {                                                                             \
    if ((err) != NULL) {                                                           \
      fprintf(stderr, "%s:%d: unexpected error: %s\n", __FILE__, __LINE__, (err)); \
      ++failures;                                                                  \
      slatedb_free(err);                                                           \
      (err) = NULL;                                                                \
    }                                                                              \
  } while (0)

static int StartsWith(const char* s, const char* prefix) {
  return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static int Equals(const char* got, size_t got_len, const char* want) {
  return got != NULL && got_len == strlen(want) && memcmp(got, want, got_len) == 0;
}

/* A C merge operator: decimal addition of ASCII numbers; counts its calls and its destruction. */
struct AddState {
  int calls;
  int destroyed;
};
static char* AddMerge(void* state, const char* key, size_t key_len, const char* existing,
                      size_t existing_len, int has_existing, const char* operand,
                      size_t operand_len, size_t* result_len, char** errmsg) {
  struct AddState* s = (struct AddState*)state;
  char buf[64];
  long long a = 0, b = 0;
  (void)key;
  (void)key_len;
  s->calls++;
  if (operand_len == 0 || operand_len >= sizeof(buf)) {
    *errmsg = malloc(32);
    snprintf(*errmsg, 32, "bad operand");
    return NULL;
  }
  if (has_existing) {
    memcpy(buf, existing, existing_len < 63 ? existing_len : 63);
    buf[existing_len < 63 ? existing_len : 63] = '\0';
    a = atoll(buf);
  }
  memcpy(buf, operand, operand_len);
  buf[operand_len] = '\0';
  b = atoll(buf);
  char* out = malloc(32);
  *result_len = (size_t)snprintf(out, 32, "%lld", a + b);
  return out;
}
static void AddDestroy(void* state) { ((struct AddState*)state)->destroyed = 1; }
static const char* AddName(void* state) {
  (void)state;
  return "decimal-add";
}

static int Count(slatedb_iterator_t* it) {
  int n = 0;
  for (; slatedb_iter_valid(it); slatedb_iter_next(it)) ++n;
  return n;
}

static void TestMemoryStore(void) {
  char* err = NULL;
  slatedb_object_store_t* store = slatedb_object_store_open("memory:///", &err);
  CHECK_NO_ERROR(err);
  CHECK(store != NULL);
  slatedb_settings_t* settings = slatedb_settings_from_json(
      "{\"flush_interval\": \"5ms\", \"compactor_options\": null}", &err);
  CHECK_NO_ERROR(err);
  CHECK(settings != NULL);
  char* json = slatedb_settings_to_json(settings);
  CHECK(json != NULL && strstr(json, "\"flush_interval\"") != NULL);
  slatedb_free(json);

  struct AddState add = {0, 0};
  slatedb_mergeoperator_t* op = slatedb_mergeoperator_create(&add, AddDestroy, AddMerge, AddName);
  slatedb_options_t* opts = slatedb_options_create();
  slatedb_options_set_settings(opts, settings);
  slatedb_options_set_merge_operator(opts, op);
  slatedb_options_set_seed(opts, 42);
  slatedb_mergeoperator_destroy(op); /* the options and the database keep their references */
  slatedb_t* db = slatedb_open_with_options("db", store, opts, &err);
  CHECK_NO_ERROR(err);
  CHECK(db != NULL);
  slatedb_options_destroy(opts);
  if (db == NULL) return;

  uint64_t s1 = slatedb_put(db, "a", 1, "1", 1, &err);
  CHECK_NO_ERROR(err);
  uint64_t s2 = slatedb_put(db, "ab", 2, "2", 1, &err);
  CHECK_NO_ERROR(err);
  CHECK(s1 == 1 && s2 == 2);
  slatedb_put(db, "b", 1, "3", 1, &err);
  CHECK_NO_ERROR(err);

  size_t len = 0;
  char* v = slatedb_get(db, "ab", 2, &len, &err);
  CHECK_NO_ERROR(err);
  CHECK(Equals(v, len, "2"));
  slatedb_free(v);
  v = slatedb_get(db, "zz", 2, &len, &err);
  CHECK(v == NULL && err == NULL && len == 0); /* absent is not an error */

  /* Errors: a message naming the kind; a previous message is freed. */
  slatedb_put(db, "", 0, "x", 1, &err);
  CHECK(StartsWith(err, "Invalid:"));
  slatedb_put(db, "", 0, "x", 1, &err); /* frees the first message (ASan checks) */
  CHECK(StartsWith(err, "Invalid:"));
  slatedb_free(err);
  err = NULL;
  slatedb_ttl_t bad_ttl = {99, 0};
  slatedb_put_with_options(db, NULL, "k", 1, "v", 1, bad_ttl, &err);
  CHECK(StartsWith(err, "Invalid:") && strstr(err, "kind 99") != NULL);
  slatedb_free(err);
  err = NULL;

  /* Durable write with a TTL that never expires. */
  slatedb_writeoptions_t* wo = slatedb_writeoptions_create();
  slatedb_writeoptions_set_await_durable(wo, 1);
  slatedb_ttl_t never = {SLATEDB_TTL_NO_EXPIRY, 0};
  CHECK(slatedb_put_with_options(db, wo, "durable", 7, "yes", 3, never, &err) > 0);
  CHECK_NO_ERROR(err);

  /* Batches: put, delete, merge folded onto a put with the C operator. */
  slatedb_writebatch_t* b = slatedb_writebatch_create();
  slatedb_writebatch_put(b, "n", 1, "40", 2);
  slatedb_writebatch_merge(b, "n", 1, "2", 1);
  slatedb_writebatch_delete(b, "b", 1);
  CHECK(slatedb_writebatch_count(b) == 3);
  slatedb_write(db, b, wo, &err);
  CHECK_NO_ERROR(err);
  slatedb_writebatch_clear(b);
  CHECK(slatedb_writebatch_count(b) == 0);
  slatedb_writebatch_merge(b, "n", 1, "", 0); /* the operator refuses an empty operand */
  slatedb_writebatch_put(b, "n", 1, "1", 1);  /* replaced by the put: no merge runs */
  slatedb_write(db, b, NULL, &err);
  CHECK_NO_ERROR(err);
  slatedb_writebatch_clear(b);
  slatedb_writebatch_put(b, "m", 1, "1", 1);
  slatedb_writebatch_merge(b, "m", 1, "", 0);
  slatedb_write(db, b, NULL, &err);
  CHECK(err != NULL && strstr(err, "decimal-add: bad operand") != NULL);
  slatedb_free(err);
  err = NULL;
  slatedb_writebatch_destroy(b);
  slatedb_writeoptions_destroy(wo);
  v = slatedb_get(db, "n", 1, &len, &err);
  CHECK_NO_ERROR(err);
  CHECK(Equals(v, len, "1"));
  slatedb_free(v);
  CHECK(add.calls >= 2);

  /* Scans: forward, reverse, prefix, seek. */
  slatedb_iterator_t* it = slatedb_scan(db, NULL, 0, NULL, 0, &err);
  CHECK_NO_ERROR(err);
  const char* want[] = {"a", "ab", "durable", "n"};
  size_t n = 0;
  for (; slatedb_iter_valid(it); slatedb_iter_next(it), ++n) {
    size_t kl = 0;
    const char* k = slatedb_iter_key(it, &kl);
    CHECK(n < 4 && Equals(k, kl, want[n]));
  }
  CHECK(n == 4);
  slatedb_iter_get_error(it, &err);
  CHECK_NO_ERROR(err);
  slatedb_iter_destroy(it);
  it = slatedb_scan_reverse(db, "a", 1, "n", 1, &err);
  CHECK_NO_ERROR(err);
  size_t kl = 0;
  const char* key = slatedb_iter_key(it, &kl); /* (sets kl before Equals reads it) */
  CHECK(slatedb_iter_valid(it) && Equals(key, kl, "durable"));
  slatedb_iter_destroy(it);
  it = slatedb_scan_prefix(db, "a", 1, &err);
  CHECK_NO_ERROR(err);
  n = 0;
  for (; slatedb_iter_valid(it); slatedb_iter_next(it)) ++n;
  CHECK(n == 2);
  slatedb_iter_destroy(it);
  it = slatedb_scan(db, NULL, 0, NULL, 0, &err);
  slatedb_iter_seek(it, "b", 1);
  key = slatedb_iter_key(it, &kl);
  CHECK(slatedb_iter_valid(it) && Equals(key, kl, "durable"));
  size_t vl = 0;
  const char* value = slatedb_iter_value(it, &vl);
  CHECK(Equals(value, vl, "yes"));
  slatedb_iter_destroy(it);

  /* Multi-get. */
  const char* keys[] = {"a", "missing", "ab"};
  size_t klens[] = {1, 7, 2};
  char* values[3];
  size_t vlens[3];
  slatedb_multi_get(db, 3, keys, klens, values, vlens, &err);
  CHECK_NO_ERROR(err);
  CHECK(Equals(values[0], vlens[0], "1"));
  CHECK(values[1] == NULL);
  CHECK(Equals(values[2], vlens[2], "2"));
  for (int i = 0; i < 3; ++i) slatedb_free(values[i]);

  slatedb_flush_memtable(db, &err);
  CHECK_NO_ERROR(err);
  v = slatedb_get(db, "a", 1, &len, &err); /* now from an L0 SST */
  CHECK(Equals(v, len, "1"));
  slatedb_free(v);

  /* A reader beside the writer. */
  slatedb_reader_t* r = slatedb_reader_open("db", store, NULL, &err);
  CHECK_NO_ERROR(err);
  if (r != NULL) {
    v = slatedb_reader_get(r, "durable", 7, &len, &err);
    CHECK_NO_ERROR(err);
    CHECK(Equals(v, len, "yes"));
    slatedb_free(v);
    it = slatedb_reader_scan(r, "a", 1, "b", 1, &err);
    n = 0;
    for (; slatedb_iter_valid(it); slatedb_iter_next(it)) ++n;
    CHECK(n == 2);
    slatedb_iter_destroy(it);
    it = slatedb_reader_scan_prefix(r, "a", 1, &err);
    CHECK_NO_ERROR(err);
    CHECK(Count(it) == 2);
    slatedb_iter_destroy(it);
    slatedb_reader_multi_get(r, 3, keys, klens, values, vlens, &err);
    CHECK_NO_ERROR(err);
    CHECK(Equals(values[0], vlens[0], "1") && values[1] == NULL &&
          Equals(values[2], vlens[2], "2"));
    for (int i = 0; i < 3; ++i) slatedb_free(values[i]);
    slatedb_reader_close(r, &err);
    CHECK_NO_ERROR(err);
  }
  slatedb_close(db, &err);
  CHECK_NO_ERROR(err);
  CHECK(add.destroyed == 1); /* the last reference went with the database */
  slatedb_settings_destroy(settings);
  slatedb_object_store_destroy(store);
}

/* Snapshots and transactions (SI and SSI), with the built-in uint64 add operator. */
static void TestSnapshotsAndTransactions(void) {
  char* err = NULL;
  slatedb_object_store_t* store = slatedb_object_store_open("memory:///", &err);
  CHECK_NO_ERROR(err);
  slatedb_mergeoperator_t* op = slatedb_mergeoperator_create_uint64_add();
  slatedb_options_t* opts = slatedb_options_create();
  slatedb_options_set_merge_operator(opts, op);
  slatedb_options_set_seed(opts, 7);
  slatedb_mergeoperator_destroy(op);
  slatedb_t* db = slatedb_open_with_options("txn-db", store, opts, &err);
  slatedb_options_destroy(opts);
  CHECK_NO_ERROR(err);
  if (db == NULL) return;

  /* A snapshot keeps reading at its seq across later writes and flushes. */
  uint64_t s1 = slatedb_put(db, "k1", 2, "old", 3, &err);
  CHECK_NO_ERROR(err);
  slatedb_put(db, "k2", 2, "two", 3, &err);
  CHECK_NO_ERROR(err);
  slatedb_snapshot_t* snap = slatedb_snapshot_create(db, &err);
  CHECK_NO_ERROR(err);
  CHECK(snap != NULL && slatedb_snapshot_seq(snap) == s1 + 1);
  slatedb_put(db, "k1", 2, "new", 3, &err);
  slatedb_delete(db, "k2", 2, &err);
  slatedb_put(db, "k3", 2, "three", 5, &err);
  CHECK_NO_ERROR(err);
  slatedb_flush_memtable(db, &err);
  CHECK_NO_ERROR(err);
  size_t len = 0;
  char* v = slatedb_snapshot_get(snap, "k1", 2, &len, &err);
  CHECK_NO_ERROR(err);
  CHECK(Equals(v, len, "old"));
  slatedb_free(v);
  v = slatedb_snapshot_get(snap, "k3", 2, &len, &err);
  CHECK(v == NULL && err == NULL);
  v = slatedb_get(db, "k1", 2, &len, &err);
  CHECK(Equals(v, len, "new"));
  slatedb_free(v);
  slatedb_iterator_t* it = slatedb_snapshot_scan(snap, NULL, 0, NULL, 0, &err);
  CHECK_NO_ERROR(err);
  size_t kl = 0;
  const char* key = slatedb_iter_key(it, &kl);
  CHECK(Equals(key, kl, "k1"));
  CHECK(Count(it) == 2); /* k1, k2 (k3 is later; k2's delete is later) */
  slatedb_iter_destroy(it);
  it = slatedb_snapshot_scan_prefix(snap, "k", 1, &err);
  CHECK_NO_ERROR(err);
  CHECK(Count(it) == 2);
  slatedb_iter_destroy(it);
  const char* mkeys[] = {"k2", "k3"};
  size_t mlens[] = {2, 2};
  char* mvals[2];
  size_t mvlens[2];
  slatedb_snapshot_multi_get(snap, 2, mkeys, mlens, mvals, mvlens, &err);
  CHECK_NO_ERROR(err);
  CHECK(Equals(mvals[0], mvlens[0], "two") && mvals[1] == NULL);
  slatedb_free(mvals[0]);
  slatedb_snapshot_release(snap);

  /* A transaction reads its own writes; a rolled-back one writes nothing. */
  slatedb_transaction_t* t = slatedb_transaction_begin(db, SLATEDB_ISOLATION_SNAPSHOT, &err);
  CHECK_NO_ERROR(err);
  CHECK(t != NULL && slatedb_transaction_isolation(t) == SLATEDB_ISOLATION_SNAPSHOT);
  CHECK(slatedb_transaction_id(t) != NULL && strlen(slatedb_transaction_id(t)) == 36);
  slatedb_transaction_put(t, "t1", 2, "x", 1, &err);
  CHECK_NO_ERROR(err);
  slatedb_ttl_t never = {SLATEDB_TTL_NO_EXPIRY, 0};
  slatedb_transaction_put_with_ttl(t, "t2", 2, "y", 1, never, &err);
  CHECK_NO_ERROR(err);
  slatedb_transaction_delete(t, "k1", 2, &err);
  CHECK_NO_ERROR(err);
  v = slatedb_transaction_get(t, "t1", 2, &len, &err);
  CHECK(Equals(v, len, "x"));
  slatedb_free(v);
  v = slatedb_transaction_get(t, "k1", 2, &len, &err);
  CHECK(v == NULL && err == NULL);
  it = slatedb_transaction_scan(t, NULL, 0, NULL, 0, &err);
  CHECK_NO_ERROR(err);
  CHECK(Count(it) == 3); /* k3, t1, t2 */
  slatedb_iter_destroy(it);
  slatedb_transaction_rollback(t, &err);
  CHECK_NO_ERROR(err);
  slatedb_transaction_put(t, "t1", 2, "x", 1, &err); /* finished: every call fails */
  CHECK(slatedb_error_kind(err) == SLATEDB_ERROR_INVALID && strstr(err, "rolled back") != NULL);
  slatedb_free(err);
  err = NULL;
  slatedb_transaction_destroy(t);
  v = slatedb_get(db, "t1", 2, &len, &err);
  CHECK(v == NULL && err == NULL);

  /* Merges in a transaction fold onto the snapshot's value; commit returns the seq. */
  slatedb_writebatch_t* b = slatedb_writebatch_create();
  unsigned char one[8] = {1, 0, 0, 0, 0, 0, 0, 0};
  unsigned char two[8] = {2, 0, 0, 0, 0, 0, 0, 0};
  slatedb_writebatch_merge(b, "ctr", 3, (const char*)one, 8);
  slatedb_write(db, b, NULL, &err);
  CHECK_NO_ERROR(err);
  slatedb_writebatch_destroy(b);
  t = slatedb_transaction_begin(db, SLATEDB_ISOLATION_SNAPSHOT, &err);
  slatedb_transaction_merge(t, "ctr", 3, (const char*)two, 8, &err);
  CHECK_NO_ERROR(err);
  v = slatedb_transaction_get(t, "ctr", 3, &len, &err);
  CHECK(v != NULL && len == 8 && (unsigned char)v[0] == 3);
  slatedb_free(v);
  const char* tkeys[] = {"ctr", "nope"};
  size_t tlens[] = {3, 4};
  char* tvals[2];
  size_t tvlens[2];
  slatedb_transaction_multi_get(t, 2, tkeys, tlens, tvals, tvlens, &err);
  CHECK_NO_ERROR(err);
  CHECK(tvals[0] != NULL && tvlens[0] == 8 && tvals[1] == NULL);
  slatedb_free(tvals[0]);
  it = slatedb_transaction_scan_prefix(t, "ct", 2, &err);
  CHECK(Count(it) == 1);
  slatedb_iter_destroy(it);
  slatedb_writeoptions_t* wo = slatedb_writeoptions_create();
  slatedb_writeoptions_set_await_durable(wo, 1);
  uint64_t cseq = slatedb_transaction_commit(t, wo, &err);
  CHECK_NO_ERROR(err);
  CHECK(cseq > slatedb_transaction_seq(t));
  slatedb_transaction_destroy(t);
  v = slatedb_get(db, "ctr", 3, &len, &err);
  CHECK(v != NULL && len == 8 && (unsigned char)v[0] == 3);
  slatedb_free(v);

  /* Durable merge (with its own TTL) and delete; REMOTE reads see them; read option errors. */
  slatedb_ttl_t forever = {SLATEDB_TTL_NO_EXPIRY, 0};
  CHECK(slatedb_merge_with_options(db, wo, "ctr", 3, (const char*)two, 8, forever, &err) > cseq);
  CHECK_NO_ERROR(err);
  CHECK(slatedb_delete_with_options(db, wo, "k1", 2, &err) > 0);
  CHECK_NO_ERROR(err);
  slatedb_ttl_t bad = {-1, 0};
  CHECK(slatedb_merge_with_options(db, NULL, "ctr", 3, (const char*)two, 8, bad, &err) == 0);
  CHECK(slatedb_error_kind(err) == SLATEDB_ERROR_INVALID);
  slatedb_free(err);
  err = NULL;
  slatedb_readoptions_t* ro = slatedb_readoptions_create();
  slatedb_readoptions_set_durability_filter(ro, SLATEDB_DURABILITY_REMOTE);
  slatedb_readoptions_set_dirty(ro, 0);
  v = slatedb_get_with_options(db, ro, "ctr", 3, &len, &err);
  CHECK_NO_ERROR(err);
  CHECK(v != NULL && len == 8 && (unsigned char)v[0] == 5);
  slatedb_free(v);
  v = slatedb_get_with_options(db, NULL, "k1", 2, &len, &err);
  CHECK(v == NULL && err == NULL);
  it = slatedb_scan_with_options(db, ro, "a", 1, "k2", 2, 1, &err); /* reverse */
  CHECK_NO_ERROR(err);
  key = slatedb_iter_key(it, &kl);
  CHECK(Equals(key, kl, "ctr")); /* k1 is deleted: ctr is the last key below "k2" */
  slatedb_iter_destroy(it);
  slatedb_readoptions_set_durability_filter(ro, 7);
  v = slatedb_get_with_options(db, ro, "ctr", 3, &len, &err);
  CHECK(v == NULL && slatedb_error_kind(err) == SLATEDB_ERROR_INVALID &&
        strstr(err, "unknown level 7") != NULL);
  slatedb_free(err);
  err = NULL;
  CHECK(slatedb_scan_with_options(db, ro, NULL, 0, NULL, 0, 0, &err) == NULL);
  CHECK(slatedb_error_kind(err) == SLATEDB_ERROR_INVALID);
  slatedb_free(err);
  err = NULL;
  slatedb_readoptions_destroy(ro);

  /* SI write-write conflict: the second committer gets a Transaction error. */
  slatedb_transaction_t* a = slatedb_transaction_begin(db, SLATEDB_ISOLATION_SNAPSHOT, &err);
  slatedb_transaction_t* c = slatedb_transaction_begin(db, SLATEDB_ISOLATION_SNAPSHOT, &err);
  CHECK_NO_ERROR(err);
  slatedb_transaction_put(a, "w", 1, "a", 1, &err);
  slatedb_transaction_put(c, "w", 1, "c", 1, &err);
  CHECK_NO_ERROR(err);
  CHECK(slatedb_transaction_commit(a, NULL, &err) > 0);
  CHECK_NO_ERROR(err);
  CHECK(slatedb_transaction_commit(c, NULL, &err) == 0);
  CHECK(slatedb_error_kind(err) == SLATEDB_ERROR_TRANSACTION && StartsWith(err, "Transaction:"));
  slatedb_free(err);
  err = NULL;
  slatedb_transaction_destroy(a);
  slatedb_transaction_destroy(c);
  v = slatedb_get(db, "w", 1, &len, &err);
  CHECK(Equals(v, len, "a"));
  slatedb_free(v);

  /* SI with unmark_write: the same race commits both (last writer wins). */
  a = slatedb_transaction_begin(db, SLATEDB_ISOLATION_SNAPSHOT, &err);
  c = slatedb_transaction_begin(db, SLATEDB_ISOLATION_SNAPSHOT, &err);
  const char* wkey[] = {"w"};
  size_t wlen[] = {1};
  slatedb_transaction_put(a, "w", 1, "a2", 2, &err);
  slatedb_transaction_put(c, "w", 1, "c2", 2, &err);
  slatedb_transaction_unmark_write(c, 1, wkey, wlen, &err);
  CHECK_NO_ERROR(err);
  slatedb_transaction_commit(a, NULL, &err);
  CHECK_NO_ERROR(err);
  slatedb_transaction_commit(c, NULL, &err);
  CHECK_NO_ERROR(err);
  slatedb_transaction_destroy(a);
  slatedb_transaction_destroy(c);
  v = slatedb_get(db, "w", 1, &len, &err);
  CHECK(Equals(v, len, "c2"));
  slatedb_free(v);

  /* SSI read-write conflict: a key read (or marked read) then written by another commit. */
  a = slatedb_transaction_begin(db, SLATEDB_ISOLATION_SERIALIZABLE_SNAPSHOT, &err);
  CHECK(slatedb_transaction_isolation(a) == SLATEDB_ISOLATION_SERIALIZABLE_SNAPSHOT);
  v = slatedb_transaction_get(a, "k3", 2, &len, &err);
  CHECK(Equals(v, len, "three"));
  slatedb_free(v);
  slatedb_transaction_put(a, "other", 5, "1", 1, &err);
  slatedb_put(db, "k3", 2, "changed", 7, &err);
  CHECK_NO_ERROR(err);
  CHECK(slatedb_transaction_commit(a, NULL, &err) == 0);
  CHECK(slatedb_error_kind(err) == SLATEDB_ERROR_TRANSACTION);
  slatedb_free(err);
  err = NULL;
  slatedb_transaction_destroy(a);
  a = slatedb_transaction_begin(db, SLATEDB_ISOLATION_SNAPSHOT, &err);
  const char* rkey[] = {"k3"};
  size_t rlen[] = {2};
  slatedb_transaction_mark_read(a, 1, rkey, rlen, &err);
  slatedb_transaction_put(a, "other", 5, "1", 1, &err);
  CHECK_NO_ERROR(err);
  slatedb_put(db, "k3", 2, "again", 5, &err);
  CHECK(slatedb_transaction_commit(a, NULL, &err) == 0);
  CHECK(slatedb_error_kind(err) == SLATEDB_ERROR_TRANSACTION);
  slatedb_free(err);
  err = NULL;
  slatedb_transaction_destroy(a);

  /* An unfinished transaction is rolled back by destroy. */
  a = slatedb_transaction_begin(db, SLATEDB_ISOLATION_SNAPSHOT, &err);
  slatedb_transaction_put(a, "dropped", 7, "1", 1, &err);
  slatedb_transaction_destroy(a);
  v = slatedb_get(db, "dropped", 7, &len, &err);
  CHECK(v == NULL && err == NULL);

  CHECK(slatedb_transaction_begin(db, 9, &err) == NULL);
  CHECK(slatedb_error_kind(err) == SLATEDB_ERROR_INVALID && strstr(err, "isolation level 9"));
  slatedb_free(err);
  err = NULL;

  /* A snapshot and a transaction outliving their database fail with Closed. */
  snap = slatedb_snapshot_create(db, &err);
  t = slatedb_transaction_begin(db, SLATEDB_ISOLATION_SNAPSHOT, &err);
  CHECK_NO_ERROR(err);
  slatedb_writeoptions_destroy(wo);
  slatedb_close(db, &err);
  CHECK_NO_ERROR(err);
  v = slatedb_snapshot_get(snap, "k1", 2, &len, &err);
  CHECK(v == NULL && slatedb_error_kind(err) == SLATEDB_ERROR_CLOSED);
  slatedb_free(err);
  err = NULL;
  slatedb_transaction_put(t, "z", 1, "1", 1, &err);
  slatedb_transaction_commit(t, NULL, &err);
  CHECK(slatedb_error_kind(err) == SLATEDB_ERROR_CLOSED);
  slatedb_free(err);
  err = NULL;
  slatedb_snapshot_release(snap);
  slatedb_transaction_destroy(t);
  slatedb_object_store_destroy(store);

  CHECK(slatedb_error_kind(NULL) == SLATEDB_ERROR_NONE);
  CHECK(slatedb_error_kind("Closed(fenced): x") == SLATEDB_ERROR_CLOSED);
  CHECK(slatedb_error_kind("PermissionDenied: x") == SLATEDB_ERROR_PERMISSION_DENIED);
  CHECK(slatedb_error_kind("whatever") == SLATEDB_ERROR_UNKNOWN);
}

static void TestLocalStoreAndErrors(const char* dir) {
  char* err = NULL;
  char url[4096];
  /* A fresh directory per run (the store creates it). */
  snprintf(url, sizeof(url), "file://%s/run-%lld-%ld", dir, (long long)time(NULL), (long)clock());
  slatedb_object_store_t* store = slatedb_object_store_open(url, &err);
  CHECK_NO_ERROR(err);
  slatedb_t* db = slatedb_open("c-db", store, NULL, &err);
  CHECK_NO_ERROR(err);
  if (db != NULL) {
    slatedb_put(db, "persist", 7, "me", 2, &err);
    CHECK_NO_ERROR(err);
    slatedb_merge(db, "x", 1, "1", 1, &err); /* no merge operator configured */
    CHECK(StartsWith(err, "Invalid:") && strstr(err, "merge operator not configured") != NULL);
    slatedb_free(err);
    err = NULL;
    slatedb_close(db, &err);
    CHECK_NO_ERROR(err);
  }
  db = slatedb_open("c-db", store, NULL, &err); /* reopen: the write survived */
  CHECK_NO_ERROR(err);
  if (db != NULL) {
    size_t len = 0;
    char* v = slatedb_get(db, "persist", 7, &len, &err);
    CHECK(Equals(v, len, "me"));
    slatedb_free(v);
    slatedb_close(db, &err);
    CHECK_NO_ERROR(err);
  }
  slatedb_object_store_destroy(store);

  CHECK(slatedb_object_store_open("nope://x", &err) == NULL);
  CHECK(err != NULL);
  slatedb_free(err);
  err = NULL;
  CHECK(slatedb_settings_from_json("{\"l0_max_ssts\": 0}", &err) == NULL);
  CHECK(StartsWith(err, "Invalid:") && strstr(err, "l0_max_ssts") != NULL);
  slatedb_free(err);
  err = NULL;
  CHECK(slatedb_open(NULL, NULL, NULL, &err) == NULL);
  CHECK(StartsWith(err, "Invalid:"));
  slatedb_free(err);
  CHECK(strlen(slatedb_version()) > 0);
}

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] != '/') {
    fprintf(stderr, "usage: %s <absolute scratch directory>\n", argv[0]);
    return 2;
  }
  TestMemoryStore();
  TestSnapshotsAndTransactions();
  TestLocalStoreAndErrors(argv[1]);
  if (failures > 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("c_api_test: all checks passed\n");
  return 0;
}
