// Adam (Kingma & Ba 2015) with exactly torch.optim.Adam's semantics: L2 weight decay added to the
// gradient, bias correction, eps added after the bias-corrected square root. Not here: AdamW's
// decoupled weight decay, amsgrad.
#pragma once

#include "core/optim/optimizer.h"

namespace neuroshop {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

// Per trainable param p with gradient g and its own step count t, as torch.optim.Adam:
//   t = t + 1
//   g = g + weight_decay * p
//   m = beta1 m + (1 - beta1) g
//   v = beta2 v + (1 - beta2) g^2
//   p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// state(): "adam.step.<i>" (a 1-element tensor holding t; exact up to 2^24 steps), "adam.m.<i>",
// "adam.v.<i>" for each param i that has state.
class Adam : public Optimizer {
 public:
  // Throws ArgumentError on negative lr/eps/weight decay or betas outside [0, 1).
  Adam(std::vector<Param*> params, AdamOptions options = {});

  void step() override;
  std::vector<std::pair<std::string, Tensor*>> state() override;
  const AdamOptions& options() const { return options_; }

 private:
  void allocate_state(size_t i);

  AdamOptions options_;
  // Allocated at construction for params trainable then, at their first step for the others.
  std::vector<Tensor> step_, m_, v_;
};

}  // namespace neuroshop
