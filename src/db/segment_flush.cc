#include "db/segment_flush.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "db/read_path.h"
#include "format/segments.h"
#include "format/sst.h"

namespace slatedb::db {

namespace {

std::string Quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

}  // namespace

Status ValidateSegmentExtractor(const PrefixExtractor* extractor, std::string_view compatibility) {
  if (extractor == nullptr) return Status::OK();
  if (extractor->Name().empty()) {
    return Status::Invalid("Components::segment_extractor has an empty Name()");
  }
  if (compatibility == "0.12") {
    return Status::Invalid(
        "Components::segment_extractor needs settings compatibility \"0.17\": compatibility "
        "\"0.12\" writes version-1 manifests, which cannot hold segments");
  }
  return Status::OK();
}

Status CheckSegmentExtractor(const format::Manifest& m, const PrefixExtractor* extractor,
                             bool writer) {
  const std::string who = writer ? "writer" : "reader";
  if (m.segment_extractor_name) {
    if (extractor == nullptr) {
      if (writer) {
        return Status::Invalid("the manifest names segment extractor " +
                               Quoted(*m.segment_extractor_name) +
                               " but the writer has no Components::segment_extractor");
      }
    } else if (extractor->Name() != *m.segment_extractor_name) {
      return Status::Invalid("Components::segment_extractor " + Quoted(extractor->Name()) +
                             " differs from the manifest's segment extractor " +
                             Quoted(*m.segment_extractor_name) + " (" + who + ")");
    }
  } else if (extractor != nullptr) {
    if (!m.segments.empty()) {
      return Status::Invalid("Components::segment_extractor " + Quoted(extractor->Name()) +
                             " given, but the manifest's " + std::to_string(m.segments.size()) +
                             " segment(s) name no extractor (" + who + ")");
    }
    if (writer && (!m.l0.empty() || !m.compacted.empty())) {
      return Status::Invalid("Components::segment_extractor " + Quoted(extractor->Name()) +
                             " cannot be introduced on a database that already holds L0 SSTs or "
                             "sorted runs and names no segment extractor");
    }
  } else if (writer && !m.segments.empty()) {
    return Status::Invalid("the manifest has " + std::to_string(m.segments.size()) +
                           " segment(s) but the writer has no Components::segment_extractor");
  }
  if (extractor != nullptr) {
    for (const format::Segment& s : m.segments) {
      const std::optional<size_t> n = extractor->PrefixLen(s.prefix, PrefixTarget::kPrefix);
      if (!n || *n != s.prefix.size()) {
        return Status::Invalid("Components::segment_extractor " + Quoted(extractor->Name()) +
                               " does not give segment prefix " + Quoted(s.prefix) +
                               " as a prefix of itself");
      }
    }
  }
  return Status::OK();
}

Result<std::vector<SegmentL0>> WriteSegmentedL0(const L0SstWriter& writer,
                                                const PrefixExtractor& extractor,
                                                const format::Manifest& current_manifest,
                                                const memtable::Memtable& table,
                                                uint64_t retention_seq,
                                                const MergeOperator* merge_operator,
                                                const std::function<format::Ulid()>& next_id) {
  struct Open {
    std::string prefix;
    format::Ulid id;
    std::unique_ptr<table::StreamingSstWriter> writer;
  };
  std::vector<SegmentL0> out;
  std::vector<std::string> prefixes;  // the segments known so far: the manifest's, then new ones
  for (const format::Segment& s : current_manifest.segments) prefixes.push_back(s.prefix);
  // The segment of `key`: an existing one whose prefix starts it, else its extracted prefix
  // (checked against the antichain and remembered), else "" (the root tree).
  auto segment_of = [&](std::string_view key, std::string_view* prefix) -> Status {
    for (const std::string& p : prefixes) {
      if (key.starts_with(p)) {
        *prefix = key.substr(0, p.size());
        return Status::OK();
      }
    }
    const std::optional<size_t> n = extractor.PrefixLen(key, PrefixTarget::kPoint);
    if (!n || *n == 0 || *n > key.size()) {
      *prefix = std::string_view();
      return Status::OK();
    }
    const std::string_view p = key.substr(0, *n);
    for (const std::string& q : prefixes) {
      if (q.starts_with(p)) {
        return Status::Invalid("Components::segment_extractor " + Quoted(extractor.Name()) +
                               " gives prefix " + Quoted(p) + ", which nests with segment " +
                               Quoted(q) +
                               " (segment prefixes must not be prefixes of each other)");
      }
    }
    prefixes.emplace_back(p);
    *prefix = p;
    return Status::OK();
  };
  std::optional<Open> root;     // rows without a prefix (may interleave nothing, kept open)
  std::optional<Open> current;  // the segment being written (its keys are contiguous)
  auto finish = [&](std::optional<Open>& w) -> Status {
    if (!w) return Status::OK();
    auto sst = w->writer->Finish();
    if (!sst.ok()) return sst.status().WithContext("uploading " + w->writer->object_key());
    SegmentL0& l0 = out.emplace_back();
    l0.prefix = std::move(w->prefix);
    l0.handle.id = w->id;
    l0.handle.format_version = format::kSstFormatVersion;
    l0.handle.info = std::move(sst->info);
    w.reset();
    return Status::OK();
  };
  auto open = [&](std::optional<Open>& w, std::string_view prefix) -> Status {
    Open o;
    o.prefix = std::string(prefix);
    o.id = next_id();
    ASSIGN_OR_RETURN(o.writer, writer.OpenStreaming(o.id));
    w = std::move(o);
    return Status::OK();
  };
  Status st = ForEachFlushRow(table, retention_seq, merge_operator,
                              [&](const format::RowEntry& row) -> Status {
                                std::string_view prefix;
                                RETURN_IF_ERROR(segment_of(row.key, &prefix));
                                if (prefix.empty()) {
                                  if (!root) RETURN_IF_ERROR(open(root, ""));
                                  return root->writer->Add(row);
                                }
                                if (current && current->prefix != prefix) {
                                  RETURN_IF_ERROR(finish(current));
                                }
                                if (!current) RETURN_IF_ERROR(open(current, prefix));
                                return current->writer->Add(row);
                              });
  if (st.ok()) st = finish(current);
  if (st.ok()) st = finish(root);
  if (!st.ok()) {
    if (current) current->writer->Abort();
    if (root) root->writer->Abort();
    return st;
  }
  return out;
}

bool ListFlushedL0s(format::Manifest& m, const std::vector<SegmentL0>& ssts) {
  bool added = false;
  std::vector<std::string> touched;
  for (const SegmentL0& sst : ssts) {
    if (!sst.prefix.empty() && !format::FindSegment(m, sst.prefix)) {
      format::Segment seg;
      seg.prefix = sst.prefix;
      auto pos = std::lower_bound(
          m.segments.begin(), m.segments.end(), sst.prefix,
          [](const format::Segment& s, const std::string& p) { return s.prefix < p; });
      m.segments.insert(pos, std::move(seg));
    }
    format::TreeRef tree = *format::MutableTree(m, sst.prefix);
    const format::Ulid id = sst.handle.id;
    const bool listed = std::any_of(tree.l0->begin(), tree.l0->end(),
                                    [&](const format::SstHandle& h) { return h.id == id; });
    const bool compacted = tree.last_compacted->has_value() && !(**tree.last_compacted < id);
    if (!listed && !compacted) {
      tree.l0->insert(tree.l0->begin(), sst.handle);
      added = true;
    }
    touched.push_back(sst.prefix);
  }
  // Drain markers (empty trees left by a DrainSegmentSpec) leave the manifest now.
  std::erase_if(m.segments, [&](const format::Segment& s) {
    return s.l0.empty() && s.compacted.empty() &&
           std::find(touched.begin(), touched.end(), s.prefix) == touched.end();
  });
  return added;
}

uint64_t FlushedL0Bytes(const std::vector<SegmentL0>& ssts) {
  uint64_t total = 0;
  for (const SegmentL0& s : ssts) {
    const format::SstInfo& i = s.handle.info;
    total += std::max({i.filter_offset + i.filter_len, i.index_offset + i.index_len,
                       i.stats_offset + i.stats_len});
  }
  return total;
}

}  // namespace slatedb::db
