// Entry points of the public API (slatedb/db.h).
#include "slatedb/db.h"

#include <utility>

#include "db/db_impl.h"
#include "db/db_reader.h"
#include "format/segments.h"

namespace slatedb {

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, Components components,
                                     Settings settings) {
  return db::DbImpl::Open(path, std::move(components), std::move(settings));
}

Result<std::unique_ptr<DbReader>> DbReader::Open(const std::string& path, Components components,
                                                 DbReaderOptions options) {
  return db::OpenDbReader(path, std::move(components), options);
}

ScanRange PrefixRange(std::string_view prefix) {
  ScanRange range;
  range.start = std::string(prefix);
  // The smallest key greater than every key with this prefix (none: no upper bound).
  range.end = format::PrefixSuccessor(prefix);
  if (prefix.empty()) range.start.reset();
  return range;
}

Result<std::unique_ptr<DbIterator>> DbRead::ScanPrefix(std::string_view prefix,
                                                       const ScanOptions& options) {
  return Scan(PrefixRange(prefix), options);
}

Result<std::vector<std::optional<std::string>>> DbRead::MultiGet(
    const std::vector<std::string>& keys, const ReadOptions& options) {
  std::vector<std::optional<std::string>> out;
  out.reserve(keys.size());
  for (const std::string& key : keys) {
    ASSIGN_OR_RETURN(std::optional<std::string> value, Get(key, options));
    out.push_back(std::move(value));
  }
  return out;
}

}  // namespace slatedb
