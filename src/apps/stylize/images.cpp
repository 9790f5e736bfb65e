// Image plumbing of the stylize app; see images.h.
#include "apps/stylize/images.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "core/errors.h"
#include "io/color.h"
#include "io/pixels.h"

namespace neuroshop::stylize {

cv::Mat to_bgr_float(const cv::Mat& image) {
  if (image.empty()) throw ArgumentError("stylize: empty image");
  cv::Mat bgr;
  if (image.channels() == 1) {
    cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
  } else if (image.channels() == 3) {
    bgr = image;
  } else if (image.channels() == 4) {
    cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
  } else {
    throw ArgumentError("stylize: expected a gray or colour image, got " + std::to_string(image.channels()) + " channels");
  }
  if (bgr.depth() != CV_8U && bgr.depth() != CV_16U && bgr.depth() != CV_32F)
    throw ArgumentError("stylize: expected an 8-bit, 16-bit or float image");
  if (bgr.depth() == CV_32F) return bgr.clone();
  return to_unit_float(bgr, bgr.depth() == CV_16U ? 16 : 8);
}

cv::Mat resize_to(const cv::Mat& image, cv::Size size) {
  if (image.size() == size) return image.clone();
  cv::Mat out;
  const bool shrinking = size.width <= image.cols && size.height <= image.rows;
  cv::resize(image, out, size, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

cv::Size with_long_side(cv::Size size, int64_t long_side) {
  const double scale = static_cast<double>(long_side) / std::max(size.width, size.height);
  return cv::Size(std::max(1, static_cast<int>(std::lround(size.width * scale))),
                  std::max(1, static_cast<int>(std::lround(size.height * scale))));
}

Tensor bgr_to_tensor(const cv::Mat& bgr) { return bgrs_to_tensor({bgr}); }

// t[n][c][h][w] = t[((n*3 + c)*H + h)*W + w], channel 0 red = the Mat's channel 2
Tensor bgrs_to_tensor(const std::vector<cv::Mat>& bgrs) {
  if (bgrs.empty()) throw ArgumentError("stylize: no images");
  const int H = bgrs[0].rows, W = bgrs[0].cols;
  Tensor t = Tensor::empty({static_cast<int64_t>(bgrs.size()), 3, H, W});
  for (size_t n = 0; n < bgrs.size(); ++n) {
    const cv::Mat& m = bgrs[n];
    if (m.type() != CV_32FC3 || m.rows != H || m.cols != W)
      throw ShapeError("stylize: expected BGR CV_32FC3 images of one size");
    float* planes = t.data() + static_cast<int64_t>(n) * 3 * H * W;
    for (int y = 0; y < H; ++y) {
      const cv::Vec3f* row = m.ptr<cv::Vec3f>(y);
      for (int x = 0; x < W; ++x)
        for (int c = 0; c < 3; ++c) planes[(static_cast<int64_t>(c) * H + y) * W + x] = row[x][2 - c];
    }
  }
  return t;
}

cv::Mat tensor_to_bgr(const Tensor& rgb) {
  if (rgb.rank() != 4 || rgb.dim(0) != 1 || rgb.dim(1) != 3)
    throw ShapeError("stylize: expected an image tensor (1,3,H,W), got " + rgb.shape().str());
  const int H = static_cast<int>(rgb.dim(2)), W = static_cast<int>(rgb.dim(3));
  cv::Mat m(H, W, CV_32FC3);
  for (int y = 0; y < H; ++y) {
    cv::Vec3f* row = m.ptr<cv::Vec3f>(y);
    for (int x = 0; x < W; ++x)
      for (int c = 0; c < 3; ++c) row[x][2 - c] = rgb[(static_cast<int64_t>(c) * H + y) * W + x];
  }
  return m;
}

Image to_image(const cv::Mat& bgr, int bit_depth, const cv::Mat& alpha) {
  Image out;
  out.bit_depth = bit_depth == 16 ? 16 : 8;
  cv::Mat clamped;
  cv::min(cv::max(bgr, 0.0), 1.0, clamped);
  out.pixels = from_unit_float(clamped, out.bit_depth);
  if (!alpha.empty()) {
    cv::Mat a = to_bgr_float(alpha);  // any depth -> [0, 1]
    cv::extractChannel(a, a, 0);
    if (a.size() != bgr.size()) a = resize_to(a, bgr.size());
    out.alpha = from_unit_float(a, out.bit_depth);
  }
  return out;
}

Palette palette_of(const cv::Mat& bgr) {
  cv::Scalar mean, sd;
  cv::meanStdDev(bgr_to_lab(to_bgr_float(bgr)), mean, sd);
  Palette p;
  for (int c = 0; c < 3; ++c) {
    p.mean[c] = mean[c];
    p.sd[c] = sd[c];
  }
  return p;
}

// lab' = (lab - mean) * (palette.sd / sd) + palette.mean, per channel
cv::Mat match_palette(const cv::Mat& bgr, const Palette& palette) {
  const cv::Mat lab = bgr_to_lab(to_bgr_float(bgr));
  cv::Scalar mean, sd;
  cv::meanStdDev(lab, mean, sd);
  std::vector<cv::Mat> channels;
  cv::split(lab, channels);
  for (int c = 0; c < 3; ++c) {
    const double scale = sd[c] > 1e-6 ? palette.sd[c] / sd[c] : 1.0;
    channels[c].convertTo(channels[c], CV_32F, scale, palette.mean[c] - scale * mean[c]);
  }
  cv::Mat out;
  cv::merge(channels, out);
  return lab_to_bgr(out);
}

cv::Mat luminance_as_bgr(const cv::Mat& bgr) {
  cv::Mat L = lightness(bgr);  // CV_32F, [0, 100]
  L *= 0.01;
  cv::Mat out;
  cv::merge(std::vector<cv::Mat>{L, L, L}, out);
  return out;
}

cv::Mat match_mean_std(const cv::Mat& gray_bgr, const cv::Mat& reference_gray_bgr) {
  cv::Scalar mean, sd, ref_mean, ref_sd;
  cv::meanStdDev(gray_bgr.reshape(1), mean, sd);
  cv::meanStdDev(reference_gray_bgr.reshape(1), ref_mean, ref_sd);
  const double scale = sd[0] > 1e-6 ? ref_sd[0] / sd[0] : 1.0;
  cv::Mat out;
  gray_bgr.convertTo(out, CV_32FC3, scale, ref_mean[0] - scale * mean[0]);
  return out;
}

cv::Mat combine_luminance_chroma(const cv::Mat& luminance_bgr, const cv::Mat& chroma_bgr) {
  if (luminance_bgr.size() != chroma_bgr.size())
    throw ShapeError("combine_luminance_chroma: luminance and chroma images differ in size");
  const cv::Mat lab = bgr_to_lab(to_bgr_float(chroma_bgr));
  cv::Mat out_lab(lab.size(), CV_32FC3);
  for (int y = 0; y < lab.rows; ++y) {
    const cv::Vec3f* l = luminance_bgr.ptr<cv::Vec3f>(y);
    const cv::Vec3f* c = lab.ptr<cv::Vec3f>(y);
    cv::Vec3f* o = out_lab.ptr<cv::Vec3f>(y);
    for (int x = 0; x < lab.cols; ++x) o[x] = cv::Vec3f((l[x][0] + l[x][1] + l[x][2]) * (100.0f / 3.0f), c[x][1], c[x][2]);
  }
  return lab_to_bgr(out_lab);
}

}  // namespace neuroshop::stylize
