// Winograd F(4x4, 3x3) against direct convolution summed in double: the kernel alone (forward, with
// zero and reflect padding, dilation 1 and 2, odd sizes, batch > 1, the ReLU epilogue) and Conv2d
// with enough channels to take the Winograd path (y, dx and dW), and the dW kernel alone.
//
// Tolerance: |ours - direct| <= kRel * sum_terms |w| |x| + 1e-6 per output, where the sum runs over
// the same terms as the convolution. Direct float summation reaches ~1e-7 of that sum; Winograd's
// transforms multiply values by up to 8 and 1/24 before the products and add them back after, which
// costs about two decimal digits: measured worst cases are ~3e-6, so kRel = 2e-5.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "core/kernels/parallel.h"
#include "core/kernels/winograd.h"
#include "core/kernels/winograd_internal.h"
#include "core/layers/conv2d.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

constexpr double kRel = 2e-5;

struct Case {
  int64_t N, C, OC, H, W, pad, dil;
  PaddingMode mode;
};

std::string describe(const Case& c) {
  return "N=" + std::to_string(c.N) + " C=" + std::to_string(c.C) + " OC=" + std::to_string(c.OC) + " " +
         std::to_string(c.H) + "x" + std::to_string(c.W) + " p=" + std::to_string(c.pad) + " d=" +
         std::to_string(c.dil) + " " + padding_mode_name(c.mode);
}

ConvGeometry geometry(const Case& c) {
  ConvGeometry g;
  g.channels = c.C;
  g.height = c.H;
  g.width = c.W;
  g.kernel_size = 3;
  g.padding = c.pad;
  g.dilation = c.dil;
  g.padding_mode = c.mode;
  return g;
}

inline int64_t pad_index(int64_t i, int64_t n, PaddingMode mode) {
  if (mode == PaddingMode::kReflect) return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i);
  return i;
}

// Direct convolution in double; `magnitude` gets sum |w||x| of each output's terms.
void direct_conv(const Tensor& x, const Tensor& w, const Tensor* b, const ConvGeometry& g, Tensor& y,
                 Tensor& magnitude) {
  const int64_t N = x.dim(0), C = g.channels, H = g.height, W = g.width, OC = w.dim(0);
  const int64_t OH = g.out_height(), OW = g.out_width();
  y = Tensor({N, OC, OH, OW});
  magnitude = Tensor({N, OC, OH, OW});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oc = 0; oc < OC; ++oc)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double sum = b ? (*b)[oc] : 0.0, mag = 0.0;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t kh = 0; kh < 3; ++kh)
              for (int64_t kw = 0; kw < 3; ++kw) {
                const int64_t ih = pad_index(oh - g.padding + kh * g.dilation, H, g.padding_mode);
                const int64_t iw = pad_index(ow - g.padding + kw * g.dilation, W, g.padding_mode);
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const double t = static_cast<double>(w.at(oc, c, kh, kw)) * x.at(n, c, ih, iw);
                sum += t;
                mag += std::fabs(t);
              }
          y.at(n, oc, oh, ow) = static_cast<float>(sum);
          magnitude.at(n, oc, oh, ow) = static_cast<float>(mag);
        }
}

void expect_close(const Tensor& ours, const Tensor& direct, const Tensor& magnitude, const std::string& what) {
  ASSERT_EQ(ours.shape(), direct.shape()) << what;
  double worst = 0.0;
  for (int64_t i = 0; i < ours.numel(); ++i) {
    const double err = std::fabs(static_cast<double>(ours[i]) - direct[i]);
    ASSERT_LE(err, kRel * magnitude[i] + 1e-6) << what << " at " << i << ": " << ours[i] << " vs " << direct[i];
    worst = std::max(worst, err / (magnitude[i] + 1e-30));
  }
  std::printf("  %s: worst |error| / sum |terms| = %.2e\n", what.c_str(), worst);
}

std::vector<Case> cases() {
  return {
      {1, 3, 5, 8, 8, 1, 1, PaddingMode::kZeros},      // one tile exactly... and a half
      {2, 7, 4, 13, 11, 1, 1, PaddingMode::kZeros},    // odd sizes, batch 2, partial tiles
      {2, 5, 6, 9, 17, 1, 1, PaddingMode::kReflect},   // reflect padding
      {1, 4, 3, 10, 7, 0, 1, PaddingMode::kZeros},     // no padding (valid convolution)
      {2, 6, 5, 15, 12, 2, 2, PaddingMode::kZeros},    // dilation 2: four interleaved sub-grids
      {1, 3, 4, 11, 14, 2, 2, PaddingMode::kReflect},  // dilation 2, reflect
      {1, 4, 4, 19, 9, 4, 4, PaddingMode::kZeros},     // dilation 4, odd sub-grid sizes
      {3, 20, 24, 21, 23, 1, 1, PaddingMode::kZeros},  // several GEMM panels, several tile blocks
      {1, 2, 2, 3, 3, 1, 1, PaddingMode::kZeros},      // image smaller than a tile
  };
}

