// A furniture item for the try-on: its picture cut out (colour + alpha, cropped to the silhouette)
// and, when known, its real dimensions and the view it was photographed or rendered from.
// Dimensions come from a sidecar `items.tsv` in the item's folder, a tab-separated table with a
// header naming at least the columns
//   file  width_cm  depth_cm  height_cm          (optional: item_name  azimuth_deg  elevation_deg)
// azimuth/elevation describe the camera that took the picture (0/0: straight from the front at
// eye level), so the silhouette's apparent extents can be derived from the real ones.
// Not here: matting networks (matte/model.h supplies the `network` cut-out), placement (tryon.h).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace neuroshop::tryon {

struct ItemDimensions {
  std::string name;
  double width_cm = 0.0, depth_cm = 0.0, height_cm = 0.0;
  double azimuth_deg = 0.0, elevation_deg = 0.0;  // the picture's camera
};

// The row for `item_path`'s file name in the items.tsv beside it; nullopt when there is no sidecar
// or no row. Throws IoError naming the sidecar and line when it is malformed.
std::optional<ItemDimensions> find_item_dimensions(const std::string& item_path);

// A row of a tab-separated table with a header line (items.tsv, catalogue.tsv).
struct TsvRow {
  std::vector<std::string> cells;
  const std::map<std::string, size_t>* column = nullptr;  // header name -> index
  std::string who;                                        // "FILE line N", for messages
  // The cell under the header `name`; empty when the column or the cell is missing.
  std::string cell(const std::string& name) const;
};
// Reads the table at `path` (empty lines, '#' comments and CR line ends skipped) and calls `row`
// for every row after the header until it returns false. IoError "FILE line N: the header has no
// 'X' column" when a `required` column is missing. False when the file cannot be opened.
bool read_tsv(const std::string& path, const std::vector<std::string>& required,
              const std::function<bool(const TsvRow&)>& row);

// The silhouette's vertical extent in cm for the picture's view:
//   H cos(e) + (W |sin a| + D |cos a|) sin(e)
// (the front face's height plus the top face's foreshortened depth).
double apparent_height_cm(const ItemDimensions& dims);
// The silhouette's horizontal extent in cm: W |cos a| + D |sin a|.
double apparent_width_cm(const ItemDimensions& dims);
// The same dimensions scaled by `factor` (a user-given height or width overriding the sidecar's).
ItemDimensions scaled(const ItemDimensions& dims, double factor);

enum class CutoutMode {
  kAuto,     // the file's alpha if it has one, else the matting network when loaded, else GrabCut
  kAlpha,    // the file's alpha; an error when it has none
  kNetwork,  // the matting network (ignores any alpha in the file)
  kGrabcut,  // OpenCV's GrabCut initialised from the plain background (ignores any alpha)
};
// "auto" | "alpha" | "network" | "grabcut"; ArgumentError otherwise.
CutoutMode parse_cutout_mode(const std::string& text);

// "X,Y" in pixels -> point (ArgumentError naming `who`, e.g. "--at", otherwise).
cv::Point2d parse_point(const std::string& text, const std::string& who);

// A product photo (BGR CV_32FC3 in [0, 1]) -> alpha (CV_32F in [0, 1]); empty when no network is loaded.
using NetworkCutout = std::function<cv::Mat(const cv::Mat& bgr)>;

struct ItemImage {
  std::string path;
  cv::Mat bgr;     // CV_32FC3 in [0, 1], cropped to the silhouette's bounding box
  cv::Mat alpha;   // CV_32F in [0, 1], same size
  std::optional<ItemDimensions> dims;
  std::string cutout;  // how the alpha was obtained: "alpha", "network" or "grabcut"
  std::string view;    // a catalogue item's view ("34", "front"); empty for a plain picture
};

// Reads the picture (io/image_file.h), cuts it out, crops it to where alpha > 0.02.
// Throws IoError for unreadable files, ArgumentError when the cut-out is empty or `alpha` mode
// meets a file without alpha, or `network` mode has no network.
ItemImage load_item(const std::string& path, CutoutMode mode, const NetworkCutout& network = {});

// The item mirrored left-right and/or rotated by `degrees` (counter-clockwise, canvas grown to
// fit), re-cropped to its silhouette. Colours are resampled premultiplied so edges keep no fringe.
ItemImage transform_item(const ItemImage& item, bool flip, double degrees);

// The bounding box of alpha > threshold (empty rect when none).
cv::Rect alpha_bounds(const cv::Mat& alpha, float threshold = 0.02f);

}  // namespace neuroshop::tryon
