// The "should I go outside?" demo's chain-rule numbers, checked three ways: known values of the
// default example, central differences of the demo's own error (in double), and the engine's
// Dense/Sigmoid backward plus mse_loss and Sgd. (tests/torch/ adds LibTorch autograd.)
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "apps/demos/outside.h"
#include "core/errors.h"
#include "core/layers/activations.h"
#include "core/layers/dense.h"
#include "core/losses/regression.h"
#include "core/optim/sgd.h"
#include "core/rng.h"

namespace neuroshop {
namespace {

using demos::OutsideOptions;
using demos::OutsidePass;
using demos::OutsideWeights;

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

TEST(DemoOutside, DefaultExampleKnownValues) {
  const demos::OutsideResult r = demos::run_outside(OutsideOptions{});
  const OutsidePass& p = r.before;
  // x = (1, 0, 1); W1 rows (0.5, -0.4, 0.3), (0.2, 0.6, -0.5); b1 (0.1, -0.1)
  EXPECT_NEAR(p.z1[0], 0.9, 1e-12);
  EXPECT_NEAR(p.z1[1], -0.4, 1e-12);
  EXPECT_NEAR(p.a1[0], sigmoid(0.9), 1e-12);
  EXPECT_NEAR(p.a1[1], sigmoid(-0.4), 1e-12);
  const double pred = 0.7 * sigmoid(0.9) - 0.6 * sigmoid(-0.4) + 0.05;
  EXPECT_NEAR(p.z2, pred, 1e-12);
  EXPECT_EQ(p.a2, p.z2);  // no activation on the output
  EXPECT_NEAR(p.error, 0.5 * (1 - pred) * (1 - pred), 1e-12);
  EXPECT_NEAR(p.dE_da2, pred - 1.0, 1e-12);
  EXPECT_EQ(p.da2_dz2, 1.0);
  EXPECT_EQ(p.delta2, p.dE_da2 * p.da2_dz2);
  // The hidden layer reuses delta2: dE/dW1_ji = delta2 * W2_j * sigma'(z1_j) * x_i.
  for (size_t j = 0; j < 2; ++j) {
    EXPECT_EQ(p.dz2_da1[j], p.weights.w2[j]);
    EXPECT_NEAR(p.da1_dz1[j], p.a1[j] * (1 - p.a1[j]), 1e-15);
    for (size_t i = 0; i < 3; ++i)
      EXPECT_NEAR(p.dE_dW1[j][i], p.delta2 * p.weights.w2[j] * p.da1_dz1[j] * p.x[i], 1e-15);
    EXPECT_NEAR(p.dE_dW2[j], p.delta2 * p.a1[j], 1e-15);
  }
  EXPECT_NEAR(p.dE_dW2[0], -0.492775, 1e-6);
  EXPECT_NEAR(p.dE_dW1[0][0], -0.099706, 1e-6);
  EXPECT_EQ(p.dE_dW1[0][1], 0.0);  // x_2 = 0 -> its weights get no gradient
  EXPECT_LT(r.after.error, r.before.error);
}

// E as a function of one weight, for central differences.
double error_with(const OutsideOptions& o, const OutsideWeights& w) {
  return demos::outside_pass(o.inputs, o.target, w).error;
}

void expect_matches_finite_differences(const OutsideOptions& o) {
  const OutsidePass p = demos::outside_pass(o.inputs, o.target, o.weights);
  const double h = 1e-6;
  auto numeric = [&](double OutsideWeights::*scalar, std::array<double, 2> OutsideWeights::*vec,
                     std::array<std::array<double, 3>, 2> OutsideWeights::*mat, size_t j, size_t i) {
    OutsideWeights plus = o.weights, minus = o.weights;
    if (scalar) { plus.*scalar += h; minus.*scalar -= h; }
    if (vec) { (plus.*vec)[j] += h; (minus.*vec)[j] -= h; }
    if (mat) { (plus.*mat)[j][i] += h; (minus.*mat)[j][i] -= h; }
    return (error_with(o, plus) - error_with(o, minus)) / (2 * h);
  };
  EXPECT_NEAR(p.dE_db2, numeric(&OutsideWeights::b2, nullptr, nullptr, 0, 0), 1e-7);
  for (size_t j = 0; j < 2; ++j) {
    EXPECT_NEAR(p.dE_dW2[j], numeric(nullptr, &OutsideWeights::w2, nullptr, j, 0), 1e-7) << "W2_" << j + 1;
    EXPECT_NEAR(p.dE_db1[j], numeric(nullptr, &OutsideWeights::b1, nullptr, j, 0), 1e-7) << "b1_" << j + 1;
    for (size_t i = 0; i < 3; ++i)
      EXPECT_NEAR(p.dE_dW1[j][i], numeric(nullptr, nullptr, &OutsideWeights::w1, j, i), 1e-7)
          << "W1_" << j + 1 << i + 1;
  }
}

OutsideOptions random_options(Rng& rng) {
  OutsideOptions o;
  for (auto& x : o.inputs) x = rng.uniform();
  o.target = rng.uniform() < 0.5 ? 0.0 : 1.0;
  for (auto& row : o.weights.w1)
    for (auto& v : row) v = rng.uniform(-1.5, 1.5);
  for (auto& v : o.weights.b1) v = rng.uniform(-0.5, 0.5);
  for (auto& v : o.weights.w2) v = rng.uniform(-1.5, 1.5);
  o.weights.b2 = rng.uniform(-0.5, 0.5);
  o.lr = 0.1;
  return o;
}

TEST(DemoOutside, ChainRuleMatchesFiniteDifferences) {
  expect_matches_finite_differences(OutsideOptions{});
  Rng rng(11);
  for (int k = 0; k < 10; ++k) expect_matches_finite_differences(random_options(rng));
}

// The same network built from the engine's layers must give the same numbers.
void expect_matches_engine(const OutsideOptions& o) {
  const demos::OutsideResult r = demos::run_outside(o);
  const OutsidePass& p = r.before;
  Rng rng(1);
  Dense hidden(3, 2, rng, "hidden");
  Sigmoid sigmoid_layer;
  Dense output(2, 1, rng, "output");
  for (size_t j = 0; j < 2; ++j) {
    for (size_t i = 0; i < 3; ++i) hidden.weight().value[static_cast<int64_t>(j * 3 + i)] = static_cast<float>(o.weights.w1[j][i]);
    hidden.bias().value[static_cast<int64_t>(j)] = static_cast<float>(o.weights.b1[j]);
    output.weight().value[static_cast<int64_t>(j)] = static_cast<float>(o.weights.w2[j]);
  }
  output.bias().value[0] = static_cast<float>(o.weights.b2);

  const Tensor x = Tensor::from({1, 3}, {static_cast<float>(o.inputs[0]), static_cast<float>(o.inputs[1]),
                                         static_cast<float>(o.inputs[2])});
  const Tensor y = Tensor::from({1, 1}, {static_cast<float>(o.target)});
  std::vector<Param*> params = hidden.params();
  for (Param* q : output.params()) params.push_back(q);
  Sgd sgd(params, SgdOptions{o.lr});
  sgd.zero_grad();
  const Tensor z1 = hidden.forward(x);
  const Tensor a1 = sigmoid_layer.forward(z1);
  const Tensor pred = output.forward(a1);  // no output activation
  Tensor dpred;
  const double error = mse_loss(pred, y, &dpred);  // n = 1: exactly 1/2 (y - pred)^2
  const Tensor dx = hidden.backward(sigmoid_layer.backward(output.backward(dpred)));

  const float tol = 2e-6f;
  for (size_t j = 0; j < 2; ++j) {
    EXPECT_NEAR(z1[static_cast<int64_t>(j)], p.z1[j], tol);
    EXPECT_NEAR(a1[static_cast<int64_t>(j)], p.a1[j], tol);
  }
  EXPECT_NEAR(pred[0], p.a2, tol);
  EXPECT_NEAR(error, p.error, tol);
  EXPECT_NEAR(dpred[0], p.dE_da2, tol);
  EXPECT_NEAR(output.bias().grad[0], p.dE_db2, tol);
  for (size_t j = 0; j < 2; ++j) {
    EXPECT_NEAR(output.weight().grad[static_cast<int64_t>(j)], p.dE_dW2[j], tol) << "W2_" << j + 1;
    EXPECT_NEAR(hidden.bias().grad[static_cast<int64_t>(j)], p.dE_db1[j], tol) << "b1_" << j + 1;
    for (size_t i = 0; i < 3; ++i)
      EXPECT_NEAR(hidden.weight().grad[static_cast<int64_t>(j * 3 + i)], p.dE_dW1[j][i], tol)
          << "W1_" << j + 1 << i + 1;
  }
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(dx[static_cast<int64_t>(i)], p.dE_dx[i], tol);

  // One engine SGD step lands on the demo's updated weights.
  sgd.step();
  const OutsideWeights& w = r.after.weights;
  for (size_t j = 0; j < 2; ++j) {
    for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(hidden.weight().value[static_cast<int64_t>(j * 3 + i)], w.w1[j][i], 1e-6);
    EXPECT_NEAR(hidden.bias().value[static_cast<int64_t>(j)], w.b1[j], 1e-6);
    EXPECT_NEAR(output.weight().value[static_cast<int64_t>(j)], w.w2[j], 1e-6);
  }
  EXPECT_NEAR(output.bias().value[0], w.b2, 1e-6);
}

TEST(DemoOutside, MatchesEngineDenseSigmoidBackwardAndSgd) {
  expect_matches_engine(OutsideOptions{});
  Rng rng(5);
  for (int k = 0; k < 10; ++k) expect_matches_engine(random_options(rng));
}

TEST(DemoOutside, OneStepLowersTheError) {
  Rng rng(3);
  for (int k = 0; k < 20; ++k) {
    const demos::OutsideResult r = demos::run_outside(random_options(rng));  // lr 0.1
    EXPECT_LT(r.after.error, r.before.error);
  }
}

TEST(DemoOutside, RejectsBadOptions) {
  OutsideOptions o;
  o.lr = 0.0;
  EXPECT_THROW(demos::run_outside(o), ArgumentError);
  o = OutsideOptions{};
  o.inputs[1] = std::nan("");
  EXPECT_THROW(demos::run_outside(o), ArgumentError);
  o = OutsideOptions{};
  o.weights.w1[1][2] = INFINITY;
  EXPECT_THROW(demos::run_outside(o), ArgumentError);
}

}  // namespace
}  // namespace neuroshop
