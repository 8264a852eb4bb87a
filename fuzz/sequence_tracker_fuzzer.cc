// fuzz/sequence_tracker_fuzzer.cc — libFuzzer target for the manifest's sequence tracker bytes
// (format/sequence_tracker.h). Input: the tracker bytes.
// Invariants: Decode fails only with kData; a decoded tracker re-encodes into bytes that decode
// to the same samples; lookups, Insert and Extend on decoded (possibly unsorted) samples do not
// crash, and Insert/Extend keep the 8192-sample cap.
#include <cstddef>
#include <cstdint>
#include <string>

#include "format/sequence_tracker.h"
#include "fuzz/fuzz_util.h"

using slatedb::StatusCode;
using slatedb::format::FindOption;
using slatedb::format::SequenceTracker;
using slatedb::fuzz::ExpectCode;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto tracker = SequenceTracker::Decode(slatedb::fuzz::AsView(data, size));
  if (!tracker.ok()) {
    ExpectCode(tracker.status(), StatusCode::kData, "SequenceTracker::Decode");
    return 0;
  }
  const std::string encoded = tracker->Encode();
  auto again = SequenceTracker::Decode(encoded);
  FUZZ_CHECK(again.ok(), "re-encoded tracker does not decode");
  FUZZ_CHECK(*again == *tracker, "re-encoded tracker decodes to different samples");

  size_t probes = 0;
  for (const auto& s : tracker->samples()) {
    if (++probes > 32) break;
    for (FindOption opt : {FindOption::kRoundDown, FindOption::kRoundUp}) {
      (void)tracker->FindTimestamp(s.seq, opt);
      (void)tracker->FindTimestamp(s.seq + 1, opt);
      (void)tracker->FindSeq(s.unix_seconds, opt);
      if (s.unix_seconds > INT64_MIN) (void)tracker->FindSeq(s.unix_seconds - 1, opt);
    }
  }
  SequenceTracker grown = *tracker;
  grown.Extend(*tracker);
  uint64_t next_seq = tracker->empty() ? 1 : tracker->samples().back().seq + 1;
  int64_t next_time = tracker->empty() ? 0 : tracker->samples().back().unix_seconds;
  if (next_seq != 0 && next_time < INT64_MAX - 1000) {
    grown.Insert(next_seq, next_time + 61);
  }
  FUZZ_CHECK(grown.size() <= SequenceTracker::kMaxSamples || grown.size() <= tracker->size(),
             "tracker grew beyond its cap");
  return 0;
}
