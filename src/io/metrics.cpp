// Colourfulness and PSNR; see metrics.h.
#include "io/metrics.h"

#include <cmath>
#include <limits>
#include <string>

#include "core/errors.h"

namespace neuroshop {

double colorfulness(const cv::Mat& bgr) {
  if (bgr.empty()) throw ShapeError("colorfulness: expected a non-empty image");
  if (bgr.channels() == 1) return 0.0;
  if (bgr.channels() != 3) {
    throw ShapeError("colorfulness: expected a BGR or gray image, got " + std::to_string(bgr.channels()) + " channels");
  }
  const double scale = bgr.depth() == CV_8U ? 1.0 : bgr.depth() == CV_16U ? 255.0 / 65535.0 : bgr.depth() == CV_32F ? 255.0 : 0.0;
  if (scale == 0.0) throw ArgumentError("colorfulness: expected CV_8U, CV_16U or CV_32F pixels");
  cv::Mat img;
  bgr.convertTo(img, CV_64F, scale);
  // Sums in double; one pass for mean and variance of rg and yb.
  double sum_rg = 0, sum_yb = 0, sq_rg = 0, sq_yb = 0;
  for (int y = 0; y < img.rows; ++y) {
    const double* p = img.ptr<double>(y);
    for (int x = 0; x < img.cols; ++x, p += 3) {
      const double rg = p[2] - p[1];
      const double yb = 0.5 * (p[2] + p[1]) - p[0];
      sum_rg += rg;
      sum_yb += yb;
      sq_rg += rg * rg;
      sq_yb += yb * yb;
    }
  }
  const double n = static_cast<double>(img.total());
  const double mean_rg = sum_rg / n, mean_yb = sum_yb / n;
  // population variance, clamped at 0 against rounding
  const double var_rg = std::max(0.0, sq_rg / n - mean_rg * mean_rg);
  const double var_yb = std::max(0.0, sq_yb / n - mean_yb * mean_yb);
  return std::sqrt(var_rg + var_yb) + 0.3 * std::sqrt(mean_rg * mean_rg + mean_yb * mean_yb);
}

double psnr(const cv::Mat& a, const cv::Mat& b) {
  if (a.empty() || a.size() != b.size() || a.channels() != b.channels()) {
    throw ShapeError("psnr: expected two non-empty images of the same size and channel count, got " +
                     std::to_string(a.cols) + "x" + std::to_string(a.rows) + "x" + std::to_string(a.channels()) + " and " +
                     std::to_string(b.cols) + "x" + std::to_string(b.rows) + "x" + std::to_string(b.channels()));
  }
  if (a.depth() != CV_8U || b.depth() != CV_8U) throw ArgumentError("psnr: expected 8-bit (CV_8U) images");
  const double sse = cv::norm(a, b, cv::NORM_L2SQR);
  if (sse == 0.0) return std::numeric_limits<double>::infinity();
  const double mse = sse / static_cast<double>(a.total() * a.channels());
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

}  // namespace neuroshop
