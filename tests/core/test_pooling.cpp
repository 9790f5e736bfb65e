// MaxPool2d and AvgPool2d: known values, torch's floor output sizes, first-max-wins, the gradient
// tests on inputs without ties (distinct values spaced wider than the FD step), spec and errors.
#include <gtest/gtest.h>

#include <numeric>
#include <algorithm>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "core/layers/pooling.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

// A random permutation of distinct values spaced `spacing` apart: no two window entries come
// within 2 * FD step of each other, so the arg-max never flips during the check.
Tensor distinct_values(const Shape& shape, Rng& rng, float spacing = 0.05f) {
  std::vector<int64_t> order(static_cast<size_t>(shape.numel()));
  std::iota(order.begin(), order.end(), 0);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  Tensor t = Tensor::empty(shape);
  const float mid = static_cast<float>(shape.numel()) / 2.0f;
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = (static_cast<float>(order[static_cast<size_t>(i)]) - mid) * spacing;
  return t;
}

TEST(MaxPool2d, KnownValues) {
  MaxPool2d pool(2);
  const Tensor x = Tensor::from({1, 1, 4, 4}, {1, 5, 2, 0,   //
                                               3, 4, 8, 7,   //
                                               0, 1, 2, 3,   //
                                               9, 2, 6, 4});
  const Tensor y = pool.forward(x);
  EXPECT_EQ(y.to_vector(), (std::vector<float>{5, 8, 9, 6}));
  const Tensor dx = pool.backward(Tensor::from({1, 1, 2, 2}, {1, 2, 3, 4}));
  EXPECT_EQ(dx.to_vector(), (std::vector<float>{0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0}));
}

TEST(MaxPool2d, FirstMaximumWinsAndOverlapsAccumulate) {
  MaxPool2d pool(2, 1);  // overlapping windows
  const Tensor x = Tensor::from({1, 1, 2, 3}, {7, 7, 1, 0, 7, 2});
  const Tensor y = pool.forward(x);
  EXPECT_EQ(y.to_vector(), (std::vector<float>{7, 7}));
  // Both windows pick their first 7 in row-major order: x[0][0] and x[0][1].
  const Tensor dx = pool.backward(Tensor::from({1, 1, 1, 2}, {1, 10}));
  EXPECT_EQ(dx.to_vector(), (std::vector<float>{1, 10, 0, 0, 0, 0}));
}

TEST(MaxPool2d, FloorOutputSizes) {
  EXPECT_EQ(MaxPool2d(2).output_shape({2, 3, 7, 5}), (Shape{2, 3, 3, 2}));
  EXPECT_EQ(MaxPool2d(3, 2).output_shape({2, 3, 7, 6}), (Shape{2, 3, 3, 2}));
  EXPECT_EQ(AvgPool2d(3, 1).output_shape({1, 1, 5, 5}), (Shape{1, 1, 3, 3}));
}

TEST(MaxPool2d, Gradients) {
  Rng rng(51);
  for (const auto& [k, s] : std::vector<std::pair<int64_t, int64_t>>{{2, 2}, {3, 2}, {2, 1}, {3, 3}}) {
    SCOPED_TRACE("kernel " + std::to_string(k) + " stride " + std::to_string(s));
    MaxPool2d pool(k, s);
    const Tensor x = distinct_values({2, 3, 7, 6}, rng);
    testing::expect_gradients_match_fd(pool, x, rng);
    testing::expect_backward_accumulates(pool, x, rng);
  }
}

TEST(AvgPool2d, KnownValues) {
  AvgPool2d pool(2);
  const Tensor x = Tensor::from({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 9});
  const Tensor y = pool.forward(x);
  EXPECT_EQ(y.to_vector(), (std::vector<float>{3.5f, 5.75f}));
  const Tensor dx = pool.backward(Tensor::from({1, 1, 1, 2}, {4, 8}));
  EXPECT_EQ(dx.to_vector(), (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2}));
}

TEST(AvgPool2d, Gradients) {
  Rng rng(52);
  for (const auto& [k, s] : std::vector<std::pair<int64_t, int64_t>>{{2, 2}, {3, 2}, {2, 1}}) {
    SCOPED_TRACE("kernel " + std::to_string(k) + " stride " + std::to_string(s));
    AvgPool2d pool(k, s);
    const Tensor x = testing::random_tensor({2, 3, 7, 6}, rng);
    testing::expect_gradients_match_fd(pool, x, rng);
    testing::expect_backward_accumulates(pool, x, rng);
  }
}

TEST(Pooling, SpecAndFlops) {
  MaxPool2d max_pool(3, 0, "p1");
  EXPECT_EQ(max_pool.stride(), 3);
  const LayerSpec s = max_pool.spec();
  EXPECT_EQ(s.type, "MaxPool2d");
  EXPECT_EQ(s.name, "p1");
  EXPECT_EQ(s.get_int("kernel_size"), 3);
  EXPECT_EQ(s.get_int("stride"), 3);
  EXPECT_EQ(AvgPool2d(2, 1).spec().type, "AvgPool2d");
  EXPECT_EQ(AvgPool2d(2, 1).spec().get_int("stride"), 1);
  EXPECT_EQ(max_pool.flops({1, 2, 6, 6}), 8 * 9);
}

TEST(Pooling, Errors) {
  MaxPool2d pool(3, 2, "p1");
  try {
    pool.forward(Tensor::zeros({1, 2, 2, 8}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("MaxPool2d 'p1'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(pool.forward(Tensor::zeros({2, 8, 8})), ShapeError);
  EXPECT_THROW(AvgPool2d(2).forward(Tensor::zeros({1, 1, 1, 4})), ShapeError);
  EXPECT_THROW(MaxPool2d(0), ArgumentError);
  EXPECT_THROW(AvgPool2d(2, -1), ArgumentError);
  MaxPool2d fresh_max(2);
  AvgPool2d fresh_avg(2);
  EXPECT_THROW(fresh_max.backward(Tensor::zeros({1, 1, 1, 1})), Error);
  EXPECT_THROW(fresh_avg.backward(Tensor::zeros({1, 1, 1, 1})), Error);
}

TEST(Pooling, ParallelMatchesSerial) {
  // Enough planes that the loops split over several threads; both runs must agree exactly.
  Rng rng(53);
  const Tensor x = testing::random_tensor({2, 64, 48, 48}, rng);
  MaxPool2d max_pool(3, 2);
  AvgPool2d avg_pool(2);
  const Tensor g_max = testing::random_tensor(max_pool.output_shape(x.shape()), rng);
  const Tensor g_avg = testing::random_tensor(avg_pool.output_shape(x.shape()), rng);
  const int threads = num_threads();
  std::vector<std::vector<float>> results;
  for (int n : {1, std::max(threads, 4)}) {
    set_num_threads(n);
    results.push_back(max_pool.forward(x).to_vector());
    results.push_back(max_pool.backward(g_max).to_vector());
    results.push_back(avg_pool.forward(x).to_vector());
    results.push_back(avg_pool.backward(g_avg).to_vector());
  }
  set_num_threads(threads);
  for (size_t k = 0; k < 4; ++k) EXPECT_EQ(results[k], results[k + 4]) << "result " << k;
}

}  // namespace
}  // namespace neuroshop
