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
    slatedb_reader_close(r, &err);
    CHECK_NO_ERROR(err);
  }
  slatedb_close(db, &err);
  CHECK_NO_ERROR(err);
  CHECK(add.destroyed == 1); /* the last reference went with the database */
  slatedb_settings_destroy(settings);
  slatedb_object_store_destroy(store);
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
  TestLocalStoreAndErrors(argv[1]);
  if (failures > 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("c_api_test: all checks passed\n");
  return 0;
}
