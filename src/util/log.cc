#include "util/log.h"

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <string>

#include "util/mutex.h"

namespace slatedb {
namespace {

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::off;
}

LogLevel FromSpdlog(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return LogLevel::kTrace;
    case spdlog::level::debug:
      return LogLevel::kDebug;
    case spdlog::level::info:
      return LogLevel::kInfo;
    case spdlog::level::warn:
      return LogLevel::kWarn;
    case spdlog::level::err:
    case spdlog::level::critical:
      return LogLevel::kError;
    default:
      return LogLevel::kOff;
  }
}

// Writes through an spdlog logger: used for the built-in stderr logger and for the host's own.
class SpdlogLogger final : public Logger {
 public:
  explicit SpdlogLogger(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}
  LogLevel level() const override { return FromSpdlog(logger_->level()); }
  void Log(LogLevel level, std::string_view message) override {
    logger_->log(ToSpdlog(level), "{}", message);
  }
  void SetLevel(LogLevel level) { logger_->set_level(ToSpdlog(level)); }

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

LogLevel LevelFromEnvironment() {
  const char* env = std::getenv("SLATEDB_LOG");
  if (env == nullptr || *env == '\0') return LogLevel::kWarn;
  auto parsed = ParseLogLevel(env);
  return parsed.ok() ? *parsed : LogLevel::kWarn;
}

std::shared_ptr<SpdlogLogger> NewStderrLogger(LogLevel level) {
  // A private logger (not registered in spdlog's registry, so the host's registry and default
  // logger are untouched) with one stderr sink.
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("slatedb", std::move(sink));
  logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%n] [%l] %v");
  auto result = std::make_shared<SpdlogLogger>(std::move(logger));
  result->SetLevel(level);
  return result;
}

struct DefaultState {
  util::Mutex mu;
  std::shared_ptr<SpdlogLogger> builtin GUARDED_BY(mu);  // created on first use
  std::shared_ptr<Logger> current GUARDED_BY(mu);        // null = builtin
};

DefaultState& State() {
  // tidy: allow new — never destroyed, so logging stays usable while the process exits.
  static DefaultState* state = new DefaultState();  // tidy: allow
  return *state;
}

std::shared_ptr<SpdlogLogger> BuiltinLocked(DefaultState& s) REQUIRES(s.mu) {
  if (!s.builtin) s.builtin = NewStderrLogger(LevelFromEnvironment());
  return s.builtin;
}

}  // namespace

Result<LogLevel> ParseLogLevel(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "trace") return LogLevel::kTrace;
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warn" || lower == "warning") return LogLevel::kWarn;
  if (lower == "error" || lower == "err" || lower == "critical") return LogLevel::kError;
  if (lower == "off") return LogLevel::kOff;
  return Status::Invalid("unknown log level '" + std::string(text) +
                         "' (expected trace, debug, info, warn, error or off)");
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "off";
}

std::shared_ptr<Logger> MakeStderrLogger(LogLevel level) { return NewStderrLogger(level); }

std::shared_ptr<Logger> MakeSpdlogLogger(std::shared_ptr<spdlog::logger> logger) {
  if (!logger) return MakeStderrLogger();
  return std::make_shared<SpdlogLogger>(std::move(logger));
}

std::shared_ptr<Logger> DefaultLogger() {
  DefaultState& s = State();
  util::MutexLock lock(&s.mu);
  if (s.current) return s.current;
  return BuiltinLocked(s);
}

void SetDefaultLogger(std::shared_ptr<Logger> logger) {
  DefaultState& s = State();
  util::MutexLock lock(&s.mu);
  s.current = std::move(logger);
}

void SetDefaultLogLevel(LogLevel level) {
  DefaultState& s = State();
  util::MutexLock lock(&s.mu);
  BuiltinLocked(s)->SetLevel(level);
}

namespace util {

std::shared_ptr<Logger> Log::logger() const { return logger_ ? logger_ : DefaultLogger(); }

bool Log::Enabled(LogLevel level) const {
  return level < LogLevel::kOff && level >= logger()->level();
}

void Log::Write(Logger& target, LogLevel level, const std::string& message) {
  target.Log(level, message);
}

}  // namespace util
}  // namespace slatedb
