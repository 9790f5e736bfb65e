// "Should I go outside?": the lecture's network with its chain rule spelled out (see outside.h).
#include "apps/demos/outside.h"

#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>

#include "core/errors.h"

namespace neuroshop::demos {
namespace {

double sigmoid(double z) { return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z)); }

void expect_finite(double v, const std::string& what) {
  if (!std::isfinite(v)) throw ArgumentError("demo outside: " + what + " must be a finite number, got " + std::to_string(v));
}

void validate(const OutsideOptions& o) {
  for (size_t i = 0; i < 3; ++i) expect_finite(o.inputs[i], "input " + std::to_string(i + 1));
  expect_finite(o.target, "target");
  for (size_t j = 0; j < 2; ++j) {
    for (size_t i = 0; i < 3; ++i) expect_finite(o.weights.w1[j][i], "W1 weight");
    expect_finite(o.weights.b1[j], "b1");
    expect_finite(o.weights.w2[j], "W2 weight");
  }
  expect_finite(o.weights.b2, "b2");
  if (!std::isfinite(o.lr) || o.lr <= 0)
    throw ArgumentError("demo outside: lr must be a finite number > 0, got " + std::to_string(o.lr));
}

}  // namespace

OutsidePass outside_pass(const std::array<double, 3>& x, double y, const OutsideWeights& w) {
  OutsidePass p;
  p.weights = w;
  p.x = x;
  p.y = y;

  // Forward: z = W x + b, a = f(z); the intermediate values are kept for the backward pass
  // (this is the lecture's "extra memory during training").
  for (size_t j = 0; j < 2; ++j) {
    p.z1[j] = w.b1[j];
    for (size_t i = 0; i < 3; ++i) p.z1[j] += w.w1[j][i] * x[i];
    p.a1[j] = sigmoid(p.z1[j]);
  }
  p.z2 = w.b2;
  for (size_t j = 0; j < 2; ++j) p.z2 += w.w2[j] * p.a1[j];
  p.a2 = p.z2;  // no activation on the output
  p.error = 0.5 * (y - p.a2) * (y - p.a2);

  // Output layer: dE/dW2[j] = dE/da2 * da2/dz2 * dz2/dW2[j].
  p.dE_da2 = p.a2 - y;  // d/dpred of 1/2 (y - pred)^2
  p.da2_dz2 = 1.0;
  p.delta2 = p.dE_da2 * p.da2_dz2;
  for (size_t j = 0; j < 2; ++j) {
    p.dz2_dW2[j] = p.a1[j];
    p.dE_dW2[j] = p.delta2 * p.dz2_dW2[j];
  }
  p.dE_db2 = p.delta2;  // dz2/db2 = 1

  // Hidden layer: dE/dW1[j][i] = (dE/da2 * da2/dz2) * dz2/da1[j] * da1[j]/dz1[j] * dz1[j]/dW1[j][i];
  // the bracket is delta2, already computed above.
  for (size_t j = 0; j < 2; ++j) {
    p.dz2_da1[j] = w.w2[j];
    p.da1_dz1[j] = p.a1[j] * (1.0 - p.a1[j]);  // sigmoid' written with its output
    p.delta1[j] = p.delta2 * p.dz2_da1[j] * p.da1_dz1[j];
    for (size_t i = 0; i < 3; ++i) p.dE_dW1[j][i] = p.delta1[j] * x[i];
    p.dE_db1[j] = p.delta1[j];
  }
  for (size_t i = 0; i < 3; ++i) {
    p.dE_dx[i] = 0.0;
    for (size_t j = 0; j < 2; ++j) p.dE_dx[i] += p.delta1[j] * w.w1[j][i];
  }
  return p;
}

OutsideWeights sgd_step(const OutsidePass& p, double lr) {
  OutsideWeights w = p.weights;
  for (size_t j = 0; j < 2; ++j) {
    for (size_t i = 0; i < 3; ++i) w.w1[j][i] -= lr * p.dE_dW1[j][i];
    w.b1[j] -= lr * p.dE_db1[j];
    w.w2[j] -= lr * p.dE_dW2[j];
  }
  w.b2 -= lr * p.dE_db2;
  return w;
}

OutsideResult run_outside(const OutsideOptions& options) {
  validate(options);
  OutsideResult r;
  r.options = options;
  r.before = outside_pass(options.inputs, options.target, options.weights);
  r.after = outside_pass(options.inputs, options.target, sgd_step(r.before, options.lr));
  return r;
}

