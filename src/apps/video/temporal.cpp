// Temporal carrying of per-frame results; see temporal.h.
#include "apps/video/temporal.h"

#include <opencv2/imgproc.hpp>

#include "core/errors.h"
#include "io/color.h"

namespace neuroshop::video {

cv::Mat blend_carried(const cv::Mat& result, const cv::Mat& warped, const cv::Mat& reliable, double carry, Carried carried) {
  cv::Mat weight;  // c·m, softened over 5 px so the carried region has no hard seam
  cv::blur(reliable, weight, cv::Size(5, 5));
  weight *= carry;
  if (carried == Carried::kColour) {
    cv::Mat r, w, out(result.size(), CV_32FC3);
    result.convertTo(r, CV_32F);
    warped.convertTo(w, CV_32F);
    for (int y = 0; y < r.rows; ++y) {
      const cv::Vec3f* rr = r.ptr<cv::Vec3f>(y);
      const cv::Vec3f* ww = w.ptr<cv::Vec3f>(y);
      const float* k = weight.ptr<float>(y);
      cv::Vec3f* o = out.ptr<cv::Vec3f>(y);
      for (int x = 0; x < r.cols; ++x) o[x] = rr[x] + k[x] * (ww[x] - rr[x]);
    }
    cv::Mat out8;
    out.convertTo(out8, CV_8U);
    return out8;
  }
  cv::Mat lab = bgr_to_lab(result);
  const cv::Mat warped_lab = bgr_to_lab(warped);
  for (int y = 0; y < lab.rows; ++y) {
    cv::Vec3f* l = lab.ptr<cv::Vec3f>(y);
    const cv::Vec3f* w = warped_lab.ptr<cv::Vec3f>(y);
    const float* k = weight.ptr<float>(y);
    for (int x = 0; x < lab.cols; ++x) {
      l[x][1] += k[x] * (w[x][1] - l[x][1]);
      l[x][2] += k[x] * (w[x][2] - l[x][2]);
    }
  }
  cv::Mat out8;
  lab_to_bgr_in_gamut(lab).convertTo(out8, CV_8U, 255.0);
  return out8;
}

TemporalCarry::TemporalCarry(const TemporalOptions& options) : options_(options) {
  if (!(options.carry >= 0.0 && options.carry <= 1.0)) throw ArgumentError("temporal carry must be in [0, 1]");
}

void TemporalCarry::restore(const cv::Mat& previous_input, const cv::Mat& previous_output) {
  previous_input_ = previous_input.clone();
  previous_output_ = previous_output.clone();
}

cv::Mat TemporalCarry::next(const cv::Mat& input, const cv::Mat& result) {
  if (input.size() != result.size() || result.type() != CV_8UC3)
    throw ArgumentError("temporal carry: the result must be an 8-bit BGR image of the frame's size");
  cv::Mat out = result;
  if (!previous_input_.empty() && previous_input_.size() == input.size()) {
    bool fresh = scene_cut(previous_input_, input, options_.cut_threshold);
    if (!fresh) {
      const Motion motion = estimate_motion(previous_input_, input, options_.flow);
      last_reliable_ = motion.reliable_fraction;
      fresh = motion.reliable_fraction < options_.min_reliable;
      if (!fresh)
        out = blend_carried(result, warp_back(previous_output_, motion.flow, true), motion.reliable, options_.carry, options_.carried);
    }
    if (fresh) ++cuts_;
  }
  previous_input_ = input.clone();
  previous_output_ = out.clone();
  return out;
}

}  // namespace neuroshop::video
