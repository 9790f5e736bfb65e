// Gradient, known-value, tie and error tests of Maxout.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "core/errors.h"
#include "core/layers/maxout.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

// Distinct values 0.05 apart in random order: no ties, and no two pieces closer than the FD step.
Tensor distinct_values(const Shape& shape, Rng& rng) {
  Tensor t = Tensor::empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = static_cast<float>(0.05 * i - 0.025 * t.numel());
  for (int64_t i = t.numel() - 1; i > 0; --i) std::swap(t[i], t[static_cast<int64_t>(rng.below(i + 1))]);
  return t;
}

TEST(Maxout, GradientRank4) {
  Rng rng(41);
  Maxout maxout(3);
  const Tensor x = distinct_values({2, 6, 5, 5}, rng);
  EXPECT_EQ(maxout.output_shape(x.shape()), Shape({2, 2, 5, 5}));
  testing::expect_gradients_match_fd(maxout, x, rng);
  testing::expect_backward_accumulates(maxout, x, rng);
}

TEST(Maxout, GradientRank2) {
  Rng rng(42);
  Maxout maxout(2);
  const Tensor x = distinct_values({3, 8}, rng);
  testing::expect_gradients_match_fd(maxout, x, rng);
}

// The lecture's max(w1^T x + b1, w2^T x + b2): consecutive channels form a group.
TEST(Maxout, KnownValuesConsecutiveGrouping) {
  Maxout maxout(2);
  // One sample, features (a1, a2, b1, b2) -> (max(a1, a2), max(b1, b2)).
  const Tensor x = Tensor::from({1, 4}, {0.5f, -1.0f, 2.0f, 3.0f});
  const Tensor y = maxout.forward(x);
  ASSERT_EQ(y.shape(), Shape({1, 2}));
  EXPECT_EQ(y[0], 0.5f);
  EXPECT_EQ(y[1], 3.0f);
  const Tensor dx = maxout.backward(Tensor::from({1, 2}, {10.0f, 20.0f}));
  EXPECT_EQ(dx.to_vector(), (std::vector<float>{10.0f, 0.0f, 0.0f, 20.0f}));

  // Rank 4: channels (0,1) -> out 0, (2,3) -> out 1 at every pixel.
  const Tensor x4 = Tensor::from({1, 4, 1, 2}, {1, 5, 2, 4, 3, 3, 9, 0});
  const Tensor y4 = maxout.forward(x4);
  EXPECT_EQ(y4.to_vector(), (std::vector<float>{2, 5, 9, 3}));
}

TEST(Maxout, FirstMaximumWinsOnTies) {
  Maxout maxout(3);
  const Tensor x = Tensor::from({1, 3}, {1.0f, 1.0f, 1.0f});
  maxout.forward(x);
  const Tensor dx = maxout.backward(Tensor::from({1, 1}, {1.0f}));
  EXPECT_EQ(dx.to_vector(), (std::vector<float>{1.0f, 0.0f, 0.0f}));
}

TEST(Maxout, SpecAndErrors) {
  Maxout maxout(2, "mo");
  EXPECT_EQ(maxout.spec().type, "Maxout");
  EXPECT_EQ(maxout.spec().get_int("pieces"), 2);
  EXPECT_EQ(maxout.flops({2, 4, 3, 3}), 2 * 2 * 3 * 3);
  try {
    maxout.forward(Tensor::zeros({2, 5, 4, 4}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("Maxout 'mo'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(2,5,4,4)"), std::string::npos) << msg;
  }
  EXPECT_THROW(maxout.forward(Tensor::zeros({2, 4, 4})), ShapeError);
  EXPECT_THROW(Maxout(0), ArgumentError);
  EXPECT_THROW(maxout.backward(Tensor::zeros({2, 2})), Error);
}

}  // namespace
}  // namespace neuroshop
