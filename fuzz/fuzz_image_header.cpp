// libFuzzer target: image decoding (io/image_file.h decode_image) on arbitrary bytes. Every input
// must either decode into a well-formed Image or be refused with a neuroshop::Error (IoError); a
// crash, a hang, a huge allocation, another exception or undefined behaviour is a finding. Each
// input is tried as it is and, when it is a PNG, with every chunk's CRC-32 repaired, so mutations
// get past the checksum check into the size checks and the decoder behind them.
// Not here: the seed images (fuzz/make_seeds.cpp) or running (scripts/fuzz.sh).
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/errors.h"
#include "core/model/model_file.h"  // crc32
#include "io/image_file.h"

namespace {

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// A PNG's bytes with the CRC of every whole chunk recomputed; other bytes unchanged.
std::vector<uint8_t> png_with_repaired_crcs(std::vector<uint8_t> b) {
  if (b.size() < 8 || std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) != 0) return b;
  size_t pos = 8;
  while (pos + 12 <= b.size()) {
    const uint64_t length = be32(&b[pos]);
    if (length > b.size() - pos - 12) break;
    const uint32_t crc = neuroshop::crc32(&b[pos + 4], static_cast<size_t>(length) + 4);
    uint8_t* out = &b[pos + 8 + static_cast<size_t>(length)];
    for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
    pos += 12 + static_cast<size_t>(length);
  }
  return b;
}

void decode(const std::vector<uint8_t>& bytes) {
  try {
    const neuroshop::Image image = neuroshop::decode_image(bytes, "fuzz");
    const cv::Mat& px = image.pixels;
    const bool well_formed =
        !px.empty() && (px.channels() == 1 || px.channels() == 3) && (px.depth() == CV_8U || px.depth() == CV_16U) &&
        px.cols <= neuroshop::kMaxImageSide && px.rows <= neuroshop::kMaxImageSide &&
        (image.alpha.empty() || (image.alpha.size() == px.size() && image.alpha.channels() == 1)) &&
        (image.bit_depth == 8 || image.bit_depth == 16);
    if (!well_formed) __builtin_trap();
  } catch (const neuroshop::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  decode(bytes);
  const std::vector<uint8_t> repaired = png_with_repaired_crcs(bytes);
  if (repaired != bytes) decode(repaired);
  return 0;
}
