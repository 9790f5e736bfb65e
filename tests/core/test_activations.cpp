// Gradient, accumulation and known-value tests of the element-wise activations.
#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.h"
#include "core/layers/activations.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

using testing::random_away_from_zero;

template <class L>
void check_layer(L& layer, double gap) {
  Rng rng(7);
  const Tensor x = random_away_from_zero({2, 3, 5, 5}, rng, gap, 2.0);
  testing::expect_gradients_match_fd(layer, x, rng);
  testing::expect_backward_accumulates(layer, x, rng);
}

TEST(Activations, SigmoidGradient) { Sigmoid l; check_layer(l, 0.0); }
TEST(Activations, TanhGradient) { Tanh l; check_layer(l, 0.0); }
TEST(Activations, ReluGradient) { Relu l; check_layer(l, 0.05); }
TEST(Activations, LeakyReluGradient) { LeakyRelu l(LeakyReluFn{0.1f}); check_layer(l, 0.05); }
TEST(Activations, EluGradient) { Elu l(EluFn{0.7f}); check_layer(l, 0.05); }

TEST(Activations, KnownValues) {
  const Tensor x = Tensor::from({1, 1, 1, 4}, {-2.0f, -0.5f, 0.5f, 2.0f});
  Sigmoid sig;
  Tanh th;
  Relu relu;
  LeakyRelu leaky;  // the lecture's max(0.1x, x)
  Elu elu;
  const Tensor s = sig.forward(x), t = th.forward(x), r = relu.forward(x), l = leaky.forward(x), e = elu.forward(x);
  EXPECT_NEAR(s[0], 0.11920292f, 1e-6);
  EXPECT_NEAR(s[3], 0.88079708f, 1e-6);
  EXPECT_NEAR(t[1], -0.46211716f, 1e-6);
  EXPECT_EQ(r[0], 0.0f);
  EXPECT_EQ(r[2], 0.5f);
  EXPECT_NEAR(l[0], -0.2f, 1e-7);
  EXPECT_NEAR(l[3], 2.0f, 1e-7);
  EXPECT_NEAR(e[0], std::expm1(-2.0f), 1e-7);
  EXPECT_EQ(e[2], 0.5f);
}

TEST(Activations, ExtremesStayFinite) {
  const Tensor x = Tensor::from({1, 4}, {-300.0f, -80.0f, 80.0f, 300.0f});
  Sigmoid sig;
  Tanh th;
  Elu elu;
  const Tensor s = sig.forward(x), t = th.forward(x), e = elu.forward(x);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(std::isfinite(s[i]));
    EXPECT_TRUE(std::isfinite(t[i]));
    EXPECT_TRUE(std::isfinite(e[i]));
  }
  EXPECT_EQ(s[0], 0.0f);
  EXPECT_EQ(s[3], 1.0f);
  const Tensor ds = sig.backward(Tensor::full({1, 4}, 1.0f));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(std::isfinite(ds[i]));
}

TEST(Activations, BackwardBeforeForwardThrows) {
  Relu relu;
  EXPECT_THROW(relu.backward(Tensor::zeros({1, 1})), Error);
}

// The mask fused layers apply (forward_relu): dy where the ReLU's output is positive, else 0,
// and the same as the Relu layer's own backward.
TEST(Activations, ReluGradFromOutputMatchesReluBackward) {
  const Tensor x = Tensor::from({1, 1, 1, 5}, {-2.0f, -0.0f, 0.0f, 0.5f, 3.0f});
  const Tensor dy = Tensor::from({1, 1, 1, 5}, {1.0f, 2.0f, 3.0f, -4.0f, 5.0f});
  Relu relu;
  const Tensor y = relu.forward(x);
  const Tensor masked = relu_grad_from_output(dy, y);
  const Tensor expected = relu.backward(dy);
  const float known[5] = {0.0f, 0.0f, 0.0f, -4.0f, 5.0f};
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_EQ(masked[i], known[i]) << i;
    EXPECT_EQ(masked[i], expected[i]) << i;
  }
  EXPECT_THROW(relu_grad_from_output(dy, Tensor::from({1, 1, 1, 4}, {1, 2, 3, 4})), ShapeError);
}

}  // namespace
}  // namespace neuroshop