namespace {

// printf into a std::string.
template <class... A>
std::string fmt(const char* format, A... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

// "0.500" or "(-0.400)", so a sum of products reads as plain arithmetic.
std::string signed_factor(double v, const char* format = "%.3f") {
  const std::string text = fmt(format, v + 0.0);  // + 0.0 turns -0 into 0
  return v < 0 ? "(" + text + ")" : text;
}

}  // namespace

void write_outside_report(const OutsideResult& r, std::ostream& out) {
  const OutsidePass& p = r.before;
  const OutsideWeights& w = p.weights;
  const char* names[3] = {"sunny", "warm", "friends outside"};

  out << "Should I go outside?  3 inputs -> 2 hidden neurons (sigmoid) -> 1 output (no activation)\n";
  out << fmt("  x = (%s %g, %s %g, %s %g),  target y = %g\n\n", names[0], p.x[0], names[1], p.x[1], names[2],
             p.x[2], p.y);

  out << "Forward pass: z = W x + b, a = f(z)\n";
  for (size_t j = 0; j < 2; ++j) {
    std::string sum;
    for (size_t i = 0; i < 3; ++i) sum += signed_factor(w.w1[j][i]) + "*" + fmt("%g", p.x[i]) + " + ";
    out << fmt("  hidden %zu: z1_%zu = %s%s = %.6f   a1_%zu = sigmoid(z1_%zu) = %.6f\n", j + 1, j + 1, sum.c_str(),
               signed_factor(w.b1[j]).c_str(), p.z1[j], j + 1, j + 1, p.a1[j]);
  }
  out << fmt("  output:   z2 = %s*%.6f + %s*%.6f + %s = %.6f   a2 = z2 = %.6f  (pred)\n",
             signed_factor(w.w2[0]).c_str(), p.a1[0], signed_factor(w.w2[1]).c_str(), p.a1[1],
             signed_factor(w.b2).c_str(), p.z2, p.a2);
  out << fmt("  error:    E = 1/2 (y - pred)^2 = 1/2 (%g - %.6f)^2 = %.6f\n\n", p.y, p.a2, p.error);

  out << "Backward pass, chain rule dE/dW = dE/da * da/dz * dz/dW\n";
  out << fmt("  dE/da2  = pred - y = %.6f - %g = %.6f   (the derivative of 1/2 (y - pred)^2)\n", p.a2, p.y, p.dE_da2);
  out << "  da2/dz2 = 1                                 (no activation on the output layer)\n";
  out << fmt("  delta2  = dE/da2 * da2/dz2 = %.6f         (computed once, reused for every weight below)\n\n",
             p.delta2);
  out << "  output layer, dz2/dW2_j = a1_j:\n";
  for (size_t j = 0; j < 2; ++j)
    out << fmt("    dE/dW2_%zu = delta2 * a1_%zu = %s * %.6f = %+.6f\n", j + 1, j + 1,
               signed_factor(p.delta2, "%.6f").c_str(), p.a1[j], p.dE_dW2[j] + 0.0);
  out << fmt("    dE/db2   = delta2 * 1 = %+.6f\n\n", p.dE_db2);
  out << "  hidden layer, dE/dW1_ji = delta2 * dz2/da1_j * da1_j/dz1_j * dz1_j/dW1_ji\n"
         "                         = delta2 * W2_j   * sigmoid'(z1_j) * x_i,  sigmoid' = a (1 - a):\n";
  for (size_t j = 0; j < 2; ++j) {
    out << fmt("    neuron %zu: delta1_%zu = %s * %s * %.6f = %+.6f\n", j + 1, j + 1,
               signed_factor(p.delta2, "%.6f").c_str(), signed_factor(p.dz2_da1[j]).c_str(), p.da1_dz1[j],
               p.delta1[j] + 0.0);
    for (size_t i = 0; i < 3; ++i)
      out << fmt("      dE/dW1_%zu%zu = delta1_%zu * x_%zu = %+.6f * %g = %+.6f\n", j + 1, i + 1, j + 1, i + 1,
                 p.delta1[j], p.x[i], p.dE_dW1[j][i] + 0.0);
    out << fmt("      dE/db1_%zu  = delta1_%zu = %+.6f\n", j + 1, j + 1, p.dE_db1[j]);
  }

  const OutsideWeights& n = r.after.weights;
  out << fmt("\nOne SGD step, W <- W - lr * dE/dW with lr = %g\n", r.options.lr);
  for (size_t j = 0; j < 2; ++j) {
    for (size_t i = 0; i < 3; ++i)
      out << fmt("  W1_%zu%zu: %.6f -> %.6f\n", j + 1, i + 1, w.w1[j][i], n.w1[j][i]);
    out << fmt("  b1_%zu:  %.6f -> %.6f\n", j + 1, w.b1[j], n.b1[j]);
  }
  for (size_t j = 0; j < 2; ++j) out << fmt("  W2_%zu:  %.6f -> %.6f\n", j + 1, w.w2[j], n.w2[j]);
  out << fmt("  b2:    %.6f -> %.6f\n", w.b2, n.b2);
  out << fmt("\nAfter the step: pred %.6f -> %.6f, E %.6f -> %.6f (%s)\n", p.a2, r.after.a2, p.error, r.after.error,
             r.after.error < p.error ? "smaller" : "not smaller: lr too large");
}

}  // namespace neuroshop::demos
