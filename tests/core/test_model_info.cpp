// model_info against numbers counted by hand on a small U-Net-shaped network.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "core/layers/activations.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/skip.h"
#include "core/model/model_info.h"

namespace neuroshop {
namespace {

Conv2dOptions conv(int64_t C, int64_t OC, int64_t K, int64_t pad, bool bias = true) {
  Conv2dOptions o;
  o.in_channels = C;
  o.out_channels = OC;
  o.kernel_size = K;
  o.padding = pad;
  o.bias = bias;
  return o;
}

// input (1,1,4,4)
//   c1   Conv2d 1->2 3x3 pad 1   -> (1,2,4,4)  params 2*9+2 = 20   FLOPs 2*32*9 + 32 = 608
//   Relu                         -> (1,2,4,4)                      FLOPs 32
//   skip SkipConcat(c2)          -> (1,5,4,4)
//     c2 Conv2d 2->3 1x1         -> (1,3,4,4)  params 6+3 = 9      FLOPs 2*48*2 + 48 = 240
//   c3   Conv2d 5->1 1x1 no bias -> (1,1,4,4)  params 5            FLOPs 2*16*5 = 160
std::unique_ptr<Sequential> small_net() {
  Rng rng(1);
  auto net = std::make_unique<Sequential>("net");
  net->emplace<Conv2d>(conv(1, 2, 3, 1), rng, "c1");
  net->emplace<Relu>();
  auto body = std::make_unique<Conv2d>(conv(2, 3, 1, 0), rng, "c2");
  net->emplace<SkipConcat>(std::move(body), "skip");
  net->emplace<Conv2d>(conv(5, 1, 1, 0, false), rng, "c3");
  return net;
}

TEST(ModelInfo, HandCountedSmallNet) {
  auto net = small_net();
  const ModelInfo m = model_info(*net, {1, 1, 4, 4});
  EXPECT_EQ(m.output, Shape({1, 1, 4, 4}));
  EXPECT_EQ(m.params, 34);
  EXPECT_EQ(m.trainable_params, 34);
  EXPECT_EQ(m.buffer_elements, 0);
  EXPECT_EQ(m.flops, 608 + 32 + 240 + 160);
  EXPECT_DOUBLE_EQ(m.flops_per_output_pixel, 1040.0 / 16.0);

  ASSERT_EQ(m.layers.size(), 6u);
  const std::vector<std::string> paths = {"", "c1", "1", "skip", "skip.c2", "c3"};
  const std::vector<int> depths = {0, 1, 1, 1, 2, 1};
  const std::vector<int64_t> params = {34, 20, 0, 9, 9, 5};
  const std::vector<int64_t> flops = {1040, 608, 32, 240, 240, 160};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(m.layers[i].path, paths[i]);
    EXPECT_EQ(m.layers[i].depth, depths[i]);
    EXPECT_EQ(m.layers[i].params, params[i]) << paths[i];
    EXPECT_EQ(m.layers[i].flops, flops[i]) << paths[i];
  }
  EXPECT_EQ(m.layers[3].type, "SkipConcat");
  EXPECT_TRUE(m.layers[3].container);
  EXPECT_EQ(m.layers[3].input, Shape({1, 2, 4, 4}));
  EXPECT_EQ(m.layers[3].output, Shape({1, 5, 4, 4}));

  // Inference: the largest live set is the concat: its input (32) + the body output (48) + y (80).
  EXPECT_EQ(m.weight_bytes, 34 * 4);
  EXPECT_EQ(m.peak_activation_bytes, 160 * 4);
  EXPECT_EQ(m.inference_bytes, (34 + 160) * 4);
  // Training: input 16 + c1 32 + relu 32 + concat 80 + c2 48 + c3 16 = 224 cached elements,
  // a gradient per weight, Adam's two moments per weight, and the dy/dx peak.
  EXPECT_EQ(m.cached_activation_bytes, 224 * 4);
  EXPECT_EQ(m.gradient_bytes, 34 * 4);
  EXPECT_EQ(m.optimizer_bytes, 2 * 34 * 4);
  EXPECT_EQ(m.backward_peak_bytes, 160 * 4);
  EXPECT_EQ(m.training_bytes, (34 + 34 + 68 + 224 + 160) * 4);
  EXPECT_GT(m.training_bytes, m.inference_bytes);

  const std::string table = format_model_info(m);
  EXPECT_NE(table.find("SkipConcat 'skip'"), std::string::npos) << table;
  EXPECT_NE(table.find("training memory"), std::string::npos) << table;
}

TEST(ModelInfo, FrozenWeightsNeedNoOptimizerStateAndBuffersCount) {
  auto net = small_net();
  net->layer(3).freeze();
  net->emplace<BatchNorm2d>(1);
  const ModelInfo m = model_info(*net, {2, 1, 4, 4}, 1);
  EXPECT_EQ(m.params, 34 + 2);
  EXPECT_EQ(m.trainable_params, 29 + 2);
  EXPECT_EQ(m.buffer_elements, 2);
  EXPECT_EQ(m.weight_bytes, (36 + 2) * 4);
  EXPECT_EQ(m.optimizer_bytes, 31 * 4);
  EXPECT_DOUBLE_EQ(m.flops_per_output_pixel, static_cast<double>(m.flops) / 32.0);
}

TEST(ModelInfo, BadInputShapeThrows) {
  auto net = small_net();
  EXPECT_THROW(model_info(*net, {1, 3, 4, 4}), ShapeError);
  EXPECT_THROW(model_info(*net, {1, 1, 4, 4}, -1), ArgumentError);
}

}  // namespace
}  // namespace neuroshop
