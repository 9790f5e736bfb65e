// ab bins: soft encoding against hand-computed values, annealed mean at its limits, rebalancing.
#include <gtest/gtest.h>

#include <cmath>

#include "apps/colorize/ab_bins.h"
#include "core/errors.h"

namespace neuroshop::colorize {
namespace {

// A histogram that keeps exactly the listed grid cells (a, b in ab units, multiples of 10).
AbBins bins_at(const std::vector<std::pair<float, float>>& centres) {
  AbBinOptions o;
  const int64_t n = static_cast<int64_t>(std::lround(2 * o.ab_range / o.grid)) + 1;
  std::vector<double> histogram(static_cast<size_t>(n * n), 0.0);
  for (auto [a, b] : centres) {
    const int64_t i = std::lround((a + o.ab_range) / o.grid), j = std::lround((b + o.ab_range) / o.grid);
    histogram[static_cast<size_t>(i * n + j)] = 1.0;
  }
  return AbBins::from_histogram(histogram, o);
}

TEST(ColorizeBins, KeepsOnlySeenCellsInGridOrder) {
  const AbBins bins = bins_at({{10, 0}, {-20, 30}, {0, 0}});
  ASSERT_EQ(bins.size(), 3);
  EXPECT_EQ(bins.a(0), -20.0f);
  EXPECT_EQ(bins.b(0), 30.0f);
  EXPECT_EQ(bins.a(1), 0.0f);
  EXPECT_EQ(bins.a(2), 10.0f);
  EXPECT_EQ(bins.nearest(8.0f, 1.0f), 2);
  EXPECT_EQ(bins.nearest(-100.0f, 100.0f), 0);
}

TEST(ColorizeBins, SoftEncodingMatchesHandComputedGaussianWeights) {
  // Bins at a = 0, 10, 20, 30 (b = 0); the pixel at a = 4 is 4, 6, 16, 26 from them.
  const AbBins bins = bins_at({{0, 0}, {10, 0}, {20, 0}, {30, 0}});
  const Tensor ab = Tensor::from({1, 2, 1, 1}, {4.0f, 0.0f});
  const Tensor t = bins.soft_encode(ab, /*neighbours=*/2, /*sigma=*/5.0f);
  // Two nearest: d² = 16 and 36; w ∝ exp(-d²/50).
  const double w0 = std::exp(-16.0 / 50.0), w1 = std::exp(-36.0 / 50.0);
  EXPECT_NEAR(t[0], w0 / (w0 + w1), 1e-6);
  EXPECT_NEAR(t[1], w1 / (w0 + w1), 1e-6);
  EXPECT_EQ(t[2], 0.0f);
  EXPECT_EQ(t[3], 0.0f);
  // Five neighbours of four bins: all four get weight, summing to one.
  const Tensor all = bins.soft_encode(ab, 5, 5.0f);
  double sum = 0.0;
  for (int q = 0; q < 4; ++q) sum += all[q];
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_GT(all[3], 0.0f);
}

TEST(ColorizeBins, AnnealedMeanIsTheModeAsTGoesToZeroAndTheMeanAtOne) {
  const AbBins bins = bins_at({{-50, 0}, {0, 40}, {60, -20}});
  // Distribution p = (0.2, 0.5, 0.3) given as log-probabilities plus a constant.
  const std::vector<double> p = {0.2, 0.5, 0.3};
  Tensor logits = Tensor::empty({1, 3, 1, 1});
  for (int q = 0; q < 3; ++q) logits[q] = static_cast<float>(std::log(p[q]) + 7.0);
  const Tensor mode = bins.annealed_mean(logits, 0.01f);
  EXPECT_NEAR(mode[0], 0.0f, 1e-3);
  EXPECT_NEAR(mode[1], 40.0f, 1e-3);
  const Tensor mean = bins.annealed_mean(logits, 1.0f);
  EXPECT_NEAR(mean[0], 0.2 * -50 + 0.5 * 0 + 0.3 * 60, 1e-4);
  EXPECT_NEAR(mean[1], 0.2 * 0 + 0.5 * 40 + 0.3 * -20, 1e-4);
  // T = 0.38 lies between: closer to the mode than the mean is.
  const Tensor annealed = bins.annealed_mean(logits, 0.38f);
  EXPECT_GT(annealed[1], mean[1]);
  EXPECT_LT(annealed[1], mode[1]);
  EXPECT_THROW(bins.annealed_mean(logits, 0.0f), ArgumentError);
}

TEST(ColorizeBins, PriorCorrectionDividesTheRebalancingWeightsBackOut) {
  AbBins bins = bins_at({{-50, 0}, {0, 40}, {60, -20}});
  bins.set_rebalancing({900, 90, 10}, 0.5, 5.0);
  const auto& w = bins.weights();
  // A network trained with weights w predicts z ∝ w·p; here p = (0.2, 0.5, 0.3).
  const std::vector<double> p = {0.2, 0.5, 0.3};
  Tensor logits = Tensor::empty({1, 3, 1, 1});
  for (int q = 0; q < 3; ++q) logits[q] = static_cast<float>(std::log(w[q] * p[q]) + 1.5);
  // α = 1 at T = 1: exactly the mean of p.
  const Tensor full = bins.annealed_mean(logits, 1.0f, 1.0f);
  EXPECT_NEAR(full[0], 0.2 * -50 + 0.5 * 0 + 0.3 * 60, 1e-3);
  EXPECT_NEAR(full[1], 0.2 * 0 + 0.5 * 40 + 0.3 * -20, 1e-3);
  // α = 0.5: the mean of z ∝ w^0.5·p, by hand.
  double total = 0.0, ea = 0.0, eb = 0.0;
  const double a[3] = {-50, 0, 60}, b[3] = {0, 40, -20};
  for (int q = 0; q < 3; ++q) {
    const double z = std::sqrt(w[q]) * p[q];
    total += z;
    ea += z * a[q];
    eb += z * b[q];
  }
  const Tensor half = bins.annealed_mean(logits, 1.0f, 0.5f);
  EXPECT_NEAR(half[0], ea / total, 1e-3);
  EXPECT_NEAR(half[1], eb / total, 1e-3);
  // α = 0 leaves the rebalanced distribution: the rare colour (60, -20) pulls harder.
  const Tensor none = bins.annealed_mean(logits, 1.0f, 0.0f);
  EXPECT_GT(none[0], half[0]);
  EXPECT_GT(half[0], full[0]);
  EXPECT_THROW(bins.annealed_mean(logits, 1.0f, 1.5f), ArgumentError);
  EXPECT_THROW(bins.annealed_mean(logits, 1.0f, -0.1f), ArgumentError);
}

TEST(ColorizeBins, RebalancingWeightsFavourRareColoursAndAverageToOne) {
  AbBins bins = bins_at({{0, 0}, {50, 50}, {-60, 40}});
  const std::vector<double> counts = {900, 90, 10};
  bins.set_rebalancing(counts, 0.5, 5.0);
  const auto& w = bins.weights();
  EXPECT_LT(w[0], w[1]);
  EXPECT_LT(w[1], w[2]);
  // Bins 50+ units apart: the sigma-5 smoothing leaves p nearly unchanged, so Σ p·w ≈ 1.
  double expectation = 0.0;
  for (int q = 0; q < 3; ++q) expectation += counts[q] / 1000.0 * w[q];
  EXPECT_NEAR(expectation, 1.0, 1e-3);
  // λ = 1 makes every weight equal.
  bins.set_rebalancing(counts, 1.0, 5.0);
  EXPECT_NEAR(bins.weights()[0], bins.weights()[2], 1e-6);
}

TEST(ColorizeBins, TablesRoundTripThroughTensors) {
  AbBins bins = bins_at({{0, 0}, {50, 50}, {-60, 40}});
  bins.set_rebalancing({5, 3, 2});
  const AbBins back = AbBins::from_tensors(bins.centres_tensor(), bins.weights_tensor());
  ASSERT_EQ(back.size(), 3);
  for (int q = 0; q < 3; ++q) {
    EXPECT_EQ(back.a(q), bins.a(q));
    EXPECT_EQ(back.b(q), bins.b(q));
    EXPECT_EQ(back.weights()[q], bins.weights()[q]);
  }
}

}  // namespace
}  // namespace neuroshop::colorize
