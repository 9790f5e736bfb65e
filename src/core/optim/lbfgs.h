// L-BFGS (Nocedal 1980; Liu & Nocedal 1989) for deterministic problems over one tensor, such as
// optimizing an image in style transfer. A port of torch.optim.LBFGS: two-loop recursion over the
// last `history` (s, y) pairs, initial Hessian scale y's/y'y, and the strong-Wolfe line search
// (cubic interpolation, c1 = 1e-4, c2 = 0.9, at most 25 evaluations) of line_search_fn='strong_wolfe'.
// Not here: bound constraints (L-BFGS-B), stochastic objectives, parameter lists.
#pragma once

#include <functional>
#include <string>

#include "core/tensor.h"

namespace neuroshop {

struct LbfgsOptions {
  int history = 10;                 // (s, y) pairs kept
  int max_iterations = 100;
  int max_evaluations = 0;          // objective evaluations; 0 means max_iterations * 5 / 4 (torch's default)
  double learning_rate = 1.0;       // initial step length of each line search (torch's lr)
  double tolerance_grad = 1e-7;     // stop when max |gradient| <= this
  double tolerance_change = 1e-9;   // stop when the loss, the step or the directional derivative change less
  bool line_search = true;          // strong Wolfe; false takes fixed steps of learning_rate (the first one
                                    // scaled by min(1, 1/|g|_1), as torch does)
};

struct LbfgsResult {
  double loss = 0.0;   // objective at the returned x
  int iterations = 0;   // completed iterations (each moved x once)
  int evaluations = 0;  // calls of the objective
  bool converged = false;  // stopped by a tolerance rather than by max_iterations / max_evaluations
  std::string stop_reason;
};

// Returns f(x) and writes df/dx: *grad arrives zero-filled with x's shape; the objective may write
// or add into it, or replace it with a tensor of the same number of elements. x is a fresh tensor
// each call, so the objective may keep it.
using LbfgsObjective = std::function<double(const Tensor& x, Tensor* grad)>;
// Called after each iteration with its 1-based number and the loss at the new x.
using LbfgsCallback = std::function<void(int iteration, double loss)>;

class Lbfgs {
 public:
  // Throws ArgumentError on history < 1, max_iterations < 1, max_evaluations < 0, learning_rate <= 0
  // or negative tolerances.
  explicit Lbfgs(LbfgsOptions options = {});

  // Minimizes f starting from x (any shape) and leaves the result in x (written in place). Each
  // call starts afresh (no history carried over). Throws Error if f is not finite at the start,
  // ShapeError if the objective returns a gradient of the wrong size.
  LbfgsResult minimize(const LbfgsObjective& f, Tensor& x, const LbfgsCallback& on_iteration = {}) const;

  const LbfgsOptions& options() const { return options_; }

 private:
  LbfgsOptions options_;
};

}  // namespace neuroshop
