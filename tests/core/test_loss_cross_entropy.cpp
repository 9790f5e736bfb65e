// Known values, a naive reference, finite differences, extremes and errors of cross_entropy_loss.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/errors.h"
#include "core/losses/cross_entropy.h"
#include "layer_checks.h"
#include "test_loss_checks.h"

namespace neuroshop {
namespace {

// Random soft targets (N,C,...) that sum to `total` over C at each position. Position p of a
// rank-4 tensor is (n, s) with element (n*C + c)*S + s.
Tensor random_targets(const Shape& shape, Rng& rng, double total = 1.0) {
  Tensor t = testing::random_tensor(shape, rng, 0.05, 1.0);
  const int64_t N = shape[0], C = shape[1], S = shape.numel() / (N * C);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t s = 0; s < S; ++s) {
      double sum = 0.0;
      for (int64_t c = 0; c < C; ++c) sum += t[(n * C + c) * S + s];
      for (int64_t c = 0; c < C; ++c) t[(n * C + c) * S + s] = static_cast<float>(t[(n * C + c) * S + s] * total / sum);
    }
  return t;
}

// The definition spelled out position by position, in double, without max subtraction.
double naive_cross_entropy(const Tensor& z, const Tensor& t, const std::vector<float>* w) {
  const int64_t N = z.dim(0), C = z.dim(1), S = z.numel() / (N * C);
  double total = 0.0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t s = 0; s < S; ++s) {
      double sum_exp = 0.0;
      int64_t arg = 0;
      for (int64_t c = 0; c < C; ++c) {
        sum_exp += std::exp(static_cast<double>(z[(n * C + c) * S + s]));
        if (t[(n * C + c) * S + s] > t[(n * C + arg) * S + s]) arg = c;
      }
      double ce = 0.0;
      for (int64_t c = 0; c < C; ++c)
        ce -= t[(n * C + c) * S + s] * (z[(n * C + c) * S + s] - std::log(sum_exp));
      total += (w != nullptr ? (*w)[static_cast<size_t>(arg)] : 1.0) * ce;
    }
  return total / static_cast<double>(N * S);
}

TEST(CrossEntropyLoss, OneHotEqualsMinusLogSoftmax) {
  const Tensor z = Tensor::from({1, 3}, {1.0f, 2.0f, 3.0f});
  const Tensor t = Tensor::from({1, 3}, {0.0f, 0.0f, 1.0f});
  const double denom = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  Tensor dz;
  // exp is taken in float (fast_exp, ~1e-7 relative), the sums in double: the loss to ~1e-8
  EXPECT_NEAR(cross_entropy_loss(z, t, nullptr, &dz), -std::log(std::exp(3.0) / denom), 2e-8);
  // dz = softmax - t
  EXPECT_NEAR(dz[0], std::exp(1.0) / denom, 1e-7);
  EXPECT_NEAR(dz[1], std::exp(2.0) / denom, 1e-7);
  EXPECT_NEAR(dz[2], std::exp(3.0) / denom - 1.0, 1e-7);
}

TEST(CrossEntropyLoss, MatchesNaiveReferenceOnImages) {
  Rng rng(21);
  const Tensor z = testing::random_tensor({2, 5, 3, 4}, rng, -3.0, 3.0);
  const Tensor t = random_targets(z.shape(), rng);
  // float exp (fast_exp), double sums: within 1e-8 relative of the all-double reference
  const double plain = naive_cross_entropy(z, t, nullptr);
  EXPECT_NEAR(cross_entropy_loss(z, t), plain, 1e-8 * plain);
  const std::vector<float> w = {0.5f, 1.0f, 2.0f, 3.0f, 0.25f};
  const double weighted = naive_cross_entropy(z, t, &w);
  EXPECT_NEAR(cross_entropy_loss(z, t, &w), weighted, 1e-8 * weighted);
}

TEST(CrossEntropyLoss, ClassWeightsScaleByTheTargetsArgmax) {
  // Two positions, labels 0 and 2: L = (w0 * ce0 + w2 * ce2) / 2.
  const Tensor z = Tensor::from({2, 3}, {0.5f, -1.0f, 2.0f, 1.0f, 0.0f, -0.5f});
  const Tensor t = Tensor::from({2, 3}, {0.8f, 0.1f, 0.1f, 0.2f, 0.1f, 0.7f});
  const std::vector<float> w = {2.0f, 7.0f, 0.5f};
  const std::vector<float> uniform = {3.0f, 3.0f, 3.0f};
  Tensor dz_plain, dz_uniform;
  const double plain = cross_entropy_loss(z, t, nullptr, &dz_plain);
  EXPECT_NEAR(cross_entropy_loss(z, t, &uniform, &dz_uniform), 3.0 * plain, 1e-12);
  for (int64_t i = 0; i < dz_plain.numel(); ++i) EXPECT_NEAR(dz_uniform[i], 3.0f * dz_plain[i], 1e-6 * std::abs(dz_uniform[i]));

  const Tensor z0 = Tensor::from({1, 3}, {0.5f, -1.0f, 2.0f}), t0 = Tensor::from({1, 3}, {0.8f, 0.1f, 0.1f});
  const Tensor z1 = Tensor::from({1, 3}, {1.0f, 0.0f, -0.5f}), t1 = Tensor::from({1, 3}, {0.2f, 0.1f, 0.7f});
  const double expected = (2.0 * cross_entropy_loss(z0, t0) + 0.5 * cross_entropy_loss(z1, t1)) / 2.0;
  EXPECT_NEAR(cross_entropy_loss(z, t, &w), expected, 1e-12);
}

