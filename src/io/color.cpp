// sRGB <-> CIE Lab (D65); formulas in color.h. The scalar and Tensor functions compute in double;
// the cv::Mat paths (whole photos, up to 100 megapixels) use exact lookup tables for 8- and 16-bit
// decoding and interpolated tables for cbrt and the sRGB encoding curve (errors below 1e-3 in L, a,
// b and 1e-4 in RGB; values outside the tables' range fall back to the exact formulas), so a
// 12-megapixel photo converts in tens of milliseconds instead of a second.
#include "io/color.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

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

// d lin / d c, on the same two segments.
double srgb_to_linear_derivative(double c) {
  return c <= 0.04045 ? 1.0 / 12.92 : 2.4 / 1.055 * std::pow((c + 0.055) / 1.055, 1.4);
}
double lab_f_derivative(double t) {
  return t > kDelta * kDelta * kDelta ? 1.0 / (3.0 * std::cbrt(t) * std::cbrt(t)) : 1.0 / (3.0 * kDelta * kDelta);
}

double gray_lightness(double g) { return 116.0 * lab_f(srgb_to_linear(g) / kWhite[1]) - 16.0; }

// y = f(x) on [0, 1] sampled at kSteps + 1 points and interpolated linearly; exact outside.
template <int kSteps>
class InterpolatedCurve {
 public:
  explicit InterpolatedCurve(double (*f)(double)) : f_(f) {
    for (int i = 0; i <= kSteps; ++i) table_[i] = static_cast<float>(f(static_cast<double>(i) / kSteps));
  }
  float operator()(float x) const {
    if (!(x >= 0.0f && x <= 1.0f)) return static_cast<float>(f_(x));
    const float pos = x * kSteps;
    const int i = std::min(static_cast<int>(pos), kSteps - 1);
    const float t = pos - static_cast<float>(i);
    return table_[i] + t * (table_[i + 1] - table_[i]);
  }

 private:
  double (*f_)(double);
  float table_[kSteps + 1];
};

// The cube-root branch of lab_f is steep near 0: 16384 steps keep the error in L below 1e-3.
const InterpolatedCurve<16384>& lab_f_curve() {
  static const InterpolatedCurve<16384> curve(lab_f);
  return curve;
}
const InterpolatedCurve<16384>& encode_curve() {
  static const InterpolatedCurve<16384> curve(linear_to_srgb);
  return curve;
}

// Exact linear values of every 8- or 16-bit code.
const std::vector<float>& decode_table(int depth) {
  static const std::vector<float> t8 = [] {
    std::vector<float> t(256);
    for (int i = 0; i < 256; ++i) t[static_cast<size_t>(i)] = static_cast<float>(srgb_to_linear(i / 255.0));
    return t;
  }();
  static const std::vector<float> t16 = [] {
    std::vector<float> t(65536);
    for (int i = 0; i < 65536; ++i) t[static_cast<size_t>(i)] = static_cast<float>(srgb_to_linear(i / 65535.0));
    return t;
  }();
  return depth == CV_8U ? t8 : t16;
}

// Linear RGB of every pixel of a 1- or 3-channel 8U/16U/32F Mat, as CV_32F with the same channels.
cv::Mat to_linear(const cv::Mat& m, const char* who) {
  if (m.depth() == CV_32F) {
    cv::Mat out(m.size(), m.type());
    const int n = m.cols * m.channels();
    parallel_for(m.rows, [&](int64_t begin, int64_t end) {
      for (int64_t y = begin; y < end; ++y) {
        const float* src = m.ptr<float>(static_cast<int>(y));
        float* dst = out.ptr<float>(static_cast<int>(y));
        for (int i = 0; i < n; ++i) dst[i] = static_cast<float>(srgb_to_linear(src[i]));
      }
    }, 16);
    return out;
  }
  if (m.depth() != CV_8U && m.depth() != CV_16U)
    throw ArgumentError(std::string(who) + ": expected CV_8U, CV_16U or CV_32F pixels");
  const std::vector<float>& table = decode_table(m.depth());
  cv::Mat out(m.size(), CV_MAKETYPE(CV_32F, m.channels()));
  const int n = m.cols * m.channels();
  parallel_for(m.rows, [&](int64_t begin, int64_t end) {
    for (int64_t y = begin; y < end; ++y) {
      float* dst = out.ptr<float>(static_cast<int>(y));
      if (m.depth() == CV_8U) {
        const uint8_t* src = m.ptr<uint8_t>(static_cast<int>(y));
        for (int i = 0; i < n; ++i) dst[i] = table[src[i]];
      } else {
        const uint16_t* src = m.ptr<uint16_t>(static_cast<int>(y));
        for (int i = 0; i < n; ++i) dst[i] = table[src[i]];
      }
    }
  }, 16);
  return out;
}

// Throws unless m is a non-empty 8U/16U/32F image with `channels` channels (0: one or three).
void check_image(const cv::Mat& m, int channels, const char* who) {
  if (m.empty() || (channels != 0 && m.channels() != channels) || (channels == 0 && m.channels() != 1 && m.channels() != 3)) {
    throw ShapeError(std::string(who) + ": expected a non-empty " + (channels == 3 ? "3-channel" : "1- or 3-channel") +
                     " image, got " + std::to_string(m.channels()) + " channels");
  }
  if (m.depth() != CV_32F && m.depth() != CV_8U && m.depth() != CV_16U) {
    throw ArgumentError(std::string(who) + ": expected CV_8U, CV_16U or CV_32F pixels");
  }
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
  check_image(bgr, 3, "bgr_to_lab");
  const auto& f = lab_f_curve();
  return map_pixels(to_linear(bgr, "bgr_to_lab"), 3, [&f](const float* lin, float* out) {
    float fx[3];
    for (int i = 0; i < 3; ++i) {
      // lin is B, G, R
      const double xyz = kRgbToXyz[i][0] * lin[2] + kRgbToXyz[i][1] * lin[1] + kRgbToXyz[i][2] * lin[0];
      fx[i] = f(static_cast<float>(xyz / kWhite[i]));
    }
    out[0] = 116.0f * fx[1] - 16.0f;
    out[1] = 500.0f * (fx[0] - fx[1]);
    out[2] = 200.0f * (fx[1] - fx[2]);
  });
}

