// object_store/object_writer.h — helpers for ObjectWriter implementations (slatedb/object_store.h).
//
// What: BufferedObjectWriter, the writer of the ObjectStore::OpenWriter default: it keeps every
// appended byte and calls `store.Put` at Finish (the memory store and decorators that only see
// whole objects use it); and ObjectWriterBase, the Finish/Abort state checks shared by the
// streaming writers.
// Thread safety: one thread at a time per writer. Ownership: the store must outlive the writer.
// Errors: those of Put; kInternal for calls after Finish or Abort.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "slatedb/object_store.h"

namespace slatedb::object_store {

// The state every writer tracks; `Check(op)` is kInternal after Finish or Abort.
class WriterState {
 public:
  enum class Phase { kOpen, kFinished, kAborted };
  Status Check(std::string_view op, std::string_view key) const;
  Phase phase() const { return phase_; }
  void set_phase(Phase p) { phase_ = p; }
  // After a successful Finish: its etag, returned again by a repeated Finish (a retry whose
  // first reply was lost, e.g. by a decorator, must not fail).
  bool finished() const { return phase_ == Phase::kFinished; }
  const std::string& etag() const { return etag_; }
  void Finished(std::string etag) {
    phase_ = Phase::kFinished;
    etag_ = std::move(etag);
  }

 private:
  Phase phase_ = Phase::kOpen;
  std::string etag_;
};

class BufferedObjectWriter final : public ObjectWriter {
 public:
  BufferedObjectWriter(ObjectStore* store, std::string key, ObjectPutOptions options)
      : store_(store), key_(std::move(key)), options_(std::move(options)) {}
  Status Append(std::string_view data) override;
  Result<std::string> Finish() override;
  Status Abort() override;
  uint64_t size() const override { return buf_.size(); }

 private:
  ObjectStore* store_;
  std::string key_;
  ObjectPutOptions options_;
  std::string buf_;
  WriterState state_;
};

}  // namespace slatedb::object_store
