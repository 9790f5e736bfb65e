// Pixel-value conversions between the integer samples of image files (8 or 16 bits) and the
// [0, 1] floats the applications compute in — written once, so every app scales the same way.
// Not here: colour spaces (color.h) or tensors (tensor_image.h).
#pragma once

#include <opencv2/core.hpp>

namespace neuroshop {

// The full-scale value of a sample: 255 or 65535.
inline double full_scale(int bit_depth) { return bit_depth == 16 ? 65535.0 : 255.0; }

// 8- or 16-bit samples (any channel count) -> CV_32F with the same channels, in [0, 1].
cv::Mat to_unit_float(const cv::Mat& samples, int bit_depth);

// [0, 1] floats (any channel count) -> CV_8U or CV_16U samples of `bit_depth`, rounded and
// saturated as cv::Mat::convertTo does.
cv::Mat from_unit_float(const cv::Mat& unit, int bit_depth);

// Any of CV_8U (returned as is), CV_16U (rounded: 65535 / 257 = 255) or [0, 1] CV_32F -> CV_8U.
cv::Mat to_8bit(const cv::Mat& samples);

}  // namespace neuroshop
