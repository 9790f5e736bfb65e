// Warping error; see warping_error.h.
#include "apps/video/warping_error.h"

#include "core/errors.h"

namespace neuroshop::video {

void WarpingError::add(const Motion& motion, const cv::Mat& previous_output, const cv::Mat& output) {
  if (previous_output.size() != output.size() || output.size() != motion.flow.size() || output.type() != CV_8UC3 ||
      previous_output.type() != CV_8UC3)
    throw ArgumentError("warping error: expected two 8-bit BGR frames of the flow's size");
  const cv::Mat warped = warp_back(previous_output, motion.flow);
  double sum = 0.0, weight = 0.0;
  for (int y = 0; y < output.rows; ++y) {
    const cv::Vec3b* o = output.ptr<cv::Vec3b>(y);
    const cv::Vec3b* w = warped.ptr<cv::Vec3b>(y);
    const float* m = motion.reliable.ptr<float>(y);
    for (int x = 0; x < output.cols; ++x) {
      if (m[x] <= 0.0f) continue;
      double d2 = 0.0;
      for (int c = 0; c < 3; ++c) {
        const double d = (static_cast<double>(o[x][c]) - static_cast<double>(w[x][c])) / 255.0;
        d2 += d * d;
      }
      sum += m[x] * d2;
      weight += m[x];
    }
  }
  if (weight <= 0.0) return;  // nothing reliable to compare (a cut): the pair is not counted
  sum_ += sum / weight;
  ++frames_;
}

}  // namespace neuroshop::video
