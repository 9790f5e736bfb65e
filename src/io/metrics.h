// Image quality numbers the apps' eval commands print.
// Not here: perceptual or learned metrics (SSIM, LPIPS).
#pragma once

#include <opencv2/core.hpp>

namespace neuroshop {

// Hasler & Süsstrunk (2003) colourfulness, on the 0..255 scale:
//   rg = R - G,  yb = (R + G) / 2 - B
//   M = sqrt(sd(rg)^2 + sd(yb)^2) + 0.3 sqrt(mean(rg)^2 + mean(yb)^2)
// bgr: BGR CV_8U (CV_16U and CV_32F in [0, 1] are rescaled to 0..255); a gray image scores 0.
double colorfulness(const cv::Mat& bgr);

// Peak signal-to-noise ratio in dB, peak 255: 10 log10(255^2 / MSE) over all pixels and channels.
// a and b: CV_8U, same size and channel count. Identical images give +infinity.
double psnr(const cv::Mat& a, const cv::Mat& b);

}  // namespace neuroshop
