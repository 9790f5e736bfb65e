// Where the room's light comes from and how strong its shadows are; see composite.h.
#include "apps/tryon/composite.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "io/color.h"

namespace neuroshop::tryon {
namespace {

cv::Mat luminance(const cv::Mat& bgr) {
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  return gray;
}

cv::Mat shrink_to(const cv::Mat& image, int long_side) {
  const double s = std::min(1.0, static_cast<double>(long_side) / std::max(image.cols, image.rows));
  if (s >= 1.0) return image;
  cv::Mat out;
  cv::resize(image, out, cv::Size(), s, s, cv::INTER_AREA);
  return out;
}


}  // namespace

cv::Point2d estimate_light(const cv::Mat& room) {
  const cv::Mat small = shrink_to(room, 24);
  cv::Mat lum = luminance(small);
  cv::GaussianBlur(lum, lum, cv::Size(3, 3), 0.8);
  cv::Point best;
  cv::minMaxLoc(lum, nullptr, nullptr, nullptr, &best);
  const double sx = static_cast<double>(room.cols) / small.cols, sy = static_cast<double>(room.rows) / small.rows;
  return {(best.x + 0.5) * sx, (best.y + 0.5) * sy};
}

ShadowStrength shadow_strength(const cv::Mat& room) {
  const cv::Mat lum = luminance(shrink_to(room, 256));
  std::vector<float> v(lum.begin<float>(), lum.end<float>());
  std::sort(v.begin(), v.end());
  const double p5 = v[v.size() * 5 / 100], p95 = v[std::min(v.size() - 1, v.size() * 95 / 100)];
  ShadowStrength s;
  s.contrast = p95 - p5;
  s.cast = std::clamp(0.12 + 0.45 * s.contrast, 0.12, 0.5);
  s.contact = std::clamp(0.35 + 0.35 * s.contrast, 0.35, 0.7);
  return s;
}

}  // namespace neuroshop::tryon
