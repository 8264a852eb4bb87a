#include "slatedb/version.h"

namespace slatedb {

const char* Version() { return SLATEDB_VERSION_STRING; }

}  // namespace slatedb
