// Gabor texture statistics, patch distance and the grid-artefact score; see texture_stats.h.
#include "apps/stylize/texture_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <opencv2/imgproc.hpp>

#include "apps/stylize/images.h"
#include "core/errors.h"
#include "core/kernels/gemm.h"
#include "core/rng.h"
#include "io/color.h"

namespace neuroshop::stylize {
namespace {

constexpr double kPi = 3.14159265358979323846;
// Every level uses one kernel: wavelength 8 px on the pyramid level, so 8, 16, 32, 64 px at 512 px
// (1/64 .. 1/8 of the long side). sigma = 0.56 wavelength is a 1-octave bandwidth.
constexpr double kWavelength = 8.0;
constexpr double kSigma = 0.56 * kWavelength;
// Energies below this (a lightness ripple of 0.1 % amplitude) count as none: the log stays finite.
constexpr double kEnergyEps = 1e-3;
constexpr int kPatch = 16;

// The complex Gabor kernel at angle theta: even (cosine, made zero-mean) and odd (sine) parts, scaled
// so that a unit-amplitude sinusoid of the kernel's wavelength and orientation has energy about 1.
void gabor_kernel(double theta, cv::Mat& even, cv::Mat& odd) {
  const int r = static_cast<int>(std::ceil(3.0 * kSigma));
  even.create(2 * r + 1, 2 * r + 1, CV_32F);
  odd.create(2 * r + 1, 2 * r + 1, CV_32F);
  cv::Mat envelope(2 * r + 1, 2 * r + 1, CV_64F);
  double env_sum = 0.0, even_sum = 0.0;
  for (int y = -r; y <= r; ++y)
    for (int x = -r; x <= r; ++x) {
      const double g = std::exp(-(x * x + y * y) / (2.0 * kSigma * kSigma));
      const double u = x * std::cos(theta) + y * std::sin(theta);
      envelope.at<double>(y + r, x + r) = g;
      even.at<float>(y + r, x + r) = static_cast<float>(g * std::cos(2.0 * kPi * u / kWavelength));
      odd.at<float>(y + r, x + r) = static_cast<float>(g * std::sin(2.0 * kPi * u / kWavelength));
      env_sum += g;
      even_sum += even.at<float>(y + r, x + r);
    }
  // Zero DC: a flat region has no texture energy, whatever its lightness.
  for (int y = 0; y < 2 * r + 1; ++y)
    for (int x = 0; x < 2 * r + 1; ++x)
      even.at<float>(y, x) -= static_cast<float>(envelope.at<double>(y, x) * even_sum / env_sum);
  even *= 2.0 / env_sum;
  odd *= 2.0 / env_sum;
}

// Pyramid levels 0 .. kTextureScales-1 of a CV_32F image (cv::pyrDown: 5-tap Gaussian, then /2).
std::vector<cv::Mat> pyramid(const cv::Mat& gray, int levels) {
  std::vector<cv::Mat> out{gray};
  for (int l = 1; l < levels; ++l) {
    if (out.back().rows < 2 || out.back().cols < 2) throw ShapeError("texture statistics: the image is too small");
    cv::Mat down;
    cv::pyrDown(out.back(), down, cv::Size(), cv::BORDER_REFLECT_101);
    out.push_back(down);
  }
  return out;
}

double correlation(const cv::Mat& a, const cv::Mat& b) {
  cv::Scalar ma, sa, mb, sb;
  cv::meanStdDev(a, ma, sa);
  cv::meanStdDev(b, mb, sb);
  if (sa[0] < 1e-9 || sb[0] < 1e-9) return 0.0;
  const double cov = cv::mean((a - ma[0]).mul(b - mb[0]))[0];
  return cov / (sa[0] * sb[0]);
}

double rms(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw ShapeError("texture_distance: statistics of different layouts");
  if (a.empty()) return 0.0;
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s / static_cast<double>(a.size()));
}

cv::Mat resized_lightness(const cv::Mat& bgr, double factor) {
  cv::Mat L = lightness(bgr);
  L *= 0.01;
  if (std::abs(factor - 1.0) < 1e-9) return L;
  const cv::Size size(std::max(1, static_cast<int>(std::lround(L.cols * factor))),
                      std::max(1, static_cast<int>(std::lround(L.rows * factor))));
  cv::Mat out;
  cv::resize(L, out, size, 0, 0, factor < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

double factor_for(const cv::Mat& reference) {
  return static_cast<double>(kTextureLongSide) / std::max(reference.cols, reference.rows);
}

TextureStats stats_of(const cv::Mat& gray) {
  const std::vector<cv::Mat> levels = pyramid(gray, kTextureScales);
  std::vector<cv::Mat> kernels_even(kTextureOrientations), kernels_odd(kTextureOrientations);
  for (int o = 0; o < kTextureOrientations; ++o) gabor_kernel(kPi * o / kTextureOrientations, kernels_even[o], kernels_odd[o]);
  TextureStats s;
  std::vector<std::vector<cv::Mat>> energy(kTextureScales);
  for (int l = 0; l < kTextureScales; ++l) {
    double level_sum = 0.0;
    for (int o = 0; o < kTextureOrientations; ++o) {
      cv::Mat re, im, e;
      cv::filter2D(levels[l], re, CV_32F, kernels_even[o], cv::Point(-1, -1), 0.0, cv::BORDER_REFLECT_101);
      cv::filter2D(levels[l], im, CV_32F, kernels_odd[o], cv::Point(-1, -1), 0.0, cv::BORDER_REFLECT_101);
      cv::magnitude(re, im, e);
      cv::Scalar m, sd;
      cv::meanStdDev(e, m, sd);
      s.log_mean.push_back(std::log(m[0] + kEnergyEps));
      s.log_sd.push_back(std::log(sd[0] + kEnergyEps));
      level_sum += m[0];
      energy[l].push_back(e);
    }
    s.level_energy.push_back(level_sum / kTextureOrientations);
    for (int a = 0; a < kTextureOrientations; ++a)
      for (int b = a + 1; b < kTextureOrientations; ++b) s.orientation_corr.push_back(correlation(energy[l][a], energy[l][b]));
  }
  for (int l = 0; l + 1 < kTextureScales; ++l)
    for (int o = 0; o < kTextureOrientations; ++o) {
      cv::Mat up;
      cv::resize(energy[l + 1][o], up, energy[l][o].size(), 0, 0, cv::INTER_LINEAR);
      s.scale_corr.push_back(correlation(energy[l][o], up));
    }
  return s;
}

// The grid step that leaves at most `cap` 16x16 patch positions in `gray`.
int patch_stride(const cv::Mat& gray, int cap) {
  const int ny = gray.rows - kPatch + 1, nx = gray.cols - kPatch + 1;
  if (ny < 1 || nx < 1) throw ShapeError("patch distance: the image is smaller than a 16x16 patch at this scale");
  return std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(ny) * nx / cap))));
}

