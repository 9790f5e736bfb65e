// cv::Mat <-> Tensor: images become NCHW float tensors with values in [0, 1], and back.
// Channel order: a 3-channel Mat is BGR (OpenCV's order), its tensor is RGB (channel 0 = red).
// 8-bit values are divided by 255, 16-bit by 65535, CV_32F is taken as already in [0, 1].
// Not here: colour spaces (color.h), files (image_file.h), resizing.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "core/tensor.h"

namespace neuroshop {

// (H,W) Mat with 1 or 3 channels (CV_8U, CV_16U or CV_32F) -> (1,C,H,W), RGB order for C = 3.
Tensor mat_to_tensor(const cv::Mat& image);
// N Mats of the same size and channel count -> (N,C,H,W).
Tensor mats_to_tensor(const std::vector<cv::Mat>& images);

// (1,C,H,W) with C = 1 or 3 -> gray or BGR Mat of `depth`: CV_8U (round(clamp(v,0,1) * 255)),
// CV_16U (the same with 65535; NaN becomes 0 in both) or CV_32F (values copied, not clamped).
cv::Mat tensor_to_mat(const Tensor& t, int depth = CV_8U);
// (N,C,H,W) -> N Mats, as tensor_to_mat.
std::vector<cv::Mat> tensor_to_mats(const Tensor& t, int depth = CV_8U);

}  // namespace neuroshop
