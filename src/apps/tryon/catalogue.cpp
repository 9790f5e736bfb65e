// The furniture catalogue and the choice of view; see catalogue.h.
#include "apps/tryon/catalogue.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "core/errors.h"
#include "core/parse_number.h"

namespace neuroshop::tryon {
namespace fs = std::filesystem;
namespace {

std::string degrees_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f°", v);
  return buf;
}

// Levenshtein distance, one row at a time.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> words(const std::string& name) {
  std::vector<std::string> out;
  std::string w;
  for (char c : name + "-") {
    if (c == '-' || c == '_' || c == ' ') {
      if (!w.empty()) out.push_back(w);
      w.clear();
    } else {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// "34=sofa-34.png@-30,17" -> the view (file resolved against `dir`); IoError naming `who`.
CatalogueView parse_view(const std::string& text, const fs::path& dir, const std::string& who) {
  const size_t eq = text.find('='), at = text.find('@', eq == std::string::npos ? 0 : eq), comma = text.find(',', at == std::string::npos ? 0 : at);
  if (eq == std::string::npos || at == std::string::npos || comma == std::string::npos || eq == 0 || at == eq + 1)
    throw IoError(who + ": expected a view as VIEW=FILE@AZIMUTH,ELEVATION, got '" + text + "'");
  CatalogueView v;
  v.name = text.substr(0, eq);
  v.file = (dir / text.substr(eq + 1, at - eq - 1)).string();
  const std::optional<double> az = parse_finite(text.substr(at + 1, comma - at - 1));
  const std::optional<double> el = parse_finite(text.substr(comma + 1));
  if (!az || !el || std::abs(*az) > 180 || *el < -90 || *el > 90)
    throw IoError(who + ": expected the view's camera as AZIMUTH,ELEVATION in degrees, got '" + text.substr(at + 1) + "'");
  v.azimuth_deg = *az;
  v.elevation_deg = *el;
  if (!fs::is_regular_file(v.file)) throw IoError(who + ": view " + v.name + ": no picture '" + v.file + "'");
  return v;
}

}  // namespace

ItemDimensions CatalogueItem::dimensions(const CatalogueView& v) const {
  ItemDimensions d;
  d.name = title;
  d.width_cm = width_cm;
  d.depth_cm = depth_cm;
  d.height_cm = height_cm;
  d.azimuth_deg = v.azimuth_deg;
  d.elevation_deg = v.elevation_deg;
  return d;
}

const CatalogueItem* Catalogue::find(const std::string& name) const {
  for (const CatalogueItem& it : items)
    if (it.name == name) return &it;
  return nullptr;
}

std::vector<std::string> Catalogue::close_names(const std::string& name, size_t count) const {
  // Score: edit distance, less for every word shared ("sofa" finds every sofa).
  const std::vector<std::string> asked = words(name);
  std::vector<std::pair<double, std::string>> scored;
  for (const CatalogueItem& it : items) {
    double score = static_cast<double>(edit_distance(name, it.name));
    for (const std::string& w : words(it.name))
      if (std::find(asked.begin(), asked.end(), w) != asked.end()) score -= 0.5 * static_cast<double>(w.size());
    if (score <= 0.5 * static_cast<double>(std::max(name.size(), it.name.size()))) scored.emplace_back(score, it.name);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < count; ++i) out.push_back(scored[i].second);
  return out;
}

std::vector<std::string> Catalogue::categories() const {
  std::vector<std::string> out;
  for (const CatalogueItem& it : items)
    if (std::find(out.begin(), out.end(), it.category) == out.end()) out.push_back(it.category);
  return out;
}

Catalogue read_catalogue(const std::string& path) {
  Catalogue catalogue;
  catalogue.path = path;
  const fs::path dir = fs::path(path).parent_path();
  const bool opened = read_tsv(path, {"name", "title", "category", "width_cm", "depth_cm", "height_cm", "views"}, [&](const TsvRow& r) {
    auto size = [&](const std::string& name, bool may_be_zero) {
      const std::optional<double> v = parse_finite(r.cell(name));
      if (!v || *v < 0 || (*v == 0 && !may_be_zero) || *v > 10000)
        throw IoError(r.who + ": " + name + ": expected a size in cm, got '" + r.cell(name) + "'");
      return *v;
    };
    CatalogueItem it;
    it.name = r.cell("name");
    if (it.name.empty() || it.name.find_first_of("/\\ ") != std::string::npos)
      throw IoError(r.who + ": name: expected a short name such as sofa-winchester, got '" + it.name + "'");
    if (catalogue.find(it.name)) throw IoError(r.who + ": the name '" + it.name + "' is used twice");
    it.title = r.cell("title").empty() ? it.name : r.cell("title");
    it.category = r.cell("category").empty() ? "Other" : r.cell("category");
    it.width_cm = size("width_cm", false);
    it.depth_cm = size("depth_cm", true);
    it.height_cm = size("height_cm", false);
    std::istringstream views(r.cell("views"));
    for (std::string v; views >> v;) {
      it.views.push_back(parse_view(v, dir, r.who));
      for (size_t k = 0; k + 1 < it.views.size(); ++k)
        if (it.views[k].name == it.views.back().name) throw IoError(r.who + ": view '" + v + "' is given twice");
    }
    if (it.views.empty()) throw IoError(r.who + ": views: expected at least one VIEW=FILE@AZIMUTH,ELEVATION");
    it.creator = r.cell("creator");
    it.licence = r.cell("licence");
    it.licence_url = r.cell("licence_url");
    it.source = r.cell("source");
    it.attribution = r.cell("attribution");
    catalogue.items.push_back(it);
    return true;
  });
  if (!opened) throw IoError("cannot read the catalogue '" + path + "'");
  if (catalogue.items.empty()) throw IoError(path + ": expected a header line and at least one item");
  return catalogue;
}

double sight_elevation_deg(double y_floor, double y_horizon, double focal_px) {
  return std::atan2(y_floor - y_horizon, focal_px) * 180.0 / M_PI;
}

ViewChoice choose_view(const std::vector<CatalogueView>& views, double sight_deg, const std::string& wanted,
                       const std::string& who) {
  ViewChoice choice;
  if (!wanted.empty()) {
    for (size_t i = 0; i < views.size(); ++i)
      if (views[i].name == wanted) {
        choice.index = i;
        choice.reason = "given (--view); the room looks " + degrees_text(sight_deg) + " down at the floor point";
        return choice;
      }
    std::string names;
    for (const CatalogueView& v : views) names += (names.empty() ? "" : ", ") + v.name;
    throw ArgumentError(who + ": expected one of the item's views (" + names + "), got '" + wanted + "'");
  }
  for (size_t i = 1; i < views.size(); ++i)
    if (std::abs(views[i].elevation_deg - sight_deg) < std::abs(views[choice.index].elevation_deg - sight_deg))
      choice.index = i;
  const CatalogueView& v = views[choice.index];
  choice.reason = "camera " + degrees_text(v.elevation_deg) + " down" +
                  (views.size() > 1 ? ", the nearest" : std::string(", the only view")) + " to the room's " +
                  degrees_text(sight_deg) + " at the floor point";
  return choice;
}

std::string close_names_hint(const Catalogue& catalogue, const std::string& name) {
  std::string list;
  for (const std::string& c : catalogue.close_names(name)) list += (list.empty() ? "" : ", ") + c;
  return list.empty() ? std::string("(`neuroshop items` lists them)") : "(close: " + list + ")";
}

std::string unknown_item_message(const Catalogue& catalogue, const std::string& name, const std::string& who) {
  return who + ": no file '" + name + "', and no catalogue item of that name " + close_names_hint(catalogue, name);
}

}  // namespace neuroshop::tryon
