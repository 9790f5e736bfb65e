// concat_channels / split_channels / add: known values, round trip, shape errors.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "core/kernels/concat.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

TEST(Concat, KnownValues) {
  // a (2,1,1,2), b (2,2,1,2)
  const Tensor a = Tensor::from({2, 1, 1, 2}, {1, 2, 3, 4});
  const Tensor b = Tensor::from({2, 2, 1, 2}, {10, 11, 12, 13, 20, 21, 22, 23});
  const Tensor y = concat_channels(a, b);
  ASSERT_EQ(y.shape(), Shape({2, 3, 1, 2}));
  EXPECT_EQ(y.to_vector(), (std::vector<float>{1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23}));
}

TEST(Concat, SplitInvertsConcat) {
  Rng rng(3);
  const Tensor a = testing::random_tensor({2, 3, 4, 5}, rng);
  const Tensor b = testing::random_tensor({2, 2, 4, 5}, rng);
  const auto [da, db] = split_channels(concat_channels(a, b), 3);
  EXPECT_EQ(da.to_vector(), a.to_vector());
  EXPECT_EQ(db.to_vector(), b.to_vector());
  EXPECT_EQ(da.shape(), a.shape());
  EXPECT_EQ(db.shape(), b.shape());
}

TEST(Concat, Rank2AndEmptyParts) {
  const Tensor a = Tensor::from({2, 2}, {1, 2, 3, 4});
  const Tensor b = Tensor::from({2, 1}, {5, 6});
  EXPECT_EQ(concat_channels(a, b).to_vector(), (std::vector<float>{1, 2, 5, 3, 4, 6}));
  const auto [da, db] = split_channels(a, 0);
  EXPECT_EQ(da.shape(), Shape({2, 0}));
  EXPECT_EQ(db.to_vector(), a.to_vector());
}

TEST(Concat, ShapeErrorsNameTheCaller) {
  const Tensor a({2, 3, 4, 4}), b({2, 3, 4, 5}), c({1, 3, 4, 4});
  try {
    concat_channels(a, b, "SkipConcat 'u1'");
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("SkipConcat 'u1'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("(2,3,4,5)"), std::string::npos);
  }
  EXPECT_THROW(concat_channels(a, c), ShapeError);
  EXPECT_THROW(concat_channels(Tensor({4}), Tensor({4})), ShapeError);
  EXPECT_THROW(split_channels(a, 4), ShapeError);
  EXPECT_THROW(split_channels(a, -1), ShapeError);
}

TEST(Concat, AddAndAddInplace) {
  Tensor y = Tensor::from({3}, {1, 2, 3});
  const Tensor x = Tensor::from({3}, {10, 20, 30});
  const Tensor s = add(y, x);
  EXPECT_EQ(s.to_vector(), (std::vector<float>{11, 22, 33}));
  EXPECT_EQ(y.to_vector(), (std::vector<float>{1, 2, 3}));  // add leaves its inputs alone
  add_inplace(y, x);
  EXPECT_EQ(y.to_vector(), (std::vector<float>{11, 22, 33}));
  Tensor z({4});
  EXPECT_THROW(add_inplace(z, x), ShapeError);
  EXPECT_THROW(add(z, x), ShapeError);
}

}  // namespace
}  // namespace neuroshop
