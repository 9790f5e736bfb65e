// Motion between consecutive frames, for carrying decisions along it: dense optical flow (OpenCV's
// DIS, Kroeger et al. 2016), the forward-backward consistency check of Ruder, Dosovitskiy & Brox
// 2016 for occluded and unreliable pixels, backward warping, and scene-cut detection by
// lightness-histogram distance.
// Conventions: flow(t -> t-1) at pixel x of frame t is the displacement d such that frame t-1 at
// x + d shows the same point; warp(image_{t-1}, flow) samples it there, giving frame t's view.
// Not here: what is carried (temporal.h), measuring flicker (video_eval.h).
#pragma once

#include <opencv2/core.hpp>

namespace neuroshop::video {

struct FlowOptions {
  int max_side = 640;  // the flow is computed on frames scaled down to this long side (and scaled back)
};

struct Motion {
  cv::Mat flow;      // CV_32FC2, frame size: flow(t -> t-1)
  cv::Mat reliable;  // CV_32F in {0, 1}: 1 where the forward-backward check passes and x + d is inside
  double reliable_fraction = 0.0;
};

// Flow from frame `current` (t) back to `previous` (t-1), both 8-bit BGR or gray of one size.
Motion estimate_motion(const cv::Mat& previous, const cv::Mat& current, const FlowOptions& options = {});

// image_{t-1} seen from frame t: out(x) = image(x + flow(x)), border replicated; bilinear, or
// bicubic where an image is warped again and again (temporal.h), since repeated bilinear
// resampling blurs.
cv::Mat warp_back(const cv::Mat& image, const cv::Mat& flow, bool cubic = false);

// Ruder et al.'s test with their constants: reliable where
// |f(x) + b(x + f(x))|² <= 0.01 (|f(x)|² + |b(x + f(x))|²) + 0.5, f = flow(t -> t-1), b = flow(t-1 -> t).
cv::Mat consistent(const cv::Mat& forward, const cv::Mat& backward);

// Chi-square distance between the 32-bin lightness histograms of two frames, in [0, 1]: 0 for the
// same histogram, near 1 for disjoint ones. A cut when above `threshold` (scene_cut's default 0.5).
double histogram_distance(const cv::Mat& a, const cv::Mat& b);
bool scene_cut(const cv::Mat& previous, const cv::Mat& current, double threshold = 0.5);

}  // namespace neuroshop::video
