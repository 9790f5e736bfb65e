// mse_loss and l1_loss; the formulas are in regression.h.
#include "core/losses/regression.h"

#include <cmath>

#include "core/errors.h"

namespace neuroshop {
namespace {

void expect_loss_inputs(const Tensor& pred, const Tensor& target, const char* who) {
  if (!pred.defined() || pred.numel() == 0) throw ShapeError(std::string(who) + ": prediction is empty");
  expect_same_shape(pred.shape(), target.shape(), std::string(who) + " (prediction vs target)");
}

}  // namespace

// forward:  L = (1/n) sum 1/2 (p - y)^2
// backward: dp = (p - y) / n
double mse_loss(const Tensor& pred, const Tensor& target, Tensor* dpred) {
  expect_loss_inputs(pred, target, "mse_loss");
  const int64_t n = pred.numel();
  const float* p = pred.data();
  const float* y = target.data();
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double diff = static_cast<double>(p[i]) - y[i];
    sum += 0.5 * diff * diff;
  }
  if (dpred != nullptr) {
    Tensor dp = Tensor::empty(pred.shape());
    float* dpp = dp.data();
    const double inv_n = 1.0 / static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i) dpp[i] = static_cast<float>((static_cast<double>(p[i]) - y[i]) * inv_n);
    *dpred = dp;
  }
  return sum / static_cast<double>(n);
}

// forward:  L = (1/n) sum |p - y|
// backward: dp = sign(p - y) / n  (0 at p == y)
double l1_loss(const Tensor& pred, const Tensor& target, Tensor* dpred) {
  expect_loss_inputs(pred, target, "l1_loss");
  const int64_t n = pred.numel();
  const float* p = pred.data();
  const float* y = target.data();
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += std::abs(static_cast<double>(p[i]) - y[i]);
  if (dpred != nullptr) {
    Tensor dp = Tensor::empty(pred.shape());
    float* dpp = dp.data();
    const float inv_n = static_cast<float>(1.0 / static_cast<double>(n));
    for (int64_t i = 0; i < n; ++i) dpp[i] = p[i] > y[i] ? inv_n : (p[i] < y[i] ? -inv_n : 0.0f);
    *dpred = dp;
  }
  return sum / static_cast<double>(n);
}

}  // namespace neuroshop
