// object_store/object_writer.cc — the default ObjectStore::OpenWriter (buffer, then Put).
#include "object_store/object_writer.h"

#include <memory>
#include <utility>

#include "object_store/key.h"

namespace slatedb {

Result<std::unique_ptr<ObjectWriter>> ObjectStore::OpenWriter(std::string_view key,
                                                              const ObjectPutOptions& options) {
  RETURN_IF_ERROR(object_store::ValidateKey(key));
  RETURN_IF_ERROR(object_store::ValidateMetadata(options.metadata));
  return std::unique_ptr<ObjectWriter>(
      std::make_unique<object_store::BufferedObjectWriter>(this, std::string(key), options));
}

namespace object_store {

Status WriterState::Check(std::string_view op, std::string_view key) const {
  if (phase_ == Phase::kOpen) return Status::OK();
  return Status::Internal("ObjectWriter::" + std::string(op) + " of '" + Printable(key) +
                          "' after " + (phase_ == Phase::kFinished ? "Finish" : "Abort"));
}

Status BufferedObjectWriter::Append(std::string_view data) {
  RETURN_IF_ERROR(state_.Check("Append", key_));
  buf_.append(data);
  return Status::OK();
}

Result<std::string> BufferedObjectWriter::Finish() {
  if (state_.finished()) return state_.etag();
  RETURN_IF_ERROR(state_.Check("Finish", key_));
  ASSIGN_OR_RETURN(std::string etag, store_->Put(key_, buf_, options_));
  state_.Finished(etag);
  std::string().swap(buf_);
  return etag;
}

Status BufferedObjectWriter::Abort() {
  if (state_.phase() == WriterState::Phase::kFinished) return state_.Check("Abort", key_);
  state_.set_phase(WriterState::Phase::kAborted);
  std::string().swap(buf_);
  return Status::OK();
}

}  // namespace object_store
}  // namespace slatedb
