// Sgd and Adam against numbers worked out by hand from torch.optim's update rules; frozen params,
// zero_grad, clip_grad_norm, and the state() round trip that checkpoints rely on.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include "core/errors.h"
#include "core/optim/adam.h"
#include "core/optim/sgd.h"

namespace neuroshop {
namespace {

Param make_param(const std::string& name, const std::vector<float>& value, const std::vector<float>& grad) {
  Param p(name, {static_cast<int64_t>(value.size())});
  p.value = Tensor::from(p.value.shape(), value);
  p.grad = Tensor::from(p.value.shape(), grad);
  return p;
}

void set_grad(Param& p, const std::vector<float>& grad) { p.grad = Tensor::from(p.value.shape(), grad); }

// p = (1, -2), g = (0.5, 0.25), lr = 0.1 in every Sgd test.
TEST(Sgd, PlainStep) {
  Param p = make_param("w", {1.0f, -2.0f}, {0.5f, 0.25f});
  Sgd sgd({&p}, SgdOptions{0.1});
  sgd.step();
  // p - lr g
  EXPECT_FLOAT_EQ(p.value[0], 0.95f);
  EXPECT_FLOAT_EQ(p.value[1], -2.025f);
  EXPECT_TRUE(sgd.state().empty());
}

TEST(Sgd, WeightDecayIsAddedToTheGradient) {
  Param p = make_param("w", {1.0f, -2.0f}, {0.5f, 0.25f});
  Sgd sgd({&p}, SgdOptions{0.1, 0.0, 0.01});
  sgd.step();
  // g = (0.5 + 0.01, 0.25 - 0.02) = (0.51, 0.23);  p = (1 - 0.051, -2 - 0.023)
  EXPECT_FLOAT_EQ(p.value[0], 0.949f);
  EXPECT_FLOAT_EQ(p.value[1], -2.023f);
}

TEST(Sgd, MomentumTwoSteps) {
  Param p = make_param("w", {1.0f, -2.0f}, {0.5f, 0.25f});
  Sgd sgd({&p}, SgdOptions{0.1, 0.9});
  sgd.step();
  // step 1: b = g = (0.5, 0.25);  p = (0.95, -2.025)
  EXPECT_FLOAT_EQ(p.value[0], 0.95f);
  EXPECT_FLOAT_EQ(p.value[1], -2.025f);
  sgd.step();
  // step 2: b = 0.9 (0.5, 0.25) + (0.5, 0.25) = (0.95, 0.475);  p = (0.95 - 0.095, -2.025 - 0.0475)
  EXPECT_FLOAT_EQ(p.value[0], 0.855f);
  EXPECT_FLOAT_EQ(p.value[1], -2.0725f);
  const auto state = sgd.state();
  ASSERT_EQ(state.size(), 1u);
  EXPECT_EQ(state[0].first, "sgd.momentum.0");
  EXPECT_FLOAT_EQ((*state[0].second)[0], 0.95f);
}

TEST(Sgd, NesterovTwoSteps) {
  Param p = make_param("w", {1.0f, -2.0f}, {0.5f, 0.25f});
  Sgd sgd({&p}, SgdOptions{0.1, 0.9, 0.0, true});
  sgd.step();
  // step 1: b = g;  g' = g + 0.9 b = (0.95, 0.475);  p = (0.905, -2.0475)
  EXPECT_FLOAT_EQ(p.value[0], 0.905f);
  EXPECT_FLOAT_EQ(p.value[1], -2.0475f);
  sgd.step();
  // step 2: b = (0.95, 0.475);  g' = g + 0.9 b = (1.355, 0.6775);  p = (0.905 - 0.1355, -2.0475 - 0.06775)
  EXPECT_FLOAT_EQ(p.value[0], 0.7695f);
  EXPECT_FLOAT_EQ(p.value[1], -2.11525f);
}

TEST(Sgd, RejectsBadOptions) {
  Param p = make_param("w", {1.0f}, {1.0f});
  EXPECT_THROW(Sgd({&p}, SgdOptions{-0.1}), ArgumentError);
  EXPECT_THROW(Sgd({&p}, SgdOptions{0.1, -0.5}), ArgumentError);
  EXPECT_THROW(Sgd({&p}, SgdOptions{0.1, 0.0, 0.0, true}), ArgumentError);
  EXPECT_THROW(Sgd({nullptr}, SgdOptions{0.1}), ArgumentError);
  Param bad("b", {2});
  bad.grad = Tensor::zeros({3});
  EXPECT_THROW(Sgd({&bad}, SgdOptions{0.1}), ArgumentError);
}

// p = (1, -2), g1 = (0.5, 0.25), g2 = (-0.1, 0.4), lr = 0.1, betas (0.9, 0.999), eps 1e-8.
TEST(Adam, TwoStepsByHand) {
  Param p = make_param("w", {1.0f, -2.0f}, {0.5f, 0.25f});
  Adam adam({&p}, AdamOptions{0.1});
  adam.step();
  // m = 0.1 g = (0.05, 0.025);  v = 0.001 g^2 = (2.5e-4, 6.25e-5);  bias corrections 0.1 and 0.001:
  // p = p - (0.1 / 0.1) * m / (sqrt(v) / sqrt(0.001) + 1e-8) = (1 - 0.05/0.50000001, -2 - 0.025/0.25000001)
  EXPECT_NEAR(p.value[0], 0.900000002, 1e-6);
  EXPECT_NEAR(p.value[1], -2.099999996, 1e-6);
  set_grad(p, {-0.1f, 0.4f});
  adam.step();
  // m = 0.9 m + 0.1 g = (0.035, 0.0625);  v = 0.999 v + 0.001 g^2 = (2.5975e-4, 2.224375e-4)
  // bias corrections 1 - 0.9^2 = 0.19 and 1 - 0.999^2 = 0.001999:
  // p0 = 0.900000002 - (0.1 / 0.19) * 0.035 / (sqrt(2.5975e-4) / sqrt(0.001999) + 1e-8) = 0.8488973957
  // p1 = -2.099999996 - (0.1 / 0.19) * 0.0625 / (sqrt(2.224375e-4) / sqrt(0.001999) + 1e-8) = -2.1986117759
  EXPECT_NEAR(p.value[0], 0.8488973957, 2e-6);
  EXPECT_NEAR(p.value[1], -2.1986117759, 2e-6);
  const auto state = adam.state();
  ASSERT_EQ(state.size(), 3u);
  EXPECT_EQ(state[0].first, "adam.step.0");
  EXPECT_EQ(state[1].first, "adam.m.0");
  EXPECT_EQ(state[2].first, "adam.v.0");
  EXPECT_EQ((*state[0].second)[0], 2.0f);
  EXPECT_NEAR((*state[1].second)[0], 0.035f, 1e-8);
  EXPECT_NEAR((*state[2].second)[1], 2.224375e-4f, 1e-10);
}

TEST(Adam, WeightDecayAndOtherHyperparameters) {
  {
    Param p = make_param("w", {1.0f, -2.0f}, {0.5f, 0.25f});
    Adam adam({&p}, AdamOptions{0.1, 0.9, 0.999, 1e-8, 0.1});
    adam.step();
    // g = g + 0.1 p = (0.6, 0.05): the first step is lr * g / (|g| + eps)
    EXPECT_NEAR(p.value[0], 0.9000000016666666, 1e-6);
    EXPECT_NEAR(p.value[1], -2.099999980000004, 1e-6);
    set_grad(p, {-0.1f, 0.4f});
    adam.step();
    // g = (-0.1 + 0.09, 0.4 - 0.21) = (-0.01, 0.19), then as in TwoStepsByHand
    EXPECT_NEAR(p.value[0], 0.8342441676622847, 2e-6);
    EXPECT_NEAR(p.value[1], -2.189010438597585, 2e-6);
  }
  {
    Param p = make_param("w", {1.0f, -2.0f}, {0.5f, 0.25f});
    Adam adam({&p}, AdamOptions{0.01, 0.5, 0.75, 0.1});
    adam.step();
    // m = 0.5 g, v = 0.25 g^2, corrections 0.5 and 0.25: p = p - 0.01 g / (|g| + 0.1)
    EXPECT_NEAR(p.value[0], 1.0 - 0.01 * 0.5 / 0.6, 1e-7);
    EXPECT_NEAR(p.value[1], -2.0 - 0.01 * 0.25 / 0.35, 1e-7);
    set_grad(p, {-0.1f, 0.4f});
    adam.step();
    EXPECT_NEAR(p.value[0], 0.9893727844399154, 1e-6);
    EXPECT_NEAR(p.value[1], -2.0150288829944625, 1e-6);
  }
}

TEST(Adam, RejectsBadOptions) {
  Param p = make_param("w", {1.0f}, {1.0f});
  EXPECT_THROW(Adam({&p}, AdamOptions{0.1, 1.0}), ArgumentError);
  EXPECT_THROW(Adam({&p}, AdamOptions{0.1, 0.9, -0.1}), ArgumentError);
  EXPECT_THROW(Adam({&p}, AdamOptions{0.1, 0.9, 0.999, -1e-8}), ArgumentError);
  Adam adam({&p});
  EXPECT_THROW(adam.set_learning_rate(-1.0), ArgumentError);
  EXPECT_THROW(adam.set_learning_rate(std::numeric_limits<double>::quiet_NaN()), ArgumentError);
}

TEST(Optimizers, SkipFrozenParamsAndZeroGrads) {
  Param a = make_param("a", {1.0f, 2.0f}, {0.5f, 0.5f});
  Param frozen = make_param("frozen", {3.0f}, {1.0f});
  frozen.trainable = false;
  Adam adam({&a, &frozen}, AdamOptions{0.1});
  adam.step();
  EXPECT_EQ(frozen.value[0], 3.0f);
  EXPECT_NE(a.value[0], 1.0f);
  // State only for the trainable param; the frozen one gets state once it is unfrozen and stepped.
  EXPECT_EQ(adam.state().size(), 3u);
  frozen.trainable = true;
  adam.step();
  EXPECT_NEAR(frozen.value[0], 2.9f, 1e-6);  // its own first step: bias-corrected, lr * sign(g)
  const auto state = adam.state();
  ASSERT_EQ(state.size(), 6u);
  EXPECT_EQ(state[3].first, "adam.step.1");
  EXPECT_EQ((*state[0].second)[0], 2.0f);
  EXPECT_EQ((*state[3].second)[0], 1.0f);
  adam.zero_grad();
  EXPECT_EQ(a.grad[0], 0.0f);
  EXPECT_EQ(frozen.grad[0], 0.0f);
}

TEST(ClipGradNorm, ScalesToMaxNormAndReturnsTheNormBefore) {
  Param a = make_param("a", {0.0f, 0.0f}, {3.0f, 0.0f});
  Param b = make_param("b", {0.0f}, {4.0f});
  Param frozen = make_param("frozen", {0.0f}, {100.0f});
  frozen.trainable = false;
  EXPECT_NEAR(clip_grad_norm({&a, &b, &frozen}, 1.0), 5.0, 1e-12);
  // scale max_norm / (norm + 1e-6)
  EXPECT_NEAR(a.grad[0], 3.0 / (5.0 + 1e-6), 1e-7);
  EXPECT_NEAR(b.grad[0], 4.0 / (5.0 + 1e-6), 1e-7);
  EXPECT_EQ(frozen.grad[0], 100.0f);
  // Below the limit nothing changes.
  EXPECT_NEAR(clip_grad_norm({&a, &b}, 10.0), 1.0, 1e-6);
  EXPECT_NEAR(b.grad[0], 4.0 / (5.0 + 1e-6), 1e-7);
  // A non-finite norm is reported and the grads are left alone.
  b.grad[0] = std::numeric_limits<float>::infinity();
  EXPECT_TRUE(std::isinf(clip_grad_norm({&a, &b}, 1.0)));
  EXPECT_NEAR(a.grad[0], 3.0 / (5.0 + 1e-6), 1e-7);
  EXPECT_THROW(clip_grad_norm({&a}, 0.0), ArgumentError);
}

// Two params with gradient g = p - target (a quadratic bowl), stepped by `opt`.
struct Problem {
  Param w = make_param("w", {1.0f, -2.0f, 0.5f}, {0.0f, 0.0f, 0.0f});
  Param b = make_param("b", {0.25f}, {0.0f});
  void compute_grads() {
    const float target_w[3] = {0.3f, 0.1f, -0.7f};
    for (int i = 0; i < 3; ++i) w.grad[i] = w.value[i] - target_w[i];
    b.grad[0] = 3.0f * (b.value[0] - 1.0f);
  }
  std::vector<Param*> params() { return {&w, &b}; }
};

// Steps A three times, copies A's params and state() into a fresh B, then steps both twice more:
// the params must agree bit for bit.
template <class MakeOptimizer>
void expect_state_round_trip(const MakeOptimizer& make) {
  Problem pa, pb;
  std::unique_ptr<Optimizer> a = make(pa.params());
  for (int i = 0; i < 3; ++i) {
    a->zero_grad();
    pa.compute_grads();
    a->step();
  }
  std::unique_ptr<Optimizer> b = make(pb.params());
  pb.w.value.copy_from(pa.w.value);
  pb.b.value.copy_from(pa.b.value);
  std::map<std::string, Tensor*> saved;
  for (auto& [name, tensor] : a->state()) saved[name] = tensor;
  const auto restored = b->state();
  ASSERT_EQ(restored.size(), saved.size());
  ASSERT_FALSE(restored.empty());
  for (auto& [name, tensor] : restored) {
    ASSERT_TRUE(saved.count(name)) << name;
    tensor->copy_from(*saved[name]);
  }
  for (int i = 0; i < 2; ++i) {
    for (Problem* p : {&pa, &pb}) p->compute_grads();
    a->step();
    b->step();
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(pa.w.value[i], pb.w.value[i]);
  EXPECT_EQ(pa.b.value[0], pb.b.value[0]);

  // Without the state B would have diverged (the state matters).
  Problem pc;
  std::unique_ptr<Optimizer> c = make(pc.params());
  Problem pd;
  std::unique_ptr<Optimizer> d = make(pd.params());
  pc.compute_grads();
  c->step();
  pd.w.value.copy_from(pc.w.value);
  pd.b.value.copy_from(pc.b.value);
  pc.compute_grads();
  pd.compute_grads();
  c->step();
  d->step();
  EXPECT_NE(pc.w.value[0], pd.w.value[0]);
}

TEST(Optimizers, StateRoundTripResumesExactly) {
  expect_state_round_trip([](std::vector<Param*> params) -> std::unique_ptr<Optimizer> {
    return std::make_unique<Adam>(std::move(params), AdamOptions{0.05, 0.9, 0.99, 1e-8, 0.01});
  });
  expect_state_round_trip([](std::vector<Param*> params) -> std::unique_ptr<Optimizer> {
    return std::make_unique<Sgd>(std::move(params), SgdOptions{0.05, 0.9, 0.01, true});
  });
}

}  // namespace
}  // namespace neuroshop
