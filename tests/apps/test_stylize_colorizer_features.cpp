// The colorization network's encoder as style features: which layers it taps and their shapes, the
// lightness it feeds the network (CIE L of the sRGB image), its image gradient against finite
// differences, and the objective through the pyramid with these extra layers.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "apps/colorize/network.h"
#include "apps/stylize/colorizer_features.h"
#include "apps/stylize/objective.h"
#include "apps/stylize/stylize.h"
#include "core/errors.h"
#include "stylize_checks.h"

namespace neuroshop::stylize {
namespace {

using neuroshop::testing::dot;
using neuroshop::testing::random_tensor;
using testing::directional_difference;
using testing::picture;

// The image gradient against central differences along 8 random directions. The encoder has
// thousands of ReLUs and batch norms behind strided convolutions, so within +-h many cross their
// kink and one direction's difference can be off by a few per cent of the typical magnitude (a
// direction whose derivative happens to be near 0 is then off by more than its own size): the
// check is relative to the mean magnitude over the directions, per direction and on average.
template <class F>
void expect_gradient_matches(F&& f, const Tensor& image, const Tensor& dx, double h, Rng& rng) {
  ASSERT_EQ(dx.shape(), image.shape());
  std::vector<double> analytic, numeric;
  double scale = 0.0;
  for (int trial = 0; trial < 8; ++trial) {
    const Tensor v = random_tensor(image.shape(), rng);
    numeric.push_back(directional_difference(f, image, v, h));
    analytic.push_back(dot(dx, v));
    scale += std::abs(numeric.back()) / 8.0;
  }
  ASSERT_GT(scale, 0.0);
  double error = 0.0;
  for (size_t i = 0; i < numeric.size(); ++i) {
    EXPECT_NEAR(analytic[i], numeric[i], 0.15 * scale) << "direction " << i;
    error += std::abs(analytic[i] - numeric[i]) / 8.0;
  }
  EXPECT_LT(error / scale, 0.05) << "mean error relative to the mean magnitude";
}

// A small arch-2 colorizer (width 8) with random weights and 16 bins.
std::unique_ptr<Layer> small_colorizer(uint64_t seed) {
  colorize::NetworkOptions o;
  o.arch = 2;
  o.width = 8;
  o.num_bins = 16;
  Rng rng(seed);
  return colorize::build_network(o, rng);
}

TEST(StylizeColorizerFeatures, TapsOneLayerPerScaleAndTheDeepest) {
  ColorizerFeatures net(small_colorizer(1));
  const Features f = net.forward(picture(2, 40, 48, 0.0));
  ASSERT_EQ(net.num_style_outputs(), 5u);
  ASSERT_EQ(f.style.size(), 5u);
  EXPECT_FALSE(f.content.defined());
  EXPECT_EQ(f.style[0].shape(), (Shape{2, 4, 40, 48}));   // enc1: width / 2 at full size
  EXPECT_EQ(f.style[1].shape(), (Shape{2, 8, 20, 24}));   // 1/2
  EXPECT_EQ(f.style[2].shape(), (Shape{2, 16, 10, 12}));  // 1/4
  EXPECT_EQ(f.style[3].shape(), (Shape{2, 32, 5, 6}));    // 1/8
  EXPECT_EQ(f.style[4].shape(), (Shape{2, 32, 5, 6}));    // after the first residual block
  EXPECT_EQ(net.style_output_name(0), "colorizer.enc1");
  EXPECT_EQ(net.style_output_name(1), "colorizer.enc1_down");
  EXPECT_EQ(net.style_output_name(3), "colorizer.enc4_down");
  EXPECT_EQ(net.style_output_name(4), "colorizer.mid1");
  for (const Tensor& t : f.style)
    for (int64_t i = 0; i < t.numel(); ++i) ASSERT_GE(t[i], 0.0f);  // ReLU outputs
  EXPECT_THROW(net.forward(Tensor({1, 3, 31, 40})), ShapeError);
  EXPECT_THROW(ColorizerFeatures(small_colorizer(1)).backward(std::vector<Tensor>(5), Tensor()), Error);
  EXPECT_THROW(ColorizerFeatures("/nonexistent/colorize.nsm"), Error);
  EXPECT_EQ(parse_network("colorizer"), NetworkKind::kColorizer);
  EXPECT_STREQ(network_name(NetworkKind::kColorizer), "colorizer");
}

// The network sees lightness only: a picture and the same picture with its colour changed at equal
// CIE L give the same features.
TEST(StylizeColorizerFeatures, SeesTheLightnessOnly) {
  ColorizerFeatures net(small_colorizer(2));
  Tensor gray = Tensor::full(Shape{1, 3, 32, 32}, 0.5f);
  // sRGB 0.5 gray has L = 53.39; a red-green pair at the same Y: solve for G given R.
  Tensor coloured = gray.clone();
  const float r = 0.8f;
  const auto lin = [](float c) { return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f); };
  const float y = lin(0.5f);
  // 0.2126 lin(R) + 0.7152 lin(G) + 0.0722 lin(B) = y with B = 0.5
  const float lin_g = (y - 0.2126f * lin(r) - 0.0722f * y) / 0.7152f;
  const float g = 1.055f * std::pow(lin_g, 1.0f / 2.4f) - 0.055f;
  for (int64_t i = 0; i < 32 * 32; ++i) {
    coloured[i] = r;
    coloured[32 * 32 + i] = g;
  }
  const Features a = net.forward(gray);
  const Features b = net.forward(coloured);
  for (size_t k = 0; k < a.style.size(); ++k)
    for (int64_t i = 0; i < a.style[k].numel(); ++i) ASSERT_NEAR(a.style[k][i], b.style[k][i], 1e-3f) << k;
}

TEST(StylizeColorizerFeatures, ImageGradientMatchesFiniteDifferences) {
  ColorizerFeatures net(small_colorizer(3));
  Rng rng(11);
  const Tensor image = picture(1, 34, 36, 0.3);
  const Features f = net.forward(image);
  std::vector<Tensor> g;
  for (const Tensor& s : f.style) g.push_back(random_tensor(s.shape(), rng));
  auto probe = [&](const Tensor& x) {
    const Features fx = net.forward(x);
    double s = 0.0;
    for (size_t k = 0; k < g.size(); ++k) s += dot(fx.style[k], g[k]);
    return s;
  };
  net.forward(image);
  const Tensor dx = net.backward(g, Tensor());
  expect_gradient_matches(probe, image, dx, 1e-4, rng);
}

TEST(StylizeColorizerFeatures, ObjectiveThroughThePyramidWithTheEncoder) {
  FeatureNetOptions pyramid;
  pyramid.seed = 5;
  pyramid.levels = 2;
  pyramid.banks = {{1, 4}, {3, 4}};
  pyramid.deep_channels = 8;
  ColorizerPyramid net(pyramid, small_colorizer(4));
  ASSERT_EQ(net.num_style_outputs(), FeatureNet(pyramid).num_style_outputs() + 5);
  EXPECT_EQ(net.style_output_name(net.num_style_outputs() - 1), "colorizer.mid1");
  Rng rng(2);
  testing::check_objective_gradient(net, [&](auto&& loss, const Tensor& image, const Tensor& dx) {
    expect_gradient_matches(loss, image, dx, 1e-4, rng);
  });
}

}  // namespace
}  // namespace neuroshop::stylize
