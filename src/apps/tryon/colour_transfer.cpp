// Lab statistics and Reinhard et al. (2001) colour transfer; see composite.h.
#include "apps/tryon/composite.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "io/color.h"

namespace neuroshop::tryon {

LabStats lab_stats(const cv::Mat& bgr, const cv::Mat& weight) {
  const cv::Mat lab = bgr_to_lab(bgr);
  double sum[3] = {0, 0, 0}, sq[3] = {0, 0, 0};
  double n = 0;
  for (int y = 0; y < lab.rows; ++y) {
    const cv::Vec3f* p = lab.ptr<cv::Vec3f>(y);
    const float* w = weight.empty() ? nullptr : weight.ptr<float>(y);
    for (int x = 0; x < lab.cols; ++x) {
      if (w && w[x] <= 0.5f) continue;
      for (int c = 0; c < 3; ++c) {
        sum[c] += p[x][c];
        sq[c] += static_cast<double>(p[x][c]) * p[x][c];
      }
      n += 1;
    }
  }
  LabStats s;
  if (n < 1) return s;
  for (int c = 0; c < 3; ++c) {
    s.mean[c] = sum[c] / n;
    s.stddev[c] = std::sqrt(std::max(1e-6, sq[c] / n - s.mean[c] * s.mean[c]));
  }
  return s;
}

cv::Mat reinhard_transfer(const cv::Mat& bgr, const LabStats& source, const LabStats& target, double strength) {
  cv::Mat lab = bgr_to_lab(bgr);
  float gain[3], shift[3];
  for (int c = 0; c < 3; ++c) {
    const double ratio = std::clamp(target.stddev[c] / std::max(1e-3, source.stddev[c]), 0.5, 2.0);
    // x + s (mean_t + r (x − mean_s) − x) = (1 + s (r − 1)) x + s (mean_t − r mean_s)
    gain[c] = static_cast<float>(1.0 + strength * (ratio - 1.0));
    shift[c] = static_cast<float>(strength * (target.mean[c] - ratio * source.mean[c]));
  }
  for (int y = 0; y < lab.rows; ++y) {
    cv::Vec3f* p = lab.ptr<cv::Vec3f>(y);
    for (int x = 0; x < lab.cols; ++x)
      for (int c = 0; c < 3; ++c) p[x][c] = gain[c] * p[x][c] + shift[c];
  }
  cv::Mat out = lab_to_bgr(lab);
  cv::min(cv::max(out, 0.0f), 1.0f, out);
  return out;
}

}  // namespace neuroshop::tryon
