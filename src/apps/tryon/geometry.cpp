// Horizon estimation and the size law; see geometry.h.
#include "apps/tryon/geometry.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "core/errors.h"
#include "core/rng.h"

namespace neuroshop::tryon {
namespace {

// A segment as the line n·p = c (n unit normal) plus what the vote needs.
struct Segment {
  cv::Point2d a, b, mid, dir;  // dir: unit direction
  cv::Point2d normal;
  double offset = 0.0;         // c in n·p = c
  double length = 0.0;
};

Segment make_segment(cv::Point2d a, cv::Point2d b) {
  Segment s;
  s.a = a;
  s.b = b;
  s.mid = (a + b) * 0.5;
  const cv::Point2d d = b - a;
  s.length = std::hypot(d.x, d.y);
  s.dir = d * (1.0 / s.length);
  s.normal = cv::Point2d(-s.dir.y, s.dir.x);
  s.offset = s.normal.dot(a);
  return s;
}

// Angle (radians, in [0, pi/2]) between the segment's line and the direction from its midpoint to p.
double angle_to(const Segment& s, cv::Point2d p) {
  const cv::Point2d v = p - s.mid;
  const double n = std::hypot(v.x, v.y);
  if (n < 1e-9) return 0.0;
  const double c = std::abs(v.dot(s.dir)) / n;
  return std::acos(std::min(1.0, c));
}

// Intersection of two segments' lines; false when (nearly) parallel.
bool intersect(const Segment& s, const Segment& t, cv::Point2d* p) {
  const double det = s.normal.x * t.normal.y - s.normal.y * t.normal.x;
  if (std::abs(det) < 1e-6) return false;
  p->x = (s.offset * t.normal.y - s.normal.y * t.offset) / det;
  p->y = (s.normal.x * t.offset - s.offset * t.normal.x) / det;
  return true;
}

// The point minimising sum_i w_i (n_i·p − c_i)^2 over the inliers (weights = lengths).
bool refine(const std::vector<Segment>& segs, const std::vector<int>& inliers, cv::Point2d* p) {
  double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0;
  for (int i : inliers) {
    const Segment& s = segs[static_cast<size_t>(i)];
    const double w = s.length;
    a11 += w * s.normal.x * s.normal.x;
    a12 += w * s.normal.x * s.normal.y;
    a22 += w * s.normal.y * s.normal.y;
    b1 += w * s.normal.x * s.offset;
    b2 += w * s.normal.y * s.offset;
  }
  const double det = a11 * a22 - a12 * a12;
  if (std::abs(det) < 1e-9 * (a11 * a22 + 1e-12)) return false;
  p->x = (b1 * a22 - a12 * b2) / det;
  p->y = (a11 * b2 - a12 * b1) / det;
  return true;
}

}  // namespace

double horizon_scale(cv::Size image_size, const HorizonOptions& options) {
  return std::min(1.0, static_cast<double>(options.work_side) / std::max(image_size.width, image_size.height));
}

HorizonEstimate estimate_horizon(const cv::Mat& image, const HorizonOptions& options) {
  if (image.empty()) throw ArgumentError("estimate_horizon: empty image");
  // Shrink first: a 12-megapixel photo is analysed at work_side.
  const double scale = horizon_scale(image.size(), options);
  cv::Mat small = image;
  if (scale < 1.0) cv::resize(image, small, cv::Size(), scale, scale, cv::INTER_AREA);
  return estimate_horizon_shrunk(small, image.size(), options);
}

HorizonEstimate estimate_horizon_shrunk(const cv::Mat& small, cv::Size image_size, const HorizonOptions& options) {
  if (small.empty() || image_size.empty()) throw ArgumentError("estimate_horizon: empty image");
  const double scale = horizon_scale(image_size, options);
  // The size cv::resize gives for this scale.
  const cv::Size expected = scale < 1.0 ? cv::Size(cvRound(image_size.width * scale), cvRound(image_size.height * scale))
                                        : image_size;
  if (small.size() != expected)
    throw ArgumentError("estimate_horizon: expected the " + std::to_string(image_size.width) + "x" +
                        std::to_string(image_size.height) + " photo shrunk to " + std::to_string(expected.width) + "x" +
                        std::to_string(expected.height) + ", got " + std::to_string(small.cols) + "x" +
                        std::to_string(small.rows));
  cv::Mat gray;
  if (small.channels() == 3) {
    cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
  } else if (small.channels() == 4) {
    cv::cvtColor(small, gray, cv::COLOR_BGRA2GRAY);
  } else {
    gray = small;
  }
  const double to_8u = gray.depth() == CV_8U ? 1.0 : gray.depth() == CV_16U ? 255.0 / 65535.0 : 255.0;
  gray.convertTo(gray, CV_8U, to_8u);
  const double W = gray.cols, H = gray.rows;
  const double diag = std::hypot(W, H);

  HorizonEstimate est;
  est.y = kHorizonPrior * image_size.height;

  std::vector<cv::Vec4f> raw;
  cv::createLineSegmentDetector(cv::LSD_REFINE_STD)->detect(gray, raw);
  // Segments that can point at a horizontal vanishing point: long enough, and neither near-vertical
  // (those meet at the vertical vanishing point) nor near-horizontal (parallel to the image plane:
  // their intersections are far away and say nothing about the horizon's row).
  std::vector<Segment> segs;
  for (const cv::Vec4f& r : raw) {
    const Segment s = make_segment({r[0], r[1]}, {r[2], r[3]});
    if (s.length < std::max(15.0, 0.025 * diag)) continue;
    const double deg = std::atan2(std::abs(s.dir.y), std::abs(s.dir.x)) * 180.0 / M_PI;  // 0 horizontal, 90 vertical
    if (deg < 4.0 || deg > 70.0) continue;
    segs.push_back(s);
  }
  est.segments = static_cast<int>(segs.size());

  const double tol = options.inlier_deg * M_PI / 180.0;
  Rng rng(options.seed);
  std::vector<bool> used(segs.size(), false);
  // Up to two vanishing points (two-point perspective); each needs real support.
  for (int round = 0; round < 2; ++round) {
    std::vector<int> free;
    for (size_t i = 0; i < segs.size(); ++i)
      if (!used[i]) free.push_back(static_cast<int>(i));
    if (free.size() < 3) break;
    double best_score = 0.0;
    cv::Point2d best;
    for (int64_t it = 0; it < options.iterations; ++it) {
      const int i = free[rng.below(free.size())], j = free[rng.below(free.size())];
      if (i == j) continue;
      cv::Point2d p;
      if (!intersect(segs[static_cast<size_t>(i)], segs[static_cast<size_t>(j)], &p)) continue;
      // Only finite points within reach say where the horizon is.
      if (p.x < -2.0 * W || p.x > 3.0 * W || p.y < -0.5 * H || p.y > 1.5 * H) continue;
      double score = 0.0;
      for (int k : free) {
        const Segment& s = segs[static_cast<size_t>(k)];
        if (angle_to(s, p) < tol) score += s.length;
      }
      if (score > best_score) {
        best_score = score;
        best = p;
      }
    }
    std::vector<int> inliers;
    for (int k : free)
      if (angle_to(segs[static_cast<size_t>(k)], best) < tol) inliers.push_back(k);
    // Evidence: at least 4 segments, adding up to a fifth of the diagonal, from both sides of the
    // point or at several angles (not one bundle of near-duplicates).
    double support = 0.0, min_deg = 90.0, max_deg = -90.0;
    for (int k : inliers) {
      const Segment& s = segs[static_cast<size_t>(k)];
      support += s.length;
      const double deg = std::atan2(s.mid.y - best.y, s.mid.x - best.x) * 180.0 / M_PI;
      min_deg = std::min(min_deg, deg);
      max_deg = std::max(max_deg, deg);
    }
    if (inliers.size() < 4 || support < 0.2 * diag || max_deg - min_deg < 10.0) break;
    cv::Point2d refined = best;
    if (refine(segs, inliers, &refined) && std::abs(refined.y - best.y) < 0.1 * H) best = refined;
    for (int k : inliers) used[static_cast<size_t>(k)] = true;
    est.vanishing_points.push_back({best * (1.0 / scale), support / scale, static_cast<int>(inliers.size())});
  }

  std::ostringstream note;
  if (est.vanishing_points.empty()) {
    note << "horizon: no clear vanishing point among " << est.segments << " line segments; assuming y = "
         << static_cast<int>(std::lround(est.y)) << " (" << kHorizonPrior << " of the height; set --horizon Y)";
  } else {
    // Two points on the horizon must lie near one row (no roll); otherwise trust the stronger.
    const VanishingPoint& a = est.vanishing_points[0];
    double y = a.point.y;
    if (est.vanishing_points.size() > 1) {
      const VanishingPoint& b = est.vanishing_points[1];
      if (std::abs(b.point.y - a.point.y) < 0.08 * image_size.height)
        y = (a.point.y * a.support + b.point.y * b.support) / (a.support + b.support);
      else
        est.vanishing_points.resize(1);
    }
    est.y = y;
    est.from_image = true;
    note << "horizon: y = " << static_cast<int>(std::lround(y)) << " from " << est.vanishing_points.size()
         << " vanishing point(s) of " << est.segments << " line segments";
  }
  est.note = note.str();
  return est;
}

double pixels_per_cm(double y_contact, double y_horizon, double camera_height_cm) {
  if (!(camera_height_cm > 0.0) || !std::isfinite(camera_height_cm))
    throw ArgumentError("camera height must be a positive number of cm, got " + std::to_string(camera_height_cm));
  if (!(y_contact > y_horizon + 0.5))
    throw ArgumentError("the floor point at y = " + std::to_string(static_cast<int>(std::lround(y_contact))) +
                        " is not below the horizon (y = " + std::to_string(static_cast<int>(std::lround(y_horizon))) +
                        "): place the item lower, or give --horizon / a size in pixels");
  return (y_contact - y_horizon) / camera_height_cm;
}

double pixel_height(double height_cm, double y_contact, double y_horizon, double camera_height_cm) {
  return height_cm * pixels_per_cm(y_contact, y_horizon, camera_height_cm);
}

double default_focal_px(cv::Size image_size) { return 1.2 * std::max(image_size.width, image_size.height); }

double floor_flattening(double y_contact, double y_horizon, double focal_px) {
  return std::clamp((y_contact - y_horizon) / focal_px, 0.05, 0.8);
}

}  // namespace neuroshop::tryon