TEST(Winograd, ForwardMatchesDirectConvolution) {
  Rng rng(41);
  for (const Case& c : cases()) {
    const ConvGeometry g = geometry(c);
    const Tensor x = testing::random_tensor({c.N, c.C, c.H, c.W}, rng);
    const Tensor w = testing::random_tensor({c.OC, c.C, 3, 3}, rng);
    const Tensor b = testing::random_tensor({c.OC}, rng);
    Tensor direct, magnitude;
    direct_conv(x, w, &b, g, direct, magnitude);
    Tensor y = Tensor::full({c.N, c.OC, g.out_height(), g.out_width()}, NAN);  // every element must be written
    winograd_conv3x3(x.data(), c.N, g, w.data(), c.OC, b.data(), Epilogue::kNone, y.data());
    expect_close(y, direct, magnitude, describe(c));
  }
}

// dW[oc][c][kh][kw] = sum over n, outputs of dy * x at the tap (reflected taps read the reflected
// pixel), in double; the tolerance is kRel of the sum of |dy x| over the same terms.
TEST(Winograd, FilterGradientMatchesDirect) {
  Rng rng(45);
  for (const Case& c : cases()) {
    const ConvGeometry g = geometry(c);
    const int64_t OH = g.out_height(), OW = g.out_width();
    const Tensor x = testing::random_tensor({c.N, c.C, c.H, c.W}, rng);
    const Tensor dy = testing::random_tensor({c.N, c.OC, OH, OW}, rng);
    Tensor direct({c.OC, c.C, 3, 3}), magnitude({c.OC, c.C, 3, 3});
    for (int64_t oc = 0; oc < c.OC; ++oc)
      for (int64_t ci = 0; ci < c.C; ++ci)
        for (int64_t kh = 0; kh < 3; ++kh)
          for (int64_t kw = 0; kw < 3; ++kw) {
            double sum = 0.0, mag = 0.0;
            for (int64_t n = 0; n < c.N; ++n)
              for (int64_t oh = 0; oh < OH; ++oh)
                for (int64_t ow = 0; ow < OW; ++ow) {
                  const int64_t ih = pad_index(oh - c.pad + kh * c.dil, c.H, c.mode);
                  const int64_t iw = pad_index(ow - c.pad + kw * c.dil, c.W, c.mode);
                  if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
                  const double t = static_cast<double>(dy.at(n, oc, oh, ow)) * x.at(n, ci, ih, iw);
                  sum += t;
                  mag += std::fabs(t);
                }
            direct.at(oc, ci, kh, kw) = static_cast<float>(sum);
            magnitude.at(oc, ci, kh, kw) = static_cast<float>(mag);
          }
    // The kernel adds to dw: start from a known value.
    Tensor dw = Tensor::full({c.OC, c.C, 3, 3}, 0.5f);
    winograd_conv3x3_dw(x.data(), c.N, g, dy.data(), c.OC, dw.data());
    for (int64_t i = 0; i < dw.numel(); ++i) dw[i] -= 0.5f;
    expect_close(dw, direct, magnitude, "dW " + describe(c));
  }
}

TEST(Winograd, ReluEpilogue) {
  Rng rng(42);
  const Case c{2, 6, 7, 10, 13, 1, 1, PaddingMode::kZeros};
  const ConvGeometry g = geometry(c);
  const Tensor x = testing::random_tensor({c.N, c.C, c.H, c.W}, rng);
  const Tensor w = testing::random_tensor({c.OC, c.C, 3, 3}, rng);
  const Tensor b = testing::random_tensor({c.OC}, rng);
  Tensor direct, magnitude;
  direct_conv(x, w, &b, g, direct, magnitude);
  for (int64_t i = 0; i < direct.numel(); ++i) direct[i] = std::max(direct[i], 0.0f);
  Tensor y = Tensor::empty(direct.shape());
  winograd_conv3x3(x.data(), c.N, g, w.data(), c.OC, b.data(), Epilogue::kRelu, y.data());
  expect_close(y, direct, magnitude, describe(c));
}

