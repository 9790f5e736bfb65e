// CRC-32 (ISO 3309 / ITU-T V.42, the checksum of PNG, zlib and .nsm model files), table-driven.
// One implementation for the engine's model files and io's PNG header checks.
// Not here: any file format (core/model/model_file.h, io/image_file.h).
#pragma once

#include <cstddef>
#include <cstdint>

namespace neuroshop {

// The CRC of `size` bytes at `data`, continuing from `crc` (0 to start): crc32(b, n2, crc32(a, n1))
// is the CRC of a followed by b.
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace neuroshop
