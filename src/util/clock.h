// util/clock.h — injected time for the engine: the public slatedb::Clock (slatedb/clock.h)
// under the util:: names the layers use. Every component reads time only through a Clock.
// Thread safety, ownership, errors: see slatedb/clock.h.
#pragma once

#include "slatedb/clock.h"

namespace slatedb::util {

using slatedb::Clock;
using slatedb::ManualClock;
using slatedb::SystemClock;

}  // namespace slatedb::util