TEST(CrossEntropyLoss, GradientMatchesFiniteDifferences) {
  Rng rng(22);
  const Tensor z = testing::random_tensor({2, 3, 5, 5}, rng, -2.0, 2.0);
  const Tensor t = random_targets(z.shape(), rng);
  auto loss = [&](const Tensor& x, Tensor* dx) { return cross_entropy_loss(x, t, nullptr, dx); };
  testing::expect_loss_gradient_matches_fd(loss, z);
  testing::expect_gradient_not_accumulated(loss, z);
}

TEST(CrossEntropyLoss, GradientWithClassWeightsMatchesFiniteDifferences) {
  Rng rng(23);
  const Tensor z = testing::random_tensor({2, 4, 3, 3}, rng, -2.0, 2.0);
  const Tensor t = random_targets(z.shape(), rng);
  const std::vector<float> w = {0.3f, 1.5f, 2.0f, 0.8f};
  auto loss = [&](const Tensor& x, Tensor* dx) { return cross_entropy_loss(x, t, &w, dx); };
  testing::expect_loss_gradient_matches_fd(loss, z);
}

TEST(CrossEntropyLoss, GradientOfUnnormalizedTargetsMatchesFiniteDifferences) {
  // Targets summing to 2.5 at every position (and a rank-2 batch): dz = (v/P)(s * sum t - t).
  Rng rng(24);
  const Tensor z = testing::random_tensor({6, 7}, rng, -2.0, 2.0);
  const Tensor t = random_targets(z.shape(), rng, 2.5);
  auto loss = [&](const Tensor& x, Tensor* dx) { return cross_entropy_loss(x, t, nullptr, dx); };
  testing::expect_loss_gradient_matches_fd(loss, z);
}

TEST(CrossEntropyLoss, LargeLogitsStayFinite) {
  const Tensor z = Tensor::from({2, 3}, {1e4f, 0.0f, -1e4f, -1e4f, 1e4f, 1e4f});
  const Tensor t = Tensor::from({2, 3}, {1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f});
  Tensor dz;
  const double loss = cross_entropy_loss(z, t, nullptr, &dz);
  // Position 0 is certain and right (loss 0); position 1 is off by 2e4 + log 2.
  EXPECT_NEAR(loss, (2e4 + std::log(2.0)) / 2.0, 1e-6);
  for (int64_t i = 0; i < dz.numel(); ++i) EXPECT_TRUE(std::isfinite(dz[i]));
  EXPECT_NEAR(dz[3], -0.5f, 1e-7);
  EXPECT_NEAR(dz[4], 0.25f, 1e-7);
}

TEST(CrossEntropyLoss, RejectsBadInputs) {
  const Tensor z = Tensor::zeros({2, 3});
  EXPECT_THROW(cross_entropy_loss(z, Tensor::zeros({2, 4})), ShapeError);
  EXPECT_THROW(cross_entropy_loss(Tensor::zeros({2, 3, 4}), Tensor::zeros({2, 3, 4})), ShapeError);
  EXPECT_THROW(cross_entropy_loss(z, Tensor::from({2, 3}, {1, 0, 0, -0.5f, 1.5f, 0})), ArgumentError);
  const std::vector<float> two = {1.0f, 1.0f};
  EXPECT_THROW(cross_entropy_loss(z, Tensor::full({2, 3}, 1.0f / 3), &two), ArgumentError);
  // A NaN, an infinite or a negative target anywhere in an image of many positions, whichever
  // class and position it sits at, is found (the check is counted per position and class).
  const float bad_values[3] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(), -1e-30f};
  Rng rng(9);
  const Tensor logits = testing::random_tensor({2, 5, 7, 9}, rng);
  for (const float bad : bad_values)
    for (const int64_t at : {int64_t{0}, int64_t{4 * 63 + 17}, int64_t{2 * 5 * 63 - 1}}) {
      Tensor target = Tensor::full({2, 5, 7, 9}, 0.2f);
      EXPECT_NO_THROW(cross_entropy_loss(logits, target));
      target[at] = bad;
      EXPECT_THROW(cross_entropy_loss(logits, target), ArgumentError) << bad << " at " << at;
    }
}

}  // namespace
}  // namespace neuroshop
