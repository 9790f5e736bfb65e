// The generic layer tester every layer test uses (STYLE.md section 5):
//  - finite differences of f(x, theta) = <forward(x), g> for a fixed random g, over every element
//    of x and of every parameter, central differences accumulated in double;
//  - "backward accumulates": parameter grads pre-filled with a junk constant p end as p + gradient.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/layer.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "random_tensors.h"

namespace neuroshop::testing {

inline double dot(const Tensor& a, const Tensor& b) {
  double s = 0.0;
  for (int64_t i = 0; i < a.numel(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

inline bool close(double analytic, double numeric, double rel) {
  return std::abs(analytic - numeric) <= rel * std::max({1.0, std::abs(analytic), std::abs(numeric)});
}

struct FdOptions {
  double step = 1e-2;
  double tolerance = 1e-3;
};

// Checks dx and every trainable param's gradient against central differences.
inline void expect_gradients_match_fd(Layer& layer, const Tensor& x_in, Rng& rng, FdOptions opt = {}) {
  Tensor x = x_in.clone();
  const Tensor y0 = layer.forward(x);
  const Tensor g = random_tensor(y0.shape(), rng);
  for (Param* p : layer.params()) p->grad.zero();
  const Tensor dx = layer.backward(g);
  ASSERT_EQ(dx.shape(), x.shape()) << "dx must have the input's shape";

  auto objective = [&]() { return dot(layer.forward(x), g); };
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float saved = x[i];
    x[i] = saved + static_cast<float>(opt.step);
    const double plus = objective();
    x[i] = saved - static_cast<float>(opt.step);
    const double minus = objective();
    x[i] = saved;
    const double numeric = (plus - minus) / (2.0 * opt.step);
    ASSERT_TRUE(close(dx[i], numeric, opt.tolerance))
        << layer.spec().type << " dx[" << i << "]: analytic " << dx[i] << " vs numeric " << numeric;
  }
  for (Param* p : layer.params()) {
    if (!p->trainable) continue;
    const Tensor analytic = p->grad.clone();
    for (int64_t i = 0; i < p->value.numel(); ++i) {
      const float saved = p->value[i];
      p->value[i] = saved + static_cast<float>(opt.step);
      const double plus = objective();
      p->value[i] = saved - static_cast<float>(opt.step);
      const double minus = objective();
      p->value[i] = saved;
      const double numeric = (plus - minus) / (2.0 * opt.step);
      ASSERT_TRUE(close(analytic[i], numeric, opt.tolerance))
          << layer.spec().type << " d" << p->name << "[" << i << "]: analytic " << analytic[i] << " vs numeric "
          << numeric;
    }
  }
}

// Pre-fills every grad with p; after one backward each must equal p + the true gradient.
inline void expect_backward_accumulates(Layer& layer, const Tensor& x, Rng& rng) {
  const Tensor y = layer.forward(x);
  const Tensor g = random_tensor(y.shape(), rng);
  for (Param* p : layer.params()) p->grad.zero();
  layer.backward(g);
  std::vector<Tensor> fresh;
  for (Param* p : layer.params()) fresh.push_back(p->grad.clone());

  constexpr float kJunk = 0.375f;
  for (Param* p : layer.params()) p->grad.fill(kJunk);
  layer.forward(x);
  layer.backward(g);
  const auto params = layer.params();
  for (size_t k = 0; k < params.size(); ++k)
    for (int64_t i = 0; i < params[k]->grad.numel(); ++i)
      ASSERT_NEAR(params[k]->grad[i], kJunk + fresh[k][i], 1e-5f * (1.0f + std::abs(fresh[k][i])))
          << layer.spec().type << " " << params[k]->name << "[" << i << "] did not accumulate";
}

// Frozen params get no gradient; dx is unchanged by freezing.
inline void expect_frozen_still_backpropagates(Layer& layer, const Tensor& x, Rng& rng) {
  const Tensor y = layer.forward(x);
  const Tensor g = random_tensor(y.shape(), rng);
  const Tensor dx_trainable = layer.backward(g);
  layer.freeze(true);
  for (Param* p : layer.params()) p->grad.zero();
  layer.forward(x);
  const Tensor dx_frozen = layer.backward(g);
  for (Param* p : layer.params())
    for (int64_t i = 0; i < p->grad.numel(); ++i) ASSERT_EQ(p->grad[i], 0.0f) << p->name << " got a gradient while frozen";
  for (int64_t i = 0; i < dx_trainable.numel(); ++i) ASSERT_FLOAT_EQ(dx_frozen[i], dx_trainable[i]);
  layer.freeze(false);
}

}  // namespace neuroshop::testing
