// Known values, finite differences and errors of mse_loss and l1_loss.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "core/losses/regression.h"
#include "layer_checks.h"
#include "test_loss_checks.h"

namespace neuroshop {
namespace {

TEST(MseLoss, KnownValue) {
  // (1/2) * (1/2 * 1^2 + 1/2 * 2^2) = 1.25 ;  dpred = (pred - y) / n = (0.5, 1)
  const Tensor pred = Tensor::from({2}, {1.0f, 2.0f});
  const Tensor target = Tensor::zeros({2});
  Tensor dpred;
  EXPECT_DOUBLE_EQ(mse_loss(pred, target, &dpred), 1.25);
  EXPECT_FLOAT_EQ(dpred[0], 0.5f);
  EXPECT_FLOAT_EQ(dpred[1], 1.0f);
  EXPECT_DOUBLE_EQ(mse_loss(pred, pred), 0.0);
}

TEST(MseLoss, GradientMatchesFiniteDifferences) {
  Rng rng(11);
  const Tensor target = testing::random_tensor({2, 3, 5, 5}, rng);
  const Tensor pred = testing::random_tensor({2, 3, 5, 5}, rng);
  auto loss = [&](const Tensor& x, Tensor* dx) { return mse_loss(x, target, dx); };
  testing::expect_loss_gradient_matches_fd(loss, pred);
  testing::expect_gradient_not_accumulated(loss, pred);
}

TEST(L1Loss, KnownValue) {
  // (|1| + |-2| + |0|) / 3 = 1 ;  dpred = sign(pred - y) / 3, 0 at the tie
  const Tensor pred = Tensor::from({3}, {1.0f, -2.0f, 0.5f});
  const Tensor target = Tensor::from({3}, {0.0f, 0.0f, 0.5f});
  Tensor dpred;
  EXPECT_DOUBLE_EQ(l1_loss(pred, target, &dpred), 1.0);
  EXPECT_FLOAT_EQ(dpred[0], 1.0f / 3.0f);
  EXPECT_FLOAT_EQ(dpred[1], -1.0f / 3.0f);
  EXPECT_EQ(dpred[2], 0.0f);
}

TEST(L1Loss, GradientMatchesFiniteDifferences) {
  Rng rng(12);
  const Tensor target = testing::random_tensor({2, 3, 5, 5}, rng);
  // Keep pred - y at least 0.1 from the kink at 0 (the FD step is 0.01).
  const Tensor offset = testing::random_away_from_zero({2, 3, 5, 5}, rng, 0.1, 1.0);
  Tensor pred = Tensor::empty(target.shape());
  for (int64_t i = 0; i < pred.numel(); ++i) pred[i] = target[i] + offset[i];
  auto loss = [&](const Tensor& x, Tensor* dx) { return l1_loss(x, target, dx); };
  testing::expect_loss_gradient_matches_fd(loss, pred);
  testing::expect_gradient_not_accumulated(loss, pred);
}

TEST(RegressionLosses, RejectMismatchedShapes) {
  const Tensor a = Tensor::zeros({2, 3});
  const Tensor b = Tensor::zeros({3, 2});
  EXPECT_THROW(mse_loss(a, b), ShapeError);
  EXPECT_THROW(l1_loss(a, b), ShapeError);
  EXPECT_THROW(mse_loss(Tensor(), Tensor()), ShapeError);
}

}  // namespace
}  // namespace neuroshop
