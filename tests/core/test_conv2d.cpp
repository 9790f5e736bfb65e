// Conv2d: forward against a naive reference convolution (zero and reflect padding, stride,
// dilation, 1x1, no bias), the three gradient tests per configuration, buffer reuse across shapes,
// and the error messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "core/layers/conv2d.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

Conv2dOptions make_options(int64_t C, int64_t OC, int64_t K, int64_t s = 1, int64_t p = 0, int64_t d = 1,
                           PaddingMode mode = PaddingMode::kZeros, bool bias = true) {
  Conv2dOptions o;
  o.in_channels = C;
  o.out_channels = OC;
  o.kernel_size = K;
  o.stride = s;
  o.padding = p;
  o.dilation = d;
  o.padding_mode = mode;
  o.bias = bias;
  return o;
}

std::string describe(const Conv2dOptions& o) {
  return "K=" + std::to_string(o.kernel_size) + " s=" + std::to_string(o.stride) + " p=" + std::to_string(o.padding) +
         " d=" + std::to_string(o.dilation) + " " + padding_mode_name(o.padding_mode) + (o.bias ? "" : " no-bias");
}

std::vector<Conv2dOptions> configs() {
  return {
      make_options(3, 4, 3),                                        // plain 3x3
      make_options(3, 4, 3, 2, 1),                                  // stride 2, padding 1
      make_options(3, 2, 3, 1, 2, 2),                               // dilation 2
      make_options(3, 4, 3, 1, 1, 1, PaddingMode::kReflect),        // reflect padding
      make_options(3, 2, 5, 2, 2, 1, PaddingMode::kReflect),        // reflect, big kernel, stride 2
      make_options(3, 2, 3, 1, 2, 2, PaddingMode::kReflect),        // reflect + dilation
      make_options(3, 5, 1),                                        // 1x1, direct path
      make_options(3, 5, 1, 2),                                     // 1x1 strided, im2col path
      make_options(3, 4, 3, 1, 1, 1, PaddingMode::kZeros, false),   // no bias
      make_options(3, 4, 1, 1, 0, 1, PaddingMode::kZeros, false),   // 1x1 no bias
  };
}

// y[n][oc][oh][ow] = b[oc] + sum_{c,kh,kw} w[oc][c][kh][kw] xpad[n][c][oh*s - p + kh*d][ow*s - p + kw*d]
Tensor reference_conv(const Tensor& x, const Tensor& w, const Tensor* b, const Conv2dOptions& o) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), K = o.kernel_size;
  const int64_t OH = (H + 2 * o.padding - o.dilation * (K - 1) - 1) / o.stride + 1;
  const int64_t OW = (W + 2 * o.padding - o.dilation * (K - 1) - 1) / o.stride + 1;
  Tensor y({N, o.out_channels, OH, OW});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oc = 0; oc < o.out_channels; ++oc)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double sum = b ? (*b)[oc] : 0.0;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t kh = 0; kh < K; ++kh)
              for (int64_t kw = 0; kw < K; ++kw) {
                int64_t ih = oh * o.stride - o.padding + kh * o.dilation;
                int64_t iw = ow * o.stride - o.padding + kw * o.dilation;
                if (o.padding_mode == PaddingMode::kReflect) {
                  ih = ih < 0 ? -ih : (ih >= H ? 2 * (H - 1) - ih : ih);
                  iw = iw < 0 ? -iw : (iw >= W ? 2 * (W - 1) - iw : iw);
                }
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                sum += static_cast<double>(w.at(oc, c, kh, kw)) * x.at(n, c, ih, iw);
              }
          y.at(n, oc, oh, ow) = static_cast<float>(sum);
        }
  return y;
}

// Random weights and a non-zero bias so the bias path is visible.
void randomize(Conv2d& conv, Rng& rng) {
  for (Param* p : conv.params()) p->value.copy_from(testing::random_tensor(p->value.shape(), rng));
}

TEST(Conv2d, ForwardMatchesReference) {
  Rng rng(21);
  for (const Conv2dOptions& o : configs()) {
    Conv2d conv(o, rng, "ref");
    randomize(conv, rng);
    const Tensor x = testing::random_tensor({2, 3, 7, 6}, rng);
    const Tensor y = conv.forward(x);
    const Tensor expected =
        reference_conv(x, conv.weight().value, o.bias ? &conv.bias().value : nullptr, o);
    ASSERT_EQ(y.shape(), expected.shape()) << describe(o);
    ASSERT_EQ(y.shape(), conv.output_shape(x.shape())) << describe(o);
    for (int64_t i = 0; i < y.numel(); ++i) ASSERT_NEAR(y[i], expected[i], 1e-5f) << describe(o) << " y[" << i << "]";
  }
}

