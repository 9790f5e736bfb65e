// The stylize feature network: deterministic for a seed, different across seeds, its image gradient
// matches finite differences, sizes and errors; the objective's gradient likewise.
#include <gtest/gtest.h>

#include <cmath>

#include "apps/stylize/features.h"
#include "apps/stylize/objective.h"
#include "core/errors.h"
#include "stylize_checks.h"

namespace neuroshop::stylize {
namespace {

using neuroshop::testing::dot;
using neuroshop::testing::random_tensor;
using testing::expect_feature_gradient_matches;
using testing::expect_objective_gradient_matches;
using testing::picture;

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
  // per level: colour (RGB + 1), banks k1 (8), k3, k5, k7 (16 each) at full, ceil(/2), ceil(/4),
  // then the deep layer (32) at half of each
  ASSERT_EQ(f.style.size(), 18u);
  EXPECT_EQ(f.style[0].shape(), (Shape{2, 4, 33, 48}));
  EXPECT_EQ(f.style[1].shape(), (Shape{2, 8, 33, 48}));
  EXPECT_EQ(f.style[4].shape(), (Shape{2, 16, 33, 48}));
  EXPECT_EQ(f.style[5].shape(), (Shape{2, 32, 17, 24}));
  EXPECT_EQ(f.style[6].shape(), (Shape{2, 4, 17, 24}));
  EXPECT_EQ(f.style[17].shape(), (Shape{2, 32, 5, 6}));
  EXPECT_EQ(f.content.shape(), f.style[5].shape());
  EXPECT_EQ(net.style_output_name(5), "level0.deep");
  EXPECT_EQ(net.style_output_name(6), "level1.colour");
  EXPECT_EQ(net.style_output_name(8), "level1.k3");
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

// Directional finite differences (stylize_checks.h says why not per element).
// (Each layer inside has its own exact gradient tests in tests/core.)
TEST(StylizeFeatures, ImageGradientMatchesFiniteDifferences) {
  FeatureNet net(FeatureNetOptions{3});
  Rng rng(11);
  const Tensor image = picture(1, 20, 24, 0.3);
  Features f = net.forward(image);
  std::vector<Tensor> g;
  for (const Tensor& s : f.style) g.push_back(random_tensor(s.shape(), rng));
  net.forward(image);
  const Tensor dx = net.backward(g, Tensor());
  expect_feature_gradient_matches([&](const Tensor& x) { return probe(net, x, g); }, image, dx, rng);
}

// binomial_down is linear: its backward must be its exact adjoint, <down(x), y> = <x, down_backward(y)>,
// and it keeps constants (the kernel sums to 1), at even and odd sizes.
TEST(StylizeFeatures, BinomialDownAndItsAdjoint) {
  Rng rng(4);
  for (const Shape& s : {Shape{2, 3, 6, 8}, Shape{1, 2, 7, 5}, Shape{1, 1, 2, 3}}) {
    const Tensor x = random_tensor(s, rng);
    const Tensor y = binomial_down(x);
    ASSERT_EQ(y.shape(), (Shape{s[0], s[1], (s[2] + 1) / 2, (s[3] + 1) / 2}));
    const Tensor g = random_tensor(y.shape(), rng);
    EXPECT_NEAR(dot(y, g), dot(x, binomial_down_backward(g, s)), 1e-4) << s.str();
    const Tensor ones = binomial_down(Tensor::full(s, 1.0f));
    for (int64_t i = 0; i < ones.numel(); ++i) ASSERT_NEAR(ones[i], 1.0f, 1e-6);
  }
  // y[0][0] = sum k[a] k[b] x[r(a)][r(b)] with r(-1) = 1 on a known ramp x[h][w] = w
  Tensor ramp({1, 1, 3, 3});
  for (int64_t i = 0; i < 9; ++i) ramp[i] = static_cast<float>(i % 3);
  EXPECT_NEAR(binomial_down(ramp)[0], 0.5f, 1e-6);  // (1*0.25 + 0*0.5 + 1*0.25) per row
  EXPECT_THROW(binomial_down(Tensor({1, 1, 1, 4})), ShapeError);
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
  expect_objective_gradient_matches(
      [&](const Tensor& x) { return style_transfer_loss(net, style, ct, x, w, nullptr).total; }, image, dx, rng);
  // The content itself has no content loss; the style image itself no style loss.
  EXPECT_NEAR(style_transfer_loss(net, style, ct, content, LossWeights{0.0, 1.0, 0.0}, nullptr).content, 0.0, 1e-12);
  EXPECT_NEAR(style_distance(net, style, picture(1, 24, 24, 1.7)), 0.0, 1e-9);
}

}  // namespace
}  // namespace neuroshop::stylize