TEST(Winograd, SameResultOnAnyNumberOfThreads) {
  Rng rng(43);
  const Case c{2, 16, 16, 33, 30, 1, 1, PaddingMode::kReflect};
  const ConvGeometry g = geometry(c);
  const Tensor x = testing::random_tensor({c.N, c.C, c.H, c.W}, rng);
  const Tensor w = testing::random_tensor({c.OC, c.C, 3, 3}, rng);
  const Tensor dy = testing::random_tensor({c.N, c.OC, g.out_height(), g.out_width()}, rng);
  const int threads = num_threads();
  std::vector<std::vector<float>> results, dws;
  for (int n : {1, 3}) {
    set_num_threads(n);
    Tensor y = Tensor::empty({c.N, c.OC, g.out_height(), g.out_width()});
    winograd_conv3x3(x.data(), c.N, g, w.data(), c.OC, nullptr, Epilogue::kNone, y.data());
    results.push_back(y.to_vector());
    Tensor dw = Tensor::zeros(w.shape());
    winograd_conv3x3_dw(x.data(), c.N, g, dy.data(), c.OC, dw.data());
    dws.push_back(dw.to_vector());
  }
  set_num_threads(threads);
  EXPECT_EQ(results[0], results[1]);  // each output is computed by one thread in a fixed order
  EXPECT_EQ(dws[0], dws[1]);          // dW's partial sums are cut the same way on any thread count
}

// Conv2d with channel counts that take the Winograd path: y, dx (Winograd with the flipped,
// transposed filter) and dW against direct convolution and its adjoint, in double.
TEST(Winograd, Conv2dForwardAndBackwardMatchDirect) {
  Rng rng(44);
  const Case conv_cases[] = {
      {2, 16, 24, 13, 11, 1, 1, PaddingMode::kZeros},
      {1, 24, 16, 10, 15, 2, 2, PaddingMode::kZeros},
      {2, 16, 16, 9, 12, 1, 1, PaddingMode::kReflect},
      {1, 16, 20, 8, 9, 0, 1, PaddingMode::kZeros},
  };
  for (const Case& c : conv_cases) {
    SCOPED_TRACE(describe(c));
    Conv2dOptions o;
    o.in_channels = c.C;
    o.out_channels = c.OC;
    o.kernel_size = 3;
    o.padding = c.pad;
    o.dilation = c.dil;
    o.padding_mode = c.mode;
    Conv2d conv(o, rng);
    for (Param* p : conv.params()) p->value.copy_from(testing::random_tensor(p->value.shape(), rng));
    const ConvGeometry g = geometry(c);
    ASSERT_TRUE(winograd_applies(g, c.OC));
    const Tensor x = testing::random_tensor({c.N, c.C, c.H, c.W}, rng);
    Tensor direct, magnitude;
    direct_conv(x, conv.weight().value, &conv.bias().value, g, direct, magnitude);
    expect_close(conv.forward(x), direct, magnitude, "y");

    // With the objective <y, gy>: dx[n][c][i] = sum over the taps that read x[n][c][i] of w * gy,
    // dW[oc][c][kh][kw] = sum of gy * x over the taps, both in double (reflected taps fold back).
    const Tensor gy = testing::random_tensor(direct.shape(), rng);
    Tensor dx({c.N, c.C, c.H, c.W}), dx_mag({c.N, c.C, c.H, c.W});
    Tensor dw({c.OC, c.C, 3, 3}), dw_mag({c.OC, c.C, 3, 3});
    std::vector<double> dxs(static_cast<size_t>(dx.numel())), dxm(dxs.size()), dws(static_cast<size_t>(dw.numel())),
        dwm(dws.size());
    for (int64_t n = 0; n < c.N; ++n)
      for (int64_t oc = 0; oc < c.OC; ++oc)
        for (int64_t oh = 0; oh < g.out_height(); ++oh)
          for (int64_t ow = 0; ow < g.out_width(); ++ow)
            for (int64_t ci = 0; ci < c.C; ++ci)
              for (int64_t kh = 0; kh < 3; ++kh)
                for (int64_t kw = 0; kw < 3; ++kw) {
                  const int64_t ih = pad_index(oh - c.pad + kh * c.dil, c.H, c.mode);
                  const int64_t iw = pad_index(ow - c.pad + kw * c.dil, c.W, c.mode);
                  if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
                  const double gv = gy.at(n, oc, oh, ow);
                  const size_t xi = static_cast<size_t>(((n * c.C + ci) * c.H + ih) * c.W + iw);
                  const size_t wi = static_cast<size_t>(((oc * c.C + ci) * 3 + kh) * 3 + kw);
                  dxs[xi] += gv * conv.weight().value[static_cast<int64_t>(wi)];
                  dxm[xi] += std::fabs(gv * conv.weight().value[static_cast<int64_t>(wi)]);
                  dws[wi] += gv * x[static_cast<int64_t>(xi)];
                  dwm[wi] += std::fabs(gv * x[static_cast<int64_t>(xi)]);
                }
    for (size_t i = 0; i < dxs.size(); ++i) {
      dx[static_cast<int64_t>(i)] = static_cast<float>(dxs[i]);
      dx_mag[static_cast<int64_t>(i)] = static_cast<float>(dxm[i]);
    }
    for (size_t i = 0; i < dws.size(); ++i) {
      dw[static_cast<int64_t>(i)] = static_cast<float>(dws[i]);
      dw_mag[static_cast<int64_t>(i)] = static_cast<float>(dwm[i]);
    }
    conv.weight().grad.zero();
    expect_close(conv.backward(gy), dx, dx_mag, "dx");
    expect_close(conv.weight().grad, dw, dw_mag, "dW");
  }
}

