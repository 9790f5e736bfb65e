// The random VGG feature network: its shapes and names, determinism per seed, its image gradient
// against finite differences (style and content outputs together), and the objective through it.
#include <gtest/gtest.h>

#include <cmath>

#include "apps/stylize/objective.h"
#include "apps/stylize/random_vgg.h"
#include "apps/stylize/stylize.h"
#include "core/errors.h"
#include "layer_checks.h"

namespace neuroshop::stylize {
namespace {

using testing::dot;
using testing::random_tensor;

Tensor picture(int64_t N, int64_t H, int64_t W, double phase) {
  Tensor t({N, 3, H, W});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t y = 0; y < H; ++y)
        for (int64_t x = 0; x < W; ++x)
          t.at(n, c, y, x) = static_cast<float>(0.5 + 0.4 * std::sin(0.3 * x * (c + 1) + 0.2 * y + phase + n));
  return t;
}

TEST(StylizeRandomVgg, ShapesNamesAndSeeds) {
  RandomVggOptions o;
  o.width = 4;
  RandomVgg net(o);
  const Features f = net.forward(picture(2, 33, 48, 0.0));
  ASSERT_EQ(f.style.size(), 6u);
  EXPECT_EQ(f.style[0].shape(), (Shape{2, 4, 33, 48}));
  EXPECT_EQ(f.style[1].shape(), (Shape{2, 4, 33, 48}));
  EXPECT_EQ(f.style[2].shape(), (Shape{2, 8, 17, 24}));
  EXPECT_EQ(f.style[3].shape(), (Shape{2, 16, 9, 12}));
  EXPECT_EQ(f.style[4].shape(), (Shape{2, 32, 5, 6}));
  EXPECT_EQ(f.style[5].shape(), (Shape{2, 32, 3, 3}));
  EXPECT_EQ(f.content.shape(), (Shape{2, 32, 5, 6}));
  EXPECT_EQ(net.style_output_name(0), "colour");
  EXPECT_EQ(net.style_output_name(4), "relu4_1");
  EXPECT_GT(net.flops(Shape{1, 3, 64, 64}), 0);
  RandomVgg same(o);
  const Features g = same.forward(picture(2, 33, 48, 0.0));
  for (int64_t i = 0; i < f.content.numel(); ++i) ASSERT_EQ(f.content[i], g.content[i]);
  o.seed = 2;
  RandomVgg other(o);
  const Features h = other.forward(picture(2, 33, 48, 0.0));
  double diff = 0.0;
  for (int64_t i = 0; i < f.content.numel(); ++i) diff += std::abs(f.content[i] - h.content[i]);
  EXPECT_GT(diff, 1.0);
  EXPECT_THROW(net.forward(Tensor({1, 3, 31, 40})), ShapeError);
  o.convs_per_block = {2, 2, 2, 1, 1};
  EXPECT_THROW(RandomVgg{o}, ArgumentError);
  EXPECT_THROW(RandomVgg(RandomVggOptions{}).backward(std::vector<Tensor>(6), Tensor()), Error);
  EXPECT_EQ(parse_network("vgg"), NetworkKind::kVgg);
  EXPECT_THROW(parse_network("resnet"), ArgumentError);
}

// Directional finite differences, as for FeatureNet (tests/apps/test_stylize_features.cpp): the
// few ReLUs crossing their kink within +-h shift a quotient by O(h).
TEST(StylizeRandomVgg, ImageGradientMatchesFiniteDifferences) {
  RandomVggOptions o;
  o.width = 4;
  o.seed = 3;
  RandomVgg net(o);
  Rng rng(11);
  const Tensor image = picture(1, 34, 36, 0.3);
  const Features f = net.forward(image);
  std::vector<Tensor> g;
  for (const Tensor& s : f.style) g.push_back(random_tensor(s.shape(), rng));
  const Tensor gc = random_tensor(f.content.shape(), rng);
  auto probe = [&](const Tensor& x) {
    const Features fx = net.forward(x);
    double s = dot(fx.content, gc);
    for (size_t k = 0; k < g.size(); ++k) s += dot(fx.style[k], g[k]);
    return s;
  };
  net.forward(image);
  const Tensor dx = net.backward(g, gc);
  ASSERT_EQ(dx.shape(), image.shape());
  double error = 0.0, scale = 0.0;
  for (int trial = 0; trial < 8; ++trial) {
    const Tensor v = random_tensor(image.shape(), rng);
    const double h = 1e-4;
    Tensor plus = image.clone(), minus = image.clone();
    for (int64_t i = 0; i < image.numel(); ++i) {
      plus[i] += static_cast<float>(h * v[i]);
      minus[i] -= static_cast<float>(h * v[i]);
    }
    const double numeric = (probe(plus) - probe(minus)) / (2 * h);
    const double analytic = dot(dx, v);
    EXPECT_NEAR(analytic, numeric, 0.1 * std::max(1.0, std::abs(numeric))) << "direction " << trial;
    error += std::abs(analytic - numeric);
    scale += std::abs(numeric);
  }
  EXPECT_LT(error / scale, 0.03) << "mean relative error over the directions";
}

TEST(StylizeRandomVgg, ObjectiveGradientMatchesFiniteDifferences) {
  RandomVggOptions o;
  o.width = 4;
  o.seed = 5;
  RandomVgg net(o);
  Rng rng(2);
  const Tensor content = picture(1, 32, 40, 0.0);
  const StyleTarget style = make_style_target(net, picture(1, 40, 40, 1.7));
  const ContentTarget ct = make_content_target(net, content);
  const LossWeights w{1.0, 0.5, 0.3};
  Tensor image = picture(1, 32, 40, 0.6);
  Tensor dx;
  style_transfer_loss(net, style, ct, image, w, &dx);
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
    EXPECT_NEAR(dot(dx, v), numeric, 3e-2 * std::abs(numeric) + 1e-3) << "direction " << trial;
  }
}

}  // namespace
}  // namespace neuroshop::stylize
