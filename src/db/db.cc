// Entry points of the public API (slatedb/db.h).
#include "slatedb/db.h"

#include "db/db_impl.h"
#include "db/db_reader.h"

namespace slatedb {

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, Components components,
                                     Settings settings) {
  return db::DbImpl::Open(path, std::move(components), std::move(settings));
}

Result<std::unique_ptr<DbReader>> DbReader::Open(const std::string& path, Components components,
                                                 DbReaderOptions options) {
  return db::OpenDbReader(path, std::move(components), options);
}

}  // namespace slatedb
