// The lecture's "should I go outside?" network, forward and backward worked out by hand.
//   3 inputs x (sunny, warm, friends outside, each in [0, 1])
//   -> hidden layer of 2 neurons:  z1 = W1 x + b1,  a1 = sigmoid(z1)
//   -> output neuron:              z2 = W2 . a1 + b2, a2 = z2   (no activation on the output: da2/dz2 = 1)
//   error E = 1/2 (y - pred)^2 with pred = a2.
// Every derivative is computed explicitly with the chain rule dE/dW = dE/da * da/dz * dz/dW, in
// double, and kept in a struct, so the lecture's numbers can be printed and checked against the
// engine (tests/apps/test_demo_outside.cpp) and against LibTorch autograd (tests/torch/).
// The first layer reuses the output's upstream term delta2 = dE/da2 * da2/dz2:
//   dE/dW1[j][i] = delta2 * W2[j] * sigmoid'(z1[j]) * x[i].
// Not here: the engine's layers (this is the by-hand version they are checked against), argv, stdout.
#pragma once

#include <array>
#include <iosfwd>

namespace neuroshop::demos {

// The network's weights. W1[j][i] connects input i to hidden neuron j (the engine's Dense layout,
// weight (out, in)).
struct OutsideWeights {
  std::array<std::array<double, 3>, 2> w1{{{0.5, -0.4, 0.3}, {0.2, 0.6, -0.5}}};
  std::array<double, 2> b1{0.1, -0.1};
  std::array<double, 2> w2{0.7, -0.6};
  double b2 = 0.05;
};

struct OutsideOptions {
  std::array<double, 3> inputs{1.0, 0.0, 1.0};  // x: sunny, warm, friends outside
  double target = 1.0;                           // y: 1 = go outside, 0 = stay in
  OutsideWeights weights;                        // fixed defaults, so the printed numbers are reproducible
  double lr = 0.5;                               // the SGD step: W <- W - lr * dE/dW
};

// One forward and backward pass at one set of weights; every intermediate the lecture names.
struct OutsidePass {
  OutsideWeights weights;
  std::array<double, 3> x{};
  double y = 0.0;
  // forward
  std::array<double, 2> z1{};  // z1[j] = sum_i W1[j][i] x[i] + b1[j]
  std::array<double, 2> a1{};  // a1[j] = sigmoid(z1[j])
  double z2 = 0.0;             // z2 = sum_j W2[j] a1[j] + b2
  double a2 = 0.0;             // a2 = z2 = pred
  double error = 0.0;          // E = 1/2 (y - pred)^2
  // backward, output layer
  double dE_da2 = 0.0;         // pred - y
  double da2_dz2 = 1.0;        // 1: no activation on the output
  double delta2 = 0.0;         // dE/dz2 = dE_da2 * da2_dz2, computed once and reused below
  std::array<double, 2> dz2_dW2{};  // a1[j]
  std::array<double, 2> dE_dW2{};   // delta2 * a1[j]
  double dE_db2 = 0.0;              // delta2 * 1
  // backward, hidden layer
  std::array<double, 2> dz2_da1{};  // W2[j]
  std::array<double, 2> da1_dz1{};  // sigmoid'(z1[j]) = a1[j] (1 - a1[j])
  std::array<double, 2> delta1{};   // dE/dz1[j] = delta2 * W2[j] * sigmoid'(z1[j])
  std::array<std::array<double, 3>, 2> dE_dW1{};  // delta1[j] * x[i]   (dz1[j]/dW1[j][i] = x[i])
  std::array<double, 2> dE_db1{};                 // delta1[j]
  std::array<double, 3> dE_dx{};                  // sum_j delta1[j] W1[j][i] (not used by the update)
};

struct OutsideResult {
  OutsideOptions options;
  OutsidePass before;  // at the given weights
  OutsidePass after;   // at the weights after one SGD step; after.error < before.error for small lr
};

// The forward and backward pass at weights `w` for input x and target y.
OutsidePass outside_pass(const std::array<double, 3>& x, double y, const OutsideWeights& w);

// W - lr * dE/dW for every weight and bias of `pass`.
OutsideWeights sgd_step(const OutsidePass& pass, double lr);

// before = outside_pass(options), one SGD step, after = outside_pass(new weights).
// Throws ArgumentError on non-finite inputs, target, weights, or lr <= 0.
OutsideResult run_outside(const OutsideOptions& options);

// The lecture's walk-through with every number: forward, error, each chain-rule factor, update.
void write_outside_report(const OutsideResult& result, std::ostream& out);

}  // namespace neuroshop::demos
