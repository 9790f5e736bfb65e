// Parsing the try-on page's scene field; see tryon_form.h.
#include "apps/serve/tryon_form.h"

#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "apps/serve/http.h"

namespace neuroshop::serve {
using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& field, const std::string& what) {
  throw HttpError(400, "scene: " + field + ": " + what);
}

std::string shown(const json& v) {
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

double number(const json& v, const std::string& field) {
  if (!v.is_number()) fail(field, "expected a number, got " + shown(v));
  const double d = v.get<double>();
  if (!std::isfinite(d)) fail(field, "expected a finite number, got " + shown(v));
  return d;
}

bool boolean(const json& v, const std::string& field) {
  if (!v.is_boolean()) fail(field, "expected true or false, got " + shown(v));
  return v.get<bool>();
}

std::string text(const json& v, const std::string& field) {
  if (!v.is_string()) fail(field, "expected a string, got " + shown(v));
  return v.get<std::string>();
}

void only_keys(const json& object, const std::set<std::string>& allowed, const std::string& field) {
  for (auto it = object.begin(); it != object.end(); ++it)
    if (!allowed.count(it.key())) fail(field, "unknown field '" + it.key() + "'");
}

bool is_upload_field(const std::string& name) {
  if (name.rfind("item", 0) != 0 || name.size() < 5 || name.size() > 6) return false;
  for (size_t i = 4; i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return false;
  return std::stoi(name.substr(4)) < kMaxTryOnItems;
}

}  // namespace

TryOnForm parse_tryon_form(const std::string& scene_json) {
  json root;
  try {
    root = json::parse(scene_json);
  } catch (const json::parse_error& e) {
    throw HttpError(400, std::string("scene: not valid JSON (") + e.what() + ")");
  }
  if (!root.is_object()) throw HttpError(400, "scene: expected a JSON object, got " + shown(root));
  only_keys(root, {"items", "in_front", "horizon", "camera_height_cm", "harmonize", "poisson_seams", "before_after"}, "scene");

  TryOnForm form;
  if (root.contains("horizon") && !root["horizon"].is_null()) form.horizon_y = number(root["horizon"], "horizon");
  if (root.contains("camera_height_cm")) {
    form.camera_height_cm = number(root["camera_height_cm"], "camera_height_cm");
    if (form.camera_height_cm < 10.0 || form.camera_height_cm > 10000.0)
      fail("camera_height_cm", "expected a height in [10, 10000] cm, got " + shown(root["camera_height_cm"]));
  }
  if (root.contains("harmonize")) form.harmonize = boolean(root["harmonize"], "harmonize");
  if (root.contains("poisson_seams")) form.poisson_seams = boolean(root["poisson_seams"], "poisson_seams");
  if (root.contains("before_after")) form.before_after = boolean(root["before_after"], "before_after");
  if (root.contains("in_front")) {
    const json& points = root["in_front"];
    if (!points.is_array() || points.size() > static_cast<size_t>(kMaxTryOnItems))
      fail("in_front", "expected an array of at most " + std::to_string(kMaxTryOnItems) + " points [x, y], got " + shown(points));
    for (size_t k = 0; k < points.size(); ++k) {
      const std::string field = "in_front[" + std::to_string(k) + "]";
      if (!points[k].is_array() || points[k].size() != 2) fail(field, "expected [x, y] of two numbers, got " + shown(points[k]));
      form.in_front.emplace_back(number(points[k][0], field + "[0]"), number(points[k][1], field + "[1]"));
    }
  }

  if (!root.contains("items") || !root["items"].is_array() || root["items"].empty())
    fail("items", "expected a non-empty array of items");
  const json& items = root["items"];
  if (items.size() > static_cast<size_t>(kMaxTryOnItems))
    fail("items", "at most " + std::to_string(kMaxTryOnItems) + " items, got " + std::to_string(items.size()));
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string who = "items[" + std::to_string(i) + "]";
    const json& item = items[i];
    if (!item.is_object()) fail(who, "expected an object, got " + shown(item));
    only_keys(item, {"catalogue", "view", "sample", "upload", "at", "height_cm", "width_cm", "height_px", "rotate", "flip", "order"},
              who);
    ItemSource source;
    if (item.contains("catalogue")) source.catalogue = text(item["catalogue"], who + ".catalogue");
    if (item.contains("sample")) source.sample = text(item["sample"], who + ".sample");
    if (item.contains("upload")) source.upload = text(item["upload"], who + ".upload");
    if (!source.catalogue.empty() + !source.sample.empty() + !source.upload.empty() != 1)
      fail(who, "expected exactly one of \"catalogue\" (a catalogue item's name), \"sample\" (a sample's name) and "
                "\"upload\" (a form field)");
    if (item.contains("view") && source.catalogue.empty()) fail(who + ".view", "only catalogue items have views");
    if (item.contains("upload") && !is_upload_field(source.upload))
      fail(who + ".upload", "expected a form field item0 .. item" + std::to_string(kMaxTryOnItems - 1) + ", got " +
                                shown(item["upload"]));

    tryon::ItemPlacement p;
    p.who = who;
    p.from_scene = true;
    if (item.contains("view")) p.view = text(item["view"], who + ".view");
    if (item.contains("at")) {
      const json& at = item["at"];
      if (!at.is_array() || at.size() != 2) fail(who + ".at", "expected [x, y] of two numbers, got " + shown(at));
      p.at = cv::Point2d(number(at[0], who + ".at[0]"), number(at[1], who + ".at[1]"));
    }
    if (item.contains("height_cm")) p.height_cm = number(item["height_cm"], who + ".height_cm");
    if (item.contains("width_cm")) p.width_cm = number(item["width_cm"], who + ".width_cm");
    if (item.contains("height_px")) p.height_px = number(item["height_px"], who + ".height_px");
    if (item.contains("rotate")) p.rotate_deg = number(item["rotate"], who + ".rotate");
    if (item.contains("flip")) p.flip = boolean(item["flip"], who + ".flip");
    if (item.contains("order")) {
      const double order = number(item["order"], who + ".order");
      if (order != std::floor(order) || std::abs(order) > 1000) fail(who + ".order", "expected an integer, got " + shown(item["order"]));
      p.order = static_cast<int>(order);
    }
    form.items.push_back(p);
    form.sources.push_back(source);
  }
  return form;
}

}  // namespace neuroshop::serve
