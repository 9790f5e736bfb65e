// Gradient, accumulation, frozen, known-value and error tests of BatchNorm2d (train and eval mode).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/errors.h"
#include "core/layers/batch_norm.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

using testing::random_tensor;

// Non-trivial weight and bias so their gradients and dx depend on them.
void randomize_affine(BatchNorm2d& bn, Rng& rng) {
  bn.weight().value.copy_from(random_tensor({bn.channels()}, rng, 0.5, 1.5));
  bn.bias().value.copy_from(random_tensor({bn.channels()}, rng, -0.5, 0.5));
}

void check_layer(BatchNorm2d& bn, const Tensor& x, Rng& rng) {
  testing::expect_gradients_match_fd(bn, x, rng);
  testing::expect_backward_accumulates(bn, x, rng);
  testing::expect_frozen_still_backpropagates(bn, x, rng);
}

TEST(BatchNorm2d, TrainGradient) {
  Rng rng(11);
  BatchNorm2d bn(3);
  randomize_affine(bn, rng);
  const Tensor x = random_tensor({2, 3, 5, 5}, rng, -1.0, 2.0);
  check_layer(bn, x, rng);
}

TEST(BatchNorm2d, TrainGradientWithoutAffine) {
  Rng rng(12);
  BatchNorm2d bn(3, 1e-5, 0.1, /*affine=*/false);
  EXPECT_TRUE(bn.params().empty());
  const Tensor x = random_tensor({2, 3, 5, 5}, rng);
  testing::expect_gradients_match_fd(bn, x, rng);
}

TEST(BatchNorm2d, EvalGradient) {
  Rng rng(13);
  BatchNorm2d bn(3);
  randomize_affine(bn, rng);
  bn.running_mean().value.copy_from(random_tensor({3}, rng, -0.5, 0.5));
  bn.running_var().value.copy_from(random_tensor({3}, rng, 0.5, 2.0));
  bn.set_training(false);
  const Tensor x = random_tensor({2, 3, 5, 5}, rng);
  check_layer(bn, x, rng);
}

// Channel c has mean 3c - 2 and spread c + 1; the output of each channel has mean 0, variance 1.
TEST(BatchNorm2d, TrainOutputIsNormalizedPerChannel) {
  Rng rng(14);
  const int64_t N = 4, C = 3, H = 6, W = 5;
  Tensor x({N, C, H, W});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w) x.at(n, c, h, w) = static_cast<float>(3.0 * c - 2.0 + (c + 1) * rng.normal());
  BatchNorm2d bn(C);
  const Tensor y = bn.forward(x);
  for (int64_t c = 0; c < C; ++c) {
    double sum = 0.0, sq = 0.0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w) sum += y.at(n, c, h, w);
    const double mean = sum / (N * H * W);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w) sq += (y.at(n, c, h, w) - mean) * (y.at(n, c, h, w) - mean);
    EXPECT_NEAR(mean, 0.0, 1e-5) << "channel " << c;
    EXPECT_NEAR(sq / (N * H * W), 1.0, 1e-4) << "channel " << c;
  }
}

// After one training step from (mean 0, var 1): running_mean = m * mean, running_var = (1 - m) + m * unbiased var.
TEST(BatchNorm2d, RunningStatsAfterOneStep) {
  Rng rng(15);
  const double momentum = 0.1;
  const Tensor x = random_tensor({3, 2, 4, 4}, rng, -1.0, 3.0);
  BatchNorm2d bn(2, 1e-5, momentum);
  bn.forward(x);
  const int64_t M = 3 * 4 * 4;
  for (int64_t c = 0; c < 2; ++c) {
    double sum = 0.0, sq = 0.0;
    for (int64_t n = 0; n < 3; ++n)
      for (int64_t i = 0; i < 16; ++i) sum += x.at(n, c, i / 4, i % 4);
    const double mean = sum / M;
    for (int64_t n = 0; n < 3; ++n)
      for (int64_t i = 0; i < 16; ++i) sq += (x.at(n, c, i / 4, i % 4) - mean) * (x.at(n, c, i / 4, i % 4) - mean);
    const double unbiased = sq / (M - 1);
    EXPECT_NEAR(bn.running_mean().value[c], momentum * mean, 1e-6);
    EXPECT_NEAR(bn.running_var().value[c], (1.0 - momentum) * 1.0 + momentum * unbiased, 1e-6);
  }
}

