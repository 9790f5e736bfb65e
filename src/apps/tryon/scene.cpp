// Scene files and placement checks; see scene.h.
#include "apps/tryon/scene.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/errors.h"

namespace neuroshop::tryon {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string number_text(double v) {
  std::ostringstream ss;
  ss << v;
  return ss.str();
}

// A finite number, or ArgumentError naming the field.
double get_number(const json& v, const std::string& field) {
  if (!v.is_number()) throw ArgumentError(field + ": expected a number, got " + v.dump());
  const double d = v.get<double>();
  if (!std::isfinite(d)) throw ArgumentError(field + ": expected a finite number, got " + v.dump());
  return d;
}

std::string resolve(const std::string& path, const std::string& base_dir) {
  if (path.empty() || fs::path(path).is_absolute() || base_dir.empty()) return path;
  return (fs::path(base_dir) / path).string();
}

}  // namespace

std::string ItemPlacement::field(const std::string& name) const {
  return from_scene ? who + "." + name : who + " --" + name;
}

Scene parse_scene(const std::string& text, const std::string& who, const std::string& base_dir) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number such as 1e999
    throw IoError(who + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!root.is_object()) throw ArgumentError(who + ": expected a JSON object {\"room\": ..., \"items\": [...]}");
  static const std::set<std::string> kTop = {"room", "items", "horizon", "camera_height_cm"};
  static const std::set<std::string> kItem = {"file", "item", "view", "at", "height_px", "height_cm", "width_cm", "rotate", "flip", "order"};
  for (const auto& [key, value] : root.items())
    if (!kTop.count(key))
      throw ArgumentError(who + ": unknown field '" + key + "' (known: room, items, horizon, camera_height_cm)");

  Scene scene;
  if (root.contains("room")) {
    if (!root["room"].is_string() || root["room"].get<std::string>().empty())
      throw ArgumentError(who + ": room: expected a file name, got " + root["room"].dump());
    scene.room = resolve(root["room"].get<std::string>(), base_dir);
  }
  if (root.contains("horizon")) scene.horizon_y = get_number(root["horizon"], who + ": horizon");
  if (root.contains("camera_height_cm")) {
    scene.camera_height_cm = get_number(root["camera_height_cm"], who + ": camera_height_cm");
    if (*scene.camera_height_cm <= 0)
      throw ArgumentError(who + ": camera_height_cm: expected a positive height, got " + root["camera_height_cm"].dump());
  }
  if (!root.contains("items")) throw ArgumentError(who + ": items: missing (a list of {\"file\": ..., \"at\": [x, y]})");
  const json& items = root["items"];
  if (!items.is_array() || items.empty())
    throw ArgumentError(who + ": items: expected a non-empty list, got " + items.dump());
  for (size_t i = 0; i < items.size(); ++i) {
    const json& it = items[i];
    ItemPlacement p;
    p.who = who + ": items[" + std::to_string(i) + "]";
    p.from_scene = true;
    if (!it.is_object()) throw ArgumentError(p.who + ": expected an object {\"file\": ..., \"at\": [x, y]}, got " + it.dump());
    for (const auto& [key, value] : it.items())
      if (!kItem.count(key))
        throw ArgumentError(p.who + ": unknown field '" + key +
                            "' (known: file, item, view, at, height_px, height_cm, width_cm, rotate, flip, order)");
    // "file" or "item": a picture (relative to the scene's folder) or a catalogue name.
    const char* key = it.contains("item") ? "item" : "file";
    if (it.contains("item") && it.contains("file")) throw ArgumentError(p.who + ": give \"file\" or \"item\", not both");
    if (!it.contains(key) || !it[key].is_string() || it[key].get<std::string>().empty())
      throw ArgumentError(p.field(key) + ": expected the item's image file name or catalogue name" +
                          (it.contains(key) ? ", got " + it[key].dump() : std::string(" (missing)")));
    const std::string given = it[key].get<std::string>();
    p.file = resolve(given, base_dir);
    std::error_code ec;
    if (!fs::exists(p.file, ec) && given.find_first_of("/\\.") == std::string::npos) p.file = given;  // a catalogue name
    if (it.contains("view")) {
      if (!it["view"].is_string() || it["view"].get<std::string>().empty())
        throw ArgumentError(p.field("view") + ": expected a view name such as \"front\", got " + it["view"].dump());
      p.view = it["view"].get<std::string>();
    }
    if (it.contains("at")) {
      const json& at = it["at"];
      if (!at.is_array() || at.size() != 2 || !at[0].is_number() || !at[1].is_number())
        throw ArgumentError(p.field("at") + ": expected [x, y] in room pixels, got " + at.dump());
      p.at = cv::Point2d(get_number(at[0], p.field("at")), get_number(at[1], p.field("at")));
    }
    if (it.contains("height_px")) p.height_px = get_number(it["height_px"], p.field("height_px"));
    if (it.contains("height_cm")) p.height_cm = get_number(it["height_cm"], p.field("height_cm"));
    if (it.contains("width_cm")) p.width_cm = get_number(it["width_cm"], p.field("width_cm"));
    if (it.contains("rotate")) p.rotate_deg = get_number(it["rotate"], p.field("rotate"));
    if (it.contains("flip")) {
      if (!it["flip"].is_boolean()) throw ArgumentError(p.field("flip") + ": expected true or false, got " + it["flip"].dump());
      p.flip = it["flip"].get<bool>();
    }
    if (it.contains("order")) {
      if (!it["order"].is_number_integer())
        throw ArgumentError(p.field("order") + ": expected an integer, got " + it["order"].dump());
      p.order = it["order"].get<int>();
    }
    scene.items.push_back(p);
  }
  return scene;
}

