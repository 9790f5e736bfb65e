// The try-on: items placed into a room photo at real-world size (the horizon size law of
// geometry.h), with contact and cast shadows, feathered (optionally Poisson-blended) edges, colour
// matched to the room (a partial Reinhard transfer, or the harmonization network when one is
// given), and occluders kept in front (a mask file, or room objects picked by a point: in_front.h).
// Items are drawn farther-first (by their floor row) unless an explicit order is given. An item
// may come from the furniture catalogue (catalogue.h) by name; of its views the one whose camera
// looked down at the item most nearly as the room's camera looks at its floor point is drawn.
// Not here: argument parsing (src/cli/cmd_tryon.cpp), the networks themselves (harmonize/model.h,
// matte/model.h); they come in as plain functions so this file works with or without them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "apps/common/batch.h"
#include "apps/tryon/catalogue.h"
#include "apps/tryon/composite.h"
#include "apps/tryon/geometry.h"
#include "apps/tryon/in_front.h"
#include "apps/tryon/item.h"
#include "apps/tryon/scene.h"

namespace neuroshop::tryon {

// (composite BGR CV_32FC3 in [0, 1], mask CV_32F in [0, 1] marking the pasted item) -> the same
// composite with the item's colours harmonized (same size and type).
using HarmonizeFn = std::function<cv::Mat(const cv::Mat& composite, const cv::Mat& mask)>;

struct TryOnOptions {
  std::optional<double> horizon_y;       // nullopt: estimated from the room
  double camera_height_cm = 150.0;
  std::optional<cv::Point2d> light;      // nullopt: estimated (the room's brightest region)
  bool harmonize = true;                 // false: item colours untouched (--no-harmonize)
  double reinhard_strength = 0.3;        // the classical colour match, used when no network is given
  double max_colour_change = 0.06;       // mean absolute change colour matching may make (0..1 scale)
  bool shadows = true;
  bool poisson_seams = false;            // blend each item's edge into the room (composite_poisson_seam)
  double focal_px = 0.0;                 // 0: default_focal_px(room)
  cv::Mat occluder;                      // CV_32F in [0, 1], room-sized; 1 keeps the room pixel in front
  std::vector<cv::Point2d> in_front;     // room objects under these points stay in front of items behind them
};

struct PlacedReport {
  std::string file;
  cv::Point2d at;               // footprint centre used
  cv::Rect box;                 // the item's pixels in the room
  double height_px = 0.0;       // silhouette height after scaling
  double pixels_per_cm = 0.0;   // at the footprint (0 when the size was given in pixels)
  std::string size_from;        // "--height-px", "height_cm 84.8 (items.tsv)", ...
  std::string colour;           // "network", "reinhard" or "none"
  std::string cutout;
  std::string view;             // the catalogue view drawn; empty for a plain picture
  std::string view_reason;      // why that view
  double sight_deg = 0.0;       // how far the camera looks down at the floor point (catalogue items)
  std::vector<int> behind;      // the in-front objects (TryOnReport::in_front) hiding this item
};

struct InFrontReport {
  cv::Point2d point;
  cv::Rect box;                 // the object found there
  double contact_y = 0.0;       // its floor contact row
  std::vector<int> hides;       // the items behind it
};

struct TryOnReport {
  HorizonEstimate horizon;
  bool horizon_given = false;
  cv::Point2d light;
  bool light_given = false;
  ShadowStrength shadow;
  std::vector<PlacedReport> items;
  std::vector<InFrontReport> in_front;
};

// How big an item is drawn: the factor applied to its picture, and why.
struct ItemScale {
  double factor = 1.0;
  double pixels_per_cm = 0.0;
  std::string from;
};
// The size rule, in order: height_px; height_cm / width_cm (scaling the sidecar's dimensions when
// the item has them, so its view is accounted for); the sidecar's own dimensions. Real sizes use
// pixels_per_cm at the footprint row. ArgumentError when no size is known.
ItemScale item_scale(const ItemImage& item, const ItemPlacement& placement, double y_footprint, double y_horizon,
                     double camera_height_cm);

// The default floor point of item i of n: spread across the width, 65% of the way from the
// horizon to the bottom edge.
cv::Point2d default_position(int i, int n, cv::Size room, double y_horizon);

// room: BGR CV_32FC3 in [0, 1]; items[i] is drawn as placements[i] says (placements validated
// with validate_placements first). `harmonizer` may be empty. `report` may be null.
cv::Mat compose(const cv::Mat& room, const std::vector<ItemPlacement>& placements, const std::vector<ItemImage>& items,
                const TryOnOptions& options, const HarmonizeFn& harmonizer, TryOnReport* report);
// The same with every view of each item (views[i] for placements[i], each with dims and, when there
// are several, a view name): the view is chosen at the placement (choose_view, or placement.view).
cv::Mat compose_views(const cv::Mat& room, const std::vector<ItemPlacement>& placements,
                      const std::vector<std::vector<ItemImage>>& views, const TryOnOptions& options,
                      const HarmonizeFn& harmonizer, TryOnReport* report);

// The pictures of a placement: the file it names, or, when there is no such file, every view of the
// catalogue item of that name (dimensions from the catalogue). ArgumentError naming the placement
// when neither exists (with close catalogue names) or a plain file is given a view.
// `catalogue` may be null (no catalogue: names are files only).
std::vector<ItemImage> load_placement(const ItemPlacement& placement, const Catalogue* catalogue, CutoutMode mode,
                                      const NetworkCutout& network);

// An affine colour map fitted by least squares from `from` to `to` pixels where weight > 0.9
// (CV_32FC3 and CV_32F maps of one size), returned as a 3x4 matrix acting on (b, g, r, 1); the
// identity when fewer than 16 pixels qualify. Used to carry a low-resolution harmonization over
// to the full-resolution item.
cv::Matx34f fit_colour_map(const cv::Mat& from, const cv::Mat& to, const cv::Mat& weight);
cv::Mat apply_colour_map(const cv::Mat& bgr, const cv::Matx34f& map);
// The map moved towards the identity, M' = I + s (M − I), with the largest s <= 1 for which the mean
// absolute change of the pixels with weight > 0.5 stays within `max_change` (0..1 scale): colour
// matching may shift a product's light and cast, not turn a dark armchair light gray.
cv::Matx34f limit_colour_map(const cv::Matx34f& map, const cv::Mat& bgr, const cv::Mat& weight, double max_change);

// File-level try-on: reads the room and items, composes, writes `output` (and, with
// before_after, the room and the result side by side in that file instead).
struct TryOnJob {
  std::string room;
  std::vector<ItemPlacement> items;
  TryOnOptions options;
  CutoutMode cutout = CutoutMode::kAuto;
  std::string occluder;                  // mask file, empty for none
  std::string catalogue;                 // catalogue.tsv for items given by name; empty for none
  std::string output;
  bool before_after = false;
};
TryOnReport run_tryon(const TryOnJob& job, const HarmonizeFn& harmonizer = {}, const NetworkCutout& cutout = {});

// The work of run_tryon on a room image already read (job.room only names it; job.output is not
// used): the composite, or with before_after the room and the composite side by side, at the
// room's bit depth. `report` may be null.
Image try_on_image(const Image& room_image, const TryOnJob& job, const HarmonizeFn& harmonizer,
                   const NetworkCutout& cutout, TryOnReport* report);

// One scene over many rooms through the batch runner (apps/common/batch.h): every room of `batch`
// gets job's items and options (job.room and job.output are not used); each worker holds its own
// networks (networks.h) from these model files. Outputs default to NAME-tryon.EXT (before_after:
// NAME-before-after.EXT). reports[i] is plan entry i's report (left default where it failed).
apps::BatchReport try_on_rooms(const TryOnJob& job, apps::BatchOptions batch, const std::string& harmonize_model,
                               const std::string& matte_model, std::vector<TryOnReport>* reports,
                               const ProgressFn& progress = {});

}  // namespace neuroshop::tryon
