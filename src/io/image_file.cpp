// Image files: header checks per format, a tiny TIFF/EXIF reader for orientation, decode via OpenCV,
// atomic writes, input listing. See image_file.h for the contract.
#include "io/image_file.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/atomic_file.h"
#include "core/crc32.h"
#include "core/errors.h"
#include "io/pixels.h"

namespace neuroshop {
namespace fs = std::filesystem;

namespace {

const char* const kImageExtensions[] = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp"};
constexpr uintmax_t kMaxFileBytes = uintmax_t{1} << 30;

// OpenCV's own messages would duplicate (or contradict) our one-line errors: its logger, and the
// std::cerr lines imdecode prints when a decoder throws. Both are silenced for the thread that
// decodes or encodes, and only for it: std::cerr's buffer is wrapped once, before main, in a filter
// that drops what a thread writes while it is inside a QuietOpenCv scope and passes everything else
// through. (Swapping std::cerr's buffer per call would race with other threads printing progress
// and drop their lines.) The logger's level is process-wide, so it is lowered while any thread is
// quiet and restored when the last one leaves. (libjpeg's rare stdio warnings are not ours to
// silence; the header checks keep them rare.)
class QuietOpenCv {
 public:
  QuietOpenCv() {
    ++depth_;
    std::lock_guard<std::mutex> lock(mutex());
    State& s = state();
    if (s.threads++ == 0) s.level = cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  }
  ~QuietOpenCv() {
    {
      std::lock_guard<std::mutex> lock(mutex());
      State& s = state();
      if (--s.threads == 0) cv::utils::logging::setLogLevel(s.level);
    }
    --depth_;
  }
  QuietOpenCv(const QuietOpenCv&) = delete;
  QuietOpenCv& operator=(const QuietOpenCv&) = delete;

  static bool this_thread_quiet() { return depth_ > 0; }

 private:
  struct State {
    int threads = 0;
    cv::utils::logging::LogLevel level = cv::utils::logging::LOG_LEVEL_WARNING;
  };
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static State& state() {
    static State s;
    return s;
  }
  static thread_local int depth_;
};
thread_local int QuietOpenCv::depth_ = 0;

// std::cerr's buffer, wrapped: unbuffered itself (so threads share no state in it), it forwards to
// the original buffer unless the writing thread is quiet.
class QuietFilterBuf : public std::streambuf {
 public:
  explicit QuietFilterBuf(std::streambuf* target) : target_(target) {}

 protected:
  int overflow(int c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (QuietOpenCv::this_thread_quiet() || target_ == nullptr) return c;
    return target_->sputc(traits_type::to_char_type(c));
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (QuietOpenCv::this_thread_quiet() || target_ == nullptr) return n;
    return target_->sputn(s, n);
  }
  int sync() override { return target_ == nullptr ? 0 : target_->pubsync(); }

 private:
  std::streambuf* target_;
};

// Installed during static initialization, before any thread of ours exists (<iostream> above
// guarantees std::cerr is constructed first). Never freed: std::cerr is flushed after every static
// of this file is destroyed.
const bool kCerrFilterInstalled = [] {
  std::cerr.rdbuf(new QuietFilterBuf(std::cerr.rdbuf()));
  return true;
}();

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

// ---- bounds-checked byte access --------------------------------------------------------------
// Every read goes through these; an offset past the end yields false, never a stray read.
struct Bytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
  bool has(size_t offset, size_t count) const { return offset <= size && count <= size - offset; }
  Bytes sub(size_t offset, size_t count) const { return {data + offset, count}; }
};

uint64_t read_uint(const uint8_t* p, int n, bool big_endian) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) {
    const uint64_t b = p[big_endian ? i : n - 1 - i];
    v = (v << 8) | b;
  }
  return v;
}
uint32_t be32(const uint8_t* p) { return static_cast<uint32_t>(read_uint(p, 4, true)); }
uint32_t be16(const uint8_t* p) { return static_cast<uint32_t>(read_uint(p, 2, true)); }
uint32_t le32(const uint8_t* p) { return static_cast<uint32_t>(read_uint(p, 4, false)); }
uint32_t le24(const uint8_t* p) { return static_cast<uint32_t>(read_uint(p, 3, false)); }
uint32_t le16(const uint8_t* p) { return static_cast<uint32_t>(read_uint(p, 2, false)); }

