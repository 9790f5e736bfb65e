// What to put where: one ItemPlacement per item (from the command line or a scene file) and the
// scene file itself, JSON read with nlohmann-json:
//   {"room": "room.jpg", "horizon": 480, "camera_height_cm": 150,
//    "items": [{"file": "sofa.png", "at": [620, 900], "height_cm": 85, "flip": false, "order": 0},
//              {"file": "lamp.png", "at": [200, 850], "width_cm": 40, "rotate": 0},
//              {"item": "sofa-winchester", "at": [700, 880], "view": "front"}]}
// Only "items" (with each item's "file" or "item") is required; paths are relative to the scene
// file's folder; a name that is no file there (and has no '/' nor '.') is a catalogue item (catalogue.h).
// Every error names the file and the field:
//   scene.json: items[1].at: expected [x, y] inside the 1024x768 image, got [2000, 10]
// Not here: loading pictures (item.h), the compositing (tryon.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace neuroshop::tryon {

struct ItemPlacement {
  std::string file;
  std::optional<cv::Point2d> at;             // footprint centre on the floor, room pixels
  std::optional<double> height_px;           // one size at most
  std::optional<double> height_cm;
  std::optional<double> width_cm;
  double rotate_deg = 0.0;
  bool flip = false;
  std::optional<int> order;                  // drawing order (lower first); default: farther first
  std::string view;                          // a catalogue item's view; empty: the one that suits the place
  // Names the item in messages: "scene.json: items[1]" or "--item 2 'sofa.png'".
  std::string who;
  bool from_scene = false;                   // fields are then named ".at", otherwise " --at"

  // "scene.json: items[1].at" or "--item 2 'sofa.png' --at"
  std::string field(const std::string& name) const;
};

struct Scene {
  std::string room;                          // empty when the file names none
  std::optional<double> horizon_y;
  std::optional<double> camera_height_cm;
  std::vector<ItemPlacement> items;
};

// Parses scene JSON; `who` names the file in messages, relative paths are resolved against
// `base_dir`. Throws IoError (not JSON) or ArgumentError (a field of the wrong type or value).
Scene parse_scene(const std::string& text, const std::string& who, const std::string& base_dir);
// Reads and parses a scene file (IoError when unreadable).
Scene read_scene(const std::string& path);

// Checks placements against the room (ArgumentError naming the field): `at` inside the image,
// sizes positive and finite, at most one size per item, rotation within ±180°.
void validate_placements(const std::vector<ItemPlacement>& items, cv::Size room_size);

}  // namespace neuroshop::tryon
