// Image plumbing of the stylize app: Mats <-> tensors, sizes, and the colour pieces of
// luminance-only transfer (Gatys et al. 2017). All images here are BGR CV_32FC3 with values in
// [0, 1] unless said otherwise.
// Not here: files (io/image_file.h), colour-space formulas (io/color.h), optimization (stylize.h).
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

#include "core/tensor.h"
#include "io/image_file.h"

namespace neuroshop::stylize {

// Any BGR or gray Mat (CV_8U, CV_16U, or CV_32F in [0, 1]) -> BGR CV_32FC3 in [0, 1].
cv::Mat to_bgr_float(const cv::Mat& image);
// Resized to `size`: area averaging when shrinking, bilinear when enlarging; a copy when equal.
cv::Mat resize_to(const cv::Mat& image, cv::Size size);
// The size with long side `long_side` and the aspect ratio of `size` (each side at least 1).
cv::Size with_long_side(cv::Size size, int64_t long_side);
// BGR CV_32FC3 -> (1,3,H,W) RGB tensor, and back (values copied, not clamped).
Tensor bgr_to_tensor(const cv::Mat& bgr);
cv::Mat tensor_to_bgr(const Tensor& rgb);
// Several same-size BGR images -> (N,3,H,W).
Tensor bgrs_to_tensor(const std::vector<cv::Mat>& bgrs);
// BGR CV_32FC3 (any values) -> an Image of `bit_depth` (8 or 16), clamped to [0, 1], with `alpha`
// (empty, or resized to the image when its size differs, keeping its depth converted to bit_depth).
Image to_image(const cv::Mat& bgr, int bit_depth, const cv::Mat& alpha);

// A palette: the mean and standard deviation of L*, a*, b* over an image.
struct Palette {
  double mean[3] = {0.0, 0.0, 0.0};
  double sd[3] = {1.0, 1.0, 1.0};
};
Palette palette_of(const cv::Mat& bgr);
// The image recoloured into a palette (Reinhard et al. 2001, in CIE Lab): each of L*, a*, b*
// shifted and scaled to the palette's mean and standard deviation. Not clamped.
cv::Mat match_palette(const cv::Mat& bgr, const Palette& palette);
inline cv::Mat match_palette(const cv::Mat& bgr, const cv::Mat& reference_bgr) {
  return match_palette(bgr, palette_of(reference_bgr));
}

// CIE L* of a BGR image as a gray BGR image: L*/100 in all three channels.
cv::Mat luminance_as_bgr(const cv::Mat& bgr);
// A gray BGR image shifted and scaled to the mean and standard deviation of `reference`'s values
// (how the style's luminance is matched to the content's before luminance-only transfer).
cv::Mat match_mean_std(const cv::Mat& gray_bgr, const cv::Mat& reference_gray_bgr);
// The image whose L* is 100 * the mean of `luminance_bgr`'s channels and whose a*, b* are
// `chroma_bgr`'s (same size), as BGR CV_32FC3, not clamped: its chroma is chroma_bgr's exactly.
cv::Mat combine_luminance_chroma(const cv::Mat& luminance_bgr, const cv::Mat& chroma_bgr);

}  // namespace neuroshop::stylize
