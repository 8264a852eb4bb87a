// slatedb/write_handle.h — what a write returns: its sequence number, its timestamp, and a way to
// wait until it is durable (SlateDB 0.16+ `WriteHandle`).
//
// A write (Db::Put/Merge/Delete/Write, Transaction::Commit) returns once it is in the memtable
// (visible to reads at DurabilityLevel::kMemory). AwaitDurable() blocks until the write is durable
// in object storage — its WAL SST stored, or its L0 SST published when the WAL is disabled — and
// returns OK, or the error that prevents it: the database's latched error (e.g. kUnavailable
// after object_store_max_retries, Closed(fenced)) or kClosed if the database closed before the
// write became durable. Writes become durable in seq order, so AwaitDurable() of a handle also
// covers every earlier write. A handle of an empty batch has the seq of the last write before it.
// Thread safety: a handle is a value; copy it freely and call AwaitDurable() from any thread,
// any number of times, also after the Db was closed or destroyed (it then answers from the
// database's final durable seq without blocking).
// Ownership: a handle shares a small waiter object with its database, not the database itself.
#pragma once

#include <cstdint>
#include <memory>

#include "slatedb/export.h"
#include "slatedb/status.h"

namespace slatedb {

class SLATEDB_EXPORT WriteHandle {
 public:
  // What a handle waits on; implemented by the database. Not for users.
  class Waiter {
   public:
    virtual ~Waiter() = default;
    virtual Status AwaitDurable(uint64_t seq) = 0;
  };

  WriteHandle() = default;
  WriteHandle(uint64_t seq, int64_t create_ts, std::shared_ptr<Waiter> waiter)
      : seq_(seq), create_ts_(create_ts), waiter_(std::move(waiter)) {}

  // The write's sequence number (every row of a batch has it).
  uint64_t seq() const { return seq_; }
  // The write's creation time (Unix ms, on the database's clock; 0 for an empty batch).
  int64_t create_ts() const { return create_ts_; }
  // Blocks until the write is durable; see above for the errors.
  Status AwaitDurable() const {
    if (!waiter_) return Status::OK();  // a default-constructed handle waits for nothing
    return waiter_->AwaitDurable(seq_);
  }

 private:
  uint64_t seq_ = 0;
  int64_t create_ts_ = 0;
  std::shared_ptr<Waiter> waiter_;
};

}  // namespace slatedb
