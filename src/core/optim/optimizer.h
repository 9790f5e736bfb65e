// The optimizer interface (step, zero_grad, learning rate, named state for checkpoints) and global
// gradient-norm clipping. Optimizers see only a list of Params, never the layers; params with
// trainable == false are skipped. Not here: parameter groups, per-parameter learning rates.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/layer.h"
#include "core/tensor.h"

namespace neuroshop {

class Optimizer {
 public:
  // The params must outlive the optimizer; each must have value and grad of the same shape.
  // Throws ArgumentError otherwise.
  explicit Optimizer(std::vector<Param*> params);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every trainable param from its grad.
  virtual void step() = 0;
  // Sets every param's grad to zero (layers accumulate into grads; see layer.h).
  void zero_grad();

  double learning_rate() const { return lr_; }
  // Throws ArgumentError unless lr is finite and >= 0.
  void set_learning_rate(double lr);

  // Every piece of state that step() reads, by a stable name ("<optimizer>.<what>.<param index>",
  // e.g. "adam.m.3"), so a checkpoint can save it and, by copying values into the tensors of a
  // freshly built optimizer over the same params, resume exactly. The pointers live as long as the
  // optimizer. The learning rate is not state: schedules set it from the step index.
  virtual std::vector<std::pair<std::string, Tensor*>> state() { return {}; }

  const std::vector<Param*>& params() const { return params_; }

 protected:
  // Throws ShapeError naming `who` if params_[i]'s grad no longer matches its value.
  void expect_grad_matches(size_t i, const std::string& who) const;

  std::vector<Param*> params_;
  double lr_ = 0.0;
};

// Global L2 norm clipping like torch.nn.utils.clip_grad_norm_: with
//   norm = sqrt(sum over trainable params of sum g^2)   (accumulated in double)
// every trainable grad is scaled by max_norm / (norm + 1e-6) when that factor is below 1.
// Returns the norm before clipping. A non-finite norm leaves the grads untouched (unlike torch,
// which would spread NaN into them), so the caller can detect it and skip the step.
// Throws ArgumentError unless max_norm > 0.
double clip_grad_norm(const std::vector<Param*>& params, double max_norm);

}  // namespace neuroshop
