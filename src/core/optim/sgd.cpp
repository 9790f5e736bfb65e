// Sgd; the update rule is in sgd.h.
#include "core/optim/sgd.h"

#include <cmath>

#include "core/errors.h"
#include "core/kernels/parallel.h"

namespace neuroshop {

Sgd::Sgd(std::vector<Param*> params, SgdOptions options) : Optimizer(std::move(params)), options_(options) {
  set_learning_rate(options.lr);
  if (!(options.momentum >= 0.0) || !std::isfinite(options.momentum))
    throw ArgumentError("Sgd: momentum must be finite and >= 0, got " + std::to_string(options.momentum));
  if (!(options.weight_decay >= 0.0) || !std::isfinite(options.weight_decay))
    throw ArgumentError("Sgd: weight_decay must be finite and >= 0, got " + std::to_string(options.weight_decay));
  if (options.nesterov && options.momentum <= 0.0)
    throw ArgumentError("Sgd: nesterov momentum needs momentum > 0");
  momentum_.resize(params_.size());
  if (options.momentum != 0.0)
    for (size_t i = 0; i < params_.size(); ++i)
      if (params_[i]->trainable) momentum_[i] = Tensor::zeros(params_[i]->value.shape());
}

void Sgd::step() {
  const float lr = static_cast<float>(lr_);
  const float mu = static_cast<float>(options_.momentum);
  const float wd = static_cast<float>(options_.weight_decay);
  const bool use_momentum = options_.momentum != 0.0;
  const bool nesterov = options_.nesterov;
  for (size_t k = 0; k < params_.size(); ++k) {
    Param* param = params_[k];
    if (!param->trainable) continue;
    expect_grad_matches(k, "Sgd");
    if (use_momentum && !momentum_[k].defined()) momentum_[k] = Tensor::zeros(param->value.shape());
    float* p = param->value.data();
    const float* grad = param->grad.data();
    float* b = use_momentum ? momentum_[k].data() : nullptr;
    parallel_for(
        param->value.numel(),
        [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) {
            float g = grad[i];
            if (wd != 0.0f) g += wd * p[i];
            if (b != nullptr) {
              b[i] = mu * b[i] + g;
              g = nesterov ? g + mu * b[i] : b[i];
            }
            p[i] -= lr * g;
          }
        },
        1 << 14);
  }
}

std::vector<std::pair<std::string, Tensor*>> Sgd::state() {
  std::vector<std::pair<std::string, Tensor*>> out;
  for (size_t i = 0; i < momentum_.size(); ++i)
    if (momentum_[i].defined()) out.emplace_back("sgd.momentum." + std::to_string(i), &momentum_[i]);
  return out;
}

}  // namespace neuroshop
