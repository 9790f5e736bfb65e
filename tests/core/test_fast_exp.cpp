// fast_exp: within 1e-7 relative of exp over the range it promises, finite at the extremes, NaN
// passed through, and monotonic (softmax relies on the ordering of its inputs being kept).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/kernels/fast_exp.h"

namespace neuroshop {
namespace {

TEST(FastExp, MatchesExpWithinOneUlp) {
  double worst = 0.0;
  for (float x = -87.0f; x <= 88.0f; x += 7.3e-4f) {
    const double e = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::fabs(fast_exp(x) - e) / e);
  }
  EXPECT_LT(worst, 1.2e-7);
  EXPECT_EQ(fast_exp(0.0f), 1.0f);
  EXPECT_NEAR(fast_exp(1.0f), 2.7182818f, 3e-7f);
}

TEST(FastExp, ExtremesStayFiniteAndNanPropagates) {
  EXPECT_GT(fast_exp(-1e4f), 0.0f);
  EXPECT_LT(fast_exp(-1e4f), 1.3e-38f);
  EXPECT_TRUE(std::isfinite(fast_exp(1e4f)));
  EXPECT_TRUE(std::isfinite(fast_exp(-std::numeric_limits<float>::infinity())));
  EXPECT_TRUE(std::isnan(fast_exp(std::numeric_limits<float>::quiet_NaN())));
}

TEST(FastExp, IsMonotonic) {
  float previous = fast_exp(-20.0f);
  for (float x = -20.0f + 1e-3f; x < 20.0f; x += 1e-3f) {
    const float e = fast_exp(x);
    ASSERT_GE(e, previous) << "at " << x;
    previous = e;
  }
}

}  // namespace
}  // namespace neuroshop