// ---- TIFF structure (TIFF files and EXIF blocks) ---------------------------------------------
// Classic TIFF: "II"/"MM", 42, uint32 offset of IFD0; entries of 12 bytes (tag, type, count, value).
// BigTIFF: 43, offset size 8, uint64 offset; entries of 20 bytes. Values that fit the value field
// are stored inline, others at an offset.
class TiffReader {
 public:
  explicit TiffReader(Bytes bytes) : bytes_(bytes) {}

  // Parses the header and the first IFD; false when either is not there.
  bool parse() {
    const uint8_t* p = bytes_.data;
    if (!bytes_.has(0, 8)) return false;
    if (p[0] == 'I' && p[1] == 'I') big_ = false;
    else if (p[0] == 'M' && p[1] == 'M') big_ = true;
    else return false;
    const uint64_t version = read_uint(p + 2, 2, big_);
    uint64_t ifd = 0;
    if (version == 42) {
      ifd = read_uint(p + 4, 4, big_);
    } else if (version == 43 && bytes_.has(0, 16) && read_uint(p + 4, 2, big_) == 8) {
      offset_size_ = 8;
      ifd = read_uint(p + 8, 8, big_);
    } else {
      return false;
    }
    const size_t count_size = offset_size_ == 8 ? 8 : 2;
    const size_t entry_size = offset_size_ == 8 ? 20 : 12;
    if (!bytes_.has(ifd, count_size)) return false;
    const uint64_t count = read_uint(p + ifd, static_cast<int>(count_size), big_);
    if (count > 4096 || !bytes_.has(ifd + count_size, count * entry_size)) return false;
    ifd_ = ifd + count_size;
    entries_ = count;
    return true;
  }

  // Values of `tag` (SHORT, LONG or LONG8 entries), at most `limit` of them; empty when absent
  // or malformed.
  std::vector<uint64_t> values(uint16_t tag, uint64_t limit = 1) const {
    const size_t entry_size = offset_size_ == 8 ? 20 : 12;
    for (uint64_t e = 0; e < entries_; ++e) {
      const uint8_t* entry = bytes_.data + ifd_ + e * entry_size;
      if (read_uint(entry, 2, big_) != tag) continue;
      const uint64_t type = read_uint(entry + 2, 2, big_);
      const int width = type == 3 ? 2 : type == 4 ? 4 : type == 16 ? 8 : 0;  // SHORT, LONG, LONG8
      const uint64_t count = read_uint(entry + 4, offset_size_ == 8 ? 8 : 4, big_);
      if (width == 0 || count == 0 || count > limit) return {};
      const uint8_t* field = entry + (offset_size_ == 8 ? 12 : 8);
      size_t at = static_cast<size_t>(field - bytes_.data);
      if (count * width > static_cast<uint64_t>(offset_size_)) {
        at = static_cast<size_t>(read_uint(field, offset_size_, big_));
      }
      if (!bytes_.has(at, count * width)) return {};
      std::vector<uint64_t> out(count);
      for (uint64_t i = 0; i < count; ++i) out[i] = read_uint(bytes_.data + at + i * width, width, big_);
      return out;
    }
    return {};
  }

  uint64_t value(uint16_t tag, uint64_t fallback) const {
    const std::vector<uint64_t> v = values(tag);
    return v.empty() ? fallback : v[0];
  }

 private:
  Bytes bytes_;
  bool big_ = false;
  int offset_size_ = 4;
  size_t ifd_ = 0;
  uint64_t entries_ = 0;
};

constexpr uint16_t kTagOrientation = 0x0112;

// EXIF payloads are a TIFF structure, sometimes behind an "Exif\0\0" prefix. Anything malformed or
// out of range means "no rotation".
int exif_orientation(Bytes exif) {
  if (exif.has(0, 6) && std::memcmp(exif.data, "Exif\0\0", 6) == 0) exif = exif.sub(6, exif.size - 6);
  TiffReader tiff(exif);
  if (!tiff.parse()) return 1;
  const uint64_t o = tiff.value(kTagOrientation, 1);
  return o >= 1 && o <= 8 ? static_cast<int>(o) : 1;
}

