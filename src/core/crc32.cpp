// CRC-32; see crc32.h.
#include "core/crc32.h"

#include <array>

namespace neuroshop {

uint32_t crc32(const void* data, size_t size, uint32_t crc) {
  // table[i] = the CRC remainder of byte i, for the reflected polynomial 0xedb88320.
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  const unsigned char* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

}  // namespace neuroshop
