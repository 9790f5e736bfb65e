// Upsample and the bilinear resize: torch's known values (align_corners=False, edge clamping),
// arbitrary sizes up and down, the adjoint identity of every backward, the layer gradient tests,
// spec and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "core/layers/upsample.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

void expect_values(const Tensor& t, const std::vector<float>& expected, float tol = 1e-6f) {
  ASSERT_EQ(t.numel(), static_cast<int64_t>(expected.size()));
  for (int64_t i = 0; i < t.numel(); ++i) EXPECT_NEAR(t[i], expected[static_cast<size_t>(i)], tol) << "at " << i;
}

TEST(Upsample, NearestKnownValues) {
  Upsample up(2, UpsampleMode::kNearest);
  const Tensor y = up.forward(Tensor::from({1, 1, 2, 2}, {1, 2, 3, 4}));
  EXPECT_EQ(y.shape(), (Shape{1, 1, 4, 4}));
  expect_values(y, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  const Tensor dx = up.backward(Tensor::from({1, 1, 4, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}));
  expect_values(dx, {1 + 2 + 5 + 6, 3 + 4 + 7 + 8, 9 + 10 + 13 + 14, 11 + 12 + 15 + 16});
}

TEST(Upsample, BilinearMatchesTorch) {
  // torch: F.interpolate([[1,2],[3,4]], scale_factor=2, mode='bilinear', align_corners=False)
  Upsample up(2, UpsampleMode::kBilinear);
  const Tensor y = up.forward(Tensor::from({1, 1, 2, 2}, {1, 2, 3, 4}));
  expect_values(y, {1.0f, 1.25f, 1.75f, 2.0f,   //
                    1.5f, 1.75f, 2.25f, 2.5f,   //
                    2.5f, 2.75f, 3.25f, 3.5f,   //
                    3.0f, 3.25f, 3.75f, 4.0f});
}

TEST(ResizeBilinear, ArbitrarySizes) {
  // 3 -> 5 along W: scale 0.6, sources 0 (clamped from -0.2), 0.4, 1.0, 1.6, 2.2 -> clamped to the last pixel.
  expect_values(resize_bilinear(Tensor::from({1, 1, 1, 3}, {0, 10, 20}), 1, 5), {0, 4, 10, 16, 20}, 1e-5f);
  // 4 -> 2: sources 0.5 and 2.5, the means of the pairs.
  expect_values(resize_bilinear(Tensor::from({1, 1, 4, 1}, {0, 1, 2, 3}), 2, 1), {0.5f, 2.5f});
  // Same size is the identity.
  Rng rng(61);
  const Tensor x = testing::random_tensor({2, 3, 5, 4}, rng);
  expect_values(resize_bilinear(x, 5, 4), x.to_vector(), 0.0f);
  // A constant image stays constant at every size.
  const Tensor c = resize_bilinear(Tensor::full({1, 2, 3, 7}, 0.25f), 11, 2);
  EXPECT_EQ(c.shape(), (Shape{1, 2, 11, 2}));
  for (int64_t i = 0; i < c.numel(); ++i) EXPECT_NEAR(c[i], 0.25f, 1e-7f);
}

TEST(ResizeBilinear, BackwardIsTheAdjoint) {
  Rng rng(62);
  const std::vector<std::pair<Shape, std::pair<int64_t, int64_t>>> cases = {
      {{2, 3, 5, 5}, {10, 10}}, {{1, 2, 4, 6}, {7, 3}}, {{2, 1, 7, 5}, {3, 2}}, {{1, 1, 1, 1}, {4, 5}},
      {{1, 2, 6, 6}, {6, 6}},   {{1, 1, 3, 5}, {1, 1}}};
  for (const auto& [shape, size] : cases) {
    const Tensor x = testing::random_tensor(shape, rng);
    const Tensor y = resize_bilinear(x, size.first, size.second);
    const Tensor g = testing::random_tensor(y.shape(), rng);
    const Tensor dx = resize_bilinear_backward(g, shape[2], shape[3]);
    ASSERT_EQ(dx.shape(), shape);
    EXPECT_NEAR(testing::dot(y, g), testing::dot(x, dx), 1e-4) << shape.str() << " -> " << size.first << "x" << size.second;
  }
}

TEST(Upsample, NearestBackwardIsTheAdjoint) {
  Rng rng(63);
  const Tensor x = testing::random_tensor({2, 3, 4, 5}, rng);
  const Tensor y = upsample_nearest(x, 3);
  const Tensor g = testing::random_tensor(y.shape(), rng);
  EXPECT_NEAR(testing::dot(y, g), testing::dot(x, upsample_nearest_backward(g, 3)), 1e-4);
}

TEST(Upsample, Gradients) {
  Rng rng(64);
  for (UpsampleMode mode : {UpsampleMode::kNearest, UpsampleMode::kBilinear})
    for (int64_t scale : {2, 3}) {
      SCOPED_TRACE(std::string(upsample_mode_name(mode)) + " x" + std::to_string(scale));
      Upsample up(scale, mode);
      const Tensor x = testing::random_tensor({2, 3, 5, 4}, rng);
      testing::expect_gradients_match_fd(up, x, rng);
      testing::expect_backward_accumulates(up, x, rng);
    }
}

TEST(Upsample, SpecAndFlops) {
  Upsample up(2, UpsampleMode::kBilinear, "up1");
  const LayerSpec s = up.spec();
  EXPECT_EQ(s.type, "Upsample");
  EXPECT_EQ(s.name, "up1");
  EXPECT_EQ(s.get_int("scale_factor"), 2);
  EXPECT_EQ(parse_upsample_mode(s.get_string("mode"), "test"), UpsampleMode::kBilinear);
  EXPECT_EQ(up.output_shape({2, 3, 5, 4}), (Shape{2, 3, 10, 8}));
  EXPECT_EQ(up.flops({1, 1, 2, 2}), 9 * 16);
}

TEST(Upsample, Errors) {
  Upsample up(2, UpsampleMode::kBilinear, "up1");
  EXPECT_THROW(up.backward(Tensor::zeros({1, 1, 4, 4})), Error);
  try {
    up.forward(Tensor::zeros({3, 4, 4}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("Upsample 'up1'"), std::string::npos) << e.what();
  }
  up.forward(Tensor::zeros({1, 1, 2, 2}));
  EXPECT_THROW(up.backward(Tensor::zeros({1, 1, 3, 4})), ShapeError);
  EXPECT_THROW(Upsample(0), ArgumentError);
  EXPECT_THROW(parse_upsample_mode("bicubic", "test"), ArgumentError);
  EXPECT_THROW(resize_bilinear(Tensor::zeros({1, 1, 2, 2}), 0, 3), ArgumentError);
  EXPECT_THROW(resize_bilinear(Tensor::zeros({2, 2}), 3, 3), ShapeError);
}

TEST(Upsample, ParallelMatchesSerial) {
  // Enough planes that the loops split over several threads; both runs must agree exactly.
  Rng rng(65);
  const Tensor x = testing::random_tensor({2, 32, 20, 20}, rng);
  const Tensor g = testing::random_tensor({2, 32, 50, 30}, rng);
  const int threads = num_threads();
  std::vector<std::vector<float>> results;
  for (int n : {1, std::max(threads, 4)}) {
    set_num_threads(n);
    results.push_back(resize_bilinear(x, 50, 30).to_vector());
    results.push_back(resize_bilinear_backward(g, 20, 20).to_vector());
    results.push_back(upsample_nearest(x, 3).to_vector());
    results.push_back(upsample_nearest_backward(upsample_nearest(x, 2), 2).to_vector());
  }
  set_num_threads(threads);
  for (size_t k = 0; k < 4; ++k) EXPECT_EQ(results[k], results[k + 4]) << "result " << k;
}

}  // namespace
}  // namespace neuroshop
