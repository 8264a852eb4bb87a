// cdc/wal_reader.cc — the public WalReader / WalCursor (include/slatedb/wal_reader.h).
#include "slatedb/wal_reader.h"

#include <algorithm>
#include <utility>

#include "format/names.h"
#include "format/sst.h"
#include "manifest/manifest_store.h"
#include "wal/wal_store.h"

namespace slatedb {

const char* WalRowKindName(WalRowKind kind) {
  switch (kind) {
    case WalRowKind::kValue:
      return "Value";
    case WalRowKind::kTombstone:
      return "Tombstone";
    case WalRowKind::kMerge:
      return "Merge";
  }
  return "Unknown";
}

struct WalReader::State {
  std::shared_ptr<ObjectStore> store;
  std::string db_path;  // normalised
  std::chrono::milliseconds poll_interval;
  std::shared_ptr<Clock> clock;
  wal::WalStore wal;
  manifest::ManifestStore manifests;

  State(std::shared_ptr<ObjectStore> s, std::string path, WalReaderOptions options)
      : store(s),
        db_path(path),
        poll_interval(options.poll_interval),
        clock(options.clock ? options.clock : SystemClock::Default()),
        wal(s, path),
        manifests(s, path) {}

  Result<std::vector<WalFileInfo>> List(std::optional<uint64_t> start,
                                        std::optional<uint64_t> end) const {
    const std::string dir = wal.Dir();
    ASSIGN_OR_RETURN(std::vector<ObjectMeta> objects, store->List(dir));
    std::vector<WalFileInfo> files;
    for (const ObjectMeta& meta : objects) {
      // Only direct children named exactly like our WAL SSTs (format/names.h): stray objects
      // such as "wal/backup/…" are never read.
      std::optional<uint64_t> id = format::ListedNumberedId(dir, meta.key, ".sst");
      if (!id || (start && *id < *start) || (end && *id >= *end)) continue;
      files.push_back(WalFileInfo{*id, meta.size, meta.last_modified_ms});
    }
    std::sort(files.begin(), files.end(),
              [](const WalFileInfo& a, const WalFileInfo& b) { return a.id < b.id; });
    return files;
  }

  // The rows of `id`; kNotFound (with the key) when it does not exist.
  Result<std::vector<WalRow>> Read(uint64_t id) const {
    const std::string key = wal.ObjectKey(id);
    auto bytes = store->Get(key);
    if (!bytes.ok()) return bytes.status().WithContext(key);
    std::vector<WalRow> rows;
    if (bytes->empty()) return rows;  // a zero-byte fence marker (as SlateDB)
    auto decoded = format::DecodeSst(*bytes);
    if (!decoded.ok()) return decoded.status().WithContext(key);
    rows.reserve(decoded->rows.size());
    for (format::RowEntry& r : decoded->rows) {
      WalRow row;
      row.wal_id = id;
      row.seq = r.seq;
      row.kind = static_cast<WalRowKind>(r.kind);
      row.key = std::move(r.key);
      row.value = std::move(r.value);
      row.create_ts = r.create_ts;
      row.expire_ts = r.expire_ts;
      rows.push_back(std::move(row));
    }
    return rows;
  }

  // Called when WAL `id` does not exist: kData naming it if it existed and was removed (a later
  // WAL file exists, or the latest manifest's replay point is at or beyond it), else OK (the
  // cursor is at the tail). `later` = the listing, if the caller already has one.
  Status CheckGap(uint64_t id) const {
    ASSIGN_OR_RETURN(std::vector<WalFileInfo> later, List(id + 1, std::nullopt));
    if (!later.empty()) {
      // A writer uploads ids in order: `id` missing while a later id exists means it is gone —
      // unless it appeared just now (listed before our GET saw it); look once more.
      auto again = store->Head(wal.ObjectKey(id));
      if (again.ok()) return Status::OK();
      if (again.status().code() != StatusCode::kNotFound) return again.status();
      return Status::Data("WAL " + std::to_string(id) + " (" + wal.ObjectKey(id) +
                          ") is missing but WAL " + std::to_string(later.front().id) +
                          " exists: it was removed (garbage collected) before it was read");
    }
    ASSIGN_OR_RETURN(auto latest, manifests.ReadLatest());
    if (latest && id <= latest->manifest.replay_after_wal_id) {
      return Status::Data("WAL " + std::to_string(id) + " (" + wal.ObjectKey(id) +
                          ") is missing but manifest " + std::to_string(latest->id) +
                          " replays after WAL " +
                          std::to_string(latest->manifest.replay_after_wal_id) +
                          ": it was removed (garbage collected) before it was read");
    }
    return Status::OK();
  }
};

struct WalCursor::Impl {
  std::shared_ptr<WalReader::State> state;
  uint64_t next_id = 1;
  uint64_t min_seq = 0;      // rows with a smaller seq are skipped (CursorAtSeq)
  std::vector<WalRow> rows;  // of the file before next_id, not yet returned
  size_t pos = 0;
  std::optional<std::chrono::steady_clock::time_point> last_idle_poll;

