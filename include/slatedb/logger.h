// slatedb/logger.h — where slatedb-cpp's log lines go.
//
// What: a small logging interface the host program can implement (or adapt from its own logging
// library) and inject through `Components::logger`; a process-wide default logger used by
// everything that was given none. The library never writes to stdout.
//
// Default: warnings and errors, to stderr, one line each ("[2026-12-01 10:31:15.123] [slatedb]
// [warning] ..."). The default level comes from the environment variable SLATEDB_LOG
// (trace|debug|info|warn|warning|error|critical|off, case-insensitive; spdlog's names) when it is
// set and valid, else warn. SetDefaultLogLevel and SetDefaultLogger change it from code.
//
// Thread safety: Log() may be called from any thread at any time, concurrently; implementations
// must be thread-safe. SetDefaultLogger/SetDefaultLogLevel/DefaultLogger are thread-safe.
// Ownership: loggers are shared (std::shared_ptr); a Db keeps the logger it was given alive
// until it is destroyed. Errors: ParseLogLevel returns kInvalid naming the text; nothing else
// here fails. Exceptions thrown by a Logger implementation are caught and dropped.
#pragma once

#include <memory>
#include <string_view>

#include "slatedb/export.h"
#include "slatedb/status.h"

namespace spdlog {
class logger;
}

namespace slatedb {

enum class LogLevel : int { kTrace = 0, kDebug, kInfo, kWarn, kError, kOff };

class SLATEDB_EXPORT Logger {
 public:
  virtual ~Logger() = default;
  // Messages below this level are not formatted and not passed to Log().
  virtual LogLevel level() const = 0;
  // One complete message, without a trailing newline. `level` >= level().
  virtual void Log(LogLevel level, std::string_view message) = 0;
};

// "trace", "debug", "info", "warn"/"warning", "error"/"err"/"critical", "off" (any case).
SLATEDB_EXPORT Result<LogLevel> ParseLogLevel(std::string_view text);
SLATEDB_EXPORT std::string_view LogLevelName(LogLevel level);

// A thread-safe logger writing one line per message to stderr.
SLATEDB_EXPORT std::shared_ptr<Logger> MakeStderrLogger(LogLevel level = LogLevel::kWarn);
// Adapts an spdlog logger of the host (its own level and sinks apply; level() reads it).
SLATEDB_EXPORT std::shared_ptr<Logger> MakeSpdlogLogger(std::shared_ptr<spdlog::logger> logger);

// The process-wide default (see above). Never null.
SLATEDB_EXPORT std::shared_ptr<Logger> DefaultLogger();
// Replaces the default for everything created afterwards and for components that were given no
// logger of their own. nullptr restores the built-in stderr logger.
SLATEDB_EXPORT void SetDefaultLogger(std::shared_ptr<Logger> logger);
// Sets the level of the built-in stderr logger (no effect on a logger set by SetDefaultLogger).
SLATEDB_EXPORT void SetDefaultLogLevel(LogLevel level);

}  // namespace slatedb
