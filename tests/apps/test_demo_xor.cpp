// The XOR demo: a linear model never exceeds 75% on the four points, the MLP reaches 100%.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "apps/demos/xor.h"
#include "core/errors.h"

namespace neuroshop {
namespace {

TEST(DemoXor, LinearAtMostThreeQuartersMlpPerfect) {
  for (uint64_t seed : {1, 2, 3, 7, 42}) {
    demos::XorOptions o;
    o.seed = seed;
    const demos::XorResult r = demos::run_xor(o);
    EXPECT_LE(r.linear.accuracy, 0.75) << "seed " << seed;
    EXPECT_EQ(r.mlp.accuracy, 1.0) << "seed " << seed;
    EXPECT_LT(r.mlp.final_loss, 0.02) << "seed " << seed;
    EXPECT_EQ(r.mlp.correct, 4);
    ASSERT_EQ(r.mlp.loss.size(), static_cast<size_t>(o.epochs));
    ASSERT_EQ(r.linear.loss.size(), static_cast<size_t>(o.epochs));
    EXPECT_LT(r.mlp.final_loss, r.mlp.loss.front());
    // Under MSE the linear model's best is pred = 0.5 everywhere: E = 1/2 * 0.5^2 = 0.125.
    EXPECT_GT(r.linear.final_loss, 0.12);
  }
}

TEST(DemoXor, SigmoidHiddenLayerAlsoSolvesIt) {
  demos::XorOptions o;
  o.activation = "sigmoid";
  o.lr = 4.0;
  o.epochs = 5000;
  const demos::XorResult r = demos::run_xor(o);
  EXPECT_EQ(r.mlp.accuracy, 1.0);
  EXPECT_LE(r.linear.accuracy, 0.75);
}

TEST(DemoXor, SameSeedSameCurves) {
  demos::XorOptions o;
  o.seed = 9;
  o.epochs = 300;
  const demos::XorResult a = demos::run_xor(o), b = demos::run_xor(o);
  EXPECT_EQ(a.linear.loss, b.linear.loss);
  EXPECT_EQ(a.mlp.loss, b.mlp.loss);
  o.seed = 10;
  const demos::XorResult c = demos::run_xor(o);
  EXPECT_NE(a.mlp.loss, c.mlp.loss);
}

TEST(DemoXor, ReportsProgressAndWritesSummary) {
  demos::XorOptions o;
  o.epochs = 400;
  int64_t last_done = 0;
  int events = 0;
  std::string last_stage;
  const demos::XorResult r = demos::run_xor(o, [&](const ProgressEvent& e) {
    ++events;
    EXPECT_EQ(e.total, 400);
    if (e.stage != last_stage) last_done = 0;
    EXPECT_GT(e.done, last_done);
    last_done = e.done;
    last_stage = e.stage;
    ASSERT_EQ(e.figures.size(), 1u);
    EXPECT_EQ(e.figures[0].first, "loss");
  });
  EXPECT_GT(events, 2);
  EXPECT_EQ(last_stage, "xor mlp");
  EXPECT_EQ(last_done, 400);
  std::ostringstream out;
  demos::write_xor_summary(r, out);
  EXPECT_NE(out.str().find("linear"), std::string::npos);
  EXPECT_NE(out.str().find("mlp"), std::string::npos);
}

TEST(DemoXor, RejectsBadOptions) {
  demos::XorOptions o;
  o.hidden = 0;
  EXPECT_THROW(demos::run_xor(o), ArgumentError);
  o = demos::XorOptions{};
  o.lr = std::nan("");
  EXPECT_THROW(demos::run_xor(o), ArgumentError);
  o = demos::XorOptions{};
  o.epochs = 0;
  EXPECT_THROW(demos::run_xor(o), ArgumentError);
  o = demos::XorOptions{};
  o.activation = "relu6";
  EXPECT_THROW(demos::run_xor(o), ArgumentError);
}

}  // namespace
}  // namespace neuroshop
