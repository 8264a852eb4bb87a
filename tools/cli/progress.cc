// cli/progress.cc — see progress.h.
#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>
#include <utility>

namespace slatedb::cli {

bool ProgressWanted(bool flag) { return flag || isatty(STDERR_FILENO) == 1; }

std::string FormatBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  while (bytes >= 1024.0 && unit < 5) {
    bytes /= 1024.0;
    ++unit;
  }
  char buf[64];
  if (unit == 0) {
    std::snprintf(buf, sizeof(buf), "%.0f B", bytes);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f %s", bytes, kUnits[unit]);
  }
  return buf;
}

std::string RowsLine(std::string_view what, std::string_view unit, uint64_t rows, uint64_t bytes,
                     double elapsed_s) {
  const double secs = elapsed_s > 0 ? elapsed_s : 1e-9;
  char buf[256];
  std::snprintf(buf, sizeof(buf), "%.*s: %llu %.*s (%.0f %.*s/s), %s (%s/s), %.1f s",
                static_cast<int>(what.size()), what.data(), static_cast<unsigned long long>(rows),
                static_cast<int>(unit.size()), unit.data(), static_cast<double>(rows) / secs,
                static_cast<int>(unit.size()), unit.data(),
                FormatBytes(static_cast<double>(bytes)).c_str(),
                FormatBytes(static_cast<double>(bytes) / secs).c_str(), elapsed_s);
  return buf;
}

ProgressReporter::Sink ProgressReporter::Stderr() {
  return [](std::string_view line) {
    std::string out(line);
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stderr);
    std::fflush(stderr);
  };
}

ProgressReporter::ProgressReporter(bool enabled, LineFn line, std::chrono::milliseconds interval,
                                   Sink sink, std::shared_ptr<util::Clock> clock)
    : enabled_(enabled),
      line_(std::move(line)),
      interval_(interval.count() > 0 ? interval : std::chrono::milliseconds(1)),
      sink_(std::move(sink)),
      clock_(std::move(clock)),
      start_(clock_->SteadyNow()) {
  if (enabled_) thread_ = std::thread([this] { Loop(); });
}

ProgressReporter::~ProgressReporter() { StopThread(); }

void ProgressReporter::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  StopThread();
  Emit(/*last=*/true);
}

void ProgressReporter::StopThread() {
  if (!thread_.joinable()) return;
  {
    util::MutexLock lock(&mu_);
    stop_ = true;
  }
  cv_.NotifyAll();
  thread_.join();
}

void ProgressReporter::Emit(bool last) {
  const double elapsed = std::chrono::duration<double>(clock_->SteadyNow() - start_).count();
  std::string text = line_(elapsed);
  if (last) text += " (done)";
  sink_(text);
  lines_.fetch_add(1);
}

void ProgressReporter::Loop() {
  // Deadlines on the real steady clock (the condition variable waits on it); elapsed times in
  // the lines come from clock_.
  auto next = std::chrono::steady_clock::now() + interval_;  // tidy: allow — a real-time wait
  while (true) {
    {
      util::MutexLock lock(&mu_);
      while (!stop_ && cv_.WaitUntil(&mu_, next)) {
      }
      if (stop_) return;
    }
    Emit(/*last=*/false);
    next += interval_;
    auto now = std::chrono::steady_clock::now();  // tidy: allow — see above
    if (next < now) next = now + interval_;       // fell behind (a slow sink): no burst
  }
}

}  // namespace slatedb::cli
