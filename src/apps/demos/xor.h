// The lecture's XOR demo: a linear model cannot imitate XOR, a network with one hidden layer can.
//  - linear: Dense(2->1) + Sigmoid. sigmoid(w.x + b) > 0.5 exactly where w.x + b > 0, a straight
//    line, and no line puts (0,1),(1,0) on one side and (0,0),(1,1) on the other: at most 3 of the
//    4 points (75%) can ever be right, however long it trains.
//  - mlp: Dense(2->H) + Tanh (or Sigmoid) + Dense(H->1) + Sigmoid, which reaches 100%.
// Both train on the 4 points as one batch with the lecture's MSE, E = mean of 1/2 (y - pred)^2,
// and plain SGD, built from the engine's layers (Dense, activations, Sequential, mse_loss, Sgd).
// Not here: argv, printing to stdout, plotting (the CLI draws the curves; --json prints them).
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/progress.h"

namespace neuroshop::demos {

struct XorOptions {
  uint64_t seed = 1;               // weight initialisation; same seed, same curves
  int64_t hidden = 8;              // H, neurons in the MLP's hidden layer (>= 1)
  std::string activation = "tanh";  // the hidden layer's activation: "tanh" or "sigmoid"
  int64_t epochs = 3000;           // full-batch SGD steps per model (>= 1)
  double lr = 2.0;                 // SGD learning rate (finite, > 0)
};

// The four XOR points, in this order everywhere: (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0.
constexpr std::array<std::array<float, 2>, 4> kXorInputs{{{0, 0}, {0, 1}, {1, 0}, {1, 1}}};
constexpr std::array<float, 4> kXorTargets{0, 1, 1, 0};

struct XorModelResult {
  std::string name;          // "linear" or "mlp"
  std::string architecture;  // e.g. "Dense(2->4) + Tanh + Dense(4->1) + Sigmoid"
  std::vector<double> loss;  // E before each epoch's update, one entry per epoch
  std::array<double, 4> predictions{};  // after training, for kXorInputs
  double final_loss = 0.0;   // E after the last update
  int correct = 0;           // points with (pred > 0.5) == y
  double accuracy = 0.0;     // correct / 4
};

struct XorResult {
  XorOptions options;
  XorModelResult linear;
  XorModelResult mlp;
};

// Trains both models. Progress stages "xor linear" and "xor mlp", figure "loss".
// Throws ArgumentError on invalid options.
XorResult run_xor(const XorOptions& options, const ProgressFn& progress = {});

// A human-readable summary: both models' accuracy, final loss, the prediction table and why.
void write_xor_summary(const XorResult& result, std::ostream& out);

}  // namespace neuroshop::demos