// Row-major patch vectors (gx then gy, 2*16*16 floats each) on a regular grid of step `stride`,
// from the Sobel gradient of `gray`.
std::vector<float> gradient_patches(const cv::Mat& gray, int stride, int& count) {
  cv::Mat gx, gy;
  cv::Sobel(gray, gx, CV_32F, 1, 0, 3, 0.125, 0.0, cv::BORDER_REFLECT_101);
  cv::Sobel(gray, gy, CV_32F, 0, 1, 3, 0.125, 0.0, cv::BORDER_REFLECT_101);
  const int ny = gray.rows - kPatch + 1, nx = gray.cols - kPatch + 1;
  std::vector<float> out;
  count = 0;
  for (int y = 0; y < ny; y += stride)
    for (int x = 0; x < nx; x += stride) {
      for (const cv::Mat* g : {&gx, &gy})
        for (int i = 0; i < kPatch; ++i) {
          const float* row = g->ptr<float>(y + i) + x;
          out.insert(out.end(), row, row + kPatch);
        }
      ++count;
    }
  return out;
}

}  // namespace

cv::Mat texture_lightness(const cv::Mat& bgr, int reference_long_side) {
  const double factor = reference_long_side > 0 ? static_cast<double>(kTextureLongSide) / reference_long_side : factor_for(bgr);
  return resized_lightness(bgr, factor);
}

