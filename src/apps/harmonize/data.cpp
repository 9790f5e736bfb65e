// Synthetic harmonization composites; see harmonize/data.h.
#include "apps/harmonize/data.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "apps/tryon/composite.h"
#include "core/errors.h"
#include "io/image_file.h"
#include "io/pixels.h"

namespace neuroshop::harmonize {
namespace {

cv::Point pt(double x, double y) { return {static_cast<int>(std::lround(x * 16)), static_cast<int>(std::lround(y * 16))}; }

void fill_rect(cv::Mat& m, double x0, double y0, double x1, double y1) {
  cv::rectangle(m, pt(x0, y0), pt(x1, y1), cv::Scalar(255), cv::FILLED, cv::LINE_AA, 4);
}

void fill_ellipse(cv::Mat& m, double cx, double cy, double rx, double ry, double angle) {
  cv::ellipse(m, pt(cx, cy), cv::Size(static_cast<int>(rx * 16), static_cast<int>(ry * 16)), angle, 0, 360,
              cv::Scalar(255), cv::FILLED, cv::LINE_AA, 4);
}

double coverage(const cv::Mat& mask) { return cv::mean(mask)[0]; }

// dst = mask · changed + (1 − mask) · photo
cv::Mat blend(const cv::Mat& photo, const cv::Mat& changed, const cv::Mat& mask) {
  cv::Mat m3;
  cv::merge(std::vector<cv::Mat>{mask, mask, mask}, m3);
  cv::Mat out = changed.mul(m3) + photo.mul(cv::Scalar::all(1.0) - m3);
  return out;
}

}  // namespace

cv::Mat random_object_mask(cv::Size size, Rng& rng) {
  const double S = std::min(size.width, size.height);
  for (int attempt = 0; attempt < 20; ++attempt) {
    cv::Mat m = cv::Mat::zeros(size, CV_8U);
    const double w = rng.uniform(0.2, 0.6) * S, h = rng.uniform(0.2, 0.7) * S;
    const double x0 = rng.uniform(0.0, size.width - w), y0 = rng.uniform(0.0, size.height - h);
    const int kind = static_cast<int>(rng.below(3));
    if (kind == 0) {
      // Furniture: a seat or cabinet body, legs under it, sometimes a back and arms.
      const double body_top = y0 + rng.uniform(0.0, 0.45) * h, body_bottom = y0 + rng.uniform(0.6, 0.85) * h;
      fill_rect(m, x0, body_top, x0 + w, body_bottom);
      const int legs = 2 + static_cast<int>(rng.below(3));
      const double leg_w = std::max(1.5, rng.uniform(0.04, 0.12) * w);
      for (int i = 0; i < legs; ++i) {
        const double lx = x0 + (w - leg_w) * (legs == 1 ? 0.5 : static_cast<double>(i) / (legs - 1));
        fill_rect(m, lx, body_bottom - 1, lx + leg_w, y0 + h * rng.uniform(0.92, 1.0));
      }
      if (rng.uniform() < 0.5) fill_rect(m, x0 + rng.uniform(0.0, 0.2) * w, y0, x0 + rng.uniform(0.6, 1.0) * w, body_top + 1);
      if (rng.uniform() < 0.4) {
        fill_ellipse(m, x0, 0.5 * (body_top + body_bottom), 0.08 * w, 0.3 * (body_bottom - body_top), 0);
        fill_ellipse(m, x0 + w, 0.5 * (body_top + body_bottom), 0.08 * w, 0.3 * (body_bottom - body_top), 0);
      }
    } else if (kind == 1) {
      // Blobs: a plant, a lamp shade on a pot, a pile of cushions.
      const int n = 3 + static_cast<int>(rng.below(5));
      for (int i = 0; i < n; ++i)
        fill_ellipse(m, x0 + rng.uniform(0.2, 0.8) * w, y0 + rng.uniform(0.2, 0.8) * h, rng.uniform(0.1, 0.3) * w,
                     rng.uniform(0.1, 0.3) * h, rng.uniform(0.0, 180.0));
    } else {
      // A polygon around the box centre.
      const int n = 5 + static_cast<int>(rng.below(5));
      std::vector<cv::Point> poly;
      for (int i = 0; i < n; ++i) {
        const double a = 2 * M_PI * (i + rng.uniform(-0.3, 0.3)) / n, r = rng.uniform(0.55, 1.0);
        poly.push_back(pt(x0 + 0.5 * w * (1 + r * std::cos(a)), y0 + 0.5 * h * (1 + r * std::sin(a))));
      }
      cv::fillPoly(m, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(255), cv::LINE_AA, 4);
    }
    cv::Mat f;
    f = to_unit_float(m, 8);
    cv::GaussianBlur(f, f, cv::Size(0, 0), 0.6);
    const double c = coverage(f);
    if (c >= 0.04 && c <= 0.4) return f;
  }
  // A plain ellipse when the draws keep missing the coverage range.
  cv::Mat m = cv::Mat::zeros(size, CV_8U);
  fill_ellipse(m, 0.5 * size.width, 0.5 * size.height, 0.25 * size.width, 0.3 * size.height, 0);
  cv::Mat f;
  f = to_unit_float(m, 8);
  return f;
}

cv::Mat random_mask(cv::Size size, const std::vector<cv::Mat>& alphas, Rng& rng) {
  if (alphas.empty() || rng.uniform() < 0.4) return random_object_mask(size, rng);
  const cv::Mat& a = alphas[rng.below(alphas.size())];
  const double S = std::min(size.width, size.height);
  const double scale = rng.uniform(0.3, 0.75) * S / std::max(a.cols, a.rows);
  cv::Mat resized;
  cv::resize(a, resized, cv::Size(std::max(2, static_cast<int>(a.cols * scale)), std::max(2, static_cast<int>(a.rows * scale))), 0,
             0, cv::INTER_AREA);
  if (rng.uniform() < 0.5) cv::flip(resized, resized, 1);
  cv::Mat m = cv::Mat::zeros(size, CV_32F);
  const int x = static_cast<int>(rng.below(static_cast<uint64_t>(std::max(1, size.width - resized.cols + 1))));
  const int y = static_cast<int>(rng.below(static_cast<uint64_t>(std::max(1, size.height - resized.rows + 1))));
  const cv::Rect r = cv::Rect(x, y, resized.cols, resized.rows) & cv::Rect(0, 0, size.width, size.height);
  resized(cv::Rect(0, 0, r.width, r.height)).copyTo(m(r));
  if (coverage(m) < 0.02) return random_object_mask(size, rng);
  return m;
}

cv::Mat perturb_region(const cv::Mat& photo, const cv::Mat& mask, const cv::Mat& other, Rng& rng) {
  cv::Mat changed;
  for (int attempt = 0; attempt < 8; ++attempt) {
    cv::Mat x = photo.clone();
    bool any = false;
    if (rng.uniform() < 0.5 && !other.empty()) {
      x = tryon::reinhard_transfer(x, tryon::lab_stats(photo, mask), tryon::lab_stats(other), rng.uniform(0.4, 1.0));
      any = true;
    }
    if (rng.uniform() < 0.6 || !any) {
      x *= std::pow(2.0, rng.uniform(-0.7, 0.7));
      any = true;
    }
    if (rng.uniform() < 0.5) {
      cv::max(x, 0.0f, x);
      cv::pow(x, std::exp(rng.uniform(-0.4, 0.4)), x);
    }
    if (rng.uniform() < 0.6) {
      std::vector<cv::Mat> ch;
      cv::split(x, ch);
      for (cv::Mat& c : ch) c *= std::exp(rng.uniform(-0.15, 0.15));
      cv::merge(ch, x);
    }
    cv::min(cv::max(x, 0.0f), 1.0f, x);
    cv::Mat diff;
    cv::absdiff(x, photo, diff);
    cv::Mat d1;
    cv::transform(diff, d1, cv::Matx13f(1.0f / 3, 1.0f / 3, 1.0f / 3));
    const double change = cv::sum(d1.mul(mask))[0] / std::max(1.0, cv::sum(mask)[0]);
    changed = x;
    if (change >= 0.02) break;
  }
  return blend(photo, changed, mask);
}

HarmonizeSample make_sample(const cv::Mat& photo, const cv::Mat& other, const std::vector<cv::Mat>& alphas, Rng& rng) {
  HarmonizeSample s;
  s.target = photo;
  s.mask = random_mask(photo.size(), alphas, rng);
  s.composite = perturb_region(photo, s.mask, other, rng);
  return s;
}

cv::Mat reinhard_harmonize(const cv::Mat& composite, const cv::Mat& mask) {
  cv::Mat background = 1.0f - mask;
  const cv::Mat transferred = tryon::reinhard_transfer(composite, tryon::lab_stats(composite, mask), tryon::lab_stats(composite, background), 1.0);
  return blend(composite, transferred, mask);
}

LoadedImages load_colour_photos(const std::vector<std::string>& paths, int64_t short_side, const ProgressFn& progress) {
  LoadedImages out;
  for (size_t i = 0; i < paths.size(); ++i) {
    report(progress, {static_cast<int64_t>(i), static_cast<int64_t>(paths.size()), "load photos", {}});
    try {
      const Image image = read_image(paths[i]);
      if (image.pixels.channels() != 3) {
        ++out.skipped;
        continue;
      }
      cv::Mat f = to_unit_float(image.pixels, image.bit_depth);
      // Gray photos stored as colour: too little chroma to teach colour.
      cv::Mat hsv;
      cv::Mat small;
      cv::resize(f, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
      cv::cvtColor(small, hsv, cv::COLOR_BGR2HSV);
      if (cv::mean(hsv)[1] < 0.04) {
        ++out.skipped;
        continue;
      }
      const double scale = static_cast<double>(short_side) / std::min(f.cols, f.rows);
      cv::resize(f, f, cv::Size(std::max(static_cast<int>(short_side), static_cast<int>(std::lround(f.cols * scale))),
                                std::max(static_cast<int>(short_side), static_cast<int>(std::lround(f.rows * scale)))),
                 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
      out.images.push_back(f);
      out.paths.push_back(paths[i]);
    } catch (const IoError&) {
      ++out.skipped;
    }
  }
  return out;
}

std::vector<cv::Mat> load_alpha_masks(const std::string& folder, int64_t long_side) {
  std::vector<cv::Mat> out;
  for (const std::string& path : list_images({folder}, false)) {
    if (std::filesystem::path(path).extension() != ".png") continue;
    const Image image = read_image(path);
    if (image.alpha.empty()) continue;
    cv::Mat a = to_unit_float(image.alpha, image.bit_depth);
    cv::Mat nz = a > 0.02f;
    if (cv::countNonZero(nz) == 0) continue;
    a = a(cv::boundingRect(nz)).clone();
    const double scale = std::min(1.0, static_cast<double>(long_side) / std::max(a.cols, a.rows));
    if (scale < 1.0) cv::resize(a, a, cv::Size(), scale, scale, cv::INTER_AREA);
    out.push_back(a);
  }
  return out;
}

cv::Mat random_crop(const cv::Mat& image, int64_t size, Rng& rng) {
  const int s = static_cast<int>(size);
  if (image.cols < s || image.rows < s) throw ArgumentError("random_crop: image smaller than the crop");
  const int x = static_cast<int>(rng.below(static_cast<uint64_t>(image.cols - s + 1)));
  const int y = static_cast<int>(rng.below(static_cast<uint64_t>(image.rows - s + 1)));
  cv::Mat crop = image(cv::Rect(x, y, s, s)).clone();
  if (rng.uniform() < 0.5) cv::flip(crop, crop, 1);
  return crop;
}

cv::Mat centre_crop(const cv::Mat& image, int64_t size) {
  const double scale = static_cast<double>(size) / std::min(image.cols, image.rows);
  cv::Mat r;
  cv::resize(image, r,
             cv::Size(std::max(static_cast<int>(size), static_cast<int>(std::lround(image.cols * scale))),
                      std::max(static_cast<int>(size), static_cast<int>(std::lround(image.rows * scale)))),
             0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  const int s = static_cast<int>(size);
  return r(cv::Rect((r.cols - s) / 2, (r.rows - s) / 2, s, s)).clone();
}

// x[n][c][h][w] = x[((n*C + c)*H + h)*W + w]; RGB channel c reads the Mat's BGR channel 2 − c.
Tensor harmonize_input(const std::vector<cv::Mat>& composites, const std::vector<cv::Mat>& masks) {
  if (composites.empty() || composites.size() != masks.size()) throw ArgumentError("harmonize_input: one mask per image");
  const int H = composites[0].rows, W = composites[0].cols;
  Tensor t = Tensor::empty({static_cast<int64_t>(composites.size()), 4, H, W});
  for (size_t n = 0; n < composites.size(); ++n) {
    if (composites[n].size() != cv::Size(W, H) || masks[n].size() != cv::Size(W, H))
      throw ShapeError("harmonize_input: images and masks must share one size");
    float* base = t.data() + static_cast<int64_t>(n) * 4 * H * W;
    for (int y = 0; y < H; ++y) {
      const cv::Vec3f* p = composites[n].ptr<cv::Vec3f>(y);
      const float* m = masks[n].ptr<float>(y);
      for (int x = 0; x < W; ++x) {
        for (int c = 0; c < 3; ++c) base[(c * H + y) * W + x] = p[x][2 - c] - 0.5f;
        base[(3 * H + y) * W + x] = m[x];
      }
    }
  }
  return t;
}

Tensor harmonize_residual(const std::vector<HarmonizeSample>& samples) {
  const int H = samples[0].target.rows, W = samples[0].target.cols;
  Tensor t = Tensor::empty({static_cast<int64_t>(samples.size()), 3, H, W});
  for (size_t n = 0; n < samples.size(); ++n) {
    float* base = t.data() + static_cast<int64_t>(n) * 3 * H * W;
    for (int y = 0; y < H; ++y) {
      const cv::Vec3f* target = samples[n].target.ptr<cv::Vec3f>(y);
      const cv::Vec3f* comp = samples[n].composite.ptr<cv::Vec3f>(y);
      for (int x = 0; x < W; ++x)
        for (int c = 0; c < 3; ++c) base[(c * H + y) * W + x] = target[x][2 - c] - comp[x][2 - c];
    }
  }
  return t;
}

Tensor mask_tensor(const std::vector<cv::Mat>& masks) {
  const int H = masks[0].rows, W = masks[0].cols;
  Tensor t = Tensor::empty({static_cast<int64_t>(masks.size()), 1, H, W});
  for (size_t n = 0; n < masks.size(); ++n)
    for (int y = 0; y < H; ++y) {
      const float* m = masks[n].ptr<float>(y);
      std::copy(m, m + W, t.data() + (static_cast<int64_t>(n) * H + y) * W);
    }
  return t;
}

}  // namespace neuroshop::harmonize
