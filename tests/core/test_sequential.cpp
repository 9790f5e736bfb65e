// Sequential: gradients, accumulation and frozen params through a chain, param/buffer/training
// pass-through, spec, FLOPs, shape validation and the named-param paths.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "core/layers/activations.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/dense.h"
#include "core/layers/instance_norm.h"
#include "core/layers/sequential.h"
#include "core/model/named_params.h"
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

std::unique_ptr<Sequential> conv_net(Rng& rng) {
  auto net = std::make_unique<Sequential>("net");
  net->emplace<Conv2d>(conv(3, 4), rng, "c1");
  net->emplace<Tanh>();
  net->emplace<Conv2d>(conv(4, 2), rng, "c2");
  net->emplace<Sigmoid>();
  return net;
}

TEST(Sequential, ConvChainGradients) {
  Rng rng(11);
  auto net = conv_net(rng);
  const Tensor x = testing::random_tensor({2, 3, 5, 5}, rng);
  testing::expect_gradients_match_fd(*net, x, rng);
  testing::expect_backward_accumulates(*net, x, rng);
  testing::expect_frozen_still_backpropagates(*net, x, rng);
}

// backward_params: the same parameter gradients as backward, for a chain whose first layers have
// no parameters (skipped), whose first convolution takes 4 channels at stride 1 (im2col), then a
// fused Conv2d + Relu at stride 2, a Winograd one and a 1x1 head.
TEST(Sequential, BackwardParamsAddsTheSameGradientsAsBackward) {
  Rng rng(31);
  Sequential net("net");
  net.emplace<Tanh>();
  net.emplace<Conv2d>(conv(4, 6), rng, "c1");
  net.emplace<Relu>();
  Conv2dOptions down = conv(6, 8);
  down.stride = 2;
  net.emplace<Conv2d>(down, rng, "down");
  net.emplace<Relu>();
  net.emplace<Conv2d>(conv(8, 8), rng, "c3");
  net.emplace<Relu>();
  net.emplace<Conv2d>(conv(8, 3, 1, 0), rng, "head");
  const Tensor x = testing::random_tensor({2, 4, 13, 11}, rng);
  const Tensor y = net.forward(x);
  const Tensor dy = testing::random_tensor(y.shape(), rng);
  for (Param* p : net.params()) p->grad.fill(0.0f);
  net.backward(dy);
  std::vector<Tensor> expected;
  for (Param* p : net.params()) expected.push_back(p->grad.clone());
  for (Param* p : net.params()) p->grad.fill(0.0f);
  net.forward(x);
  net.backward_params(dy);
  const std::vector<Param*> params = net.params();
  ASSERT_EQ(params.size(), expected.size());
  for (size_t i = 0; i < params.size(); ++i) {
    ASSERT_GT(testing::dot(expected[i], expected[i]), 0.0) << params[i]->name;
    for (int64_t k = 0; k < expected[i].numel(); ++k)
      ASSERT_EQ(params[i]->grad[k], expected[i][k]) << params[i]->name << " element " << k;
  }
}

// InstanceNorm2d + Relu run fused (one pass): the same output, input gradient and parameter
// gradients as the layers run one after the other (each of which has its own gradient test).
TEST(Sequential, FusedInstanceNormReluMatchesSeparateLayers) {
  Rng rng(32);
  Sequential net("net");
  net.emplace<Conv2d>(conv(3, 4), rng, "c1");
  net.emplace<InstanceNorm2d>(4, 1e-5, true, "norm");
  net.emplace<Relu>();
  net.emplace<Conv2d>(conv(4, 2), rng, "c2");
  auto& norm = dynamic_cast<InstanceNorm2d&>(net.layer(1));
  for (int64_t c = 0; c < 4; ++c) {
    norm.weight().value[c] = static_cast<float>(rng.uniform(0.5, 1.5));
    norm.bias().value[c] = static_cast<float>(rng.uniform(-0.5, 0.5));
  }
  const Tensor x = testing::random_tensor({2, 3, 6, 5}, rng);
  const Tensor y = net.forward(x);
  const Tensor dy = testing::random_tensor(y.shape(), rng);
  for (Param* p : net.params()) p->grad.zero();
  const Tensor dx = net.backward(dy);
  std::vector<Tensor> fused_grads;
  for (Param* p : net.params()) fused_grads.push_back(p->grad.clone());
  // the same four layers, each called on its own
  for (Param* p : net.params()) p->grad.zero();
  Tensor h = x;
  for (size_t k = 0; k < net.size(); ++k) h = net.layer(k).forward(h);
  Tensor d = dy;
  for (size_t k = net.size(); k-- > 0;) d = net.layer(k).backward(d);
  ASSERT_EQ(h.numel(), y.numel());
  for (int64_t i = 0; i < y.numel(); ++i) ASSERT_EQ(y[i], h[i]) << i;
  for (int64_t i = 0; i < dx.numel(); ++i) ASSERT_EQ(dx[i], d[i]) << i;
  const std::vector<Param*> params = net.params();
  for (size_t i = 0; i < params.size(); ++i)
    for (int64_t k = 0; k < params[i]->grad.numel(); ++k)
      ASSERT_EQ(params[i]->grad[k], fused_grads[i][k]) << params[i]->name << " " << k;
}

TEST(Sequential, DenseChainGradients) {
  Rng rng(12);
  Sequential net;
  net.emplace<Dense>(6, 5, rng);
  net.emplace<Tanh>();
  net.emplace<Dense>(5, 3, rng);
  const Tensor x = testing::random_tensor({4, 6}, rng);
  testing::expect_gradients_match_fd(net, x, rng);
  testing::expect_backward_accumulates(net, x, rng);
  testing::expect_frozen_still_backpropagates(net, x, rng);
}

