// format/compression.cc — codec implementations over zlib, snappy, lz4 and zstd.
#include "format/compression.h"

#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <string>

#include "util/coding.h"

namespace slatedb::format {

namespace {

Status TooLarge(std::string_view codec, uint64_t size, size_t max_output) {
  return Status::Data(std::string(codec) + ": decompressed size " + std::to_string(size) +
                      " exceeds the limit of " + std::to_string(max_output) + " bytes");
}

Result<std::string> ZlibCompress(std::string_view input) {
  z_stream zs{};
  if (deflateInit(&zs, Z_DEFAULT_COMPRESSION) != Z_OK) {
    return Status::Internal("zlib: deflateInit failed");
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(input.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Internal("zlib: deflate failed");
  out.resize(produced);
  return out;
}

Result<std::string> ZlibDecompress(std::string_view input, size_t max_output) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return Status::Internal("zlib: inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status::Data(std::string("zlib: corrupt stream (") + (zs.msg ? zs.msg : "error") +
                          ")");
    }
    size_t n = sizeof(buf) - zs.avail_out;
    if (out.size() + n > max_output) {
      inflateEnd(&zs);
      return TooLarge("zlib", out.size() + n, max_output);
    }
    out.append(buf, n);
    if (rc == Z_OK && n == 0 && zs.avail_in == 0) {
      inflateEnd(&zs);
      return Status::Data("zlib: truncated stream");
    }
  }
  bool trailing = zs.avail_in != 0;
  inflateEnd(&zs);
  if (trailing) return Status::Data("zlib: trailing bytes after the stream");
  return out;
}

Result<std::string> SnappyDecompress(std::string_view input, size_t max_output) {
  size_t len = 0;
  if (!snappy::GetUncompressedLength(input.data(), input.size(), &len)) {
    return Status::Data("snappy: corrupt length header");
  }
  if (len > max_output) return TooLarge("snappy", len, max_output);
  if (!snappy::IsValidCompressedBuffer(input.data(), input.size())) {
    return Status::Data("snappy: corrupt block");
  }
  std::string out;
  if (!snappy::Uncompress(input.data(), input.size(), &out)) {
    return Status::Data("snappy: corrupt block");
  }
  return out;
}

Result<std::string> Lz4Compress(std::string_view input) {
  if (input.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
    return Status::Invalid("lz4: input of " + std::to_string(input.size()) + " bytes is too large");
  }
  int bound = LZ4_compressBound(static_cast<int>(input.size()));
  std::string out;
  util::PutU32LE(&out, static_cast<uint32_t>(input.size()));
  out.resize(4 + static_cast<size_t>(bound));
  int n = LZ4_compress_default(input.data(), out.data() + 4, static_cast<int>(input.size()), bound);
  if (n <= 0 && !input.empty()) return Status::Internal("lz4: compression failed");
  out.resize(4 + static_cast<size_t>(std::max(n, 0)));
  return out;
}

Result<std::string> Lz4Decompress(std::string_view input, size_t max_output) {
  if (input.size() < 4) return Status::Data("lz4: missing the 4-byte size prefix");
  uint32_t len = util::LoadU32LE(input.data());
  if (len > max_output) return TooLarge("lz4", len, max_output);
  if (len > static_cast<uint32_t>(std::numeric_limits<int>::max()) ||
      input.size() - 4 > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::Data("lz4: block too large");
  }
  std::string out(len, '\0');
  int n = LZ4_decompress_safe(input.data() + 4, out.data(), static_cast<int>(input.size() - 4),
                              static_cast<int>(len));
  if (n < 0 || static_cast<uint32_t>(n) != len) {
    return Status::Data("lz4: corrupt block (declared " + std::to_string(len) + " bytes)");
  }
  return out;
}

Result<std::string> ZstdCompress(std::string_view input) {
  std::string out(ZSTD_compressBound(input.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), 3);
  if (ZSTD_isError(n)) {
    return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  out.resize(n);
  return out;
}

Result<std::string> ZstdDecompress(std::string_view input, size_t max_output) {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (dctx == nullptr) return Status::Internal("zstd: cannot create a context");
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  std::string out;
  char buf[16384];
  size_t rc = 1;
  Status st;
  while (true) {
    ZSTD_outBuffer ob{buf, sizeof(buf), 0};
    rc = ZSTD_decompressStream(dctx, &ob, &in);
    if (ZSTD_isError(rc)) {
      st = Status::Data(std::string("zstd: corrupt frame (") + ZSTD_getErrorName(rc) + ")");
      break;
    }
    if (out.size() + ob.pos > max_output) {
      st = TooLarge("zstd", out.size() + ob.pos, max_output);
      break;
    }
    out.append(buf, ob.pos);
    if (rc == 0 && in.pos == in.size) break;  // frame(s) complete, input consumed
    if (in.pos == in.size && ob.pos < ob.size) {
      st = Status::Data("zstd: truncated frame");
      break;
    }
  }
  ZSTD_freeDCtx(dctx);
  if (!st.ok()) return st;
  return out;
}

}  // namespace

std::string_view CompressionCodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kNone:
      return "none";
    case CompressionCodec::kSnappy:
      return "snappy";
    case CompressionCodec::kZlib:
      return "zlib";
    case CompressionCodec::kLz4:
      return "lz4";
    case CompressionCodec::kZstd:
      return "zstd";
  }
  return "unknown";
}

std::optional<CompressionCodec> ParseCompressionCodec(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (int id = 0; id <= 4; ++id) {
    auto codec = static_cast<CompressionCodec>(id);
    if (CompressionCodecName(codec) == lower) return codec;
  }
  return std::nullopt;
}

std::optional<CompressionCodec> CompressionCodecFromId(int id) {
  if (id < 0 || id > 4) return std::nullopt;
  return static_cast<CompressionCodec>(id);
}

Result<std::string> Compress(CompressionCodec codec, std::string_view input) {
  switch (codec) {
    case CompressionCodec::kNone:
      return std::string(input);
    case CompressionCodec::kSnappy: {
      std::string out;
      snappy::Compress(input.data(), input.size(), &out);
      return out;
    }
    case CompressionCodec::kZlib:
      return ZlibCompress(input);
    case CompressionCodec::kLz4:
      return Lz4Compress(input);
    case CompressionCodec::kZstd:
      return ZstdCompress(input);
  }
  return Status::Invalid("unknown compression codec " + std::to_string(static_cast<int>(codec)));
}

Result<std::string> Decompress(CompressionCodec codec, std::string_view input, size_t max_output) {
  switch (codec) {
    case CompressionCodec::kNone:
      if (input.size() > max_output) return TooLarge("none", input.size(), max_output);
      return std::string(input);
    case CompressionCodec::kSnappy:
      return SnappyDecompress(input, max_output);
    case CompressionCodec::kZlib:
      return ZlibDecompress(input, max_output);
    case CompressionCodec::kLz4:
      return Lz4Decompress(input, max_output);
    case CompressionCodec::kZstd:
      return ZstdDecompress(input, max_output);
  }
  return Status::Data("unknown compression codec " + std::to_string(static_cast<int>(codec)));
}

}  // namespace slatedb::format
