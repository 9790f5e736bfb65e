// The try-on page's render request: the "scene" form field, a JSON object in the manner of a
// `tryon --scene` file, except that an item names its picture by where it comes from, never by a
// path:
//   {"items": [{"sample": "sofa_beige_34.png", "at": [620, 900], "height_cm": 85},
//              {"upload": "item0", "at": [200, 850], "width_cm": 40, "flip": true, "rotate": 0}],
//    "horizon": null, "camera_height_cm": 150, "harmonize": true, "poisson_seams": false,
//    "before_after": false}
// "sample" is a name from the server's sample listing; "upload" the form field holding the picture
// (item0 .. item15). Unknown keys are refused so a misspelt field is not silently ignored. Every
// error is HttpError 400 naming the field: "scene: items[0].at: expected [x, y] of two numbers".
// Not here: resolving samples or uploads to files, and checking `at` against the room (service.h and
// tryon::validate_placements, the same check the CLI makes).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "apps/tryon/scene.h"

namespace neuroshop::serve {

constexpr int kMaxTryOnItems = 16;

// Where one item's picture comes from: exactly one of the two is set.
struct ItemSource {
  std::string sample;  // a sample item's file name
  std::string upload;  // a form field name, "item0" .. "item15"
};

struct TryOnForm {
  std::vector<tryon::ItemPlacement> items;  // `file` left empty; `who` is "items[i]", from_scene set
  std::vector<ItemSource> sources;          // one per item
  std::optional<double> horizon_y;          // nullopt: estimated, as the CLI does
  double camera_height_cm = 150.0;          // the CLI's default
  bool harmonize = true;
  bool poisson_seams = false;  // the CLI's --poisson-seams
  bool before_after = false;
};

TryOnForm parse_tryon_form(const std::string& scene_json);

}  // namespace neuroshop::serve
