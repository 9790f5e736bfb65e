// Per-frame methods for video; see methods.h.
#include "apps/video/methods.h"

#include <opencv2/imgproc.hpp>

namespace neuroshop::video {

FrameFn colorize_frames(colorize::ColorizeModel& model, const colorize::ColorizeOptions& options) {
  return [&model, options](const cv::Mat& frame) {
    Image input;
    input.pixels = frame;
    return colorize::colorize_image(model, input, options).pixels;
  };
}

FrameFn fast_style_frames(stylize::StyleModel& model, const stylize::FastOptions& options) {
  return [&model, options](const cv::Mat& frame) {
    Image input;
    input.pixels = frame;
    cv::Mat out = stylize::stylize_fast(model, input, options).pixels;
    if (out.size() != frame.size()) cv::resize(out, out, frame.size(), 0, 0, cv::INTER_LINEAR);
    return out;
  };
}

}  // namespace neuroshop::video
