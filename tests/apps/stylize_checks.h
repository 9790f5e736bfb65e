// What the stylize tests share: a smooth synthetic picture and the directional finite-difference
// checks of an image gradient (through a feature network, or through the whole objective).
// Not here: per-element checks of single layers and losses (tests/core/layer_checks.h).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "apps/stylize/objective.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "layer_checks.h"

namespace neuroshop::stylize::testing {

// A smooth synthetic picture (N,3,H,W) in [0, 1]: gradients and stripes, different per image.
inline Tensor picture(int64_t N, int64_t H, int64_t W, double phase) {
  Tensor t({N, 3, H, W});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t y = 0; y < H; ++y)
        for (int64_t x = 0; x < W; ++x)
          t.at(n, c, y, x) = static_cast<float>(0.5 + 0.4 * std::sin(0.3 * x * (c + 1) + 0.2 * y + phase + n));
  return t;
}

// (f(x + h v) − f(x − h v)) / 2h: the derivative of f at x along v.
template <class F>
double directional_difference(F&& f, const Tensor& x, const Tensor& v, double h) {
  Tensor plus = x.clone(), minus = x.clone();
  for (int64_t i = 0; i < x.numel(); ++i) {
    plus[i] += static_cast<float>(h * v[i]);
    minus[i] -= static_cast<float>(h * v[i]);
  }
  return (f(plus) - f(minus)) / (2 * h);
}

// dx, the gradient of `probe` (a scalar function of a feature network's outputs) at `image`,
// against directional differences along 8 random directions. Thousands of ReLUs make a
// per-element check trip over kinks; along a direction, the few units crossing their kink within
// +-h shift the difference quotient by O(h), hence the small step, 10% per direction and 3% over
// all of them. A wrong index or a missing term would be off by far more.
template <class F>
void expect_feature_gradient_matches(F&& probe, const Tensor& image, const Tensor& dx, Rng& rng) {
  ASSERT_EQ(dx.shape(), image.shape());
  double error = 0.0, scale = 0.0;
  for (int trial = 0; trial < 8; ++trial) {
    const Tensor v = neuroshop::testing::random_tensor(image.shape(), rng);
    const double numeric = directional_difference(probe, image, v, 1e-4);
    const double analytic = neuroshop::testing::dot(dx, v);
    EXPECT_NEAR(analytic, numeric, 0.1 * std::max(1.0, std::abs(numeric))) << "direction " << trial;
    error += std::abs(analytic - numeric);
    scale += std::abs(numeric);
  }
  EXPECT_LT(error / scale, 0.03) << "mean relative error over the directions";
}

// dx, the gradient of the style-transfer objective `loss` at `image`, along 3 random directions.
// The loss is small (float forward, so h cannot shrink much): 3% plus a small absolute slack.
template <class F>
void expect_objective_gradient_matches(F&& loss, const Tensor& image, const Tensor& dx, Rng& rng) {
  for (int trial = 0; trial < 3; ++trial) {
    const Tensor v = neuroshop::testing::random_tensor(image.shape(), rng);
    const double numeric = directional_difference(loss, image, v, 1e-3);
    EXPECT_NEAR(neuroshop::testing::dot(dx, v), numeric, 3e-2 * std::abs(numeric) + 1e-3) << "direction " << trial;
  }
}

// The style transfer objective through `net` on smooth pictures (content and image 32x40, a 40x40
// style, weights style 1, content 0.5, TV 0.3), handed to `check(loss, image, dx)` with its
// analytic gradient dx at the image.
template <class Check>
void check_objective_gradient(StyleNet& net, Check&& check) {
  const Tensor content = picture(1, 32, 40, 0.0);
  const StyleTarget style = make_style_target(net, picture(1, 40, 40, 1.7));
  const ContentTarget ct = make_content_target(net, content);
  const LossWeights w{1.0, 0.5, 0.3};
  const Tensor image = picture(1, 32, 40, 0.6);
  Tensor dx;
  style_transfer_loss(net, style, ct, image, w, &dx);
  check([&](const Tensor& x) { return style_transfer_loss(net, style, ct, x, w, nullptr).total; }, image, dx);
}

}  // namespace neuroshop::stylize::testing
