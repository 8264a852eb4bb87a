#include "wal/wal_prefetcher.h"

#include <algorithm>
#include <string>
#include <utility>

#include "util/thread_name.h"

namespace slatedb::wal {

WalPrefetcher::WalPrefetcher(const WalStore& store, std::vector<uint64_t> ids, uint64_t parallelism)
    : store_(store),
      ids_(std::move(ids)),
      window_(static_cast<size_t>(std::max<uint64_t>(parallelism, 1))) {
  if (window_ <= 1) return;
  const size_t threads = std::min(window_, ids_.size());
  for (size_t i = 0; i < threads; ++i) {
    threads_.push_back(
        util::NamedThread("slatedb-walrd-" + std::to_string(i), [this] { FetchLoop(); }));
  }
}

WalPrefetcher::~WalPrefetcher() {
  {
    util::MutexLock lock(&mu_);
    stop_ = true;
  }
  cv_.NotifyAll();
  for (auto& t : threads_) t.join();
}

void WalPrefetcher::FetchLoop() {
  while (true) {
    size_t index = 0;
    {
      util::MutexLock lock(&mu_);
      // Claim the next id only while it stays within the window of held objects.
      while (!stop_ && next_claim_ < ids_.size() && next_claim_ >= released_ + window_) {
        cv_.Wait(&mu_);
      }
      if (stop_ || next_claim_ >= ids_.size()) return;
      index = next_claim_++;
    }
    Result<std::vector<format::RowEntry>> rows = store_.Read(ids_[index]);
    {
      util::MutexLock lock(&mu_);
      done_.emplace(index, std::move(rows));
    }
    cv_.NotifyAll();
  }
}

std::optional<WalPrefetcher::Item> WalPrefetcher::Next() {
  if (threads_.empty()) {
    // Sequential: read on the caller's thread.
    size_t index = 0;
    {
      util::MutexLock lock(&mu_);
      if (stop_ || next_hand_out_ >= ids_.size()) return std::nullopt;
      index = next_hand_out_++;
    }
    Item item{ids_[index], store_.Read(ids_[index])};
    if (!item.rows.ok()) {
      util::MutexLock lock(&mu_);
      stop_ = true;
    }
    return item;
  }
  util::MutexLock lock(&mu_);
  // The object handed out last is applied by now: it no longer counts against the window.
  released_ = next_hand_out_;
  cv_.NotifyAll();
  if (stop_ || next_hand_out_ >= ids_.size()) return std::nullopt;
  const size_t index = next_hand_out_;
  while (done_.find(index) == done_.end()) cv_.Wait(&mu_);
  auto node = done_.extract(index);
  ++next_hand_out_;
  Item item{ids_[index], std::move(node.mapped())};
  // After an error the caller stops: fetch nothing more.
  if (!item.rows.ok()) stop_ = true;
  return item;
}

}  // namespace slatedb::wal
