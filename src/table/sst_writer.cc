// table/sst_writer.cc
#include "table/sst_writer.h"

#include <utility>

namespace slatedb::table {

Status UploadSst(ObjectStore& store, std::string_view object_key, const format::EncodedSst& sst) {
  if (sst.info.sst_type == format::SstType::kWal) {
    auto r = store.PutIfAbsent(object_key, sst.bytes);
    return r.ok() ? Status::OK() : r.status();
  }
  auto r = store.Put(object_key, sst.bytes);
  return r.ok() ? Status::OK() : r.status();
}

Result<format::EncodedSst> WriteSst(ObjectStore& store, std::string_view object_key,
                                    const std::vector<format::RowEntry>& rows,
                                    const format::SstBuilderOptions& options) {
  format::SstBuilder builder(options);
  for (const auto& row : rows) RETURN_IF_ERROR(builder.Add(row));
  ASSIGN_OR_RETURN(format::EncodedSst sst, builder.Finish());
  RETURN_IF_ERROR(UploadSst(store, object_key, sst));
  return sst;
}

Result<std::unique_ptr<StreamingSstWriter>> StreamingSstWriter::Open(
    ObjectStore& store, std::string object_key, const format::SstBuilderOptions& options) {
  if (options.sst_type == format::SstType::kWal) {
    return Status::Invalid("StreamingSstWriter for '" + object_key +
                           "': WAL SSTs are written whole with PutIfAbsent (fencing)");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ObjectWriter> writer, store.OpenWriter(object_key));
  return std::make_unique<StreamingSstWriter>(std::move(object_key), std::move(writer), options);
}

StreamingSstWriter::StreamingSstWriter(std::string key, std::unique_ptr<ObjectWriter> writer,
                                       const format::SstBuilderOptions& options)
    : key_(std::move(key)),
      writer_(std::move(writer)),
      sink_(writer_.get()),
      builder_(options, &sink_) {}

StreamingSstWriter::~StreamingSstWriter() { Abort(); }

Status StreamingSstWriter::Add(const format::RowEntry& row) {
  if (done_)
    return Status::Internal("StreamingSstWriter::Add of '" + key_ + "' after Finish/Abort");
  return builder_.Add(row);
}

Result<format::EncodedSst> StreamingSstWriter::Finish() {
  if (done_) return Status::Internal("StreamingSstWriter::Finish of '" + key_ + "' twice");
  Result<format::EncodedSst> sst = builder_.Finish();
  if (!sst.ok()) {
    Abort();
    return sst.status();
  }
  Result<std::string> etag = writer_->Finish();
  if (!etag.ok()) {
    Abort();
    return etag.status();
  }
  done_ = true;
  return sst;
}

void StreamingSstWriter::Abort() {
  if (done_) return;
  done_ = true;
  (void)writer_->Abort();  // best effort; a failed abort leaves at most an invisible upload
}

}  // namespace slatedb::table
