// util/log.h — the engine's logging handle: formats with {fmt} and hands lines to a
// slatedb::Logger (include/slatedb/logger.h).
//
// What: `Log` wraps a std::shared_ptr<Logger> (null = the process-wide DefaultLogger(), looked
// up at each call so SetDefaultLogger takes effect everywhere). Messages below the logger's
// level are not formatted. Every component takes a Log by value from its owner (DbImpl passes
// Components::logger down), so one Db's lines go to the logger that Db was given.
// Thread safety: a Log is immutable after construction; call it from any thread.
// Ownership: shares the logger. Errors: none; a formatting or logger exception is swallowed
// (logging never fails the engine).
#pragma once

#include <fmt/format.h>

#include <memory>
#include <string>
#include <utility>

#include "slatedb/logger.h"

namespace slatedb::util {

class Log {
 public:
  Log() = default;
  explicit Log(std::shared_ptr<Logger> logger) : logger_(std::move(logger)) {}

  template <typename... Args>
  void Trace(fmt::format_string<Args...> f, Args&&... args) const {
    Emit(LogLevel::kTrace, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Debug(fmt::format_string<Args...> f, Args&&... args) const {
    Emit(LogLevel::kDebug, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Info(fmt::format_string<Args...> f, Args&&... args) const {
    Emit(LogLevel::kInfo, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Warn(fmt::format_string<Args...> f, Args&&... args) const {
    Emit(LogLevel::kWarn, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Error(fmt::format_string<Args...> f, Args&&... args) const {
    Emit(LogLevel::kError, f, std::forward<Args>(args)...);
  }

  bool Enabled(LogLevel level) const;
  // The logger lines go to (never null).
  std::shared_ptr<Logger> logger() const;

 private:
  template <typename... Args>
  void Emit(LogLevel level, fmt::format_string<Args...> f, Args&&... args) const {
    std::shared_ptr<Logger> target = logger();
    if (level < target->level() || level >= LogLevel::kOff) return;
    try {
      Write(*target, level, fmt::format(f, std::forward<Args>(args)...));
    } catch (...) {
    }
  }
  static void Write(Logger& target, LogLevel level, const std::string& message);

  std::shared_ptr<Logger> logger_;
};

}  // namespace slatedb::util
