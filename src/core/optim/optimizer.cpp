// Optimizer base class and clip_grad_norm; see optimizer.h.
#include "core/optim/optimizer.h"

#include <cmath>

#include "core/errors.h"

namespace neuroshop {

Optimizer::Optimizer(std::vector<Param*> params) : params_(std::move(params)) {
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param* p = params_[i];
    if (p == nullptr) throw ArgumentError("Optimizer: param " + std::to_string(i) + " is null");
    if (!p->value.defined())
      throw ArgumentError("Optimizer: param " + std::to_string(i) + " '" + p->name + "' has no value");
    if (p->grad.shape() != p->value.shape())
      throw ArgumentError("Optimizer: param " + std::to_string(i) + " '" + p->name + "' has value " +
                          p->value.shape().str() + " but grad " + p->grad.shape().str());
  }
}

void Optimizer::zero_grad() {
  for (Param* p : params_) p->grad.zero();
}

void Optimizer::set_learning_rate(double lr) {
  if (!(lr >= 0.0) || !std::isfinite(lr))
    throw ArgumentError("Optimizer: learning rate must be finite and >= 0, got " + std::to_string(lr));
  lr_ = lr;
}

void Optimizer::expect_grad_matches(size_t i, const std::string& who) const {
  const Param* p = params_[i];
  if (p->grad.shape() != p->value.shape())
    throw ShapeError(who + ": param " + std::to_string(i) + " '" + p->name + "' has value " + p->value.shape().str() +
                     " but grad " + p->grad.shape().str());
}

double clip_grad_norm(const std::vector<Param*>& params, double max_norm) {
  if (!(max_norm > 0.0))
    throw ArgumentError("clip_grad_norm: max_norm must be > 0, got " + std::to_string(max_norm));
  double sum_sq = 0.0;
  for (const Param* p : params) {
    if (p == nullptr || !p->trainable) continue;
    const float* g = p->grad.data();
    for (int64_t i = 0, n = p->grad.numel(); i < n; ++i) sum_sq += static_cast<double>(g[i]) * g[i];
  }
  const double norm = std::sqrt(sum_sq);
  if (!std::isfinite(norm)) return norm;
  const double coef = max_norm / (norm + 1e-6);
  if (coef < 1.0) {
    const float c = static_cast<float>(coef);
    for (Param* p : params) {
      if (p == nullptr || !p->trainable) continue;
      float* g = p->grad.data();
      for (int64_t i = 0, n = p->grad.numel(); i < n; ++i) g[i] *= c;
    }
  }
  return norm;
}

}  // namespace neuroshop
