// The MergeOperator default batch fold and the built-in operators (slatedb/merge_operator.h).
#include "slatedb/merge_operator.h"

#include <cstring>
#include <string>
#include <utility>

#include "util/printable.h"

namespace slatedb {

Result<std::string> MergeOperator::MergeBatch(std::string_view key,
                                              std::optional<std::string_view> existing_value,
                                              const std::vector<std::string_view>& operands) const {
  std::optional<std::string> acc;
  if (existing_value) acc = std::string(*existing_value);
  for (std::string_view operand : operands) {
    std::optional<std::string_view> cur;
    if (acc) cur = *acc;
    ASSIGN_OR_RETURN(std::string next, Merge(key, cur, operand));
    acc = std::move(next);
  }
  if (!acc) return Status::Invalid("merge of key '" + util::PrintableKey(key) + "': no operands");
  return std::move(*acc);
}

namespace {

class StringAppend final : public MergeOperator {
 public:
  explicit StringAppend(std::string delimiter) : delimiter_(std::move(delimiter)) {}
  std::string_view name() const override { return "string-append"; }
  Result<std::string> Merge(std::string_view /*key*/, std::optional<std::string_view> existing,
                            std::string_view operand) const override {
    if (!existing) return std::string(operand);
    std::string out;
    out.reserve(existing->size() + delimiter_.size() + operand.size());
    out.append(*existing).append(delimiter_).append(operand);
    return out;
  }
  Result<std::string> MergeBatch(std::string_view /*key*/, std::optional<std::string_view> existing,
                                 const std::vector<std::string_view>& operands) const override {
    std::string out;
    bool first = true;
    if (existing) {
      out.append(*existing);
      first = false;
    }
    for (std::string_view op : operands) {
      if (!first) out.append(delimiter_);
      out.append(op);
      first = false;
    }
    return out;
  }

 private:
  const std::string delimiter_;
};

class UInt64Add final : public MergeOperator {
 public:
  std::string_view name() const override { return "uint64-add"; }
  Result<std::string> Merge(std::string_view key, std::optional<std::string_view> existing,
                            std::string_view operand) const override {
    ASSIGN_OR_RETURN(uint64_t b, Decode(key, "operand", operand));
    uint64_t a = 0;
    if (existing) {
      ASSIGN_OR_RETURN(a, Decode(key, "existing value", *existing));
    }
    return Encode(a + b);  // mod 2^64
  }

 private:
  static Result<uint64_t> Decode(std::string_view key, const char* what, std::string_view v) {
    if (v.size() != 8) {
      return Status::Invalid("uint64-add: " + std::string(what) + " of key '" +
                             util::PrintableKey(key) + "' has " + std::to_string(v.size()) +
                             " bytes, not 8 (a little-endian u64)");
    }
    uint64_t x = 0;
    for (int i = 7; i >= 0; --i)
      x = (x << 8) | static_cast<unsigned char>(v[static_cast<size_t>(i)]);
    return x;
  }
  static std::string Encode(uint64_t x) {
    std::string out(8, '\0');
    for (size_t i = 0; i < 8; ++i) out[i] = static_cast<char>((x >> (8 * i)) & 0xff);
    return out;
  }
};

}  // namespace

std::shared_ptr<MergeOperator> StringAppendOperator(std::string delimiter) {
  return std::make_shared<StringAppend>(std::move(delimiter));
}

std::shared_ptr<MergeOperator> UInt64AddOperator() { return std::make_shared<UInt64Add>(); }

}  // namespace slatedb
