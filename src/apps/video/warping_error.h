// Flicker, measured as Lai et al. 2018 ("Learning Blind Video Temporal Consistency") do: the
// warping error of an output clip is the mean over frames t >= 1 of
//   sum_x M_t(x) ||O_t(x) − O_{t−1}(x + F_t(x))||² / sum_x M_t(x),
// with O in RGB scaled to [0, 1], F_t = flow(t -> t−1) and M_t its reliable-pixel mask (flow.h),
// both computed on the INPUT frames, so every method is judged against the same motion. The
// input clip's own warping error (interpolation, compression, lighting) is the floor; flicker is the
// output's minus the input's.
// Not here: producing the outputs (process.h).
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

#include "apps/video/flow.h"

namespace neuroshop::video {

class WarpingError {
 public:
  // One frame pair: the motion of the input frames t−1 -> t and two consecutive output frames.
  void add(const Motion& motion, const cv::Mat& previous_output, const cv::Mat& output);
  double mean() const { return frames_ > 0 ? sum_ / static_cast<double>(frames_) : 0.0; }
  int64_t frames() const { return frames_; }

 private:
  double sum_ = 0.0;
  int64_t frames_ = 0;
};

}  // namespace neuroshop::video
