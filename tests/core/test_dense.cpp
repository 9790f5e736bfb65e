// Dense: known values, the three gradient tests (with and without bias), init, spec and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/layers/dense.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

TEST(Dense, KnownValues) {
  Rng rng(41);
  Dense dense(3, 2, rng);
  dense.weight().value.copy_from(Tensor::from({2, 3}, {1, 2, 3, -1, 0, 1}));
  dense.bias().value.copy_from(Tensor::from({2}, {0.5f, -0.5f}));
  const Tensor x = Tensor::from({2, 3}, {1, 1, 1, 1, 2, 3});
  const Tensor y = dense.forward(x);
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector(), (std::vector<float>{6.5f, -0.5f, 14.5f, 1.5f}));
  const Tensor dx = dense.backward(Tensor::from({2, 2}, {1, 0, 0, 1}));
  // dx = dy W: row 0 = W[0], row 1 = W[1]
  EXPECT_EQ(dx.to_vector(), (std::vector<float>{1, 2, 3, -1, 0, 1}));
  // dW = dy^T x: row 0 = x[0], row 1 = x[1]
  EXPECT_EQ(dense.weight().grad.to_vector(), (std::vector<float>{1, 1, 1, 1, 2, 3}));
  EXPECT_EQ(dense.bias().grad.to_vector(), (std::vector<float>{1, 1}));
}

TEST(Dense, Gradients) {
  Rng rng(42);
  for (bool bias : {true, false}) {
    SCOPED_TRACE(bias ? "bias" : "no bias");
    Dense dense(5, 4, rng, "fc", bias);
    for (Param* p : dense.params()) p->value.copy_from(testing::random_tensor(p->value.shape(), rng));
    const Tensor x = testing::random_tensor({3, 5}, rng);
    testing::expect_gradients_match_fd(dense, x, rng);
    testing::expect_backward_accumulates(dense, x, rng);
    testing::expect_frozen_still_backpropagates(dense, x, rng);
  }
}

TEST(Dense, InitIsHeUniform) {
  Rng rng(43);
  Dense dense(50, 40, rng);
  const double bound = std::sqrt(6.0 / 50);
  double sum_sq = 0.0;
  const Tensor& w = dense.weight().value;
  for (int64_t i = 0; i < w.numel(); ++i) {
    ASSERT_LE(std::abs(w[i]), bound);
    sum_sq += static_cast<double>(w[i]) * w[i];
  }
  EXPECT_NEAR(sum_sq / w.numel(), bound * bound / 3.0, 0.1 * bound * bound / 3.0);
  Rng same(43);
  Dense twin(50, 40, same);
  EXPECT_EQ(twin.weight().value.to_vector(), w.to_vector());
}

TEST(Dense, SpecAndFlops) {
  Rng rng(44);
  Dense dense(6, 3, rng, "head", false);
  const LayerSpec s = dense.spec();
  EXPECT_EQ(s.type, "Dense");
  EXPECT_EQ(s.name, "head");
  EXPECT_EQ(s.get_int("in_features"), 6);
  EXPECT_EQ(s.get_int("out_features"), 3);
  EXPECT_EQ(s.get_int("bias"), 0);
  EXPECT_EQ(dense.params().size(), 1u);
  EXPECT_EQ(dense.flops({4, 6}), 2 * 4 * 6 * 3);
}

TEST(Dense, WrongInputNamesTheLayer) {
  Rng rng(45);
  Dense dense(6, 3, rng, "head");
  try {
    dense.forward(Tensor::zeros({2, 5}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("Dense 'head'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(N,6)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(2,5)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dense.forward(Tensor::zeros({2, 6, 1, 1})), ShapeError);
  EXPECT_THROW(Dense(0, 3, rng), ArgumentError);
}

TEST(Dense, BackwardBeforeForwardThrows) {
  Rng rng(46);
  Dense dense(2, 2, rng);
  EXPECT_THROW(dense.backward(Tensor::zeros({1, 2})), Error);
  dense.forward(Tensor::zeros({1, 2}));
  EXPECT_THROW(dense.backward(Tensor::zeros({2, 2})), ShapeError);
}

}  // namespace
}  // namespace neuroshop
