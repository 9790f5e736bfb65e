// SkipConcat and Residual: gradients, accumulation, frozen params, known values, shape errors and
// a small U-Net assembled from them.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "core/layers/activations.h"
#include "core/layers/conv2d.h"
#include "core/layers/dense.h"
#include "core/layers/pooling.h"
#include "core/layers/skip.h"
#include "core/layers/upsample.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

Conv2dOptions conv(int64_t C, int64_t OC, int64_t K = 3, int64_t pad = 1) {
  Conv2dOptions o;
  o.in_channels = C;
  o.out_channels = OC;
  o.kernel_size = K;
  o.padding = pad;
  return o;
}

std::unique_ptr<Layer> conv_tanh(int64_t C, int64_t OC, Rng& rng) {
  auto s = std::make_unique<Sequential>();
  s->emplace<Conv2d>(conv(C, OC), rng);
  s->emplace<Tanh>();
  return s;
}

TEST(SkipConcat, Gradients) {
  Rng rng(21);
  SkipConcat skip(conv_tanh(3, 2, rng), "skip");
  const Tensor x = testing::random_tensor({2, 3, 5, 5}, rng);
  testing::expect_gradients_match_fd(skip, x, rng);
  testing::expect_backward_accumulates(skip, x, rng);
  testing::expect_frozen_still_backpropagates(skip, x, rng);
}

TEST(SkipConcat, GradientsWithParameterFreeBody) {
  Rng rng(22);
  SkipConcat skip(std::make_unique<Tanh>());
  testing::expect_gradients_match_fd(skip, testing::random_tensor({2, 3, 4, 4}, rng), rng);
}

TEST(SkipConcat, KnownValuesAndShape) {
  SkipConcat skip(std::make_unique<Relu>());
  const Tensor x = Tensor::from({1, 1, 1, 3}, {-1, 2, -3});
  const Tensor y = skip.forward(x);
  ASSERT_EQ(y.shape(), Shape({1, 2, 1, 3}));
  EXPECT_EQ(y.to_vector(), (std::vector<float>{-1, 2, -3, 0, 2, 0}));
  // dx = dy[:, :1] + relu'(x) * dy[:, 1:]
  const Tensor dx = skip.backward(Tensor::from({1, 2, 1, 3}, {1, 1, 1, 10, 10, 10}));
  EXPECT_EQ(dx.to_vector(), (std::vector<float>{1, 11, 1}));
  EXPECT_EQ(skip.output_shape({2, 3, 8, 8}), Shape({2, 6, 8, 8}));
  EXPECT_EQ(skip.spec().children.size(), 1u);
  EXPECT_EQ(skip.spec().children[0].type, "Relu");
}

TEST(SkipConcat, BodyChangingSizeIsAShapeError) {
  SkipConcat skip(std::make_unique<MaxPool2d>(2), "u1");
  try {
    skip.output_shape({1, 2, 4, 4});
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("SkipConcat 'u1'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(skip.forward(Tensor({1, 2, 4, 4})), ShapeError);
  SkipConcat fresh(std::make_unique<Relu>());
  EXPECT_THROW(fresh.backward(Tensor({1, 2, 1, 1})), Error);
  EXPECT_THROW(SkipConcat(nullptr), ArgumentError);
}

TEST(Residual, Gradients) {
  Rng rng(31);
  Residual res(conv_tanh(3, 3, rng), "res");
  const Tensor x = testing::random_tensor({2, 3, 5, 5}, rng);
  testing::expect_gradients_match_fd(res, x, rng);
  testing::expect_backward_accumulates(res, x, rng);
  testing::expect_frozen_still_backpropagates(res, x, rng);
}

TEST(Residual, DenseBodyGradients) {
  Rng rng(32);
  auto body = std::make_unique<Sequential>();
  body->emplace<Dense>(4, 4, rng);
  body->emplace<Tanh>();
  Residual res(std::move(body));
  const Tensor x = testing::random_tensor({3, 4}, rng);
  testing::expect_gradients_match_fd(res, x, rng);
  testing::expect_backward_accumulates(res, x, rng);
  testing::expect_frozen_still_backpropagates(res, x, rng);
}

TEST(Residual, KnownValuesAndBodyCacheUntouched) {
  auto relu = std::make_unique<Relu>();
  Relu* body = relu.get();
  Residual res(std::move(relu));
  const Tensor x = Tensor::from({1, 3}, {-1, 2, -3});
  const Tensor y = res.forward(x);
  EXPECT_EQ(y.to_vector(), (std::vector<float>{-1, 4, -3}));
  EXPECT_EQ(x.to_vector(), (std::vector<float>{-1, 2, -3}));
  const Tensor dx = res.backward(Tensor::from({1, 3}, {1, 1, 1}));
  EXPECT_EQ(dx.to_vector(), (std::vector<float>{1, 2, 1}));
  (void)body;
  EXPECT_EQ(res.flops({1, 3}), 3 + 3);  // relu + add
  Residual bad(std::make_unique<MaxPool2d>(2), "r");
  EXPECT_THROW(bad.output_shape({1, 1, 4, 4}), ShapeError);
  EXPECT_THROW(bad.forward(Tensor({1, 1, 4, 4})), ShapeError);
  Residual fresh(std::make_unique<Relu>());
  EXPECT_THROW(fresh.backward(Tensor({1, 3})), Error);
}

// enc -> SkipConcat(down, conv, up) -> dec, the U-Net shape of the colorizer.
TEST(SkipConcat, TinyUNetGradients) {
  Rng rng(41);
  Sequential unet("unet");
  unet.add(conv_tanh(1, 2, rng));
  auto middle = std::make_unique<Sequential>("middle");
  middle->emplace<AvgPool2d>(2);
  middle->add(conv_tanh(2, 3, rng));
  middle->emplace<Upsample>(2, UpsampleMode::kNearest);
  unet.emplace<SkipConcat>(std::move(middle), "skip1");
  unet.emplace<Conv2d>(conv(5, 2), rng, "dec");
  const Tensor x = testing::random_tensor({2, 1, 4, 4}, rng);
  EXPECT_EQ(unet.output_shape(x.shape()), Shape({2, 2, 4, 4}));
  testing::expect_gradients_match_fd(unet, x, rng);
  testing::expect_backward_accumulates(unet, x, rng);
  testing::expect_frozen_still_backpropagates(unet, x, rng);
}

}  // namespace
}  // namespace neuroshop
