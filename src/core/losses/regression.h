// Element-wise regression losses: mean squared error (the lecture's 1/2 (y - pred)^2) and mean
// absolute error. Plain functions, value and gradient side by side; no reduction options, no weights.
#pragma once

#include "core/tensor.h"

namespace neuroshop {

// pred, target: any shape, the same for both; n = pred.numel().
//   L = (1/n) sum_i 1/2 (pred_i - y_i)^2
//   dL/dpred_i = (pred_i - y_i) / n
// When dpred is non-null it is replaced by a fresh tensor holding the gradient (not accumulated).
// Accumulated in double. Note the 1/2: this is half of torch's mse_loss.
double mse_loss(const Tensor& pred, const Tensor& target, Tensor* dpred = nullptr);

// pred, target: any shape, the same for both; n = pred.numel().
//   L = (1/n) sum_i |pred_i - y_i|
//   dL/dpred_i = sign(pred_i - y_i) / n, with the subgradient 0 where pred_i == y_i
// When dpred is non-null it is replaced by a fresh tensor holding the gradient (not accumulated).
double l1_loss(const Tensor& pred, const Tensor& target, Tensor* dpred = nullptr);

}  // namespace neuroshop
