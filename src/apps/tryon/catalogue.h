// The furniture catalogue of the try-on (samples/furniture/catalogue.tsv, made by
// scripts/furniture-catalogue.sh): items with a short name ("sofa-winchester"), a title, a
// category, real dimensions, one picture per view with the camera it was rendered from, and
// credits. A tab-separated table; lines starting with '#' are comments; the header names at least
//   name  title  category  width_cm  depth_cm  height_cm  views
// (credit columns: creator  licence  licence_url  source  attribution). `views` is
// VIEW=FILE@AZIMUTH,ELEVATION separated by spaces, files relative to the catalogue's folder.
// Also here: which view suits a place in the room (the camera's line of sight at the item's floor
// point, from the horizon and the focal length: the level-camera geometry of geometry.h).
// Not here: loading pictures (item.h), placing them (tryon.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "apps/tryon/item.h"

namespace neuroshop::tryon {

struct CatalogueView {
  std::string name;         // "34", "front"
  std::string file;         // full path
  double azimuth_deg = 0.0, elevation_deg = 0.0;
};

struct CatalogueItem {
  std::string name, title, category;
  double width_cm = 0.0, depth_cm = 0.0, height_cm = 0.0;
  std::vector<CatalogueView> views;
  std::string creator, licence, licence_url, source, attribution;

  // The item's dimensions seen from view `v`.
  ItemDimensions dimensions(const CatalogueView& v) const;
};

struct Catalogue {
  std::string path;
  std::vector<CatalogueItem> items;  // in file order

  const CatalogueItem* find(const std::string& name) const;
  // Up to `count` names nearest to `name` (edit distance, or sharing a word), nearest first.
  std::vector<std::string> close_names(const std::string& name, size_t count = 3) const;
  // The categories in order of first appearance.
  std::vector<std::string> categories() const;
};

// Reads and checks the catalogue: IoError naming the file and line for a missing column, a number
// that is not positive, a malformed view or a view file that is not there; a name given twice.
Catalogue read_catalogue(const std::string& path);

// How far below the horizontal the camera looks at a floor point at row y_floor, in degrees:
// atan((y_floor − y_horizon) / f) for a level camera (equally atan(camera height / distance)).
double sight_elevation_deg(double y_floor, double y_horizon, double focal_px);

struct ViewChoice {
  size_t index = 0;
  std::string reason;  // "given (--view) ..." or "camera 17.0° down, the nearest to the room's 15.2° at the floor point"
};
// Of `views` (only name and elevation_deg are used), the one whose camera elevation is nearest to
// `sight_deg`; `wanted` (a view name) overrides it. ArgumentError naming `who` and the views when
// `wanted` is not one of them.
ViewChoice choose_view(const std::vector<CatalogueView>& views, double sight_deg, const std::string& wanted,
                       const std::string& who);

// The message for a name that is neither a file nor a catalogue item:
//   "--item 1 'sofa-winchster': no file 'sofa-winchster', and no catalogue item of that name (close: ...)"
std::string unknown_item_message(const Catalogue& catalogue, const std::string& name, const std::string& who);
// "(close: sofa-winchester, sofa-corner)", or "(`neuroshop items` lists them)" when none is close.
std::string close_names_hint(const Catalogue& catalogue, const std::string& name);

}  // namespace neuroshop::tryon
