// Known values of the learning-rate schedules and their argument checks.
#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.h"
#include "core/optim/lr_schedule.h"

namespace neuroshop {
namespace {

TEST(StepLr, KnownValues) {
  const StepLr s(0.1, 10, 0.5);
  EXPECT_DOUBLE_EQ(s.lr_at(0), 0.1);
  EXPECT_DOUBLE_EQ(s.lr_at(9), 0.1);
  EXPECT_DOUBLE_EQ(s.lr_at(10), 0.05);
  EXPECT_DOUBLE_EQ(s.lr_at(25), 0.025);
  EXPECT_THROW(s.lr_at(-1), ArgumentError);
  EXPECT_THROW(StepLr(0.1, 0, 0.5), ArgumentError);
  EXPECT_THROW(StepLr(0.1, 10, 0.0), ArgumentError);
}

TEST(CosineLr, KnownValues) {
  const CosineLr s(1.0, 100);
  EXPECT_DOUBLE_EQ(s.lr_at(0), 1.0);
  EXPECT_NEAR(s.lr_at(25), 0.5 * (1.0 + std::cos(M_PI / 4)), 1e-15);
  EXPECT_NEAR(s.lr_at(50), 0.5, 1e-15);
  EXPECT_NEAR(s.lr_at(100), 0.0, 1e-15);
  EXPECT_NEAR(s.lr_at(1000), 0.0, 1e-15);
  const CosineLr floor(1.0, 100, 0.1);
  EXPECT_NEAR(floor.lr_at(50), 0.55, 1e-15);
  EXPECT_NEAR(floor.lr_at(100), 0.1, 1e-15);
}

TEST(CosineLr, LinearWarmupThenCosine) {
  const CosineLr s(1.0, 110, 0.0, 10);
  EXPECT_DOUBLE_EQ(s.lr_at(0), 0.1);
  EXPECT_DOUBLE_EQ(s.lr_at(4), 0.5);
  EXPECT_DOUBLE_EQ(s.lr_at(9), 1.0);
  EXPECT_DOUBLE_EQ(s.lr_at(10), 1.0);
  EXPECT_NEAR(s.lr_at(60), 0.5, 1e-15);
  EXPECT_NEAR(s.lr_at(110), 0.0, 1e-15);
  const CosineLr all_warmup(2.0, 4, 0.5, 4);
  EXPECT_DOUBLE_EQ(all_warmup.lr_at(3), 2.0);
  EXPECT_DOUBLE_EQ(all_warmup.lr_at(4), 0.5);
}

TEST(CosineLr, RejectsBadArguments) {
  EXPECT_THROW(CosineLr(1.0, 0), ArgumentError);
  EXPECT_THROW(CosineLr(1.0, 10, 2.0), ArgumentError);
  EXPECT_THROW(CosineLr(1.0, 10, 0.0, 11), ArgumentError);
  EXPECT_THROW(CosineLr(-1.0, 10), ArgumentError);
  EXPECT_THROW(CosineLr(1.0, 10).lr_at(-3), ArgumentError);
}

TEST(ConstantLr, IsConstant) {
  const ConstantLr s(0.3);
  EXPECT_EQ(s.lr_at(0), 0.3);
  EXPECT_EQ(s.lr_at(123456), 0.3);
}

}  // namespace
}  // namespace neuroshop
