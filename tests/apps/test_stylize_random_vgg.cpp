// The random VGG feature network: its shapes and names, determinism per seed, its image gradient
// against finite differences (style and content outputs together), and the objective through it.
#include <gtest/gtest.h>

#include <cmath>

#include "apps/stylize/objective.h"
#include "apps/stylize/random_vgg.h"
#include "apps/stylize/stylize.h"
#include "core/errors.h"
#include "stylize_checks.h"

namespace neuroshop::stylize {
namespace {

using neuroshop::testing::dot;
using neuroshop::testing::random_tensor;
using testing::expect_feature_gradient_matches;
using testing::expect_objective_gradient_matches;
using testing::picture;

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
  expect_feature_gradient_matches(probe, image, dx, rng);
}

TEST(StylizeRandomVgg, ObjectiveGradientMatchesFiniteDifferences) {
  RandomVggOptions o;
  o.width = 4;
  o.seed = 5;
  RandomVgg net(o);
  Rng rng(2);
  testing::check_objective_gradient(net, [&](auto&& loss, const Tensor& image, const Tensor& dx) {
    expect_objective_gradient_matches(loss, image, dx, rng);
  });
}

}  // namespace
}  // namespace neuroshop::stylize
