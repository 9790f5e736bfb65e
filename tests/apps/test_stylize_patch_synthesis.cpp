// Patch synthesis (patch_synthesis.h): its pieces against direct definitions (histogram matching,
// grid positions, the GEMM nearest-neighbour search against a brute-force scan), and the whole on a
// synthetic painting of a distinctive mark: the result carries the painting's marks (its patch
// distribution moves toward the painting's), keeps the photo's layout, and is deterministic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "apps/stylize/patch_synthesis.h"
#include "apps/stylize/stylize.h"
#include "apps/stylize/texture_stats.h"
#include "core/errors.h"
#include "core/rng.h"

namespace neuroshop::stylize {
namespace {

cv::Mat random_bgr(int h, int w, uint64_t seed) {
  cv::Mat m(h, w, CV_32FC3);
  cv::RNG rng(seed);
  rng.fill(m, cv::RNG::UNIFORM, 0.0, 1.0);
  return m;
}

TEST(StylizePatchSynthesis, HistogramMatchingTakesTheReferencesValuesInTheImagesOrder) {
  const cv::Mat image = random_bgr(20, 30, 1);
  cv::Mat reference = random_bgr(20, 30, 2);
  reference = reference.mul(reference);  // a different (skewed) distribution
  const cv::Mat out = match_histograms(image, reference);
  for (int c = 0; c < 3; ++c) {
    std::vector<float> got, want, in;
    for (int i = 0; i < static_cast<int>(image.total()); ++i) {
      got.push_back(out.ptr<float>()[3 * i + c]);
      want.push_back(reference.ptr<float>()[3 * i + c]);
      in.push_back(image.ptr<float>()[3 * i + c]);
    }
    // same size: exactly the reference's values...
    std::vector<float> sorted_got = got;
    std::sort(sorted_got.begin(), sorted_got.end());
    std::sort(want.begin(), want.end());
    for (size_t k = 0; k < want.size(); ++k) EXPECT_FLOAT_EQ(sorted_got[k], want[k]);
    // ...in the order of the image's values
    for (size_t a = 0; a < in.size(); a += 7)
      for (size_t b = 0; b < in.size(); b += 11)
        if (in[a] < in[b]) {
          EXPECT_LE(got[a], got[b]);
        }
  }
}

TEST(StylizePatchSynthesis, PatchPositionsCoverEveryPixel) {
  for (int length : {9, 10, 37, 100})
    for (int patch : {3, 9})
      for (int step : {1, 2, 5, 8})
        for (int offset = 0; offset < step; offset += 2) {
          const std::vector<int> p = patch_positions(length, patch, step, offset);
          if (patch > length) {
            EXPECT_TRUE(p.empty());
            continue;
          }
          ASSERT_FALSE(p.empty());
          EXPECT_TRUE(std::is_sorted(p.begin(), p.end()));
          EXPECT_EQ(std::adjacent_find(p.begin(), p.end()), p.end());
          std::vector<int> covered(length, 0);
          for (int x : p) {
            ASSERT_GE(x, 0);
            ASSERT_LE(x + patch, length);
            for (int k = 0; k < patch; ++k) covered[x + k] = 1;
          }
          EXPECT_EQ(p.front(), 0);
          EXPECT_EQ(p.back(), length - patch);
          if (step <= patch) {
            EXPECT_EQ(std::count(covered.begin(), covered.end(), 0), 0)
                << "length " << length << " patch " << patch << " step " << step << " offset " << offset;
          }
        }
}

TEST(StylizePatchSynthesis, NearestRowsMatchesABruteForceScan) {
  Rng rng(3);
  const int64_t dim = 27, nq = 300, nb = 700;  // more than one GEMM chunk of queries
  std::vector<float> q(nq * dim), b(nb * dim);
  for (float& v : q) v = static_cast<float>(rng.uniform());
  for (float& v : b) v = static_cast<float>(rng.uniform());
  // plant exact copies: those must be found
  for (int i = 0; i < 10; ++i) std::copy_n(b.data() + (37 * i + 5) * dim, dim, q.data() + i * 29 * dim);
  const std::vector<int> got = nearest_rows(q, b, dim);
  ASSERT_EQ(got.size(), static_cast<size_t>(nq));
  for (int64_t i = 0; i < nq; ++i) {
    double best = std::numeric_limits<double>::max();
    for (int64_t j = 0; j < nb; ++j) {
      double d = 0.0;
      for (int64_t k = 0; k < dim; ++k) d += std::pow(static_cast<double>(q[i * dim + k]) - b[j * dim + k], 2);
      best = std::min(best, d);
    }
    double found = 0.0;
    for (int64_t k = 0; k < dim; ++k) found += std::pow(static_cast<double>(q[i * dim + k]) - b[got[i] * dim + k], 2);
    EXPECT_NEAR(found, best, 1e-4) << "query " << i;
  }
  for (int i = 0; i < 10; ++i) EXPECT_EQ(got[i * 29], 37 * i + 5);
}

// A "painting" of one distinctive mark (short dark diagonal dashes on a light ground) and a "photo"
// (two flat regions split by a vertical edge, with a soft gradient).
cv::Mat dash_painting(int h, int w) {
  cv::Mat m(h, w, CV_32FC3, cv::Scalar(0.85, 0.8, 0.75));
  Rng rng(9);
  for (int k = 0; k < h * w / 60; ++k) {
    const int x = static_cast<int>(rng.below(w)), y = static_cast<int>(rng.below(h));
    cv::line(m, {x, y}, {x + 5, y + 5}, cv::Scalar(0.15, 0.2, 0.35), 2);
  }
  return m;
}

cv::Mat two_region_photo(int h, int w) {
  cv::Mat m(h, w, CV_32FC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const float g = 0.3f + 0.2f * static_cast<float>(y) / h;
      m.at<cv::Vec3f>(y, x) = x < w / 2 ? cv::Vec3f(g, g, g) : cv::Vec3f(g + 0.4f, g + 0.35f, g + 0.3f);
    }
  return m;
}

// mean(gx gy) / mean(gx^2 + gy^2) of the gray image: negative for marks running from top left to
// bottom right, 0 for axis-aligned structure.
double diagonal_share(const cv::Mat& bgr) {
  cv::Mat gray, gx, gy;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::Sobel(gray, gx, CV_32F, 1, 0);
  cv::Sobel(gray, gy, CV_32F, 0, 1);
  return cv::mean(gx.mul(gy))[0] / (cv::mean(gx.mul(gx) + gy.mul(gy))[0] + 1e-12);
}

TEST(StylizePatchSynthesis, TheResultCarriesThePaintingsMarksAndThePhotosLayout) {
  const cv::Mat painting = dash_painting(160, 200), photo = two_region_photo(150, 180);
  PatchSynthesisOptions o;
  o.patch_sizes = {13, 7};
  o.rounds = 3;
  const cv::Mat out = synthesize_from_patches(photo, painting, o);
  ASSERT_EQ(out.size(), photo.size());
  ASSERT_EQ(out.type(), CV_32FC3);
  double lo = 0.0, hi = 0.0;
  cv::minMaxLoc(out.reshape(1), &lo, &hi);
  EXPECT_GE(lo, 0.0);
  EXPECT_LE(hi, 1.0);
  // the marks: diagonal dashes make the gradient's x and y parts anti-correlated (the painting
  // about -0.23), where the photo's vertical edge and vertical ramp leave them uncorrelated
  const double painting_diagonal = diagonal_share(painting), photo_diagonal = diagonal_share(photo);
  ASSERT_LT(painting_diagonal, -0.15);
  ASSERT_GT(photo_diagonal, -0.05);
  EXPECT_LT(diagonal_share(out), 0.6 * painting_diagonal) << "painting " << painting_diagonal << ", photo " << photo_diagonal;
  // and the result's gradient patches are distributed more like the painting's than the photo's are
  const double before = patch_distribution_distance(photo, painting), after = patch_distribution_distance(out, painting);
  EXPECT_LT(after, 0.8 * before) << "photo " << before << ", result " << after;
  // the layout: the right half stays brighter than the left
  cv::Mat gray;
  cv::cvtColor(out, gray, cv::COLOR_BGR2GRAY);
  const double left = cv::mean(gray(cv::Rect(0, 0, 80, 150)))[0], right = cv::mean(gray(cv::Rect(100, 0, 80, 150)))[0];
  EXPECT_GT(right, left + 0.1);
  // deterministic for a seed, different for another
  EXPECT_EQ(cv::norm(out, synthesize_from_patches(photo, painting, o), cv::NORM_INF), 0.0);
  o.seed = 2;
  EXPECT_GT(cv::norm(out, synthesize_from_patches(photo, painting, o), cv::NORM_INF), 0.0);
}

TEST(StylizePatchSynthesis, RejectsBadOptions) {
  const cv::Mat painting = dash_painting(40, 40), photo = two_region_photo(40, 40);
  PatchSynthesisOptions o;
  o.patch_sizes = {};
  EXPECT_THROW(synthesize_from_patches(photo, painting, o), ArgumentError);
  o = {};
  o.patch_sizes = {2};
  EXPECT_THROW(synthesize_from_patches(photo, painting, o), ArgumentError);
  o = {};
  o.robust_power = std::nan("");
  EXPECT_THROW(synthesize_from_patches(photo, painting, o), ArgumentError);
  o = {};
  o.colour_transfer = 1.5;
  EXPECT_THROW(synthesize_from_patches(photo, painting, o), ArgumentError);
  EXPECT_THROW(parse_method("paint"), ArgumentError);
  EXPECT_EQ(parse_method(method_name(StylizeMethod::kPatches)), StylizeMethod::kPatches);
  EXPECT_EQ(parse_method(method_name(StylizeMethod::kOptimize)), StylizeMethod::kOptimize);
}

}  // namespace
}  // namespace neuroshop::stylize
