// Gradient (mask held fixed), known-value, reproducibility and error tests of Dropout.
#include <gtest/gtest.h>

#include <string>

#include "core/errors.h"
#include "core/layers/dropout.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

using testing::random_tensor;

TEST(Dropout, TrainGradientWithHeldMask) {
  Rng rng(31);
  Dropout drop(0.3, 99);
  drop.hold_mask(true);  // one fixed mask for every forward of the check
  const Tensor x = random_tensor({2, 3, 5, 5}, rng);
  testing::expect_gradients_match_fd(drop, x, rng);
  testing::expect_backward_accumulates(drop, x, rng);
}

TEST(Dropout, EvalGradient) {
  Rng rng(32);
  Dropout drop(0.3, 99);
  drop.set_training(false);
  const Tensor x = random_tensor({2, 3, 5, 5}, rng);
  testing::expect_gradients_match_fd(drop, x, rng);
}

TEST(Dropout, TrainZeroesAboutPAndScalesTheRest) {
  const double p = 0.25;
  Dropout drop(p, 7);
  const Tensor x = Tensor::full({4, 8, 32, 32}, 2.0f);
  const Tensor y = drop.forward(x);
  int64_t zeros = 0;
  double sum = 0.0;
  for (int64_t i = 0; i < y.numel(); ++i) {
    if (y[i] == 0.0f)
      ++zeros;
    else
      ASSERT_FLOAT_EQ(y[i], 2.0f / 0.75f);
    sum += y[i];
  }
  const double frac = static_cast<double>(zeros) / y.numel();
  EXPECT_NEAR(frac, p, 0.02);
  EXPECT_NEAR(sum / y.numel(), 2.0, 0.06);  // inverted dropout keeps the expectation
  // dx = dy * mask: the same elements are dropped on the way back.
  const Tensor dx = drop.backward(Tensor::full(y.shape(), 1.0f));
  for (int64_t i = 0; i < y.numel(); ++i) ASSERT_FLOAT_EQ(dx[i], y[i] / 2.0f);
}

TEST(Dropout, EvalIsIdentity) {
  Rng rng(33);
  Dropout drop(0.5, 1);
  drop.set_training(false);
  const Tensor x = random_tensor({2, 5}, rng);
  const Tensor y = drop.forward(x);
  const Tensor dx = drop.backward(x);
  for (int64_t i = 0; i < x.numel(); ++i) {
    EXPECT_EQ(y[i], x[i]);
    EXPECT_EQ(dx[i], x[i]);
  }
}

TEST(Dropout, SameSeedSameMaskAndFreshMaskEachStep) {
  const Tensor x = Tensor::full({2, 3, 8, 8}, 1.0f);
  Dropout a(0.5, 1234), b(0.5, 1234);
  const Tensor ya1 = a.forward(x), yb1 = b.forward(x);
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_EQ(ya1[i], yb1[i]);
  const Tensor ya2 = a.forward(x);
  int64_t differ = 0;
  for (int64_t i = 0; i < x.numel(); ++i) differ += ya1[i] != ya2[i];
  EXPECT_GT(differ, 0) << "an un-held mask must be redrawn each forward";
  a.reseed(1234);
  const Tensor ya3 = a.forward(x);
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_EQ(ya3[i], ya1[i]);
}

TEST(Dropout, SpecRoundTripsTheSeed) {
  Rng rng(5);
  Dropout drop(0.2, rng, "d1");
  const LayerSpec s = drop.spec();
  EXPECT_EQ(s.type, "Dropout");
  EXPECT_EQ(s.name, "d1");
  EXPECT_DOUBLE_EQ(s.get_float("p"), 0.2);
  EXPECT_EQ(static_cast<uint64_t>(s.get_int("seed")), drop.seed());
  Dropout big(0.2, ~uint64_t{0});
  EXPECT_EQ(static_cast<uint64_t>(big.spec().get_int("seed")), ~uint64_t{0});
}

TEST(Dropout, Errors) {
  EXPECT_THROW(Dropout(1.0, 1), ArgumentError);
  EXPECT_THROW(Dropout(-0.1, 1), ArgumentError);
  Dropout drop(0.5, 1, "d1");
  EXPECT_THROW(drop.backward(Tensor::zeros({2, 2})), Error);
  drop.hold_mask(true);
  drop.forward(Tensor::zeros({2, 2}));
  try {
    drop.forward(Tensor::zeros({2, 3}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("Dropout 'd1'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace neuroshop
