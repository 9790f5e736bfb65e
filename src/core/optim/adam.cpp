// Adam; the update rule is in adam.h.
#include "core/optim/adam.h"

#include <cmath>

#include "core/errors.h"
#include "core/kernels/parallel.h"

namespace neuroshop {
namespace {

void expect_in(double value, double lo, double hi, bool hi_open, const std::string& what) {
  const bool ok = std::isfinite(value) && value >= lo && (hi_open ? value < hi : value <= hi);
  if (!ok)
    throw ArgumentError("Adam: " + what + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                        (hi_open ? ")" : "]") + ", got " + std::to_string(value));
}

}  // namespace

Adam::Adam(std::vector<Param*> params, AdamOptions options) : Optimizer(std::move(params)), options_(options) {
  set_learning_rate(options.lr);
  expect_in(options.beta1, 0.0, 1.0, true, "beta1");
  expect_in(options.beta2, 0.0, 1.0, true, "beta2");
  expect_in(options.eps, 0.0, HUGE_VAL, true, "eps");
  expect_in(options.weight_decay, 0.0, HUGE_VAL, true, "weight_decay");
  step_.resize(params_.size());
  m_.resize(params_.size());
  v_.resize(params_.size());
  for (size_t i = 0; i < params_.size(); ++i)
    if (params_[i]->trainable) allocate_state(i);
}

void Adam::allocate_state(size_t i) {
  step_[i] = Tensor::zeros({1});
  m_[i] = Tensor::zeros(params_[i]->value.shape());
  v_[i] = Tensor::zeros(params_[i]->value.shape());
}

void Adam::step() {
  const float beta1 = static_cast<float>(options_.beta1);
  const float beta2 = static_cast<float>(options_.beta2);
  const float wd = static_cast<float>(options_.weight_decay);
  const float eps = static_cast<float>(options_.eps);
  const float one_minus_beta1 = static_cast<float>(1.0 - options_.beta1);
  const float one_minus_beta2 = static_cast<float>(1.0 - options_.beta2);
  for (size_t k = 0; k < params_.size(); ++k) {
    Param* param = params_[k];
    if (!param->trainable) continue;
    expect_grad_matches(k, "Adam");
    if (!step_[k].defined()) allocate_state(k);
    const double t = static_cast<double>(step_[k][0]) + 1.0;
    step_[k][0] = static_cast<float>(t);
    // Bias corrections in double, as torch computes them on the host.
    const double bias_correction1 = 1.0 - std::pow(options_.beta1, t);
    const double bias_correction2 = 1.0 - std::pow(options_.beta2, t);
    const float step_size = static_cast<float>(lr_ / bias_correction1);
    const float sqrt_bc2 = static_cast<float>(std::sqrt(bias_correction2));
    float* p = param->value.data();
    const float* grad = param->grad.data();
    float* m = m_[k].data();
    float* v = v_[k].data();
    parallel_for(
        param->value.numel(),
        [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) {
            float g = grad[i];
            if (wd != 0.0f) g += wd * p[i];
            m[i] = beta1 * m[i] + one_minus_beta1 * g;
            v[i] = beta2 * v[i] + one_minus_beta2 * g * g;
            const float denom = std::sqrt(v[i]) / sqrt_bc2 + eps;
            p[i] -= step_size * (m[i] / denom);
          }
        },
        1 << 14);
  }
}

std::vector<std::pair<std::string, Tensor*>> Adam::state() {
  std::vector<std::pair<std::string, Tensor*>> out;
  for (size_t i = 0; i < step_.size(); ++i) {
    if (!step_[i].defined()) continue;
    const std::string index = std::to_string(i);
    out.emplace_back("adam.step." + index, &step_[i]);
    out.emplace_back("adam.m." + index, &m_[i]);
    out.emplace_back("adam.v." + index, &v_[i]);
  }
  return out;
}

}  // namespace neuroshop
