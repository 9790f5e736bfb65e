// Pixel-value conversions; see pixels.h.
#include "io/pixels.h"

namespace neuroshop {

cv::Mat to_unit_float(const cv::Mat& samples, int bit_depth) {
  cv::Mat out;
  samples.convertTo(out, CV_32F, 1.0 / full_scale(bit_depth));
  return out;
}

cv::Mat to_8bit(const cv::Mat& samples) {
  if (samples.depth() == CV_8U) return samples;
  cv::Mat out;
  samples.convertTo(out, CV_8U, samples.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
  return out;
}

cv::Mat from_unit_float(const cv::Mat& unit, int bit_depth) {
  cv::Mat out;
  unit.convertTo(out, bit_depth == 16 ? CV_16U : CV_8U, full_scale(bit_depth));
  return out;
}

}  // namespace neuroshop