// ---- per-format headers ----------------------------------------------------------------------
struct Header {
  const char* format = "";
  long long width = 0, height = 0;
  bool gray = false;    // the header says one (or gray+alpha) channel
  int orientation = 1;  // EXIF orientation, 1 = as stored
};

// Thrown inside the header checks; read_image adds "cannot read image '...': ".
struct Reason {
  std::string text;
};

void check_png(Bytes b, Header& h) {
  // 8-byte signature, then chunks: uint32 length, 4-byte type, data, uint32 CRC; IHDR first, IEND last.
  h.format = "PNG";
  if (!b.has(8, 8 + 13) || std::memcmp(b.data + 12, "IHDR", 4) != 0) throw Reason{"file is truncated or corrupt (no PNG header)"};
  h.width = be32(b.data + 16);
  h.height = be32(b.data + 20);
  const int color_type = b.data[25];
  h.gray = color_type == 0 || color_type == 4;
  size_t pos = 8;
  while (true) {
    if (!b.has(pos, 8)) throw Reason{"file is truncated (PNG IEND chunk missing)"};
    const uint32_t length = be32(b.data + pos);
    const uint8_t* type = b.data + pos + 4;
    if (length > 0x7fffffffu || !b.has(pos + 8, uint64_t{length} + 4)) throw Reason{"file is truncated (PNG IEND chunk missing)"};
    // A damaged chunk is refused here, with a clear reason, rather than inside libpng.
    if (crc32(type, size_t{length} + 4) != be32(type + 4 + length)) {
      std::string name(reinterpret_cast<const char*>(type), 4);
      for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '?';
      throw Reason{"corrupt PNG data (checksum mismatch in chunk '" + name + "')"};
    }
    if (std::memcmp(type, "eXIf", 4) == 0) h.orientation = exif_orientation(b.sub(pos + 8, length));
    if (std::memcmp(type, "IEND", 4) == 0) return;
    pos += 12 + size_t{length};
  }
}

