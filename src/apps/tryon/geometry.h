// Room geometry for the try-on: the horizon line from vanishing points of line segments, and the
// size law of Hoiem, Efros & Hebert 2006 ("Putting Objects in Perspective"): with a roughly level
// camera at height C above the floor, an object of real height H standing on the floor at image
// row y_c appears
//     pixel height = H · (y_c − y_horizon) / C
// so the pixels per centimetre at a floor point are (y_c − y_horizon) / C, and a floor disc seen
// there is flattened by about (y_c − y_horizon) / f (f the focal length in pixels).
// Horizon: line segments (OpenCV's LSD) that are neither near-vertical nor near-horizontal vote for
// vanishing points by RANSAC over pairs of segments; the horizon is the row of the strongest
// finite vanishing point(s) (no camera roll assumed). Without enough evidence it falls back to a
// prior row and says so in `note`.
// Not here: camera roll or pitch estimation, full camera calibration, compositing (composite.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace neuroshop::tryon {

// Where the horizon is assumed when the photo gives no evidence: this fraction of the height.
constexpr double kHorizonPrior = 0.45;

struct VanishingPoint {
  cv::Point2d point;       // in input pixels
  double support = 0.0;    // summed length (px) of the segments pointing at it
  int segments = 0;        // how many segments point at it
};

struct HorizonEstimate {
  double y = 0.0;                              // horizon row in input pixels
  bool from_image = false;                     // false: the prior (kHorizonPrior) was used
  int segments = 0;                            // segments considered
  std::vector<VanishingPoint> vanishing_points;  // the ones used, strongest first
  std::string note;                            // one line saying how y was obtained
};

struct HorizonOptions {
  int64_t work_side = 800;     // the photo is analysed with its long side at this size
  int64_t iterations = 600;    // RANSAC hypotheses per vanishing point
  double inlier_deg = 1.5;     // a segment points at a point when within this angle
  uint64_t seed = 1;           // RANSAC is deterministic for a given seed
};

// bgr: CV_8UC3, CV_16UC3 or CV_32FC3 (or gray). Throws ArgumentError on an empty image.
HorizonEstimate estimate_horizon(const cv::Mat& image, const HorizonOptions& options = {});

// The factor estimate_horizon shrinks a photo of this size by: its long side to options.work_side,
// never enlarged.
double horizon_scale(cv::Size image_size, const HorizonOptions& options = {});
// estimate_horizon for a caller that has already shrunk the photo that way (cv::resize by
// horizon_scale in both directions, INTER_AREA; the photo itself when the scale is 1), so a
// 12-megapixel photo analysed at that size anyway is not shrunk twice. image_size is the full
// photo's, and the results are in its pixels. Throws ArgumentError when `small` has another size.
HorizonEstimate estimate_horizon_shrunk(const cv::Mat& small, cv::Size image_size, const HorizonOptions& options = {});

// Pixels per centimetre at floor row y_contact: (y_contact − y_horizon) / camera_height_cm.
// Throws ArgumentError when y_contact is not below the horizon or the camera height is not positive.
double pixels_per_cm(double y_contact, double y_horizon, double camera_height_cm);

// The size law: H · (y_contact − y_horizon) / C.
double pixel_height(double height_cm, double y_contact, double y_horizon, double camera_height_cm);

// A default focal length for a photo of this size (a normal lens: 1.2 × the long side) in pixels.
double default_focal_px(cv::Size image_size);

// How much a floor shape at row y_contact is flattened vertically: (y_contact − y_horizon) / f,
// clamped to [0.05, 0.8].
double floor_flattening(double y_contact, double y_horizon, double focal_px);

}  // namespace neuroshop::tryon