double fine_chroma_rms(const cv::Mat& bgr, int reference_long_side) {
  const double factor = reference_long_side > 0 ? static_cast<double>(kTextureLongSide) / reference_long_side : factor_for(bgr);
  cv::Mat image = to_bgr_float(bgr);
  if (std::abs(factor - 1.0) >= 1e-9) {
    const cv::Size size(std::max(1, static_cast<int>(std::lround(image.cols * factor))),
                        std::max(1, static_cast<int>(std::lround(image.rows * factor))));
    cv::resize(image, image, size, 0, 0, factor < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  cv::Mat channels[3];
  cv::split(bgr_to_lab(image), channels);
  double sum = 0.0;
  for (int c = 1; c < 3; ++c) {
    cv::Mat blurred;
    cv::GaussianBlur(channels[c], blurred, cv::Size(0, 0), 1.5, 1.5, cv::BORDER_REFLECT_101);
    const cv::Mat detail = channels[c] - blurred;
    sum += cv::mean(detail.mul(detail))[0];
  }
  return std::sqrt(sum / 2.0);
}

TextureStats texture_stats(const cv::Mat& bgr, int reference_long_side) {
  return stats_of(texture_lightness(bgr, reference_long_side));
}

double texture_distance(const TextureStats& a, const TextureStats& b) {
  std::vector<double> la = a.log_mean, lb = b.log_mean;
  la.insert(la.end(), a.log_sd.begin(), a.log_sd.end());
  lb.insert(lb.end(), b.log_sd.begin(), b.log_sd.end());
  std::vector<double> ca = a.orientation_corr, cb = b.orientation_corr;
  ca.insert(ca.end(), a.scale_corr.begin(), a.scale_corr.end());
  cb.insert(cb.end(), b.scale_corr.begin(), b.scale_corr.end());
  const double dl = rms(la, lb), dc = rms(ca, cb);
  return std::sqrt(dl * dl + dc * dc);
}

int stroke_level(const TextureStats& painting) {
  const auto& e = painting.level_energy;
  if (e.empty()) throw ArgumentError("stroke_level: empty statistics");
  return static_cast<int>(std::max_element(e.begin(), e.end()) - e.begin());
}

double patch_distance(const cv::Mat& result_bgr, const cv::Mat& painting_bgr, int level) {
  if (level < 0 || level >= kTextureScales)
    throw ArgumentError("patch_distance: level must be in [0, " + std::to_string(kTextureScales - 1) + "], got " +
                        std::to_string(level));
  // Both at the result's texture scale (the painting keeps its size relative to the result).
  const int reference = std::max(result_bgr.cols, result_bgr.rows);
  const cv::Mat r = pyramid(texture_lightness(result_bgr), level + 1).back();
  const cv::Mat p = pyramid(texture_lightness(painting_bgr, reference), level + 1).back();
  int nr = 0, np = 0;
  // The result's grid step a multiple of the painting's, so an image against itself finds every
  // patch exactly.
  const int painting_stride = patch_stride(p, 2000);
  const int result_stride = painting_stride * ((patch_stride(r, 400) + painting_stride - 1) / painting_stride);
  const std::vector<float> rp = gradient_patches(r, result_stride, nr), pp = gradient_patches(p, painting_stride, np);
  constexpr int D = 2 * kPatch * kPatch;
  std::vector<float> pnorm(np);
  for (int j = 0; j < np; ++j) {
    float s = 0.0f;
    for (int k = 0; k < D; ++k) s += pp[j * D + k] * pp[j * D + k];
    pnorm[j] = s;
  }
  double total = 0.0;
  for (int i = 0; i < nr; ++i) {
    const float* a = rp.data() + static_cast<size_t>(i) * D;
    float anorm = 0.0f;
    for (int k = 0; k < D; ++k) anorm += a[k] * a[k];
    // ||a - b||^2 = |a|^2 + |b|^2 - 2 a.b, minimized over the painting's patches b
    float best = std::numeric_limits<float>::max();
    for (int j = 0; j < np; ++j) {
      const float* b = pp.data() + static_cast<size_t>(j) * D;
      float dot = 0.0f;
      for (int k = 0; k < D; ++k) dot += a[k] * b[k];
      best = std::min(best, anorm + pnorm[j] - 2.0f * dot);
    }
    total += std::sqrt(std::max(0.0f, best) / D);
  }
  return total / nr;
}

namespace {

// Per direction, the `quantiles` values of the sorted projections of `patches` (n x D) on the
// directions (dirs x D), at quantile (q + 0.5) / quantiles, linearly interpolated.
std::vector<float> projection_quantiles(const std::vector<float>& patches, int n, const std::vector<float>& dirs,
                                        int ndirs, int quantiles) {
  constexpr int D = 2 * kPatch * kPatch;
  std::vector<float> proj(static_cast<size_t>(n) * ndirs);
  // proj (ndirs x n) = dirs (ndirs x D) * patches^T (D x n)
  gemm(Trans::kNo, Trans::kYes, ndirs, n, D, 1.0f, dirs.data(), D, patches.data(), D, 0.0f, proj.data(), n);
  std::vector<float> out(static_cast<size_t>(ndirs) * quantiles);
  for (int d = 0; d < ndirs; ++d) {
    float* row = proj.data() + static_cast<size_t>(d) * n;
    std::sort(row, row + n);
    for (int q = 0; q < quantiles; ++q) {
      const double t = (q + 0.5) / quantiles * n - 0.5;
      const int lo = std::clamp(static_cast<int>(std::floor(t)), 0, n - 1), hi = std::min(lo + 1, n - 1);
      const double f = std::clamp(t - lo, 0.0, 1.0);
      out[static_cast<size_t>(d) * quantiles + q] = static_cast<float>(row[lo] * (1.0 - f) + row[hi] * f);
    }
  }
  return out;
}

}  // namespace

double patch_distribution_distance(const cv::Mat& result_bgr, const cv::Mat& painting_bgr, int reference_long_side) {
  constexpr int D = 2 * kPatch * kPatch, kDirs = 64, kQuantiles = 256;
  std::vector<float> dirs(static_cast<size_t>(kDirs) * D);
  Rng rng(0x5117ed);
  for (int d = 0; d < kDirs; ++d) {
    double norm = 0.0;
    for (int k = 0; k < D; ++k) norm += std::pow(dirs[static_cast<size_t>(d) * D + k] = static_cast<float>(rng.normal()), 2);
    for (int k = 0; k < D; ++k) dirs[static_cast<size_t>(d) * D + k] /= static_cast<float>(std::sqrt(norm));
  }
  const int reference = reference_long_side > 0 ? reference_long_side : std::max(result_bgr.cols, result_bgr.rows);
  const std::vector<cv::Mat> r = pyramid(texture_lightness(result_bgr, reference), kPatchDistributionLevels);
  const std::vector<cv::Mat> p = pyramid(texture_lightness(painting_bgr, reference), kPatchDistributionLevels);
  double total = 0.0;
  for (int l = 0; l < kPatchDistributionLevels; ++l) {
    int nr = 0, np = 0;
    const std::vector<float> rp = gradient_patches(r[l], patch_stride(r[l], kPatchDistributionCap), nr);
    const std::vector<float> pp = gradient_patches(p[l], patch_stride(p[l], kPatchDistributionCap), np);
    const std::vector<float> qr = projection_quantiles(rp, nr, dirs, kDirs, kQuantiles);
    const std::vector<float> qp = projection_quantiles(pp, np, dirs, kDirs, kQuantiles);
    double level = 0.0;
    for (int d = 0; d < kDirs; ++d) {
      double sq = 0.0;
      for (int q = 0; q < kQuantiles; ++q) {
        const double e = qr[static_cast<size_t>(d) * kQuantiles + q] - qp[static_cast<size_t>(d) * kQuantiles + q];
        sq += e * e;
      }
      level += std::sqrt(sq / kQuantiles);
    }
    total += level / kDirs;
  }
  return total / kPatchDistributionLevels;
}

double grid_artefact_db(const cv::Mat& bgr) {
  cv::Mat L = lightness(bgr);
  L *= 0.01;
  const int tile = std::min({128, L.rows / 16 * 16, L.cols / 16 * 16});
  if (tile < 32) throw ShapeError("grid_artefact_db: the image must be at least 32 pixels on each side");
  cv::Mat hann;
  cv::createHanningWindow(hann, cv::Size(tile, tile), CV_32F);
  cv::Mat power = cv::Mat::zeros(tile, tile, CV_64F);
  const int step = tile / 2;
  int tiles = 0;
  for (int y = 0; y + tile <= L.rows; y += step)
    for (int x = 0; x + tile <= L.cols; x += step) {
      cv::Mat t = L(cv::Rect(x, y, tile, tile)).clone();
      t -= cv::mean(t)[0];
      t = t.mul(hann);
      cv::Mat spectrum, planes[2];
      cv::dft(t, spectrum, cv::DFT_COMPLEX_OUTPUT);
      cv::split(spectrum, planes);
      cv::Mat mag2 = planes[0].mul(planes[0]) + planes[1].mul(planes[1]), mag2d;
      mag2.convertTo(mag2d, CV_64F);
      power += mag2d;
      ++tiles;
    }
  power /= tiles;
  // A floor under the surroundings: the power of a sinusoid of amplitude 0.001 (invisible) in a
  // Hann-windowed tile, |F| = A sum(w) / 2 with sum(w) ~ tile^2 / 4. Without it a very smooth image,
  // whose surroundings are rounding noise, would show huge ratios.
  const double floor_amplitude = 0.001 * tile * tile / 8.0, floor = floor_amplitude * floor_amplitude;
  auto at = [&](int v, int u) { return power.at<double>(((v % tile) + tile) % tile, ((u % tile) + tile) % tile); };
  const int bin = tile / 16;  // one sixteenth of a cycle per pixel
  double worst = -std::numeric_limits<double>::infinity();
  std::vector<double> ring;
  // Half the plane: the power spectrum of a real image is symmetric, P(u, v) = P(-u, -v).
  for (int kx = 0; kx <= 8; ++kx)
    for (int ky = -7; ky <= 8; ++ky) {
      if (kx == 0 && ky <= 0) continue;
      const int u = kx * bin, v = ky * bin;
      // The grid's power sits in this very bin (the tile is a multiple of 16); the surroundings
      // stay clear of its Hann leakage (+-1 bin). A ring symmetric around the bin has its median
      // near the bin's own level on a sloping photo spectrum.
      const double peak = at(v, u);
      ring.clear();
      for (int dv = -5; dv <= 5; ++dv)
        for (int du = -5; du <= 5; ++du)
          if (std::max(std::abs(du), std::abs(dv)) >= 3) ring.push_back(at(v + dv, u + du));
      std::nth_element(ring.begin(), ring.begin() + ring.size() / 2, ring.end());
      const double median = ring[ring.size() / 2] + floor;
      worst = std::max(worst, 10.0 * std::log10((peak + floor) / median));
    }
  return worst;
}

}  // namespace neuroshop::stylize
