// fuzz/block_fuzzer.cc — libFuzzer target for SST data blocks (format/block.h), layouts v2 and
// v1. Input: [selector byte: bit 0 set = v1 layout][uncompressed block bytes].
// Invariants: Parse / DecodeAll / iteration fail only with kData; when both DecodeAll and a
// full forward iteration succeed they yield the same rows; every decoded v2 row re-encodes
// (BlockBuilder) into a block that decodes to the same rows.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format/block.h"
#include "fuzz/fuzz_util.h"

using slatedb::StatusCode;
using slatedb::format::Block;
using slatedb::format::BlockBuilder;
using slatedb::format::BlockIterator;
using slatedb::format::RowEntry;
using slatedb::fuzz::ExpectCode;
using slatedb::fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  const uint16_t version = (in.TakeByte() & 1) ? 1 : 2;
  auto block = Block::Parse(std::string(in.rest()), version);
  if (!block.ok()) {
    ExpectCode(block.status(), StatusCode::kData, "Block::Parse");
    return 0;
  }
  auto all = (*block)->DecodeAll();
  ExpectCode(all.status(), StatusCode::kData, "Block::DecodeAll");

  // Forward iteration, bounded (a corrupt block cannot loop forever, but be safe).
  std::vector<RowEntry> iterated;
  BlockIterator it(*block);
  auto st = it.SeekToFirst();
  while (st.ok() && it.Valid() && iterated.size() < 100000) {
    iterated.push_back(it.row());
    st = it.Next();
  }
  ExpectCode(st, StatusCode::kData, "BlockIterator");
  if (all.ok() && st.ok()) {
    FUZZ_CHECK(iterated == *all, "iteration and DecodeAll disagree");
  }
  if (!all.ok()) return 0;

  // Seeks to every decoded key (and just past it) must not crash; results are only checked
  // for errors since a corrupt block may hold unsorted keys.
  size_t seeks = 0;
  for (const RowEntry& row : *all) {
    if (++seeks > 64) break;
    BlockIterator seek_it(*block);
    ExpectCode(seek_it.Seek(row.key), StatusCode::kData, "BlockIterator::Seek");
    ExpectCode(seek_it.Seek(row.key + '\xff'), StatusCode::kData, "BlockIterator::Seek");
  }

  // Re-encode the rows as a v2 block; it must decode to the same rows.
  BlockBuilder builder(size_t{1} << 20);
  size_t added = 0;
  for (const RowEntry& row : *all) {
    if (!builder.TryAdd(row)) break;
    ++added;
  }
  if (added != all->size() || builder.EstimatedSize() > 60000) return 0;
  auto again = Block::Parse(builder.Finish(), 2);
  FUZZ_CHECK(again.ok(), "re-encoded block does not parse");
  auto again_rows = (*again)->DecodeAll();
  FUZZ_CHECK(again_rows.ok(), "re-encoded block does not decode");
  FUZZ_CHECK(*again_rows == *all, "re-encoded block decodes to different rows");
  return 0;
}