TEST(Conv2d, GradientsMatchFiniteDifferences) {
  Rng rng(22);
  for (const Conv2dOptions& o : configs()) {
    SCOPED_TRACE(describe(o));
    Conv2d conv(o, rng);
    randomize(conv, rng);
    testing::expect_gradients_match_fd(conv, testing::random_tensor({2, 3, 6, 5}, rng), rng);
  }
}

TEST(Conv2d, SingleImageReusesForwardColumns) {
  // N = 1 takes the path where backward starts from the col that forward left behind.
  Rng rng(23);
  for (const Conv2dOptions& o : {make_options(3, 4, 3, 1, 1), make_options(3, 2, 3, 2, 1, 1, PaddingMode::kReflect)}) {
    SCOPED_TRACE(describe(o));
    Conv2d conv(o, rng);
    randomize(conv, rng);
    testing::expect_gradients_match_fd(conv, testing::random_tensor({1, 3, 7, 7}, rng), rng);
  }
}

TEST(Conv2d, BackwardAccumulates) {
  Rng rng(24);
  for (const Conv2dOptions& o : configs()) {
    SCOPED_TRACE(describe(o));
    Conv2d conv(o, rng);
    testing::expect_backward_accumulates(conv, testing::random_tensor({2, 3, 5, 5}, rng), rng);
  }
}

TEST(Conv2d, FrozenStillBackpropagates) {
  Rng rng(25);
  for (const Conv2dOptions& o : configs()) {
    SCOPED_TRACE(describe(o));
    Conv2d conv(o, rng);
    testing::expect_frozen_still_backpropagates(conv, testing::random_tensor({2, 3, 6, 6}, rng), rng);
  }
}

TEST(Conv2d, ShapeChangesBetweenCalls) {
  // The col buffer is resized when the input size changes; results must not depend on history.
  Rng rng(26);
  const Conv2dOptions o = make_options(3, 2, 3, 1, 1, 1, PaddingMode::kReflect);
  Conv2d conv(o, rng);
  randomize(conv, rng);
  for (const Shape& s : {Shape{2, 3, 7, 7}, Shape{1, 3, 5, 6}, Shape{3, 3, 7, 7}}) {
    const Tensor x = testing::random_tensor(s, rng);
    const Tensor y = conv.forward(x);
    const Tensor expected = reference_conv(x, conv.weight().value, &conv.bias().value, o);
    for (int64_t i = 0; i < y.numel(); ++i) ASSERT_NEAR(y[i], expected[i], 1e-5f) << s.str();
    EXPECT_EQ(conv.backward(Tensor::full(y.shape(), 1.0f)).shape(), s);
  }
}