bool is_jpeg_sof(int m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

void check_jpeg(Bytes b, Header& h) {
  // Markers FF xx after SOI; every segment but the standalone ones carries a 16-bit length. After the
  // first SOS comes entropy-coded data, in which FF is always followed by 00 or a restart marker,
  // so FF D9 there can only be the end-of-image marker: a file without it was cut short.
  h.format = "JPEG";
  bool have_sof = false, have_exif = false;
  size_t pos = 2;
  while (true) {
    if (!b.has(pos, 2)) throw Reason{"file is truncated (no JPEG image data)"};
    if (b.data[pos] != 0xFF) throw Reason{"corrupt JPEG header"};
    while (b.has(pos, 2) && b.data[pos + 1] == 0xFF) ++pos;  // fill bytes
    if (!b.has(pos, 2)) throw Reason{"file is truncated (no JPEG image data)"};
    const int marker = b.data[pos + 1];
    pos += 2;
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;
    if (marker == 0xD9) throw Reason{"corrupt JPEG (end of image before any image data)"};
    if (!b.has(pos, 2)) throw Reason{"file is truncated (no JPEG image data)"};
    const uint32_t length = be16(b.data + pos);
    if (length < 2) throw Reason{"corrupt JPEG header"};
    if (!b.has(pos, length)) throw Reason{"file is truncated (no JPEG image data)"};
    const Bytes segment = b.sub(pos + 2, length - 2);
    if (marker == 0xE1 && !have_exif && segment.has(0, 6) && std::memcmp(segment.data, "Exif\0\0", 6) == 0) {
      have_exif = true;
      h.orientation = exif_orientation(segment);
    }
    if (is_jpeg_sof(marker) && !have_sof) {
      // precision(1) height(2) width(2) components(1)
      if (!segment.has(0, 6)) throw Reason{"corrupt JPEG header"};
      h.height = be16(segment.data + 1);
      h.width = be16(segment.data + 3);
      h.gray = segment.data[5] == 1;
      have_sof = true;
    }
    pos += length;
    if (marker == 0xDA) {
      if (!have_sof) throw Reason{"corrupt JPEG header (no frame header before the image data)"};
      for (size_t i = pos; i + 1 < b.size; ++i) {
        if (b.data[i] == 0xFF && b.data[i + 1] == 0xD9) return;
      }
      throw Reason{"file is truncated (no JPEG end-of-image marker)"};
    }
  }
}

void check_webp(Bytes b, Header& h) {
  // "RIFF" size "WEBP", then chunks: fourcc, uint32 LE size, data padded to even length.
  h.format = "WebP";
  const uint64_t riff_end = uint64_t{le32(b.data + 4)} + 8;
  if (riff_end > b.size) throw Reason{"file is truncated (WebP data shorter than declared)"};
  const Bytes riff = b.sub(0, static_cast<size_t>(riff_end));
  bool have_size = false;
  size_t pos = 12;
  while (riff.has(pos, 8)) {
    const uint8_t* fourcc = riff.data + pos;
    const uint32_t size = le32(riff.data + pos + 4);
    if (!riff.has(pos + 8, size)) throw Reason{"file is truncated (WebP chunk cut short)"};
    const Bytes d = riff.sub(pos + 8, size);
    if (!have_size && std::memcmp(fourcc, "VP8X", 4) == 0 && d.has(0, 10)) {
      h.width = le24(d.data + 4) + 1;
      h.height = le24(d.data + 7) + 1;
      have_size = true;
    } else if (!have_size && std::memcmp(fourcc, "VP8 ", 4) == 0 && d.has(0, 10)) {
      h.width = le16(d.data + 6) & 0x3fff;
      h.height = le16(d.data + 8) & 0x3fff;
      have_size = true;
    } else if (!have_size && std::memcmp(fourcc, "VP8L", 4) == 0 && d.has(0, 5)) {
      const uint32_t bits = le32(d.data + 1);
      h.width = (bits & 0x3fff) + 1;
      h.height = ((bits >> 14) & 0x3fff) + 1;
      have_size = true;
    } else if (std::memcmp(fourcc, "EXIF", 4) == 0) {
      h.orientation = exif_orientation(d);
    }
    pos += 8 + size_t{size} + (size & 1);
  }
  if (!have_size) throw Reason{"corrupt WebP file (no image header)"};
}

void check_tiff(Bytes b, Header& h) {
  h.format = "TIFF";
  TiffReader tiff(b);
  if (!tiff.parse()) throw Reason{"file is truncated or corrupt (no TIFF directory)"};
  h.width = static_cast<long long>(tiff.value(256, 0));
  h.height = static_cast<long long>(tiff.value(257, 0));
  h.gray = tiff.value(262, 2) <= 1 && tiff.value(277, 1) <= 2;  // photometric min-is-white/black
  // Every strip (or tile) must lie inside the file.
  for (const auto& [offsets_tag, counts_tag] : {std::pair<uint16_t, uint16_t>{273, 279}, {324, 325}}) {
    const std::vector<uint64_t> offsets = tiff.values(offsets_tag, 1u << 24);
    const std::vector<uint64_t> counts = tiff.values(counts_tag, 1u << 24);
    for (size_t i = 0; i < std::min(offsets.size(), counts.size()); ++i) {
      if (offsets[i] > b.size || counts[i] > b.size - offsets[i]) throw Reason{"file is truncated (TIFF image data cut short)"};
    }
  }
}

void check_bmp(Bytes b, Header& h) {
  h.format = "BMP";
  if (!b.has(0, 26)) throw Reason{"file is truncated (no BMP header)"};
  const uint32_t data_offset = le32(b.data + 10);
  const uint32_t header_size = le32(b.data + 14);
  int bits = 0;
  uint32_t compression = 0;
  // OpenCV's decoder asserts (and prints) on other header sizes and compression codes.
  if (header_size != 12 && header_size < 40) throw Reason{"corrupt BMP header (header size " + std::to_string(header_size) + ")"};
  if (header_size == 12) {
    h.width = le16(b.data + 18);
    h.height = le16(b.data + 20);
    bits = static_cast<int>(le16(b.data + 24));
  } else {
    if (!b.has(0, 34)) throw Reason{"file is truncated (no BMP header)"};
    h.width = static_cast<int32_t>(le32(b.data + 18));
    h.height = std::llabs(static_cast<int32_t>(le32(b.data + 22)));  // negative: stored top-down
    bits = static_cast<int>(le16(b.data + 28));
    compression = le32(b.data + 30);
    if (compression > 3) throw Reason{"unsupported BMP compression " + std::to_string(compression)};
  }
  // Uncompressed rows are padded to 4 bytes; all of them must be in the file.
  if ((compression == 0 || compression == 3) && h.width > 0 && h.width <= kMaxImageSide && h.height <= kMaxImageSide) {
    const long long row = (h.width * bits + 31) / 32 * 4;
    if (static_cast<unsigned long long>(data_offset) + static_cast<unsigned long long>(row * h.height) > b.size) {
      throw Reason{"file is truncated (BMP pixel data cut short)"};
    }
  }
}

Header check_header(Bytes b) {
  Header h;
  const uint8_t* p = b.data;
  if (b.has(0, 8) && std::memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0) check_png(b, h);
  else if (b.has(0, 3) && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) check_jpeg(b, h);
  else if (b.has(0, 12) && std::memcmp(p, "RIFF", 4) == 0 && std::memcmp(p + 8, "WEBP", 4) == 0) check_webp(b, h);
  else if (b.has(0, 4) && (std::memcmp(p, "II*\0", 4) == 0 || std::memcmp(p, "MM\0*", 4) == 0 ||
                           std::memcmp(p, "II+\0", 4) == 0 || std::memcmp(p, "MM\0+", 4) == 0)) check_tiff(b, h);
  else if (b.has(0, 2) && p[0] == 'B' && p[1] == 'M') check_bmp(b, h);
  else throw Reason{"not a supported image file (expected PNG, JPEG, TIFF, WebP or BMP)"};

  const std::string size = std::to_string(h.width) + "x" + std::to_string(h.height);
  if (h.width <= 0 || h.height <= 0) throw Reason{std::string(h.format) + " header declares an empty size " + size};
  if (h.width > kMaxImageSide || h.height > kMaxImageSide || h.width * h.height > kMaxImagePixels) {
    throw Reason{std::string(h.format) + " header declares " + size + " pixels, too large (limit " +
                 std::to_string(kMaxImageSide) + " a side, " + std::to_string(kMaxImagePixels / 1000000) +
                 " megapixels)"};
  }
  return h;
}

// EXIF orientation 1..8 -> the upright image (same transforms as OpenCV's imread).
cv::Mat apply_orientation(const cv::Mat& m, int orientation) {
  if (m.empty() || orientation <= 1 || orientation > 8) return m;
  cv::Mat out;
  switch (orientation) {
    case 2: cv::flip(m, out, 1); break;   // mirrored left-right
    case 3: cv::flip(m, out, -1); break;  // rotated 180
    case 4: cv::flip(m, out, 0); break;   // mirrored top-bottom
    default: {
      cv::transpose(m, out);
      if (orientation == 6) cv::flip(out, out, 1);        // rotate 90 clockwise
      else if (orientation == 7) cv::flip(out, out, -1);  // transverse
      else if (orientation == 8) cv::flip(out, out, 0);   // rotate 90 counter-clockwise
    }
  }
  return out;
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) throw Reason{"file does not exist"};
  if (fs::is_directory(st)) throw Reason{"is a directory"};
  if (!fs::is_regular_file(st)) throw Reason{"not a regular file"};
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) throw Reason{"cannot get the file size: " + ec.message()};
  if (size == 0) throw Reason{"file is empty"};
  if (size > kMaxFileBytes) throw Reason{"file is larger than 1 GiB"};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Reason{std::string("cannot open: ") + std::strerror(errno)};
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) throw Reason{"read error"};
  return bytes;
}

