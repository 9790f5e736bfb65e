// The feature patch loss: zero for the painting's own features, its gradient by finite differences
// (per element, in double, where the nearest-patch matches stay fixed), and through the objective.
#include <gtest/gtest.h>

#include <cmath>

#include "apps/stylize/objective.h"
#include "apps/stylize/patch_loss.h"
#include "apps/stylize/random_vgg.h"
#include "core/errors.h"
#include "stylize_checks.h"

namespace neuroshop::stylize {
namespace {

using neuroshop::testing::random_tensor;
using testing::expect_objective_gradient_matches;

TEST(StylizePatchLoss, ZeroForThePaintingsOwnFeatures) {
  Rng rng(3);
  const Tensor s = random_tensor(Shape{1, 3, 9, 10}, rng);
  const PatchTarget t = make_patch_target(s, 10000);  // every patch kept
  EXPECT_EQ(t.patches.dim(0), 7 * 8);
  EXPECT_EQ(t.patches.dim(1), 27);
  EXPECT_NEAR(patch_loss(s, t, nullptr), 0.0, 1e-9);
  EXPECT_GT(patch_loss(random_tensor(Shape{1, 3, 6, 7}, rng), t, nullptr), 0.0);
  EXPECT_LE(make_patch_target(s, 20).patches.dim(0), 20);
  EXPECT_THROW(patch_loss(random_tensor(Shape{1, 4, 6, 7}, rng), t, nullptr), ShapeError);
  EXPECT_THROW(make_patch_target(random_tensor(Shape{1, 3, 2, 7}, rng)), ShapeError);
}

// Every element, central differences with a small step: the matches are piecewise constant and a
// step of 1e-3 on random features does not change them (checked: the loss is exactly quadratic
// then, so the difference quotient equals the derivative up to rounding).
TEST(StylizePatchLoss, GradientMatchesFiniteDifferences) {
  Rng rng(7);
  const PatchTarget t = make_patch_target(random_tensor(Shape{1, 3, 8, 8}, rng), 16);
  Tensor x = random_tensor(Shape{1, 3, 5, 6}, rng);
  Tensor dx;
  patch_loss(x, t, &dx);
  ASSERT_EQ(dx.shape(), x.shape());
  const float h = 1e-3f;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float keep = x[i];
    x[i] = keep + h;
    const double up = patch_loss(x, t, nullptr);
    x[i] = keep - h;
    const double down = patch_loss(x, t, nullptr);
    x[i] = keep;
    const double numeric = (up - down) / (2.0 * h);
    EXPECT_NEAR(dx[i], numeric, 1e-3 * std::max({1.0, std::abs(numeric), std::abs(static_cast<double>(dx[i]))}))
        << "element " << i;
  }
}

TEST(StylizePatchLoss, ObjectiveWithPatchLossMatchesFiniteDifferences) {
  RandomVggOptions o;
  o.width = 4;
  RandomVgg net(o);
  Rng rng(5);
  Tensor style({1, 3, 40, 40}), image({1, 3, 32, 36});
  for (int64_t i = 0; i < style.numel(); ++i) style[i] = static_cast<float>(0.5 + 0.4 * std::sin(0.37 * i));
  for (int64_t i = 0; i < image.numel(); ++i) image[i] = static_cast<float>(0.5 + 0.3 * std::sin(0.11 * i + 1.0));
  const StyleTarget target = make_style_target(net, style, 3);
  ASSERT_TRUE(target.patch.patches.defined());
  const LossWeights w{1.0, 0.0, 0.0, 2.0};
  Tensor dx;
  const LossTerms terms = style_transfer_loss(net, target, ContentTarget{}, image, w, &dx);
  EXPECT_GT(terms.patch, 0.0);
  EXPECT_NEAR(terms.total, terms.style + 2.0 * terms.patch, 1e-9);
  expect_objective_gradient_matches(
      [&](const Tensor& x) { return style_transfer_loss(net, target, ContentTarget{}, x, w, nullptr).total; }, image, dx, rng);
}

}  // namespace
}  // namespace neuroshop::stylize
