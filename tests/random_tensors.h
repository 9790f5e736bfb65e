// Random tensors for the tests, shared by the engine's tests (tests/core) and the LibTorch
// cross-checks (tests/torch): uniform values, values kept away from the kink at 0, and values
// without ties.
// Not here: the checks themselves (tests/core/layer_checks.h, tests/torch/parity_common.h).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"

namespace neuroshop::testing {

inline Tensor random_tensor(const Shape& shape, Rng& rng, double lo = -1.0, double hi = 1.0) {
  Tensor t = Tensor::empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = static_cast<float>(rng.uniform(lo, hi));
  return t;
}

// |values| in [gap, hi] with random signs: away from the kinks at 0.
inline Tensor random_away_from_zero(const Shape& shape, Rng& rng, double gap = 0.1, double hi = 1.0) {
  Tensor t = Tensor::empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const double m = rng.uniform(gap, hi);
    t[i] = static_cast<float>(rng.uniform() < 0.5 ? -m : m);
  }
  return t;
}

// A random permutation of evenly spaced values (spacing `gap`), so no two elements tie.
inline Tensor random_distinct(const Shape& shape, Rng& rng, double gap = 0.05) {
  Tensor t = Tensor::empty(shape);
  const int64_t n = t.numel();
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[static_cast<size_t>(i)], order[rng.below(static_cast<uint64_t>(i + 1))]);
  for (int64_t i = 0; i < n; ++i) t[i] = static_cast<float>((static_cast<double>(order[static_cast<size_t>(i)]) - 0.5 * n) * gap);
  return t;
}

}  // namespace neuroshop::testing