Image decode(const std::vector<uint8_t>& bytes) {
  const Header header = check_header({bytes.data(), bytes.size()});
  cv::Mat decoded;
  try {
    QuietOpenCv quiet;
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8U, const_cast<uint8_t*>(bytes.data()));
    decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw Reason{std::string("cannot decode ") + header.format + " data: " + e.err};
  }
  if (decoded.empty()) throw Reason{std::string("corrupt or unsupported ") + header.format + " data"};
  if (decoded.depth() != CV_8U && decoded.depth() != CV_16U) {
    throw Reason{"unsupported sample type (only 8- and 16-bit integer images are read)"};
  }
  Image image;
  image.bit_depth = decoded.depth() == CV_16U ? 16 : 8;
  switch (decoded.channels()) {
    case 1: image.pixels = decoded; break;
    case 3: image.pixels = decoded; break;
    case 2:
    case 4: {
      std::vector<cv::Mat> planes;
      cv::split(decoded, planes);
      image.alpha = planes.back();
      planes.pop_back();
      if (planes.size() == 1) image.pixels = planes[0];
      else cv::merge(planes, image.pixels);
      break;
    }
    default: throw Reason{"unsupported channel count " + std::to_string(decoded.channels())};
  }
  image.was_gray = header.gray || image.pixels.channels() == 1;
  if (image.was_gray && image.pixels.channels() == 3) cv::extractChannel(image.pixels, image.pixels, 0);
  image.pixels = apply_orientation(image.pixels, header.orientation);
  image.alpha = apply_orientation(image.alpha, header.orientation);
  return image;
}

