// Shadows of a placed item (contact and cast) and the blur they are made with; see composite.h.
#include "apps/tryon/composite.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "io/color.h"
#include "io/pixels.h"

namespace neuroshop::tryon {
namespace {

// Kernels up to this many taps are summed directly (cv::GaussianBlur); longer ones go through the DFT.
constexpr int kDirectBlurTaps = 151;

// The kernel size cv::GaussianBlur picks for a float map: 4 sigma on each side, odd.
int gaussian_taps(double sigma) { return cvRound(sigma * 8 + 1) | 1; }

// Each row of `map` (CV_32F) convolved with the symmetric `kernel` (CV_32F, 1 x K, K odd), borders
// reflected (reflect-101), through the DFT: a row padded by K/2 on each side is circularly convolved
// at a length n >= the padded length, which leaves output columns [K − 1, K − 1 + cols) equal to the
// linear convolution (column K − 1 + x is the kernel centred on padded column x + K/2). Rows that
// are all zero stay zero without a transform.
cv::Mat convolve_rows_dft(const cv::Mat& map, const cv::Mat& kernel) {
  const int taps = kernel.cols, radius = taps / 2, padded = map.cols + 2 * radius;
  // An even length: OpenCV transforms a real row of even length as a complex one of half the length,
  // twice as fast as an odd length.
  const int n = 2 * cv::getOptimalDFTSize((padded + 1) / 2);
  cv::Mat kernel_spectrum = cv::Mat::zeros(1, n, CV_32F);
  kernel.copyTo(kernel_spectrum.colRange(0, taps));
  cv::dft(kernel_spectrum, kernel_spectrum);
  cv::Mat out = cv::Mat::zeros(map.size(), CV_32F);
  parallel_for(map.rows, [&](int64_t begin, int64_t end) {
    std::vector<int> busy;
    for (int y = static_cast<int>(begin); y < end; ++y)
      if (cv::countNonZero(map.row(y)) > 0) busy.push_back(y);
    if (busy.empty()) return;
    cv::Mat lines = cv::Mat::zeros(static_cast<int>(busy.size()), n, CV_32F);
    for (size_t i = 0; i < busy.size(); ++i) {
      cv::Mat inside = lines.row(static_cast<int>(i)).colRange(0, padded);  // written in place: size and type match
      cv::copyMakeBorder(map.row(busy[i]), inside, 0, 0, radius, radius, cv::BORDER_REFLECT_101 | cv::BORDER_ISOLATED);
    }
    cv::dft(lines, lines, cv::DFT_ROWS);
    for (int i = 0; i < lines.rows; ++i) {
      cv::Mat line = lines.row(i);
      cv::mulSpectrums(line, kernel_spectrum, line, 0);
    }
    cv::dft(lines, lines, cv::DFT_ROWS | cv::DFT_INVERSE | cv::DFT_SCALE | cv::DFT_REAL_OUTPUT);
    for (size_t i = 0; i < busy.size(); ++i)
      lines.row(static_cast<int>(i)).colRange(taps - 1, taps - 1 + map.cols).copyTo(out.row(busy[i]));
  }, 8);
  return out;
}


}  // namespace

cv::Mat gaussian_blur(const cv::Mat& map, double sigma) {
  if (map.type() != CV_32F || !(sigma > 0.0)) throw ArgumentError("gaussian_blur: expected a CV_32F map and sigma > 0");
  const int taps = gaussian_taps(sigma);
  cv::Mat out;
  if (taps <= kDirectBlurTaps) {
    cv::GaussianBlur(map, out, cv::Size(taps, taps), sigma, sigma, cv::BORDER_REFLECT_101 | cv::BORDER_ISOLATED);
    return out;
  }
  const cv::Mat kernel = cv::getGaussianKernel(taps, sigma, CV_32F).t();
  const cv::Mat across = convolve_rows_dft(map, kernel);
  const cv::Mat down = convolve_rows_dft(across.t(), kernel);
  return down.t();
}

void darken(cv::Mat& dst, const Patch& shadow) {
  if (dst.type() != CV_32FC3 || shadow.pixels.type() != CV_32F)
    throw ArgumentError("darken: expected a CV_32FC3 room and a CV_32F shadow");
  const cv::Rect area = shadow.rect() & cv::Rect(0, 0, dst.cols, dst.rows);
  parallel_for(area.height, [&](int64_t begin, int64_t end) {
    for (int y = area.y + static_cast<int>(begin); y < area.y + end; ++y) {
      cv::Vec3f* d = dst.ptr<cv::Vec3f>(y);
      const float* s = shadow.pixels.ptr<float>(y - shadow.origin.y);
      for (int x = area.x; x < area.x + area.width; ++x) d[x] *= 1.0f - std::clamp(s[x - shadow.origin.x], 0.0f, 1.0f);
    }
  }, 16);
}

Patch contact_shadow(const PlacedItem& item, double strength) {
  const double rx = std::max(2.0, 0.6 * item.footprint_width);
  const double ry = std::max(1.5, rx * item.flattening);
  const double sigma = 0.35 * ry + 1.0;
  const int w = item.alpha.cols, h = item.alpha.rows;
  // The patch covers the item's lower part and the ellipse around the footprint.
  const cv::Rect ellipse_box(static_cast<int>(std::floor(item.footprint_centre.x - rx - 3 * sigma)),
                             static_cast<int>(std::floor(item.contact_y - 2 * ry - 3 * sigma)),
                             static_cast<int>(std::ceil(2 * rx + 6 * sigma)) + 2, static_cast<int>(std::ceil(2 * ry + 6 * sigma)) + 2);
  // A part touches the floor when its lowest pixel lies within the footprint's depth of the contact
  // row (a chair's back legs end higher up the image than its front legs).
  const double band = std::max(0.03 * h, 2.2 * ry) + 2.0;
  const double ao_sigma = 0.006 * h + 1.2;
  const int ao_margin = static_cast<int>(std::ceil(3 * ao_sigma)) + 4;
  const cv::Rect ao_box(item.origin.x - ao_margin, static_cast<int>(std::floor(item.contact_y - band)) - ao_margin,
                        w + 2 * ao_margin, static_cast<int>(std::ceil(band)) + 2 * ao_margin);
  const cv::Rect box = ellipse_box | ao_box;
  Patch patch;
  patch.origin = box.tl();
  const cv::Point2d c = item.footprint_centre + cv::Point2d(0.0, 0.2 * ry) - cv::Point2d(patch.origin);
  // Drawn at 8-bit with sub-pixel precision (shift 4), then blurred in float.
  auto ellipse = [&](double ax, double ay, double blur) {
    cv::Mat m = cv::Mat::zeros(box.size(), CV_8U);
    cv::ellipse(m, cv::Point(static_cast<int>(c.x * 16), static_cast<int>(c.y * 16)),
                cv::Size(static_cast<int>(ax * 16), static_cast<int>(ay * 16)), 0, 0, 360, cv::Scalar(255), cv::FILLED,
                cv::LINE_AA, 4);
    cv::Mat f;
    f = to_unit_float(m, 8);
    return gaussian_blur(f, blur);
  };
  const cv::Mat outer = ellipse(rx, ry, sigma);
  // Ambient occlusion where the silhouette meets the floor: under every column whose lowest opaque
  // pixel is within `band` of the contact row (legs, a base, a pot's rim), a short dark stroke.
  cv::Mat touch = cv::Mat::zeros(box.size(), CV_32F);
  int first_row = touch.rows, last_row = -1;  // the rows with strokes
  for (int x = 0; x < w; ++x) {
    int lowest = -1;
    for (int y = h - 1; y >= 0 && y >= h - static_cast<int>(band) - 1; --y)
      if (item.alpha.at<float>(y, x) > 0.5f) {
        lowest = y;
        break;
      }
    if (lowest < 0) continue;
    const int px = item.origin.x + x - patch.origin.x, py = item.origin.y + lowest - patch.origin.y;
    for (int dy = -1; dy <= 3; ++dy)
      if (py + dy >= 0 && py + dy < touch.rows && px >= 0 && px < touch.cols) {
        touch.at<float>(py + dy, px) = 1.0f;
        first_row = std::min(first_row, py + dy);
        last_row = std::max(last_row, py + dy);
      }
  }
  // The blur reaches `reach` rows from a stroke, so only those rows are blurred; as views into the
  // maps, which OpenCV filters with the zeros beyond them, the result is that of the whole map.
  cv::Mat occlusion = cv::Mat::zeros(box.size(), CV_32F);
  if (last_row >= 0) {
    const int reach = gaussian_taps(ao_sigma) / 2;
    const cv::Range rows(std::max(0, first_row - reach), std::min(touch.rows, last_row + reach + 1));
    cv::Mat blurred = occlusion.rowRange(rows);
    cv::GaussianBlur(touch.rowRange(rows), blurred, cv::Size(0, 0), ao_sigma);
  }
  patch.pixels.create(box.size(), CV_32F);
  const float s = static_cast<float>(strength);
  parallel_for(box.height, [&](int64_t begin, int64_t end) {
    for (int y = static_cast<int>(begin); y < end; ++y) {
      const float* o = outer.ptr<float>(y);
      const float* t = occlusion.ptr<float>(y);
      float* out = patch.pixels.ptr<float>(y);
      for (int x = 0; x < box.width; ++x) out[x] = s * std::max(0.6f * o[x], std::min(1.6f * t[x], 1.0f));
    }
  }, 16);
  return patch;
}

Patch cast_shadow(const PlacedItem& item, cv::Point2d light, double strength) {
  // A shadow is smooth: for big items it is laid and blurred at a working size of 256 px and
  // scaled back with sub-pixel placement (large Gaussian blurs at full size cost seconds).
  constexpr int kWorkingHeight = 256;
  if (item.alpha.rows > kWorkingHeight) {
    const double s = static_cast<double>(kWorkingHeight) / item.alpha.rows;
    PlacedItem small = item;
    cv::resize(item.alpha, small.alpha, cv::Size(std::max(1, static_cast<int>(std::lround(item.alpha.cols * s))), kWorkingHeight),
               0, 0, cv::INTER_AREA);
    small.bgr = cv::Mat();
    small.origin = cv::Point(static_cast<int>(std::floor(item.origin.x * s)), static_cast<int>(std::floor(item.origin.y * s)));
    // Keep the contact row's distance to the item's top exact at the working scale.
    small.contact_y = small.origin.y + (item.contact_y - item.origin.y) * s;
    small.footprint_centre = item.footprint_centre * s;
    small.footprint_width = item.footprint_width * s;
    const Patch low = cast_shadow(small, light * s, strength);
    // Room coordinates of the low patch's corner, then the full-size patch placed at a whole pixel.
    const cv::Point2d corner = cv::Point2d(low.origin - small.origin) / s + cv::Point2d(item.origin);
    Patch patch;
    patch.origin = cv::Point(static_cast<int>(std::floor(corner.x)), static_cast<int>(std::floor(corner.y)));
    const cv::Size size(static_cast<int>(std::ceil(low.pixels.cols / s)) + 1, static_cast<int>(std::ceil(low.pixels.rows / s)) + 1);
    const cv::Matx23d up(1.0 / s, 0.0, corner.x - patch.origin.x, 0.0, 1.0 / s, corner.y - patch.origin.y);
    cv::warpAffine(low.pixels, patch.pixels, up, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    // Never above the item's top row, at full size too.
    const int first_allowed = item.origin.y - patch.origin.y;
    if (first_allowed > 0) patch.pixels.rowRange(0, std::min(first_allowed, patch.pixels.rows)).setTo(0);
    return patch;
  }
  const int w = item.alpha.cols, h = item.alpha.rows;
  const double yb = item.contact_y - item.origin.y;  // contact row in item coordinates
  const double cx = item.origin.x + 0.5 * w;
  // Sideways away from the light, more so the further it is to the side (in item heights).
  const double sx = 0.9 * std::tanh((cx - light.x) / (1.5 * h));
  // A light in view above the contact row is beyond the item: its shadow comes towards the camera
  // (down the image). One below it is nearer than the item: the shadow goes back (up the image).
  const double length = std::clamp(1.6 * item.flattening, 0.15, 0.6);
  const double sy = light.y <= item.contact_y ? length : -length;
  const double sigma_near = 0.008 * h + 0.6, sigma_far = 0.05 * h + 1.0;
  const int margin = static_cast<int>(std::ceil(3 * sigma_far)) + 2;
  const double ox = std::floor(std::min(0.0, sx * h)) - margin, oy = std::floor(std::min(yb, yb + sy * h)) - margin;
  const cv::Size size(static_cast<int>(std::ceil(w + std::abs(sx) * h)) + 2 * margin,
                      static_cast<int>(std::ceil(std::abs(sy) * h)) + 2 * margin);
  // t = yb − v:  x' = u + sx t,  y' = yb + sy t   (item coordinates), minus the patch origin (ox, oy).
  const cv::Matx23d map(1.0, -sx, sx * yb - ox, 0.0, -sy, yb * (1.0 + sy) - oy);
  cv::Mat laid;
  cv::warpAffine(item.alpha, laid, map, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::Mat near_blur, far_blur;
  cv::GaussianBlur(laid, near_blur, cv::Size(0, 0), sigma_near);
  cv::GaussianBlur(laid, far_blur, cv::Size(0, 0), sigma_far);
  // Sharp and dark at the contact, soft and light at the far end.
  const double reach = std::max(1.0, std::abs(sy) * h);
  Patch patch;
  patch.pixels.create(size, CV_32F);
  const double contact_row = yb - oy;
  for (int y = 0; y < size.height; ++y) {
    const double r = std::clamp(std::abs(y - contact_row) / reach, 0.0, 1.0);
    const float fade = static_cast<float>(strength * (1.0 - 0.65 * r));
    const float* n = near_blur.ptr<float>(y);
    const float* f = far_blur.ptr<float>(y);
    float* out = patch.pixels.ptr<float>(y);
    for (int x = 0; x < size.width; ++x) out[x] = fade * static_cast<float>((1.0 - r) * n[x] + r * f[x]);
  }
  // Never above the item's top row: a shadow lies on the floor in front of or behind the item.
  const int first_allowed = std::max(0, static_cast<int>(std::ceil(-oy)));  // item row 0 in patch rows
  if (first_allowed > 0) patch.pixels.rowRange(0, std::min(first_allowed, size.height)).setTo(0);
  patch.origin = cv::Point(item.origin.x + static_cast<int>(ox), item.origin.y + static_cast<int>(oy));
  return patch;
}

}  // namespace neuroshop::tryon
