// The stylize feature network: deterministic for a seed, different across seeds, its image gradient
// matches finite differences, sizes and errors; the objective's gradient likewise.
#include <gtest/gtest.h>

#include <cmath>

#include "apps/stylize/features.h"
#include "apps/stylize/objective.h"
#include "core/errors.h"
#include "layer_checks.h"

namespace neuroshop::stylize {
namespace {

using testing::dot;
using testing::random_tensor;

// A smooth synthetic picture (N,3,H,W) in [0, 1]: gradients and stripes, different per image.
Tensor picture(int64_t N, int64_t H, int64_t W, double phase) {
  Tensor t({N, 3, H, W});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t y = 0; y < H; ++y)
        for (int64_t x = 0; x < W; ++x)
          t.at(n, c, y, x) = static_cast<float>(0.5 + 0.4 * std::sin(0.3 * x * (c + 1) + 0.2 * y + phase + n));
  return t;
}

// sum_k <style_k, g_k>: a scalar function of the image whose gradient backward() must return.
double probe(FeatureNet& net, const Tensor& image, const std::vector<Tensor>& g) {
  const Features f = net.forward(image);
  double s = 0.0;
  for (size_t k = 0; k < g.size(); ++k) s += dot(f.style[k], g[k]);
  return s;
}

TEST(StylizeFeatures, SameSeedSameFeaturesOtherSeedOthers) {
  const Tensor image = picture(1, 32, 40, 0.0);
  FeatureNet a(FeatureNetOptions{7}), b(FeatureNetOptions{7}), c(FeatureNetOptions{8});
  const Features fa = a.forward(image), fb = b.forward(image), fc = c.forward(image);
  ASSERT_EQ(fa.style.size(), a.num_style_outputs());
  double diff_other = 0.0;
  for (size_t k = 0; k < fa.style.size(); ++k) {
    ASSERT_EQ(fa.style[k].shape(), fb.style[k].shape());
    for (int64_t i = 0; i < fa.style[k].numel(); ++i) ASSERT_EQ(fa.style[k][i], fb.style[k][i]);
    for (int64_t i = 0; i < fa.style[k].numel(); ++i) diff_other += std::abs(fa.style[k][i] - fc.style[k][i]);
  }
  EXPECT_GT(diff_other, 1.0);
}

TEST(StylizeFeatures, ShapesOfThePyramid) {
  FeatureNet net;
  const Features f = net.forward(picture(2, 33, 48, 0.0));
  // banks at full, ceil(/2), ceil(/4); deep layers at half of each
  EXPECT_EQ(f.style[0].shape(), (Shape{2, 48, 33, 48}));
  EXPECT_EQ(f.style[1].shape(), (Shape{2, 32, 17, 24}));
  EXPECT_EQ(f.style[2].shape(), (Shape{2, 48, 17, 24}));
  EXPECT_EQ(f.style[4].shape(), (Shape{2, 48, 9, 12}));
  EXPECT_EQ(f.content.shape(), f.style[1].shape());
  EXPECT_GT(net.flops(Shape{1, 3, 64, 64}), 0);
}

TEST(StylizeFeatures, RejectsBadInputs) {
  FeatureNet net;
  EXPECT_THROW(net.forward(Tensor({1, 1, 32, 32})), ShapeError);
  EXPECT_THROW(net.forward(Tensor({1, 3, net.min_side() - 1, 32})), ShapeError);
  EXPECT_NO_THROW(net.forward(picture(1, net.min_side(), net.min_side(), 0.0)));
  EXPECT_THROW(FeatureNet(FeatureNetOptions{1, 0}), ArgumentError);
  EXPECT_THROW(FeatureNet(FeatureNetOptions{1, 3, {{4, 8}}}), ArgumentError);
  FeatureNet fresh;
  EXPECT_THROW(fresh.backward(std::vector<Tensor>(fresh.num_style_outputs()), Tensor()), Error);
}

// Directional finite differences in double over several random directions (robust to ReLU kinks,
// which a per-element check would trip over at this many units).
TEST(StylizeFeatures, ImageGradientMatchesFiniteDifferences) {
  FeatureNet net(FeatureNetOptions{3});
  Rng rng(11);
  const Tensor image = picture(1, 20, 24, 0.3);
  Features f = net.forward(image);
  std::vector<Tensor> g;
  for (const Tensor& s : f.style) g.push_back(random_tensor(s.shape(), rng));
  net.forward(image);
  const Tensor dx = net.backward(g, Tensor());
  ASSERT_EQ(dx.shape(), image.shape());
  for (int trial = 0; trial < 4; ++trial) {
    const Tensor v = random_tensor(image.shape(), rng);
    const double h = 1e-3;
    Tensor plus = image.clone(), minus = image.clone();
    for (int64_t i = 0; i < image.numel(); ++i) {
      plus[i] += static_cast<float>(h * v[i]);
      minus[i] -= static_cast<float>(h * v[i]);
    }
    const double numeric = (probe(net, plus, g) - probe(net, minus, g)) / (2 * h);
    const double analytic = dot(dx, v);
    EXPECT_NEAR(analytic, numeric, 2e-3 * std::max(1.0, std::abs(numeric))) << "direction " << trial;
  }
}

TEST(StylizeObjective, GradientMatchesFiniteDifferences) {
  FeatureNet net(FeatureNetOptions{5});
  Rng rng(2);
  const Tensor content = picture(1, 16, 20, 0.0);
  const StyleTarget style = make_style_target(net, picture(1, 24, 24, 1.7));
  const ContentTarget ct = make_content_target(net, content);
  const LossWeights w{1.0, 0.5, 0.3};
  Tensor image = picture(1, 16, 20, 0.6);
  Tensor dx;
  const LossTerms t = style_transfer_loss(net, style, ct, image, w, &dx);
  EXPECT_NEAR(t.total, w.style * t.style + w.content * t.content + w.tv * t.tv, 1e-9);
  EXPECT_GT(t.style, 0.0);
  EXPECT_GT(t.content, 0.0);
  for (int trial = 0; trial < 3; ++trial) {
    const Tensor v = random_tensor(image.shape(), rng);
    const double h = 1e-3;
    Tensor plus = image.clone(), minus = image.clone();
    for (int64_t i = 0; i < image.numel(); ++i) {
      plus[i] += static_cast<float>(h * v[i]);
      minus[i] -= static_cast<float>(h * v[i]);
    }
    const double numeric = (style_transfer_loss(net, style, ct, plus, w, nullptr).total -
                            style_transfer_loss(net, style, ct, minus, w, nullptr).total) / (2 * h);
    EXPECT_NEAR(dot(dx, v), numeric, 2e-3 * std::max(1e-2, std::abs(numeric))) << "direction " << trial;
  }
  // The content itself has no content loss; the style image itself no style loss.
  EXPECT_NEAR(style_transfer_loss(net, style, ct, content, LossWeights{0.0, 1.0, 0.0}, nullptr).content, 0.0, 1e-12);
  EXPECT_NEAR(style_distance(net, style, picture(1, 24, 24, 1.7)), 0.0, 1e-9);
}

}  // namespace
}  // namespace neuroshop::stylize
