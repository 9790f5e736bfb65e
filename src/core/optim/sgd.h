// Stochastic gradient descent with momentum, weight decay and Nesterov, with exactly
// torch.optim.SGD's semantics (dampening fixed at 0). Not here: dampening, maximize.
#pragma once

#include "core/optim/optimizer.h"

namespace neuroshop {

struct SgdOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;  // needs momentum > 0
};

// Per trainable param p with gradient g, as torch.optim.SGD:
//   g = g + weight_decay * p
//   b = momentum * b + g          (b starts at 0, so the first step gives b = g as in torch)
//   g = nesterov ? g + momentum * b : b      (when momentum != 0)
//   p = p - lr * g
// state(): "sgd.momentum.<i>" for each param i that has a buffer (none when momentum == 0).
class Sgd : public Optimizer {
 public:
  // Throws ArgumentError on negative lr, momentum or weight decay, or nesterov without momentum.
  Sgd(std::vector<Param*> params, SgdOptions options);

  void step() override;
  std::vector<std::pair<std::string, Tensor*>> state() override;
  const SgdOptions& options() const { return options_; }

 private:
  SgdOptions options_;
  // Allocated at construction for params trainable then, at their first step for the others.
  std::vector<Tensor> momentum_;
};

}  // namespace neuroshop