[[noreturn]] void write_error(const std::string& path, const std::string& reason) {
  throw IoError("cannot write image '" + path + "': " + reason);
}

// out = c * a + white * (1 - a), for formats without alpha.
cv::Mat composite_over_white(const cv::Mat& pixels, const cv::Mat& alpha) {
  const double peak = pixels.depth() == CV_16U ? 65535.0 : 255.0;
  cv::Mat c, a;
  pixels.convertTo(c, CV_32F, 1.0 / peak);
  alpha.convertTo(a, CV_32F, 1.0 / (alpha.depth() == CV_16U ? 65535.0 : 255.0));
  if (c.channels() == 3) cv::cvtColor(a, a, cv::COLOR_GRAY2BGR);
  cv::Mat out = c.mul(a) + (cv::Scalar::all(1.0) - a);
  out.convertTo(out, pixels.depth(), peak);
  return out;
}

void write_encoded(const std::string& path, const std::vector<uint8_t>& encoded) {
  const std::string reason = try_write_file_atomically(path, encoded.data(), encoded.size());
  if (!reason.empty()) write_error(path, reason);
}

}  // namespace

Image decode_image(const std::vector<uint8_t>& bytes, const std::string& name) {
  try {
    if (bytes.empty()) throw Reason{"file is empty"};
    if (bytes.size() > kMaxFileBytes) throw Reason{"file is larger than 1 GiB"};
    return decode(bytes);
  } catch (const Reason& r) {
    throw IoError("cannot read image '" + name + "': " + r.text);
  }
}

Image read_image(const std::string& path) {
  std::vector<uint8_t> bytes;
  try {
    bytes = read_bytes(path);
  } catch (const Reason& r) {
    throw IoError("cannot read image '" + path + "': " + r.text);
  }
  return decode_image(bytes, path);
}

bool has_image_extension(const std::string& path) {
  const std::string ext = lower_extension(path);
  return std::any_of(std::begin(kImageExtensions), std::end(kImageExtensions),
                     [&](const char* e) { return ext == e; });
}

