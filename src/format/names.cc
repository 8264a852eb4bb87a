// format/names.cc — see names.h.
#include "format/names.h"

#include "util/log.h"

namespace slatedb::format {
namespace {

constexpr size_t kIdDigits = 20;
constexpr size_t kUlidChars = 26;

// The file name of `key` if it is a direct child of `dir`.
std::optional<std::string_view> DirectChild(std::string_view dir, std::string_view key) {
  if (key.size() <= dir.size() || key.substr(0, dir.size()) != dir) return std::nullopt;
  std::string_view rest = key.substr(dir.size());
  if (rest.find('/') != std::string_view::npos) return std::nullopt;
  return rest;
}

void LogIgnored(std::string_view key, std::string_view dir) {
  // The format layer has no logger of its own: the process-wide default (slatedb/logger.h).
  util::Log().Debug("slatedb: ignoring '{}' listed under '{}' (not an object of ours)", key, dir);
}

}  // namespace

Result<std::string> NormalizeDbPath(std::string_view path) {
  const std::string quoted = "database path '" + std::string(path) + "'";
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return Status::Invalid(quoted + " contains a control character");
  }
  std::string_view p = path;
  while (!p.empty() && p.front() == '/') p.remove_prefix(1);
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  if (p.empty()) return Status::Invalid(quoted + " is empty");
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    const std::string_view seg = p.substr(start, end - start);
    if (seg.empty()) return Status::Invalid(quoted + " has an empty segment ('//')");
    if (seg == "." || seg == "..") {
      return Status::Invalid(quoted + " has a '" + std::string(seg) + "' segment");
    }
    start = end + 1;
  }
  return std::string(p);
}

std::string DbSubdir(std::string_view db_path, std::string_view sub) {
  while (!db_path.empty() && db_path.back() == '/') db_path.remove_suffix(1);
  std::string out;
  if (!db_path.empty()) {
    out.append(db_path);
    out.push_back('/');
  }
  out.append(sub);
  out.push_back('/');
  return out;
}

std::string CompactedSstPath(std::string_view db_path, const Ulid& id) {
  return DbSubdir(db_path, "compacted") + id.ToString() + ".sst";
}

std::optional<uint64_t> ParseNumberedName(std::string_view name, std::string_view ext) {
  if (name.size() != kIdDigits + ext.size() || name.substr(kIdDigits) != ext) return std::nullopt;
  uint64_t v = 0;
  for (char c : name.substr(0, kIdDigits)) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;  // above u64
    v = v * 10 + digit;
  }
  return v;
}

std::optional<Ulid> ParseUlidSstName(std::string_view name) {
  constexpr std::string_view kExt = ".sst";
  if (name.size() != kUlidChars + kExt.size() || name.substr(kUlidChars) != kExt) {
    return std::nullopt;
  }
  const std::string_view stem = name.substr(0, kUlidChars);
  auto id = Ulid::Parse(stem);
  // Canonical spelling only (Ulid::Parse also accepts lower case, which we never write).
  if (!id.ok() || id->ToString() != stem) return std::nullopt;
  return *id;
}

std::optional<uint64_t> ListedNumberedId(std::string_view dir, std::string_view key,
                                         std::string_view ext) {
  std::optional<std::string_view> name = DirectChild(dir, key);
  std::optional<uint64_t> id = name ? ParseNumberedName(*name, ext) : std::nullopt;
  if (!id) LogIgnored(key, dir);
  return id;
}

std::optional<Ulid> ListedUlidSstId(std::string_view dir, std::string_view key) {
  std::optional<std::string_view> name = DirectChild(dir, key);
  std::optional<Ulid> id = name ? ParseUlidSstName(*name) : std::nullopt;
  if (!id) LogIgnored(key, dir);
  return id;
}

}  // namespace slatedb::format