TEST(BatchNorm2d, EvalUsesRunningStats) {
  BatchNorm2d bn(2, 1e-5);
  bn.weight().value.copy_from(Tensor::from({2}, {2.0f, 0.5f}));
  bn.bias().value.copy_from(Tensor::from({2}, {1.0f, -1.0f}));
  bn.running_mean().value.copy_from(Tensor::from({2}, {0.5f, -2.0f}));
  bn.running_var().value.copy_from(Tensor::from({2}, {4.0f, 0.25f}));
  bn.set_training(false);
  const Tensor x = Tensor::from({1, 2, 1, 2}, {1.5f, -0.5f, -1.0f, 0.0f});
  const Tensor y = bn.forward(x);
  auto expect = [](float v, float m, float var, float w, float b) { return (v - m) / std::sqrt(var + 1e-5f) * w + b; };
  EXPECT_NEAR(y[0], expect(1.5f, 0.5f, 4.0f, 2.0f, 1.0f), 1e-5);
  EXPECT_NEAR(y[1], expect(-0.5f, 0.5f, 4.0f, 2.0f, 1.0f), 1e-5);
  EXPECT_NEAR(y[2], expect(-1.0f, -2.0f, 0.25f, 0.5f, -1.0f), 1e-5);
  EXPECT_NEAR(y[3], expect(0.0f, -2.0f, 0.25f, 0.5f, -1.0f), 1e-5);
  // Eval forward leaves the running statistics alone.
  EXPECT_EQ(bn.running_mean().value[1], -2.0f);
  EXPECT_EQ(bn.running_var().value[0], 4.0f);
}

TEST(BatchNorm2d, ParamsBuffersAndSpec) {
  BatchNorm2d bn(4, 1e-3, 0.2, true, "bn1");
  ASSERT_EQ(bn.params().size(), 2u);
  EXPECT_EQ(bn.params()[0]->name, "weight");
  EXPECT_EQ(bn.params()[1]->name, "bias");
  EXPECT_EQ(bn.params()[0]->value[3], 1.0f);
  EXPECT_EQ(bn.params()[1]->value[3], 0.0f);
  const auto buffers = bn.buffers();
  ASSERT_EQ(buffers.size(), 2u);
  EXPECT_EQ(buffers[0]->name, "running_mean");
  EXPECT_EQ(buffers[1]->name, "running_var");
  EXPECT_FALSE(buffers[0]->trainable);
  EXPECT_EQ(buffers[1]->value.shape(), Shape({4}));
  EXPECT_EQ(buffers[1]->value[0], 1.0f);
  const LayerSpec s = bn.spec();
  EXPECT_EQ(s.type, "BatchNorm2d");
  EXPECT_EQ(s.name, "bn1");
  EXPECT_EQ(s.get_int("channels"), 4);
  EXPECT_DOUBLE_EQ(s.get_float("eps"), 1e-3);
  EXPECT_DOUBLE_EQ(s.get_float("momentum"), 0.2);
  EXPECT_EQ(s.get_int("affine"), 1);
}

TEST(BatchNorm2d, WrongChannelCountNamesTheLayer) {
  BatchNorm2d bn(3, 1e-5, 0.1, true, "bn1");
  try {
    bn.forward(Tensor::zeros({2, 4, 5, 5}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("BatchNorm2d 'bn1'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(N,3,H,W)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(2,4,5,5)"), std::string::npos) << msg;
  }
  EXPECT_THROW(bn.forward(Tensor::zeros({2, 3})), ShapeError);
}

TEST(BatchNorm2d, OneValuePerChannelInTrainingThrows) {
  BatchNorm2d bn(3);
  EXPECT_THROW(bn.forward(Tensor::zeros({1, 3, 1, 1})), ShapeError);
  bn.set_training(false);
  EXPECT_NO_THROW(bn.forward(Tensor::zeros({1, 3, 1, 1})));
}

TEST(BatchNorm2d, BadArgumentsAndBackwardBeforeForwardThrow) {
  EXPECT_THROW(BatchNorm2d(0), ArgumentError);
  EXPECT_THROW(BatchNorm2d(3, 0.0), ArgumentError);
  EXPECT_THROW(BatchNorm2d(3, 1e-5, 1.5), ArgumentError);
  BatchNorm2d bn(3);
  EXPECT_THROW(bn.backward(Tensor::zeros({1, 3, 2, 2})), Error);
}

}  // namespace
}  // namespace neuroshop
