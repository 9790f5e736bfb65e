// libFuzzer target: the try-on scene parser (apps/tryon/scene.h) on arbitrary text, followed by
// the placement checks against a room. Every input must parse or be refused with a
// neuroshop::Error (IoError for broken JSON, ArgumentError for a wrong field); nlohmann's own
// exceptions escaping, a crash or undefined behaviour is a finding.
// Not here: the seed scenes (fuzz/make_seeds.cpp) or running (scripts/fuzz.sh).
#include <cstdint>
#include <string>

#include "apps/tryon/scene.h"
#include "core/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const neuroshop::tryon::Scene scene = neuroshop::tryon::parse_scene(text, "fuzz.json", "rooms");
    neuroshop::tryon::validate_placements(scene.items, cv::Size(640, 480));
  } catch (const neuroshop::Error&) {
  }
  return 0;
}
