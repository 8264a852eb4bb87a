// The built-in fixed-length prefix extractor (slatedb/prefix_extractor.h).
#include "slatedb/prefix_extractor.h"

#include <string>

namespace slatedb {

namespace {

class FixedPrefixExtractor final : public PrefixExtractor {
 public:
  explicit FixedPrefixExtractor(size_t length)
      : length_(length), name_("fixed-" + std::to_string(length)) {}
  std::string_view Name() const override { return name_; }
  std::optional<size_t> PrefixLen(std::string_view input, PrefixTarget) const override {
    if (input.size() < length_) return std::nullopt;
    return length_;
  }

 private:
  size_t length_;
  std::string name_;
};

}  // namespace

Result<std::shared_ptr<const PrefixExtractor>> NewFixedPrefixExtractor(size_t length) {
  if (length == 0) {
    return Status::Invalid("NewFixedPrefixExtractor: length must be > 0, got 0");
  }
  return std::shared_ptr<const PrefixExtractor>(std::make_shared<FixedPrefixExtractor>(length));
}

}  // namespace slatedb
