// table/sst_writer.cc
#include "table/sst_writer.h"

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

}  // namespace slatedb::table
