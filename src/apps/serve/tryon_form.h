// The try-on page's render request: the "scene" form field, a JSON object in the manner of a
// `tryon --scene` file, except that an item names its picture by where it comes from, never by a
// path:
//   {"items": [{"sample": "sofa_beige_34.png", "at": [620, 900], "height_cm": 85},
//              {"catalogue": "sofa-winchester", "at": [400, 900], "view": "front"},
//              {"upload": "item0", "at": [200, 850], "width_cm": 40, "flip": true, "rotate": 0}],
//    "in_front": [[300, 1100]], "horizon": null, "camera_height_cm": 150, "harmonize": true,
//    "poisson_seams": false, "before_after": false}
// "sample" is a name from the server's sample listing, "catalogue" an item of the furniture
// catalogue; "upload" the form field holding the picture (item0 .. item15). "in_front": points on
// room objects kept in front of the items behind them (as `tryon --in-front`). Unknown keys are refused so a misspelt field is not silently ignored. Every
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

// Where one item's picture comes from: exactly one of the three is set.
struct ItemSource {
  std::string catalogue;  // a catalogue item's name
  std::string sample;  // a sample item's file name
  std::string upload;  // a form field name, "item0" .. "item15"
};

struct TryOnForm {
  std::vector<tryon::ItemPlacement> items;  // `file` left empty; `who` is "items[i]", from_scene set
  std::vector<ItemSource> sources;          // one per item
  std::vector<cv::Point2d> in_front;        // room objects kept in front
  std::optional<double> horizon_y;          // nullopt: estimated, as the CLI does
  double camera_height_cm = 150.0;          // the CLI's default
  bool harmonize = true;
  bool poisson_seams = false;  // the CLI's --poisson-seams
  bool before_after = false;
};

TryOnForm parse_tryon_form(const std::string& scene_json);

}  // namespace neuroshop::serve