void write_image(const std::string& path, const cv::Mat& bgr_or_gray, const cv::Mat& alpha) {
  const std::string ext = lower_extension(path);
  if (!has_image_extension(path)) {
    write_error(path, "unsupported output extension '" + ext + "' (use .png, .jpg, .jpeg, .tif, .tiff, .webp or .bmp)");
  }
  // Validate the destination first: no point encoding for a directory that is not there.
  const fs::path target(path);
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code ec;
  if (!fs::exists(dir, ec)) write_error(path, "directory '" + dir.string() + "' does not exist");
  if (!fs::is_directory(dir, ec)) write_error(path, "'" + dir.string() + "' is not a directory");
  if (fs::is_directory(target, ec)) write_error(path, "is a directory");

  const cv::Mat& px = bgr_or_gray;
  if (px.empty()) write_error(path, "the image is empty");
  if (px.depth() != CV_8U && px.depth() != CV_16U) write_error(path, "expected 8- or 16-bit pixels (CV_8U or CV_16U)");
  if (px.channels() != 1 && px.channels() != 3 && px.channels() != 4) {
    write_error(path, "expected 1, 3 or 4 channels, got " + std::to_string(px.channels()));
  }
  cv::Mat color = px, a = alpha;
  if (px.channels() == 4) {
    if (!alpha.empty()) write_error(path, "got BGRA pixels and a separate alpha");
    cv::cvtColor(px, color, cv::COLOR_BGRA2BGR);
    cv::extractChannel(px, a, 3);
  }
  if (!a.empty()) {
    if (a.channels() != 1 || a.size() != px.size() || (a.depth() != CV_8U && a.depth() != CV_16U)) {
      write_error(path, "alpha must be one 8- or 16-bit channel of the image's size " + std::to_string(px.cols) + "x" +
                            std::to_string(px.rows));
    }
    if (a.depth() != color.depth()) {
      a.convertTo(a, color.depth(), color.depth() == CV_16U ? 257.0 : 1.0 / 257.0);
    }
  }

  const bool keeps_16 = ext == ".png" || ext == ".tif" || ext == ".tiff";
  const bool keeps_alpha = keeps_16 || ext == ".webp";
  if (!a.empty() && !keeps_alpha) {
    color = composite_over_white(color, a);
    a = cv::Mat();
  }
  if (!keeps_16) {
    color = to_8bit(color);
    if (!a.empty()) a = to_8bit(a);
  }
  cv::Mat out = color;
  if (!a.empty()) {
    cv::Mat bgr = color;
    if (color.channels() == 1) cv::cvtColor(color, bgr, cv::COLOR_GRAY2BGR);  // no gray+alpha encoder
    cv::merge(std::vector<cv::Mat>{bgr, a}, out);
  }
  std::vector<int> params;
  if (ext == ".jpg" || ext == ".jpeg") params = {cv::IMWRITE_JPEG_QUALITY, 95};

  std::vector<uint8_t> encoded;
  bool ok = false;
  try {
    QuietOpenCv quiet;
    ok = cv::imencode(ext, out, encoded, params);
  } catch (const cv::Exception& e) {
    write_error(path, "encoding failed: " + e.err);
  }
  if (!ok || encoded.empty()) write_error(path, "encoding failed");
  write_encoded(path, encoded);
}

std::vector<std::string> list_images(const std::vector<std::string>& inputs, bool recursive) {
  std::set<std::string> found;
  auto consider = [&](const fs::directory_entry& entry) {
    const std::string name = entry.path().filename().string();
    std::error_code ec;
    if (!name.empty() && name[0] != '.' && entry.is_regular_file(ec) && has_image_extension(name)) {
      found.insert(entry.path().string());
    }
  };
  for (const std::string& input : inputs) {
    std::error_code ec;
    const fs::file_status st = fs::status(input, ec);
    if (!fs::exists(st)) throw IoError("cannot find input '" + input + "': no such file or directory");
    if (!fs::is_directory(st)) {
      found.insert(input);
      continue;
    }
    const auto options = fs::directory_options::skip_permission_denied;
    if (recursive) {
      for (fs::recursive_directory_iterator it(input, options, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code dir_ec;
        if (!name.empty() && name[0] == '.' && it->is_directory(dir_ec)) {
          it.disable_recursion_pending();
          continue;
        }
        consider(*it);
      }
    } else {
      for (fs::directory_iterator it(input, options, ec), end; !ec && it != end; it.increment(ec)) consider(*it);
    }
    if (ec) throw IoError("cannot list directory '" + input + "': " + ec.message());
  }
  return {found.begin(), found.end()};
}

}  // namespace neuroshop
