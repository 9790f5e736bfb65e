// libFuzzer target: the .nsm model loader on arbitrary bytes. Every input must either load or be
// refused with a neuroshop::Error (ModelError, ArgumentError, ...): any other exception, a crash or
// undefined behaviour (ASan + UBSan) is a finding. Each input is tried twice: as it is (which mostly
// exercises the header and checksum checks) and with its size field and CRC-32 repaired, so
// mutations reach the parser of the body, the architecture text, the layer factory and the weight
// assignment, as load_model() runs them. A file that decodes must also survive an encode/decode
// round trip unchanged.
// Not here: the seed files (fuzz/make_seeds.cpp writes them) or running (scripts/fuzz.sh).
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "core/errors.h"
#include "core/model/layer_factory.h"
#include "core/model/model_file.h"

namespace {

using neuroshop::ModelFile;

// The bytes with the u64 total size (offset 8) and the trailing CRC-32 made consistent: the last
// four bytes are taken as the old checksum and replaced.
std::string repaired(std::string bytes) {
  constexpr size_t kHeader = 16, kChecksum = 4;
  if (bytes.size() < kHeader + kChecksum) return bytes;
  bytes.resize(bytes.size() - kChecksum);
  const uint64_t total = bytes.size() + kChecksum;
  for (int i = 0; i < 8; ++i) bytes[8 + static_cast<size_t>(i)] = static_cast<char>((total >> (8 * i)) & 0xff);
  const uint32_t crc = neuroshop::crc32(bytes.data(), bytes.size());
  for (int i = 0; i < 4; ++i) bytes += static_cast<char>((crc >> (8 * i)) & 0xff);
  return bytes;
}

void load(const std::string& bytes) {
  ModelFile file;
  try {
    file = neuroshop::decode_model_file(bytes, "fuzz.nsm");
  } catch (const neuroshop::Error&) {
    return;
  }
  // What decodes, encodes; and the encoding decodes to the same architecture, metadata and tensors.
  const std::string again = neuroshop::encode_model_file(file);
  const ModelFile round = neuroshop::decode_model_file(again, "round-trip.nsm");
  if (neuroshop::spec_to_text(round.architecture) != neuroshop::spec_to_text(file.architecture) ||
      round.metadata != file.metadata || round.values != file.values || round.tensors.size() != file.tensors.size() ||
      neuroshop::encode_model_file(round) != again)
    __builtin_trap();
  // As load_model(): build the network from the architecture, then copy the weights in.
  try {
    std::unique_ptr<neuroshop::Layer> net = neuroshop::make_layer(file.architecture);
    neuroshop::assign_weights(file, *net, "fuzz.nsm");
  } catch (const neuroshop::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  load(bytes);
  load(repaired(bytes));
  return 0;
}