TEST(Conv2d, KnownValues) {
  // 2x2 kernel of ones over 1..9 sums each 2x2 window; bias 0.5.
  Rng rng(27);
  Conv2d conv(make_options(1, 1, 2), rng);
  conv.weight().value.fill(1.0f);
  conv.bias().value.fill(0.5f);
  const Tensor y = conv.forward(Tensor::from({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(y.to_vector(), (std::vector<float>{12.5f, 16.5f, 24.5f, 28.5f}));
  // dy of ones: each pixel receives one per window covering it.
  const Tensor dx = conv.backward(Tensor::full({1, 1, 2, 2}, 1.0f));
  EXPECT_EQ(dx.to_vector(), (std::vector<float>{1, 2, 1, 2, 4, 2, 1, 2, 1}));
  EXPECT_EQ(conv.bias().grad[0], 4.0f);
  EXPECT_EQ(conv.weight().grad.to_vector(), (std::vector<float>{12, 16, 24, 28}));
}

TEST(Conv2d, InitIsHeUniform) {
  Rng rng(28);
  Conv2d conv(make_options(8, 16, 3), rng);
  const double bound = std::sqrt(6.0 / (8 * 9));
  double sum_sq = 0.0;
  const Tensor& w = conv.weight().value;
  for (int64_t i = 0; i < w.numel(); ++i) {
    ASSERT_LE(std::abs(w[i]), bound);
    sum_sq += static_cast<double>(w[i]) * w[i];
  }
  EXPECT_NEAR(sum_sq / w.numel(), bound * bound / 3.0, 0.1 * bound * bound / 3.0);
  for (int64_t i = 0; i < conv.bias().value.numel(); ++i) EXPECT_EQ(conv.bias().value[i], 0.0f);
}

TEST(Conv2d, SpecAndFlops) {
  Rng rng(29);
  Conv2d conv(make_options(3, 8, 3, 2, 1, 1, PaddingMode::kReflect, false), rng, "enc1");
  const LayerSpec s = conv.spec();
  EXPECT_EQ(s.type, "Conv2d");
  EXPECT_EQ(s.name, "enc1");
  EXPECT_EQ(s.get_int("in_channels"), 3);
  EXPECT_EQ(s.get_int("out_channels"), 8);
  EXPECT_EQ(s.get_int("kernel_size"), 3);
  EXPECT_EQ(s.get_int("stride"), 2);
  EXPECT_EQ(s.get_int("padding"), 1);
  EXPECT_EQ(s.get_int("dilation"), 1);
  EXPECT_EQ(s.get_string("padding_mode"), "reflect");
  EXPECT_EQ(s.get_int("bias"), 0);
  EXPECT_EQ(conv.params().size(), 1u);
  // (1,3,8,8) -> (1,8,4,4): 2 * 128 outputs * 27 taps.
  EXPECT_EQ(conv.flops({1, 3, 8, 8}), 2 * 128 * 27);
}

TEST(Conv2d, WrongChannelCountNamesTheLayer) {
  Rng rng(30);
  Conv2d conv(make_options(3, 4, 3), rng, "enc1");
  try {
    conv.forward(Tensor::zeros({2, 4, 7, 7}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("Conv2d 'enc1'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(N,3,H,W)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(2,4,7,7)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(conv.forward(Tensor::zeros({3, 7, 7})), ShapeError);
}

TEST(Conv2d, InvalidSizesThrow) {
  Rng rng(31);
  Conv2d reflect(make_options(1, 1, 3, 1, 2, 1, PaddingMode::kReflect), rng, "r");
  EXPECT_THROW(reflect.forward(Tensor::zeros({1, 1, 2, 5})), ShapeError);  // padding 2 >= H 2
  EXPECT_NO_THROW(reflect.forward(Tensor::zeros({1, 1, 3, 3})));
  Conv2d big(make_options(1, 1, 5), rng, "big");
  EXPECT_THROW(big.forward(Tensor::zeros({1, 1, 4, 8})), ShapeError);
  EXPECT_THROW(Conv2d(make_options(1, 1, 0), rng), ArgumentError);
  EXPECT_THROW(Conv2d(make_options(1, 1, 3, 0), rng), ArgumentError);
  EXPECT_THROW(Conv2d(make_options(1, 1, 3, 1, -1), rng), ArgumentError);
}

TEST(Conv2d, BackwardBeforeForwardThrows) {
  Rng rng(32);
  Conv2d conv(make_options(1, 1, 3), rng);
  EXPECT_THROW(conv.backward(Tensor::zeros({1, 1, 3, 3})), Error);
}

TEST(Conv2d, BackwardChecksGradientShape) {
  Rng rng(33);
  Conv2d conv(make_options(1, 2, 3), rng);
  conv.forward(Tensor::zeros({1, 1, 5, 5}));
  EXPECT_THROW(conv.backward(Tensor::zeros({1, 2, 4, 4})), ShapeError);
}

TEST(Conv2d, ParallelMatchesSerial) {
  // Big enough that im2col/col2im split the channels over several threads.
  Rng rng(34);
  const Conv2dOptions o = make_options(64, 8, 3, 1, 1, 1, PaddingMode::kReflect);
  Conv2d conv(o, rng);
  const Tensor x = testing::random_tensor({2, 64, 24, 24}, rng);
  const Tensor g = testing::random_tensor(conv.output_shape(x.shape()), rng);
  const int threads = num_threads();
  std::vector<std::vector<float>> results;
  for (int n : {1, std::max(threads, 4)}) {
    set_num_threads(n);
    conv.weight().grad.zero();
    results.push_back(conv.forward(x).to_vector());
    results.push_back(conv.backward(g).to_vector());
    results.push_back(conv.weight().grad.to_vector());
  }
  set_num_threads(threads);
  for (size_t k = 0; k < 3; ++k) {
    ASSERT_EQ(results[k].size(), results[k + 3].size());
    for (size_t i = 0; i < results[k].size(); ++i) ASSERT_NEAR(results[k][i], results[k + 3][i], 1e-4f) << k << " " << i;
  }
}

}  // namespace
}  // namespace neuroshop
