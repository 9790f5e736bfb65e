// Gram matrix against a naive loop, finite differences of the Gram backward, Gram loss and total
// variation; known values and errors.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "core/losses/style.h"
#include "layer_checks.h"
#include "test_loss_checks.h"

namespace neuroshop {
namespace {

TEST(GramMatrix, MatchesNaiveLoop) {
  Rng rng(31);
  const Tensor f = testing::random_tensor({2, 3, 4, 5}, rng);
  const Tensor g = gram_matrix(f);
  ASSERT_EQ(g.shape(), (Shape{2, 3, 3}));
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 3; ++j) {
        double s = 0.0;
        for (int64_t h = 0; h < 4; ++h)
          for (int64_t w = 0; w < 5; ++w) s += static_cast<double>(f.at(n, i, h, w)) * f.at(n, j, h, w);
        EXPECT_NEAR(g[(n * 3 + i) * 3 + j], s / (3 * 4 * 5), 1e-6) << n << "," << i << "," << j;
      }
}

TEST(GramMatrix, BackwardMatchesFiniteDifferences) {
  // Objective <gram(F), R> with a random R, so a transposed index cannot hide.
  Rng rng(32);
  const Tensor f = testing::random_tensor({2, 3, 5, 5}, rng);
  const Tensor r = testing::random_tensor({2, 3, 3}, rng);
  auto objective = [&](const Tensor& x, Tensor* dx) {
    if (dx != nullptr) *dx = gram_matrix_backward(x, r);
    return testing::dot(gram_matrix(x), r);
  };
  testing::expect_loss_gradient_matches_fd(objective, f);
}

TEST(GramLoss, KnownValueAndSharedTarget) {
  // One channel, F = (1, 2): G = (1 + 4) / 2 = 2.5; target 0.5 -> L = (2.5 - 0.5)^2 = 4.
  const Tensor f = Tensor::from({1, 1, 1, 2}, {1.0f, 2.0f});
  EXPECT_NEAR(gram_loss(f, Tensor::from({1, 1, 1}, {0.5f})), 4.0, 1e-12);
  // dL/dF = 2 (G - T) * (dG/dF = 2F / 2) = 4 F
  Tensor df;
  gram_loss(f, Tensor::from({1, 1, 1}, {0.5f}), &df);
  EXPECT_NEAR(df[0], 4.0f, 1e-6);
  EXPECT_NEAR(df[1], 8.0f, 1e-6);
  // A (1,C,C) target is shared by the batch: two copies of the image, the same mean.
  const Tensor f2 = Tensor::from({2, 1, 1, 2}, {1.0f, 2.0f, 1.0f, 2.0f});
  EXPECT_NEAR(gram_loss(f2, Tensor::from({1, 1, 1}, {0.5f})), 4.0, 1e-12);
  EXPECT_NEAR(gram_loss(f2, Tensor::from({2, 1, 1}, {0.5f, 2.5f})), 2.0, 1e-12);
}

TEST(GramLoss, GradientMatchesFiniteDifferences) {
  Rng rng(33);
  const Tensor f = testing::random_tensor({2, 3, 5, 5}, rng);
  const Tensor target = gram_matrix(testing::random_tensor({2, 3, 5, 5}, rng));
  auto loss = [&](const Tensor& x, Tensor* dx) { return gram_loss(x, target, dx); };
  testing::expect_loss_gradient_matches_fd(loss, f);
  testing::expect_gradient_not_accumulated(loss, f);
  const Tensor shared = gram_matrix(testing::random_tensor({1, 3, 4, 4}, rng));
  auto shared_loss = [&](const Tensor& x, Tensor* dx) { return gram_loss(x, shared, dx); };
  testing::expect_loss_gradient_matches_fd(shared_loss, f);
}

TEST(TotalVariationLoss, KnownValue) {
  // [[1, 2], [4, 8]]: vertical (4-1)^2 + (8-2)^2 = 45, horizontal (2-1)^2 + (8-4)^2 = 17; 62 / 4.
  const Tensor x = Tensor::from({1, 1, 2, 2}, {1.0f, 2.0f, 4.0f, 8.0f});
  Tensor dx;
  EXPECT_DOUBLE_EQ(total_variation_loss(x, &dx), 15.5);
  // dx[0][0] = (2/4) (-(4-1) - (2-1)) = -2
  EXPECT_FLOAT_EQ(dx[0], -2.0f);
  // dx[1][1] = (2/4) ((8-2) + (8-4)) = 5
  EXPECT_FLOAT_EQ(dx[3], 5.0f);
  EXPECT_DOUBLE_EQ(total_variation_loss(Tensor::full({1, 3, 4, 4}, 0.7f)), 0.0);
}

TEST(TotalVariationLoss, GradientMatchesFiniteDifferences) {
  Rng rng(34);
  const Tensor x = testing::random_tensor({2, 3, 5, 5}, rng);
  auto loss = [&](const Tensor& image, Tensor* dimage) { return total_variation_loss(image, dimage); };
  testing::expect_loss_gradient_matches_fd(loss, x);
  testing::expect_gradient_not_accumulated(loss, x);
  // A single row or column has only one direction of neighbours.
  testing::expect_loss_gradient_matches_fd(loss, testing::random_tensor({1, 2, 1, 6}, rng));
  testing::expect_loss_gradient_matches_fd(loss, testing::random_tensor({1, 2, 6, 1}, rng));
}

TEST(StyleLosses, RejectBadShapes) {
  EXPECT_THROW(gram_matrix(Tensor::zeros({3, 4, 4})), ShapeError);
  EXPECT_THROW(gram_matrix_backward(Tensor::zeros({1, 3, 4, 4}), Tensor::zeros({1, 3, 4})), ShapeError);
  EXPECT_THROW(gram_loss(Tensor::zeros({2, 3, 4, 4}), Tensor::zeros({3, 3, 3})), ShapeError);
  EXPECT_THROW(total_variation_loss(Tensor::zeros({4, 4})), ShapeError);
}

}  // namespace
}  // namespace neuroshop