// Conv2d keeps Winograd's transformed filters between calls: a second call with the same weights
// gives the same bits, and after any change of the weights (an optimizer step, a load) the output
// is the new weights' convolution, not the old one's.
TEST(Winograd, Conv2dRemakesItsFiltersWhenTheWeightsChange) {
  Rng rng(47);
  const Case c{1, 16, 16, 12, 12, 1, 1, PaddingMode::kZeros};
  Conv2dOptions o;
  o.in_channels = c.C;
  o.out_channels = c.OC;
  o.kernel_size = 3;
  o.padding = c.pad;
  Conv2d conv(o, rng);
  const ConvGeometry g = geometry(c);
  ASSERT_TRUE(winograd_applies(g, c.OC));
  const Tensor x = testing::random_tensor({c.N, c.C, c.H, c.W}, rng);
  const std::vector<float> first = conv.forward(x).to_vector();
  EXPECT_EQ(conv.forward(x).to_vector(), first);
  for (int step = 0; step < 2; ++step) {
    if (step == 0) conv.weight().value[5] += 0.25f;  // one weight
    else conv.weight().value.copy_from(testing::random_tensor(conv.weight().value.shape(), rng));  // all
    Tensor direct, magnitude;
    direct_conv(x, conv.weight().value, &conv.bias().value, g, direct, magnitude);
    expect_close(conv.forward(x), direct, magnitude, step == 0 ? "one weight changed" : "all weights changed");
  }
}

// Groups of 8 tiles take the SIMD kernels where the CPU has them (a row of tiles side by side, or
// any 8 gathered and transposed); the portable per-tile path must give the same bits (same
// operations, no FMA), for y with bias and ReLU and for dW. Widths 37 and 70 give rows with and
// without a partial tile and patches at the right border; the dilated case only gathered groups.
TEST(Winograd, RowKernelsGiveThePortableBits) {
  if (!detail::active_winograd_row_kernels()) GTEST_SKIP() << "no SIMD row kernels on this CPU";
  Rng rng(46);
  for (const Case& c : {Case{2, 16, 12, 21, 37, 1, 1, PaddingMode::kZeros}, Case{1, 12, 20, 14, 70, 1, 1, PaddingMode::kReflect},
                        Case{1, 12, 12, 9, 66, 0, 1, PaddingMode::kZeros}, Case{2, 12, 8, 19, 23, 2, 2, PaddingMode::kReflect}}) {
    SCOPED_TRACE(describe(c));
    const ConvGeometry g = geometry(c);
    const Tensor x = testing::random_tensor({c.N, c.C, c.H, c.W}, rng);
    const Tensor w = testing::random_tensor({c.OC, c.C, 3, 3}, rng);
    const Tensor b = testing::random_tensor({c.OC}, rng);
    const Tensor dy = testing::random_tensor({c.N, c.OC, g.out_height(), g.out_width()}, rng);
    std::vector<std::vector<float>> ys, dws;
    for (bool simd : {true, false}) {
      detail::set_winograd_row_kernels(simd);
      Tensor y = Tensor::empty(dy.shape());
      winograd_conv3x3(x.data(), c.N, g, w.data(), c.OC, b.data(), Epilogue::kRelu, y.data());
      Tensor dw = Tensor::zeros(w.shape());
      winograd_conv3x3_dw(x.data(), c.N, g, dy.data(), c.OC, dw.data());
      ys.push_back(y.to_vector());
      dws.push_back(dw.to_vector());
    }
    detail::set_winograd_row_kernels(true);
    EXPECT_EQ(ys[0], ys[1]);
    EXPECT_EQ(dws[0], dws[1]);
  }
}

}  // namespace
}  // namespace neuroshop
