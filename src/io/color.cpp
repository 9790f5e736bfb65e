// sRGB <-> CIE Lab (D65); formulas in color.h. Computed in double per pixel, rows in parallel.
#include "io/color.h"

#include <cmath>
#include <string>

#include "core/errors.h"
#include "core/kernels/parallel.h"

namespace neuroshop {
namespace {

// sRGB (linear) -> XYZ, D65 (Lindbloom), and its inverse.
constexpr double kRgbToXyz[3][3] = {{0.4124564, 0.3575761, 0.1804375},
                                    {0.2126729, 0.7151522, 0.0721750},
                                    {0.0193339, 0.1191920, 0.9503041}};
constexpr double kXyzToRgb[3][3] = {{3.2404542, -1.5371385, -0.4985314},
                                    {-0.9692660, 1.8760108, 0.0415560},
                                    {0.0556434, -0.2040259, 1.0572252}};
// The white point is M * (1, 1, 1), so sRGB white maps to a = b = 0 exactly.
constexpr double kWhite[3] = {kRgbToXyz[0][0] + kRgbToXyz[0][1] + kRgbToXyz[0][2],
                              kRgbToXyz[1][0] + kRgbToXyz[1][1] + kRgbToXyz[1][2],
                              kRgbToXyz[2][0] + kRgbToXyz[2][1] + kRgbToXyz[2][2]};
constexpr double kDelta = 6.0 / 29.0;

// The linear segments also take values below 0, so out-of-gamut colours never hit pow(<0).
double srgb_to_linear(double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); }
double linear_to_srgb(double l) { return l <= 0.0031308 ? 12.92 * l : 1.055 * std::pow(l, 1.0 / 2.4) - 0.055; }

double lab_f(double t) {
  return t > kDelta * kDelta * kDelta ? std::cbrt(t) : t / (3.0 * kDelta * kDelta) + 4.0 / 29.0;
}
double lab_f_inverse(double u) { return u > kDelta ? u * u * u : 3.0 * kDelta * kDelta * (u - 4.0 / 29.0); }

double gray_lightness(double g) { return 116.0 * lab_f(srgb_to_linear(g) / kWhite[1]) - 16.0; }

// Any supported Mat as float in [0, 1], channels unchanged.
cv::Mat to_float01(const cv::Mat& m, int channels, const char* who) {
  if (m.empty() || (channels != 0 && m.channels() != channels) || (channels == 0 && m.channels() != 1 && m.channels() != 3)) {
    throw ShapeError(std::string(who) + ": expected a non-empty " + (channels == 3 ? "3-channel" : "1- or 3-channel") +
                     " image, got " + std::to_string(m.channels()) + " channels");
  }
  if (m.depth() == CV_32F) return m;
  if (m.depth() != CV_8U && m.depth() != CV_16U) {
    throw ArgumentError(std::string(who) + ": expected CV_8U, CV_16U or CV_32F pixels");
  }
  cv::Mat out;
  m.convertTo(out, CV_32F, m.depth() == CV_8U ? 1.0 / 255.0 : 1.0 / 65535.0);
  return out;
}

// Applies fn(in_pixel, out_pixel) to every pixel of a CV_32F Mat, rows in parallel.
template <class Fn>
cv::Mat map_pixels(const cv::Mat& in, int out_channels, Fn fn) {
  cv::Mat out(in.rows, in.cols, CV_MAKETYPE(CV_32F, out_channels));
  const int in_channels = in.channels();
  parallel_for(in.rows, [&](int64_t begin, int64_t end) {
    for (int64_t y = begin; y < end; ++y) {
      const float* src = in.ptr<float>(static_cast<int>(y));
      float* dst = out.ptr<float>(static_cast<int>(y));
      for (int x = 0; x < in.cols; ++x) fn(src + x * in_channels, dst + x * out_channels);
    }
  }, 16);
  return out;
}

// Tensor (N,3,H,W) -> (N,3,H,W) through fn on each pixel's three planes.
template <class Fn>
Tensor map_planes(const Tensor& in, const char* who, Fn fn) {
  if (in.rank() != 4 || in.dim(1) != 3) throw ShapeError(std::string(who) + ": expected (N,3,H,W), got " + in.shape().str());
  Tensor out = Tensor::empty(in.shape());
  const int64_t N = in.dim(0), plane = in.dim(2) * in.dim(3);
  const float* src = in.data();
  float* dst = out.data();
  parallel_for(N * plane, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      // element (n, c, p) sits at (n*3 + c)*plane + p
      const int64_t n = i / plane, p = i % plane, base = n * 3 * plane + p;
      const std::array<double, 3> v = fn({src[base], src[base + plane], src[base + 2 * plane]});
      for (int c = 0; c < 3; ++c) dst[base + c * plane] = static_cast<float>(v[c]);
    }
  }, 4096);
  return out;
}

}  // namespace

