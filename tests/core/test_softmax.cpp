// Gradient, known-value, extreme-logit and error tests of Softmax and the softmax kernels.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/errors.h"
#include "core/layers/softmax.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

using testing::random_tensor;

TEST(Softmax, GradientRank4) {
  Rng rng(51);
  Softmax softmax;
  const Tensor x = random_tensor({2, 3, 5, 5}, rng, -2.0, 2.0);
  testing::expect_gradients_match_fd(softmax, x, rng);
  testing::expect_backward_accumulates(softmax, x, rng);
}

TEST(Softmax, GradientRank2) {
  Rng rng(52);
  Softmax softmax;
  const Tensor x = random_tensor({4, 7}, rng, -2.0, 2.0);
  testing::expect_gradients_match_fd(softmax, x, rng);
}

// Per (n, h, w), the channel values sum to 1 and follow exp(x_c) / sum exp.
TEST(Softmax, KnownValuesOverChannels) {
  Rng rng(53);
  // 300 positions span more than one kernel block of inner positions.
  const Tensor x = random_tensor({2, 4, 15, 20}, rng, -3.0, 3.0);
  Softmax softmax;
  const Tensor y = softmax.forward(x);
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t h = 0; h < 15; ++h)
      for (int64_t w = 0; w < 20; ++w) {
        double z = 0.0, total = 0.0;
        for (int64_t c = 0; c < 4; ++c) z += std::exp(static_cast<double>(x.at(n, c, h, w)));
        for (int64_t c = 0; c < 4; ++c) {
          ASSERT_NEAR(y.at(n, c, h, w), std::exp(static_cast<double>(x.at(n, c, h, w))) / z, 1e-6);
          total += y.at(n, c, h, w);
        }
        ASSERT_NEAR(total, 1.0, 1e-6);
      }
}

TEST(Softmax, LargeLogitsStayFinite) {
  Softmax softmax;
  const Tensor x = Tensor::from({2, 2}, {1000.0f, 1001.0f, -1000.0f, 1000.0f});
  const Tensor y = softmax.forward(x);
  const double e = std::exp(1.0);
  EXPECT_NEAR(y[0], 1.0 / (1.0 + e), 1e-6);
  EXPECT_NEAR(y[1], e / (1.0 + e), 1e-6);
  EXPECT_EQ(y[2], 0.0f);
  EXPECT_EQ(y[3], 1.0f);
  const Tensor dx = softmax.backward(Tensor::from({2, 2}, {1.0f, -1.0f, 0.5f, 2.0f}));
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(std::isfinite(y[i]));
    EXPECT_TRUE(std::isfinite(dx[i]));
  }

  float log_y[4];
  log_softmax_channels(x.data(), log_y, 2, 2, 1);
  EXPECT_NEAR(log_y[0], -std::log1p(e), 1e-5);
  EXPECT_NEAR(log_y[1], 1.0 - std::log1p(e), 1e-5);
  EXPECT_NEAR(log_y[2], -2000.0f, 1e-2);  // finite, where log(softmax) would be -inf
  EXPECT_NEAR(log_y[3], 0.0f, 1e-6);
}

TEST(Softmax, KernelsAgreeAndWorkInPlace) {
  Rng rng(54);
  const Tensor x = random_tensor({3, 5, 2, 3}, rng, -4.0, 4.0);
  Tensor y = Tensor::empty(x.shape()), log_y = Tensor::empty(x.shape());
  softmax_channels(x.data(), y.data(), 3, 5, 6);
  log_softmax_channels(x.data(), log_y.data(), 3, 5, 6);
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_NEAR(std::log(y[i]), log_y[i], 1e-5);
  Tensor inplace = x.clone();
  softmax_channels(inplace.data(), inplace.data(), 3, 5, 6);
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_EQ(inplace[i], y[i]);
}

TEST(Softmax, SpecAndErrors) {
  Softmax softmax("probs");
  EXPECT_EQ(softmax.spec().type, "Softmax");
  EXPECT_EQ(softmax.spec().name, "probs");
  try {
    softmax.forward(Tensor::zeros({2, 3, 4}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("Softmax 'probs'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(2,3,4)"), std::string::npos) << msg;
  }
  EXPECT_THROW(softmax.backward(Tensor::zeros({2, 3})), Error);
}

}  // namespace
}  // namespace neuroshop
