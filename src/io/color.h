// sRGB <-> CIE L*a*b* (D65), with the exact formulas rather than OpenCV's quantized 8-bit Lab:
//   sRGB gamma:  lin = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055)^2.4
//   XYZ = M * lin, M the sRGB/D65 matrix (IEC 61966-2-1, Lindbloom's digits); white = M * (1,1,1)
//   f(t) = t > (6/29)^3 ? cbrt(t) : t / (3 (6/29)^2) + 4/29
//   L = 116 f(Y/Yn) - 16,  a = 500 (f(X/Xn) - f(Y/Yn)),  b = 200 (f(Y/Yn) - f(Z/Zn))
// L is in [0, 100], a and b roughly in [-128, 127]. The inverse is not clamped: Lab values outside
// the sRGB gamut come back outside [0, 1] (tensor_to_mat clamps when writing).
// Gray input: its L is that of (g, g, g), i.e. 116 f(lin(g)) - 16.
// Not here: other colour spaces, chromatic adaptation.
#pragma once

#include <array>

#include <opencv2/core.hpp>

#include "core/tensor.h"

namespace neuroshop {

// One colour: sRGB (r, g, b) in [0, 1] <-> (L, a, b).
std::array<double, 3> srgb_to_lab(const std::array<double, 3>& rgb);
std::array<double, 3> lab_to_srgb(const std::array<double, 3>& lab);

// Mats: BGR (CV_8U, CV_16U, or CV_32F in [0, 1]) -> CV_32FC3 with channels (L, a, b), and back
// (lab CV_32FC3 -> BGR CV_32FC3, the exact inverse: colours outside sRGB give values outside [0, 1]).
cv::Mat bgr_to_lab(const cv::Mat& bgr);
cv::Mat lab_to_bgr(const cv::Mat& lab);
// For pictures: BGR in [0, 1], where a colour outside sRGB keeps its L and hue and loses just enough
// chroma to fit, rather than having its channels clipped, which would change lightness and hue.
cv::Mat lab_to_bgr_in_gamut(const cv::Mat& lab);
// Gray or BGR (CV_8U, CV_16U, or CV_32F in [0, 1]) -> CV_32FC1 lightness L in [0, 100].
cv::Mat lightness(const cv::Mat& bgr_or_gray);

// Tensors: (N,3,H,W) RGB in [0, 1] <-> (N,3,H,W) with channels (L, a, b).
Tensor rgb_to_lab(const Tensor& rgb);
Tensor lab_to_rgb(const Tensor& lab);
// (N,1,H,W) gray or (N,3,H,W) RGB in [0, 1] -> (N,1,H,W) lightness.
Tensor lightness(const Tensor& rgb_or_gray);
// Its derivative for RGB input: (N,3,H,W) holding dL/dR, dL/dG, dL/dB at each pixel (the chain rule
// through the gamma curve, Y's row of M and f), for optimizing an image through its lightness.
Tensor lightness_gradient(const Tensor& rgb);

}  // namespace neuroshop
