// Carrying per-frame decisions along the motion, so colours and strokes are decided once and do not
// flicker: each output frame is the per-frame result blended with the previous OUTPUT warped along
// the flow of the input frames, where that flow is reliable (Ruder et al. 2016's consistency test);
// occluded and newly visible pixels, and every pixel after a scene cut, take the per-frame result
// as it is. Applied recursively this is an exponential average along motion trajectories, the
// "blind" temporal consistency of Bonneel et al. 2015 / Lai et al. 2018 in its simplest form: it
// works for any per-frame method (colorize, stylize).
// Not here: the per-frame methods, reading or writing clips (process.h).
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

#include "apps/video/flow.h"

namespace neuroshop::video {

enum class Carried {
  kChroma,  // only the colour (Lab a, b) is carried; the frame keeps the result's lightness (colorize)
  kColour,  // all three channels (stylize)
};

struct TemporalOptions {
  double carry = 0.8;          // weight of the warped previous output where the motion is reliable
  double cut_threshold = 0.5;  // histogram distance (flow.h) above which a frame starts a new shot
  double min_reliable = 0.2;   // below this share of reliable pixels the frame also starts anew
  Carried carried = Carried::kChroma;
  FlowOptions flow;
};

class TemporalCarry {
 public:
  explicit TemporalCarry(const TemporalOptions& options);

  // input: the frame as read (8-bit BGR); result: the per-frame method's output for it (8-bit BGR,
  // same size). Returns the frame to write.
  cv::Mat next(const cv::Mat& input, const cv::Mat& result);
  // Continue after an earlier run that wrote `previous_output` for `previous_input`.
  void restore(const cv::Mat& previous_input, const cv::Mat& previous_output);

  int64_t cuts() const { return cuts_; }      // frames that started a new shot (the first frame excluded)
  double last_reliable() const { return last_reliable_; }

 private:
  TemporalOptions options_;
  cv::Mat previous_input_, previous_output_;
  int64_t cuts_ = 0;
  double last_reliable_ = 0.0;
};

// The blend itself, exposed for tests: out = m·(c·warped + (1−c)·result) + (1−m)·result, per pixel,
// on all channels or on Lab a, b only.
cv::Mat blend_carried(const cv::Mat& result, const cv::Mat& warped, const cv::Mat& reliable, double carry, Carried carried);

}  // namespace neuroshop::video