Scene read_scene(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in || fs::is_directory(path)) throw IoError("cannot read scene file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_scene(ss.str(), fs::path(path).filename().string(), fs::path(path).parent_path().string());
}

void validate_placements(const std::vector<ItemPlacement>& items, cv::Size room) {
  const std::string image = std::to_string(room.width) + "x" + std::to_string(room.height) + " image";
  for (const ItemPlacement& p : items) {
    if (p.at) {
      const cv::Point2d a = *p.at;
      if (!(a.x >= 0 && a.x < room.width && a.y >= 0 && a.y < room.height)) {
        const std::string got = p.from_scene ? "[" + number_text(a.x) + ", " + number_text(a.y) + "]"
                                             : number_text(a.x) + "," + number_text(a.y);
        throw ArgumentError(p.field("at") + ": expected " + (p.from_scene ? "[x, y]" : "X,Y") + " inside the " + image +
                            ", got " + got);
      }
    }
    int sizes = 0;
    for (const auto& [name, value] : {std::pair<const char*, const std::optional<double>*>{"height_px", &p.height_px},
                                      {"height_cm", &p.height_cm},
                                      {"width_cm", &p.width_cm}}) {
      if (!value->has_value()) continue;
      ++sizes;
      const std::string field = p.field(p.from_scene ? name : std::string(name) == "height_px" ? "height-px"
                                                            : std::string(name) == "height_cm" ? "height-cm"
                                                                                               : "width-cm");
      if (!(**value > 0) || !std::isfinite(**value) || **value > 1e6)
        throw ArgumentError(field + ": expected a positive size, got " + number_text(**value));
    }
    if (sizes > 1)
      throw ArgumentError(p.who + ": give one size (height_px, height_cm or width_cm), got " + std::to_string(sizes));
    if (!(std::abs(p.rotate_deg) <= 180.0))
      throw ArgumentError(p.field("rotate") + ": expected degrees in [-180, 180], got " + number_text(p.rotate_deg));
  }
}

}  // namespace neuroshop::tryon
