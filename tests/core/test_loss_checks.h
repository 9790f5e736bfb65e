// The finite-difference check shared by the loss tests (test_loss_*.cpp): a loss is a scalar
// function L(x) with an analytic gradient, so no random projection g is needed here.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/tensor.h"

namespace neuroshop::testing {

// loss(x, dx) returns L(x) and, when dx is non-null, writes dL/dx. Compares dx with central
// differences at every element: |a - n| <= tolerance * max(|a|, |n|, max_i |dx_i|). The last term
// keeps tiny entries (losses are means, so gradients are ~1/numel) from demanding more than float
// inputs can give, while still catching any entry that is wrong relative to the others.
template <class Loss>
void expect_loss_gradient_matches_fd(const Loss& loss, const Tensor& x_in, double step = 1e-2,
                                     double tolerance = 1e-3) {
  Tensor x = x_in.clone();
  Tensor dx;
  loss(x, &dx);
  ASSERT_EQ(dx.shape(), x.shape()) << "the gradient must have the input's shape";
  double scale = 0.0;
  for (int64_t i = 0; i < dx.numel(); ++i) scale = std::max(scale, static_cast<double>(std::abs(dx[i])));
  ASSERT_GT(scale, 0.0) << "the gradient is identically zero";
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float saved = x[i];
    x[i] = saved + static_cast<float>(step);
    const double plus = loss(x, nullptr);
    x[i] = saved - static_cast<float>(step);
    const double minus = loss(x, nullptr);
    x[i] = saved;
    const double numeric = (plus - minus) / (2.0 * step);
    const double analytic = dx[i];
    ASSERT_LE(std::abs(analytic - numeric), tolerance * std::max({std::abs(analytic), std::abs(numeric), scale}))
        << "d[" << i << "]: analytic " << analytic << " vs numeric " << numeric;
  }
}

// A loss must replace *dx with fresh values: a junk-filled dx of the right shape gives the same
// gradient as an empty one.
template <class Loss>
void expect_gradient_not_accumulated(const Loss& loss, const Tensor& x) {
  Tensor fresh;
  loss(x, &fresh);
  Tensor junk = Tensor::full(x.shape(), 0.375f);
  loss(x, &junk);
  ASSERT_EQ(junk.shape(), fresh.shape());
  for (int64_t i = 0; i < fresh.numel(); ++i) ASSERT_EQ(junk[i], fresh[i]) << "gradient accumulated at " << i;
}

}  // namespace neuroshop::testing