TEST(Sequential, NestedSequentialMatchesFlatChain) {
  Rng rng_a(5), rng_b(5), rng(6);
  Sequential flat;
  flat.emplace<Dense>(4, 3, rng_a);
  flat.emplace<Tanh>();
  flat.emplace<Dense>(3, 2, rng_a);
  Sequential nested;
  auto inner = std::make_unique<Sequential>();
  inner->emplace<Dense>(4, 3, rng_b);
  inner->emplace<Tanh>();
  nested.add(std::move(inner)).emplace<Dense>(3, 2, rng_b);
  const Tensor x = testing::random_tensor({2, 4}, rng);
  const Tensor g = testing::random_tensor({2, 2}, rng);
  EXPECT_EQ(flat.forward(x).to_vector(), nested.forward(x).to_vector());
  EXPECT_EQ(flat.backward(g).to_vector(), nested.backward(g).to_vector());
  ASSERT_EQ(flat.params().size(), nested.params().size());
  for (size_t i = 0; i < flat.params().size(); ++i)
    EXPECT_EQ(flat.params()[i]->grad.to_vector(), nested.params()[i]->grad.to_vector());
}

TEST(Sequential, ParamsBuffersAndTraining) {
  Rng rng(1);
  Sequential net;
  net.emplace<Conv2d>(conv(3, 4), rng);
  auto& bn = net.emplace<BatchNorm2d>(4);
  net.emplace<Relu>();
  EXPECT_EQ(net.size(), 3u);
  EXPECT_EQ(&net.layer(1), &bn);
  EXPECT_EQ(net.params().size(), 4u);   // conv weight+bias, bn weight+bias
  EXPECT_EQ(net.buffers().size(), 2u);  // running mean, var
  net.set_training(false);
  EXPECT_FALSE(bn.training());
  EXPECT_FALSE(net.layer(2).training());
  net.emplace<Tanh>();  // a late child follows the container's mode
  EXPECT_FALSE(net.layer(3).training());
  net.set_training(true);
  EXPECT_TRUE(bn.training());
  net.freeze();
  for (Param* p : net.params()) EXPECT_FALSE(p->trainable);
  EXPECT_THROW(net.layer(4), ArgumentError);
  EXPECT_THROW(net.add(nullptr), ArgumentError);
}

TEST(Sequential, SpecShapesAndFlops) {
  Rng rng(2);
  auto net = conv_net(rng);
  const LayerSpec s = net->spec();
  EXPECT_EQ(s.type, "Sequential");
  EXPECT_EQ(s.name, "net");
  ASSERT_EQ(s.children.size(), 4u);
  EXPECT_EQ(s.children[0].name, "c1");
  EXPECT_EQ(s.children[1].type, "Tanh");
  const Shape in{2, 3, 5, 5};
  EXPECT_EQ(net->output_shape(in), Shape({2, 2, 5, 5}));
  EXPECT_EQ(net->child_input_shape(2, in), Shape({2, 4, 5, 5}));
  int64_t sum = 0;
  Shape cur = in;
  for (size_t i = 0; i < net->size(); ++i) {
    sum += net->layer(i).flops(cur);
    cur = net->layer(i).output_shape(cur);
  }
  EXPECT_EQ(net->flops(in), sum);
  EXPECT_GT(sum, 0);
  EXPECT_THROW(net->output_shape({2, 1, 5, 5}), ShapeError);
}

TEST(Sequential, EmptyIsIdentityAndBackwardBeforeForwardThrows) {
  Sequential net;
  EXPECT_THROW(net.backward(Tensor({1, 2})), Error);
  const Tensor x = Tensor::from({1, 2}, {1, 2});
  EXPECT_EQ(net.forward(x).to_vector(), x.to_vector());
  const Tensor dy = Tensor::from({1, 2}, {3, 4});
  const Tensor dx = net.backward(dy);
  EXPECT_EQ(dx.to_vector(), dy.to_vector());
  EXPECT_NE(dx.data(), dy.data());  // fresh
  Rng rng(1);
  Sequential one;
  one.emplace<Dense>(2, 2, rng);
  EXPECT_THROW(one.backward(Tensor({1, 2})), Error);
}

TEST(NamedParams, PathsUseUniqueNamesElseIndices) {
  Rng rng(1);
  Sequential net("root");
  net.emplace<Conv2d>(conv(3, 4), rng, "enc1");
  net.emplace<Relu>(ReluFn{}, "enc1");  // duplicate name: both fall back to indices
  auto inner = std::make_unique<Sequential>("inner");
  inner->emplace<Conv2d>(conv(4, 4), rng);           // unnamed -> index
  inner->emplace<Conv2d>(conv(4, 4), rng, "7");      // all digits -> index
  inner->emplace<Conv2d>(conv(4, 4), rng, "a.b");    // has a dot -> index
  inner->emplace<BatchNorm2d>(4, 1e-5, 0.1, true, "bn");
  net.add(std::move(inner));
  std::vector<std::string> names;
  for (const auto& [n, p] : named_params(net)) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "inner.0.weight", "inner.0.bias", "inner.1.weight",
                                             "inner.1.bias", "inner.2.weight", "inner.2.bias", "inner.bn.weight",
                                             "inner.bn.bias"}));
  std::vector<std::string> buffers;
  for (const auto& [n, p] : named_buffers(net)) buffers.push_back(n);
  ASSERT_EQ(buffers.size(), 2u);
  EXPECT_EQ(buffers[0].rfind("inner.bn.", 0), 0u);
  // A lone layer: just the param names.
  Dense d(2, 3, rng);
  EXPECT_EQ(named_params(d).front().first, "weight");
}

}  // namespace
}  // namespace neuroshop