  Result<std::optional<WalRow>> TryNext() {
    while (true) {
      while (pos < rows.size()) {
        WalRow& row = rows[pos++];
        if (row.seq >= min_seq) return std::optional<WalRow>(std::move(row));
      }
      rows.clear();
      pos = 0;
      const auto now = state->clock->SteadyNow();
      if (last_idle_poll && now - *last_idle_poll < state->poll_interval) {
        return std::optional<WalRow>();
      }
      auto read = state->Read(next_id);
      if (!read.ok()) {
        if (read.status().code() != StatusCode::kNotFound) return read.status();
        RETURN_IF_ERROR(state->CheckGap(next_id));
        last_idle_poll = now;  // caught up: wait a poll interval before asking again
        return std::optional<WalRow>();
      }
      last_idle_poll.reset();
      rows = std::move(*read);
      ++next_id;  // fences and empty files just advance
    }
  }
};

WalReader::WalReader(PrivateTag, std::shared_ptr<State> state) : state_(std::move(state)) {}
WalReader::~WalReader() = default;

Result<std::unique_ptr<WalReader>> WalReader::Open(std::shared_ptr<ObjectStore> store,
                                                   std::string db_path, WalReaderOptions options) {
  if (!store) return Status::Invalid("WalReader::Open: the object store is null");
  if (options.poll_interval.count() <= 0) {
    return Status::Invalid("WalReader::Open: poll_interval must be > 0 ms, got " +
                           std::to_string(options.poll_interval.count()));
  }
  ASSIGN_OR_RETURN(std::string path, format::NormalizeDbPath(db_path));
  return std::make_unique<WalReader>(
      PrivateTag{}, std::make_shared<State>(std::move(store), std::move(path), options));
}

Result<std::vector<WalFileInfo>> WalReader::List(std::optional<uint64_t> start_id,
                                                 std::optional<uint64_t> end_id) const {
  return state_->List(start_id, end_id);
}

Result<std::vector<WalRow>> WalReader::ReadFile(uint64_t id) const { return state_->Read(id); }

Result<std::unique_ptr<WalCursor>> WalReader::CursorAtWalId(uint64_t wal_id) const {
  auto impl = std::make_unique<WalCursor::Impl>();
  impl->state = state_;
  impl->next_id = wal_id;
  auto head = state_->store->Head(state_->wal.ObjectKey(wal_id));
  if (!head.ok()) {
    if (head.status().code() != StatusCode::kNotFound) {
      return head.status().WithContext(state_->wal.ObjectKey(wal_id));
    }
    RETURN_IF_ERROR(state_->CheckGap(wal_id));
  }
  return std::make_unique<WalCursor>(WalCursor::PrivateTag{}, std::move(impl));
}

Result<std::unique_ptr<WalCursor>> WalReader::CursorAtSeq(uint64_t seq) const {
  ASSIGN_OR_RETURN(std::vector<WalFileInfo> files, state_->List(std::nullopt, std::nullopt));
  auto impl = std::make_unique<WalCursor::Impl>();
  impl->state = state_;
  impl->min_seq = seq;
  if (files.empty()) {
    // No WAL file at all: start after the manifest's last seen id (the next file a writer
    // writes), unless rows >= seq existed and are gone.
    ASSIGN_OR_RETURN(auto latest, state_->manifests.ReadLatest());
    uint64_t next = latest ? latest->manifest.wal_id_last_seen + 1 : 1;
    if (latest && latest->manifest.last_l0_seq >= seq && latest->manifest.replay_after_wal_id > 0) {
      return Status::Data("sequence " + std::to_string(seq) +
                          " is no longer in the WAL: no WAL file is stored and manifest " +
                          std::to_string(latest->id) + " has rows up to seq " +
                          std::to_string(latest->manifest.last_l0_seq) +
                          " in SSTs (the garbage collector removed their WAL files)");
    }
    impl->next_id = next;
    return std::make_unique<WalCursor>(WalCursor::PrivateTag{}, std::move(impl));
  }
  // The first file whose rows reach `seq`: seqs grow with WAL ids, so walk the files from the
  // newest backwards until one starts below `seq` (reading only those files' rows).
  size_t start = files.size();
  std::optional<uint64_t> oldest_seq;  // smallest seq among the files from `start` on
  while (start > 0) {
    ASSIGN_OR_RETURN(std::vector<WalRow> rows, state_->Read(files[start - 1].id));
    --start;
    if (!rows.empty()) {
      oldest_seq = rows.front().seq;
      if (rows.front().seq <= seq) break;
    }
  }
  if (start == 0 && oldest_seq && *oldest_seq > seq && files.front().id > 1) {
    // Everything stored is newer than `seq`, and WAL files before the oldest one were removed:
    // rows in [seq, oldest_seq) may be lost to this cursor.
    if (Status gap = state_->CheckGap(files.front().id - 1); !gap.ok()) {
      return Status::Data("sequence " + std::to_string(seq) +
                          " is older than the oldest stored WAL row (seq " +
                          std::to_string(*oldest_seq) + " in WAL " +
                          std::to_string(files.front().id) + "): " + gap.message());
    }
  }
  impl->next_id = files[start].id;
  return std::make_unique<WalCursor>(WalCursor::PrivateTag{}, std::move(impl));
}

WalCursor::WalCursor(PrivateTag, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WalCursor::~WalCursor() = default;
Result<std::optional<WalRow>> WalCursor::TryNext() { return impl_->TryNext(); }
uint64_t WalCursor::next_wal_id() const { return impl_->next_id; }

}  // namespace slatedb