namespace {

// Linear RGB of one Lab colour.
inline void lab_to_linear_rgb(float L, float a, float b, float rgb[3]) {
  const float fy = (L + 16.0f) / 116.0f;
  const float f[3] = {fy + a / 500.0f, fy, fy - b / 200.0f};
  float xyz[3];
  for (int i = 0; i < 3; ++i) xyz[i] = static_cast<float>(lab_f_inverse(f[i]) * kWhite[i]);
  for (int i = 0; i < 3; ++i)
    rgb[i] = static_cast<float>(kXyzToRgb[i][0] * xyz[0] + kXyzToRgb[i][1] * xyz[1] + kXyzToRgb[i][2] * xyz[2]);
}

inline bool in_gamut(const float rgb[3]) {
  constexpr float kSlack = 1e-5f;
  for (int i = 0; i < 3; ++i)
    if (rgb[i] < -kSlack || rgb[i] > 1.0f + kSlack) return false;
  return true;
}

}  // namespace

cv::Mat lab_to_bgr(const cv::Mat& lab) {
  if (lab.empty() || lab.type() != CV_32FC3) throw ArgumentError("lab_to_bgr: expected a CV_32FC3 Lab image");
  const auto& encode = encode_curve();
  return map_pixels(lab, 3, [&encode](const float* in, float* out) {
    float rgb[3];
    lab_to_linear_rgb(in[0], in[1], in[2], rgb);
    for (int i = 0; i < 3; ++i) out[2 - i] = encode(rgb[i]);
  });
}

cv::Mat lab_to_bgr_in_gamut(const cv::Mat& lab) {
  if (lab.empty() || lab.type() != CV_32FC3) throw ArgumentError("lab_to_bgr_in_gamut: expected a CV_32FC3 Lab image");
  const auto& encode = encode_curve();
  return map_pixels(lab, 3, [&encode](const float* in, float* out) {
    float rgb[3];
    lab_to_linear_rgb(in[0], in[1], in[2], rgb);
    if (!in_gamut(rgb)) {
      // The largest share s of the chroma that fits, by bisection (in gamut at s = 0 whenever L is
      // in [0, 100]).
      float lo = 0.0f, hi = 1.0f;
      for (int it = 0; it < 14; ++it) {
        const float mid = 0.5f * (lo + hi);
        lab_to_linear_rgb(in[0], mid * in[1], mid * in[2], rgb);
        (in_gamut(rgb) ? lo : hi) = mid;
      }
      lab_to_linear_rgb(in[0], lo * in[1], lo * in[2], rgb);
    }
    for (int i = 0; i < 3; ++i) out[2 - i] = encode(std::clamp(rgb[i], 0.0f, 1.0f));  // the bisection's slack
  });
}

cv::Mat lightness(const cv::Mat& bgr_or_gray) {
  check_image(bgr_or_gray, 0, "lightness");
  const auto& f = lab_f_curve();
  const cv::Mat lin = to_linear(bgr_or_gray, "lightness");
  if (lin.channels() == 1)
    return map_pixels(lin, 1, [&f](const float* g, float* out) { *out = 116.0f * f(static_cast<float>(*g / kWhite[1])) - 16.0f; });
  return map_pixels(lin, 1, [&f](const float* p, float* out) {
    const double y = kRgbToXyz[1][0] * p[2] + kRgbToXyz[1][1] * p[1] + kRgbToXyz[1][2] * p[0];
    *out = 116.0f * f(static_cast<float>(y / kWhite[1])) - 16.0f;
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

// L = 116 f(Y / Yn) - 16 with Y = sum_c M[1][c] lin(c):  dL/dc = 116 f'(Y / Yn) M[1][c] / Yn lin'(c).
Tensor lightness_gradient(const Tensor& rgb) {
  if (rgb.rank() != 4 || rgb.dim(1) != 3)
    throw ShapeError("lightness_gradient: expected (N,3,H,W), got " + rgb.shape().str());
  const int64_t N = rgb.dim(0), plane = rgb.dim(2) * rgb.dim(3);
  Tensor out = Tensor::empty(rgb.shape());
  const float* src = rgb.data();
  float* dst = out.data();
  parallel_for(
      N * plane,
      [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          const int64_t base = (i / plane) * 3 * plane + i % plane;
          double y = 0.0;
          for (int c = 0; c < 3; ++c) y += kRgbToXyz[1][c] * srgb_to_linear(src[base + c * plane]);
          const double outer = 116.0 * lab_f_derivative(y / kWhite[1]) / kWhite[1];
          for (int c = 0; c < 3; ++c)
            dst[base + c * plane] =
                static_cast<float>(outer * kRgbToXyz[1][c] * srgb_to_linear_derivative(src[base + c * plane]));
        }
      },
      4096);
  return out;
}

}  // namespace neuroshop
