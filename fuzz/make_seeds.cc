// fuzz/make_seeds.cc — builds the seed corpora of the fuzzers from the peer-written fixtures
// (SlateDB 0.12.1) and the hand-made seeds in fuzz/corpus/. Not a fuzzer: scripts/fuzz.sh runs
// it once into a temporary directory (nothing generated is committed).
//
// Usage: fuzz_make_seeds FIXTURES_DIR HANDMADE_DIR OUT_DIR
// Writes OUT_DIR/<fuzzer>/<name>: whole SSTs up to 32 KiB (sst), WAL SSTs (wal), manifests
// (manifest),
// `.compactions` (compactions), the tracker bytes of every manifest (sequence_tracker), every
// uncompressed data block with a v2 selector byte (block), every stored section with its codec
// selector byte (compression), and copies HANDMADE_DIR/<fuzzer>/* (settings_json, ...).
// Thread safety: single-threaded program. Errors: exits 1 with a message on stderr if a
// directory cannot be read or written; undecodable fixture files are skipped with a note.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <system_error>

#include "format/compression.h"
#include "format/manifest_codec.h"
#include "format/sst.h"

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxSstSeedBytes = 32 * 1024;

std::map<std::string, int> g_counts;

bool ReadFile(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool WriteSeed(const fs::path& out_dir, const std::string& fuzzer, const std::string& name,
               const std::string& bytes) {
  fs::path dir = out_dir / fuzzer;
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "make_seeds: cannot write %s\n", (dir / name).c_str());
    return false;
  }
  ++g_counts[fuzzer];
  return true;
}

// Unique seed name from a fixture path: "basic_db_wal_0001.sst" style.
std::string SeedName(const fs::path& root, const fs::path& file) {
  std::string rel = fs::relative(file, root).string();
  for (char& c : rel) {
    if (c == '/') c = '_';
  }
  return rel;
}

bool AddSstSeeds(const fs::path& out, const std::string& name, const std::string& bytes,
                 bool is_wal) {
  // Large SSTs make the whole-object fuzzer slow (it reads them several ways per input); their
  // blocks still seed the block and compression fuzzers.
  if (bytes.size() <= kMaxSstSeedBytes && !WriteSeed(out, "sst", name, bytes)) return false;
  if (is_wal && !WriteSeed(out, "wal", name, bytes)) return false;
  auto sst = slatedb::format::DecodeSst(bytes);
  if (!sst.ok()) {
    std::fprintf(stderr, "make_seeds: note: %s does not decode: %s\n", name.c_str(),
                 sst.status().ToString().c_str());
    return true;
  }
  const auto codec = sst->info.compression;
  const std::string codec_byte(1, static_cast<char>(codec));
  for (size_t i = 0; i < sst->index.blocks.size() && i < 8; ++i) {
    uint64_t start = 0, end = 0;
    if (!slatedb::format::BlockRange(sst->index, sst->info, i, &start, &end).ok()) break;
    if (end < start + slatedb::format::kSectionCrcSize || end > bytes.size()) break;
    std::string section = bytes.substr(start, end - start - slatedb::format::kSectionCrcSize);
    auto raw = slatedb::format::Decompress(codec, section);
    if (!raw.ok()) break;
    const std::string block_name = name + ".block" + std::to_string(i);
    if (!WriteSeed(out, "block", block_name, std::string(1, '\0') + *raw)) return false;
    if (codec != slatedb::format::CompressionCodec::kNone &&
        !WriteSeed(out, "compression", block_name, codec_byte + section)) {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s FIXTURES_DIR HANDMADE_DIR OUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path fixtures = argv[1], handmade = argv[2], out = argv[3];
  std::error_code ec;
  if (!fs::is_directory(fixtures, ec)) {
    std::fprintf(stderr, "make_seeds: fixtures directory %s not found\n", argv[1]);
    return 1;
  }
  for (fs::recursive_directory_iterator it(fixtures, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const fs::path& p = it->path();
    const std::string ext = p.extension().string();
    std::string bytes;
    if (ext != ".sst" && ext != ".manifest" && ext != ".compactions") continue;
    if (!ReadFile(p, &bytes)) {
      std::fprintf(stderr, "make_seeds: cannot read %s\n", p.c_str());
      return 1;
    }
    const std::string name = SeedName(fixtures, p);
    bool ok = true;
    if (ext == ".sst") {
      ok = AddSstSeeds(out, name, bytes, p.parent_path().filename() == "wal");
    } else if (ext == ".manifest") {
      ok = WriteSeed(out, "manifest", name, bytes);
      auto m = slatedb::format::DecodeManifest(bytes);
      if (ok && m.ok()) ok = WriteSeed(out, "sequence_tracker", name, m->sequence_tracker);
    } else {
      ok = WriteSeed(out, "compactions", name, bytes);
    }
    if (!ok) return 1;
  }
  if (ec) {
    std::fprintf(stderr, "make_seeds: walking %s: %s\n", argv[1], ec.message().c_str());
    return 1;
  }
  // Hand-made seeds: HANDMADE_DIR/<fuzzer>/<file>.
  if (fs::is_directory(handmade, ec)) {
    for (const auto& dir : fs::directory_iterator(handmade, ec)) {
      if (!dir.is_directory()) continue;
      for (const auto& f : fs::directory_iterator(dir.path(), ec)) {
        std::string bytes;
        if (!f.is_regular_file() || !ReadFile(f.path(), &bytes)) continue;
        if (!WriteSeed(out, dir.path().filename().string(),
                       "handmade_" + f.path().filename().string(), bytes)) {
          return 1;
        }
      }
    }
  }
  for (const auto& [fuzzer, n] : g_counts) std::printf("seeds %-18s %d\n", fuzzer.c_str(), n);
  return 0;
}