std::array<double, 3> srgb_to_lab(const std::array<double, 3>& rgb) {
  const double lin[3] = {srgb_to_linear(rgb[0]), srgb_to_linear(rgb[1]), srgb_to_linear(rgb[2])};
  double f[3];
  for (int i = 0; i < 3; ++i) {
    const double xyz = kRgbToXyz[i][0] * lin[0] + kRgbToXyz[i][1] * lin[1] + kRgbToXyz[i][2] * lin[2];
    f[i] = lab_f(xyz / kWhite[i]);
  }
  return {116.0 * f[1] - 16.0, 500.0 * (f[0] - f[1]), 200.0 * (f[1] - f[2])};
}

std::array<double, 3> lab_to_srgb(const std::array<double, 3>& lab) {
  const double fy = (lab[0] + 16.0) / 116.0;
  const double f[3] = {fy + lab[1] / 500.0, fy, fy - lab[2] / 200.0};
  double xyz[3];
  for (int i = 0; i < 3; ++i) xyz[i] = lab_f_inverse(f[i]) * kWhite[i];
  std::array<double, 3> rgb;
  for (int i = 0; i < 3; ++i) {
    rgb[i] = linear_to_srgb(kXyzToRgb[i][0] * xyz[0] + kXyzToRgb[i][1] * xyz[1] + kXyzToRgb[i][2] * xyz[2]);
  }
  return rgb;
}

cv::Mat bgr_to_lab(const cv::Mat& bgr) {
  return map_pixels(to_float01(bgr, 3, "bgr_to_lab"), 3, [](const float* in, float* out) {
    const std::array<double, 3> lab = srgb_to_lab({in[2], in[1], in[0]});
    for (int c = 0; c < 3; ++c) out[c] = static_cast<float>(lab[c]);
  });
}

cv::Mat lab_to_bgr(const cv::Mat& lab) {
  if (lab.empty() || lab.type() != CV_32FC3) throw ArgumentError("lab_to_bgr: expected a CV_32FC3 Lab image");
  return map_pixels(lab, 3, [](const float* in, float* out) {
    const std::array<double, 3> rgb = lab_to_srgb({in[0], in[1], in[2]});
    for (int c = 0; c < 3; ++c) out[c] = static_cast<float>(rgb[2 - c]);
  });
}

cv::Mat lightness(const cv::Mat& bgr_or_gray) {
  const cv::Mat in = to_float01(bgr_or_gray, 0, "lightness");
  if (in.channels() == 1) {
    return map_pixels(in, 1, [](const float* g, float* out) { *out = static_cast<float>(gray_lightness(*g)); });
  }
  return map_pixels(in, 1, [](const float* p, float* out) {
    *out = static_cast<float>(srgb_to_lab({p[2], p[1], p[0]})[0]);
  });
}

Tensor rgb_to_lab(const Tensor& rgb) { return map_planes(rgb, "rgb_to_lab", srgb_to_lab); }

Tensor lab_to_rgb(const Tensor& lab) { return map_planes(lab, "lab_to_rgb", lab_to_srgb); }

Tensor lightness(const Tensor& rgb_or_gray) {
  const Tensor& x = rgb_or_gray;
  if (x.rank() != 4 || (x.dim(1) != 1 && x.dim(1) != 3)) {
    throw ShapeError("lightness: expected (N,1,H,W) or (N,3,H,W), got " + x.shape().str());
  }
  const int64_t N = x.dim(0), C = x.dim(1), plane = x.dim(2) * x.dim(3);
  Tensor out = Tensor::empty({N, 1, x.dim(2), x.dim(3)});
  const float* src = x.data();
  float* dst = out.data();
  parallel_for(N * plane, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t n = i / plane, p = i % plane, base = n * C * plane + p;
      dst[i] = static_cast<float>(C == 1 ? gray_lightness(src[base])
                                         : srgb_to_lab({src[base], src[base + plane], src[base + 2 * plane]})[0]);
    }
  }, 4096);
  return out;
}

}  // namespace neuroshop
