// A minimal program using an installed slatedb-cpp: opens a database in a local directory
// (file:// URL given as argv[1]), writes, reads back and closes. Its stdout must hold only what it
// prints itself (the library logs to stderr, warnings and errors only by default).
#include <slatedb/db.h>
#include <slatedb/version.h>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: app file:///abs/dir\n";
    return 2;
  }
  auto store = slatedb::OpenObjectStore(argv[1]);
  if (!store.ok()) {
    std::cerr << store.status().ToString() << "\n";
    return 1;
  }
  slatedb::Components components;
  components.object_store = *store;
  auto db = slatedb::Db::Open("db", components);
  if (!db.ok()) {
    std::cerr << db.status().ToString() << "\n";
    return 1;
  }
  // A write returns once in the memtable; AwaitDurable() waits until it is in object storage.
  auto put = (*db)->Put("hello", "world");
  if (!put.ok() || !put->AwaitDurable().ok()) {
    std::cerr << (put.ok() ? put->AwaitDurable() : put.status()).ToString() << "\n";
    return 1;
  }
  auto value = (*db)->Get("hello");
  if (!value.ok() || !value->has_value()) {
    std::cerr << "read back failed\n";
    return 1;
  }
  if (auto s = (*db)->Close(); !s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  std::cout << "slatedb " << slatedb::Version() << ": hello=" << **value << "\n";
  return 0;
}
