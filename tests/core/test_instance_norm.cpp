// Gradient, accumulation, frozen, known-value and error tests of InstanceNorm2d.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/errors.h"
#include "core/layers/instance_norm.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

using testing::random_tensor;

TEST(InstanceNorm2d, Gradient) {
  Rng rng(21);
  InstanceNorm2d norm(3);
  norm.weight().value.copy_from(random_tensor({3}, rng, 0.5, 1.5));
  norm.bias().value.copy_from(random_tensor({3}, rng, -0.5, 0.5));
  const Tensor x = random_tensor({2, 3, 5, 5}, rng, -1.0, 2.0);
  testing::expect_gradients_match_fd(norm, x, rng);
  testing::expect_backward_accumulates(norm, x, rng);
  testing::expect_frozen_still_backpropagates(norm, x, rng);
}

TEST(InstanceNorm2d, GradientWithoutAffine) {
  Rng rng(22);
  InstanceNorm2d norm(3, 1e-5, /*affine=*/false);
  EXPECT_TRUE(norm.params().empty());
  const Tensor x = random_tensor({2, 3, 5, 5}, rng);
  testing::expect_gradients_match_fd(norm, x, rng);
}

// Every (n, c) plane comes out with mean 0 and variance 1, in training and evaluation alike.
TEST(InstanceNorm2d, EachInstanceIsNormalizedInBothModes) {
  Rng rng(23);
  const int64_t N = 3, C = 2, H = 4, W = 6;
  Tensor x({N, C, H, W});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < H * W; ++i) x.at(n, c, i / W, i % W) = static_cast<float>(n - c + (n + 1) * rng.normal());
  InstanceNorm2d norm(C);
  const Tensor y_train = norm.forward(x);
  norm.set_training(false);
  const Tensor y_eval = norm.forward(x);
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_EQ(y_train[i], y_eval[i]);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      double sum = 0.0, sq = 0.0;
      for (int64_t i = 0; i < H * W; ++i) sum += y_train.at(n, c, i / W, i % W);
      const double mean = sum / (H * W);
      for (int64_t i = 0; i < H * W; ++i) sq += std::pow(y_train.at(n, c, i / W, i % W) - mean, 2);
      EXPECT_NEAR(mean, 0.0, 1e-5);
      EXPECT_NEAR(sq / (H * W), 1.0, 1e-3);
    }
}

TEST(InstanceNorm2d, KnownValuesWithAffine) {
  InstanceNorm2d norm(1, 1e-5);
  norm.weight().value[0] = 2.0f;
  norm.bias().value[0] = 0.5f;
  // mean 2.5, biased variance 1.25
  const Tensor y = norm.forward(Tensor::from({1, 1, 2, 2}, {1.0f, 2.0f, 3.0f, 4.0f}));
  const float inv = 1.0f / std::sqrt(1.25f + 1e-5f);
  EXPECT_NEAR(y[0], -1.5f * inv * 2.0f + 0.5f, 1e-5);
  EXPECT_NEAR(y[3], 1.5f * inv * 2.0f + 0.5f, 1e-5);
}

TEST(InstanceNorm2d, SpecAndErrors) {
  InstanceNorm2d norm(3, 1e-3, false, "in1");
  const LayerSpec s = norm.spec();
  EXPECT_EQ(s.type, "InstanceNorm2d");
  EXPECT_EQ(s.get_int("channels"), 3);
  EXPECT_DOUBLE_EQ(s.get_float("eps"), 1e-3);
  EXPECT_EQ(s.get_int("affine"), 0);
  try {
    norm.forward(Tensor::zeros({2, 4, 5, 5}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("InstanceNorm2d 'in1'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(2,4,5,5)"), std::string::npos) << msg;
  }
  EXPECT_THROW(norm.forward(Tensor::zeros({2, 3, 1, 1})), ShapeError);
  EXPECT_THROW(InstanceNorm2d(0), ArgumentError);
  EXPECT_THROW(norm.backward(Tensor::zeros({2, 3, 5, 5})), Error);
}

}  // namespace
}  // namespace neuroshop
