// Style by patch synthesis; see patch_synthesis.h.
#include "apps/stylize/patch_synthesis.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "apps/stylize/images.h"
#include "core/errors.h"
#include "core/kernels/gemm.h"
#include "core/rng.h"

namespace neuroshop::stylize {

void validate(const PatchSynthesisOptions& o) {
  if (o.patch_sizes.empty()) throw ArgumentError("patch synthesis needs at least one patch size");
  for (int n : o.patch_sizes)
    if (n < 3 || n > 256) throw ArgumentError("patch sizes must be in [3, 256] pixels, got " + std::to_string(n));
  if (o.scales < 1 || o.scales > 8) throw ArgumentError("patch synthesis scales must be in [1, 8], got " + std::to_string(o.scales));
  if (o.rounds < 1 || o.rounds > 100) throw ArgumentError("patch synthesis rounds must be in [1, 100], got " + std::to_string(o.rounds));
  if (o.irls_steps < 1 || o.irls_steps > 100)
    throw ArgumentError("patch synthesis IRLS steps must be in [1, 100], got " + std::to_string(o.irls_steps));
  auto finite_in = [](double v, double lo, double hi, const char* name) {
    if (!std::isfinite(v) || v < lo || v > hi)
      throw ArgumentError(std::string(name) + " must be a finite number in [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "], got " + std::to_string(v));
  };
  finite_in(o.robust_power, 0.1, 2.0, "patch synthesis robust power");
  finite_in(o.content_weight, 0.0, 1e6, "patch synthesis content weight");
  finite_in(o.noise, 0.0, 10.0, "patch synthesis noise");
  finite_in(o.colour_transfer, 0.0, 1.0, "patch synthesis colour transfer");
  if (o.max_style_patches < 1 || o.max_style_patches > 1000000)
    throw ArgumentError("patch synthesis style patches must be in [1, 1000000], got " + std::to_string(o.max_style_patches));
}

ChannelValues sorted_channels(const cv::Mat& reference) {
  CV_Assert(reference.type() == CV_32FC3 && !reference.empty());
  const cv::Mat rim = reference.isContinuous() ? reference : reference.clone();
  const float* src = rim.ptr<float>();
  const size_t m = rim.total();
  ChannelValues out;
  for (int c = 0; c < 3; ++c) {
    out[c].resize(m);
    for (size_t i = 0; i < m; ++i) out[c][i] = src[3 * i + c];
    std::sort(out[c].begin(), out[c].end());
  }
  return out;
}

cv::Mat match_histograms(const cv::Mat& image, const ChannelValues& sorted_reference) {
  CV_Assert(image.type() == CV_32FC3 && !sorted_reference[0].empty());
  cv::Mat out(image.size(), CV_32FC3);
  const size_t n = image.total();
  const cv::Mat img = image.isContinuous() ? image : image.clone();
  const float* src = img.ptr<float>();
  float* dst = out.ptr<float>();
  // (value, index) pairs sorted: the order of a stable sort by value, without its indirection
  std::vector<std::pair<float, uint32_t>> order(n);
  for (int c = 0; c < 3; ++c) {
    const std::vector<float>& ref = sorted_reference[c];
    const size_t m = ref.size();
    for (size_t i = 0; i < n; ++i) order[i] = {src[3 * i + c], static_cast<uint32_t>(i)};
    std::sort(order.begin(), order.end());
    for (size_t k = 0; k < n; ++k) {
      const double q = n > 1 ? static_cast<double>(k) * static_cast<double>(m - 1) / static_cast<double>(n - 1) : 0.0;
      const size_t lo = static_cast<size_t>(q);
      const size_t hi = std::min(lo + 1, m - 1);
      const double t = q - static_cast<double>(lo);
      dst[3 * order[k].second + c] = static_cast<float>(ref[lo] * (1.0 - t) + ref[hi] * t);
    }
  }
  return out;
}

cv::Mat match_histograms(const cv::Mat& image, const cv::Mat& reference) {
  return match_histograms(image, sorted_channels(reference));
}

std::vector<int> patch_positions(int length, int patch, int step, int offset) {
  std::vector<int> out;
  if (patch > length) return out;
  step = std::max(1, step);
  out.push_back(0);
  for (int p = offset; p + patch <= length; p += step) out.push_back(p);
  out.push_back(length - patch);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<int> nearest_rows(const std::vector<float>& queries, const std::vector<float>& bank, int64_t dim) {
  const int64_t nq = static_cast<int64_t>(queries.size()) / dim, nb = static_cast<int64_t>(bank.size()) / dim;
  if (nb < 1) throw ShapeError("nearest_rows: the bank is empty");
  std::vector<float> norm(nb);
  for (int64_t j = 0; j < nb; ++j) {
    const float* b = bank.data() + j * dim;
    double s = 0.0;
    for (int64_t d = 0; d < dim; ++d) s += static_cast<double>(b[d]) * b[d];
    norm[j] = static_cast<float>(s);
  }
  std::vector<int> best(nq, 0);
  constexpr int64_t kChunk = 256;
  std::vector<float> scores(static_cast<size_t>(std::min(kChunk, nq)) * nb);
  for (int64_t q0 = 0; q0 < nq; q0 += kChunk) {
    const int64_t m = std::min(kChunk, nq - q0);
    // scores = -2 Q B^T; |q - b|^2 = |q|^2 + |b|^2 - 2 q.b, and |q|^2 does not change the argmin.
    gemm(Trans::kNo, Trans::kYes, m, nb, dim, -2.0f, queries.data() + q0 * dim, dim, bank.data(), dim, 0.0f,
         scores.data(), nb);
    for (int64_t i = 0; i < m; ++i) {
      const float* row = scores.data() + i * nb;
      float lowest = std::numeric_limits<float>::max();
      int arg = 0;
      for (int64_t j = 0; j < nb; ++j) {
        const float d = row[j] + norm[j];
        if (d < lowest) {
          lowest = d;
          arg = static_cast<int>(j);
        }
      }
      best[q0 + i] = arg;
    }
  }
  return best;
}

namespace {

// The n x n x 3 patches of a continuous CV_32FC3 image at every (ys[a], xs[b]), row-major.
std::vector<float> extract_patches(const cv::Mat& image, const std::vector<int>& ys, const std::vector<int>& xs, int n) {
  const size_t dim = static_cast<size_t>(n) * n * 3;
  std::vector<float> out(ys.size() * xs.size() * dim);
  float* dst = out.data();
  for (int y : ys)
    for (int x : xs)
      for (int r = 0; r < n; ++r) {
        const float* row = image.ptr<float>(y + r) + 3 * x;
        dst = std::copy(row, row + 3 * n, dst);
      }
  return out;
}

// The positions of a regular grid whose step is chosen so at most `cap` patches remain.
void capped_grid(cv::Size size, int n, int64_t cap, std::vector<int>& ys, std::vector<int>& xs) {
  const double count = static_cast<double>(size.height - n + 1) * static_cast<double>(size.width - n + 1);
  int step = std::max(1, static_cast<int>(std::ceil(std::sqrt(count / static_cast<double>(cap)))));
  // The end positions patch_positions adds can push the count just over the cap.
  for (;; ++step) {
    ys = patch_positions(size.height, n, step, 0);
    xs = patch_positions(size.width, n, step, 0);
    if (static_cast<int64_t>(ys.size() * xs.size()) <= cap || (ys.size() <= 2 && xs.size() <= 2)) return;
  }
}

// Weight of the content fusion per pixel: 0.35 + 0.65 * (blurred gradient magnitude of the content's
// gray value, divided by its 99th percentile, at most 1).
cv::Mat edge_weight(const cv::Mat& content) {
  cv::Mat gray, gx, gy, mag;
  cv::cvtColor(content, gray, cv::COLOR_BGR2GRAY);
  cv::Sobel(gray, gx, CV_32F, 1, 0, 3, 0.125, 0.0, cv::BORDER_REFLECT_101);
  cv::Sobel(gray, gy, CV_32F, 0, 1, 3, 0.125, 0.0, cv::BORDER_REFLECT_101);
  cv::magnitude(gx, gy, mag);
  cv::GaussianBlur(mag, mag, cv::Size(0, 0), 1.5, 1.5, cv::BORDER_REFLECT_101);
  std::vector<float> v(mag.begin<float>(), mag.end<float>());
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(0.99 * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  const float p99 = std::max(v[k], 1e-6f);
  cv::Mat w = mag / p99;
  cv::min(w, 1.0, w);
  return 0.35 + 0.65 * w;
}

// One aggregation: X from the matched patches z_i = bank[match[i]] at (ys, xs), IRLS-reweighted.
void aggregate(cv::Mat& x, const std::vector<float>& bank, const std::vector<int>& match, const std::vector<int>& ys,
               const std::vector<int>& xs, int n, const PatchSynthesisOptions& o) {
  const size_t dim = static_cast<size_t>(n) * n * 3;
  const int h = x.rows, w = x.cols;
  // float sums: about (n / step)^2 (under 4) patches overlap a pixel, so rounding stays far below 1/255
  std::vector<float> num(static_cast<size_t>(h) * w * 3), den(static_cast<size_t>(h) * w);
  std::vector<double> weight(ys.size() * xs.size());
  const double exponent = (o.robust_power - 2.0) / 2.0;
  for (int step = 0; step < o.irls_steps; ++step) {
    // Weights from the current estimate.
    size_t i = 0;
    for (int y : ys)
      for (int px : xs) {
        const float* z = bank.data() + static_cast<size_t>(match[i]) * dim;
        double d = 0.0;
        for (int r = 0; r < n; ++r) {
          const float* row = x.ptr<float>(y + r) + 3 * px;
          for (int k = 0; k < 3 * n; ++k) {
            const double e = static_cast<double>(row[k]) - z[r * 3 * n + k];
            d += e * e;
          }
        }
        weight[i++] = std::pow(d / static_cast<double>(dim) + 1e-4, exponent);
      }
    std::fill(num.begin(), num.end(), 0.0f);
    std::fill(den.begin(), den.end(), 0.0f);
    i = 0;
    for (int y : ys)
      for (int px : xs) {
        const float* z = bank.data() + static_cast<size_t>(match[i]) * dim;
        const float wi = static_cast<float>(weight[i++]);
        for (int r = 0; r < n; ++r) {
          float* nrow = num.data() + (static_cast<size_t>(y + r) * w + px) * 3;
          float* drow = den.data() + static_cast<size_t>(y + r) * w + px;
          const float* zr = z + r * 3 * n;
          for (int k = 0; k < 3 * n; ++k) nrow[k] += wi * zr[k];
          for (int k = 0; k < n; ++k) drow[k] += wi;
        }
      }
    for (int y = 0; y < h; ++y) {
      float* row = x.ptr<float>(y);
      for (int px = 0; px < w; ++px) {
        const float d = den[static_cast<size_t>(y) * w + px];
        if (d <= 0.0f) continue;  // not covered (cannot happen: positions cover every pixel)
        for (int c = 0; c < 3; ++c) row[3 * px + c] = num[(static_cast<size_t>(y) * w + px) * 3 + c] / d;
      }
    }
  }
}

}  // namespace

cv::Mat synthesize_from_patches(const cv::Mat& content_in, const cv::Mat& style_in, const PatchSynthesisOptions& o,
                                const ProgressFn& progress) {
  validate(o);
  CV_Assert(content_in.type() == CV_32FC3 && style_in.type() == CV_32FC3);
  Rng rng(o.seed);
  const cv::Mat content = content_in.isContinuous() ? content_in : content_in.clone();
  const cv::Mat style = style_in.isContinuous() ? style_in : style_in.clone();

  int64_t total = 0;
  for (int s = 0; s < o.scales; ++s) total += static_cast<int64_t>(o.patch_sizes.size()) * o.rounds;
  int64_t done = 0;
  cv::Mat x;
  for (int s = o.scales - 1; s >= 0; --s) {
    const double factor = std::ldexp(1.0, -s);
    auto scaled = [&](const cv::Mat& m) {
      const cv::Size size(std::max(1, static_cast<int>(std::lround(m.cols * factor))),
                          std::max(1, static_cast<int>(std::lround(m.rows * factor))));
      cv::Mat r = resize_to(m, size);
      return r.isContinuous() ? r : r.clone();
    };
    const cv::Mat c = scaled(content), st = scaled(style);
    const int smallest = *std::min_element(o.patch_sizes.begin(), o.patch_sizes.end());
    if (smallest > std::min({c.rows, c.cols, st.rows, st.cols})) {
      // No patch fits at this scale (a tiny image or painting): carry the estimate on, or start
      // from the content itself.
      x = x.empty() ? c.clone() : resize_to(x, c.size());
      done += static_cast<int64_t>(o.patch_sizes.size()) * o.rounds;
      continue;
    }
    const cv::Mat fusion = o.content_weight * edge_weight(c);
    const ChannelValues painting_values = sorted_channels(st);
    if (x.empty()) {
      x = c.clone();
      float* p = x.ptr<float>();
      for (size_t i = 0; i < x.total() * 3; ++i) p[i] += static_cast<float>(o.noise * rng.normal());
    } else {
      cv::resize(x, x, c.size(), 0, 0, cv::INTER_LINEAR);
    }
    for (int n : o.patch_sizes) {
      const bool fits = n <= std::min(c.rows, c.cols) && n <= std::min(st.rows, st.cols);
      if (fits) {
        std::vector<int> sys, sxs;
        capped_grid(st.size(), n, o.max_style_patches, sys, sxs);
        const std::vector<float> bank = extract_patches(st, sys, sxs, n);
        const int64_t dim = static_cast<int64_t>(n) * n * 3;
        const int step = std::max(1, static_cast<int>(std::lround(0.6 * n)));
        for (int round = 0; round < o.rounds; ++round) {
          const std::vector<int> ys = patch_positions(c.rows, n, step, static_cast<int>(rng.below(step)));
          const std::vector<int> xs = patch_positions(c.cols, n, step, static_cast<int>(rng.below(step)));
          // Matched a band of grid rows at a time, so large outputs need no copy of all their patches.
          std::vector<int> match;
          match.reserve(ys.size() * xs.size());
          constexpr size_t kBandRows = 16;
          for (size_t r0 = 0; r0 < ys.size(); r0 += kBandRows) {
            const std::vector<int> band(ys.begin() + r0, ys.begin() + std::min(ys.size(), r0 + kBandRows));
            const std::vector<int> m = nearest_rows(extract_patches(x, band, xs, n), bank, dim);
            match.insert(match.end(), m.begin(), m.end());
          }
          aggregate(x, bank, match, ys, xs, n, o);
          // Content fusion, then toward the painting's colour histogram.
          for (int y = 0; y < x.rows; ++y) {
            float* row = x.ptr<float>(y);
            const float* crow = c.ptr<float>(y);
            const float* wrow = fusion.ptr<float>(y);
            for (int px = 0; px < x.cols; ++px)
              for (int k = 0; k < 3; ++k)
                row[3 * px + k] = (row[3 * px + k] + wrow[px] * crow[3 * px + k]) / (1.0f + wrow[px]);
          }
          if (o.colour_transfer > 0.0)
            cv::addWeighted(match_histograms(x, painting_values), o.colour_transfer, x, 1.0 - o.colour_transfer, 0.0, x);
          ++done;
          report(progress, {done, total, "patch synthesis " + std::to_string(std::max(c.cols, c.rows)) + "px", {{"patch", n}}});
        }
      } else {
        done += o.rounds;
      }
    }
  }
  cv::min(cv::max(x, 0.0), 1.0, x);
  return x;
}

}  // namespace neuroshop::stylize
