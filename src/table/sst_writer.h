// table/sst_writer.h — build an SST and upload it, whole or streamed.
//
// Compacted SSTs (L0, sorted runs) are written with an unconditional Put (their ULID names are
// unique); WAL SSTs and fences with PutIfAbsent, so kAlreadyExists means "fenced" (docs/format.md
// §6.1). StreamingSstWriter streams a compacted SST: each data block goes to an ObjectWriter
// (slatedb/object_store.h) as it fills, the index/filter/stats/footer at Finish, so memory stays
// at one block + the writer's part buffer + the index entries and the filter's key hashes; the
// bytes are identical to WriteSst's for the same rows and options.
// Thread safety: the functions are pure over a thread-safe ObjectStore; a StreamingSstWriter is
// used by one thread at a time. Ownership: the caller keeps the store (it must outlive a
// StreamingSstWriter); the returned EncodedSst owns its bytes.
// Errors: kInvalid for rows the builder rejects (order, keys) or a WAL type for the streaming
// writer; object-store errors unchanged (kAlreadyExists for an existing WAL object). A streaming
// writer that fails (or is destroyed before Finish) aborts its upload: no object appears.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/sst.h"
#include "slatedb/object_store.h"

namespace slatedb::table {

// Uploads an already-built SST according to its type.
Status UploadSst(ObjectStore& store, std::string_view object_key, const format::EncodedSst& sst);

// Builds from `rows` (see SstBuilder::Add for the order) and uploads; returns the built SST
// (bytes, info, row count) so the caller can record the info in the manifest.
Result<format::EncodedSst> WriteSst(ObjectStore& store, std::string_view object_key,
                                    const std::vector<format::RowEntry>& rows,
                                    const format::SstBuilderOptions& options);

class StreamingSstWriter {
 public:
  // Opens the upload of compacted SST `object_key` (ObjectStore::OpenWriter).
  static Result<std::unique_ptr<StreamingSstWriter>> Open(ObjectStore& store,
                                                          std::string object_key,
                                                          const format::SstBuilderOptions& options);
  // Streams into `writer` (use Open).
  StreamingSstWriter(std::string key, std::unique_ptr<ObjectWriter> writer,
                     const format::SstBuilderOptions& options);
  ~StreamingSstWriter();
  StreamingSstWriter(const StreamingSstWriter&) = delete;
  StreamingSstWriter& operator=(const StreamingSstWriter&) = delete;

  // As SstBuilder::Add; an upload error of a finished block is returned here.
  Status Add(const format::RowEntry& row);
  uint64_t num_rows() const { return builder_.num_rows(); }
  // Bytes of the object so far (uploaded or buffered, plus the block being filled).
  size_t EstimatedSize() const { return builder_.EstimatedSize(); }
  // Writes the metadata sections and publishes the object. The result has no `bytes` (size and
  // info are set). On error the upload is aborted.
  Result<format::EncodedSst> Finish();
  // Abandons the upload (no object appears). Idempotent.
  void Abort();
  const std::string& object_key() const { return key_; }

 private:
  class Sink : public format::SstSink {
   public:
    explicit Sink(ObjectWriter* writer) : writer_(writer) {}
    Status Append(std::string_view bytes) override { return writer_->Append(bytes); }

   private:
    ObjectWriter* writer_;
  };

  std::string key_;
  std::unique_ptr<ObjectWriter> writer_;
  Sink sink_;
  format::SstBuilder builder_;
  bool done_ = false;
};

}  // namespace slatedb::table
