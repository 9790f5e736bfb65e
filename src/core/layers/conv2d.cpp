// Conv2d forward and backward; see conv2d.h. Images are processed one after another; the
// parallelism is inside gemm and inside im2col/col2im (over channels), so a batch of one image
// (the usual case when stylizing a photo) uses every core as well.
#include "core/layers/conv2d.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "core/kernels/gemm.h"

namespace neuroshop {

Conv2d::Conv2d(const Conv2dOptions& options, Rng& rng, std::string name)
    : Layer(std::move(name)), options_(options) {
  const Conv2dOptions& o = options_;
  if (o.in_channels < 1 || o.out_channels < 1 || o.kernel_size < 1 || o.stride < 1 || o.dilation < 1 ||
      o.padding < 0)
    throw ArgumentError(who("Conv2d") + ": expected positive channels, kernel_size, stride, dilation and padding >= 0, got in=" +
                        std::to_string(o.in_channels) + " out=" + std::to_string(o.out_channels) +
                        " kernel=" + std::to_string(o.kernel_size) + " stride=" + std::to_string(o.stride) +
                        " dilation=" + std::to_string(o.dilation) + " padding=" + std::to_string(o.padding));
  const int64_t fan_in = o.in_channels * o.kernel_size * o.kernel_size;
  weight_ = Param("weight", {o.out_channels, o.in_channels, o.kernel_size, o.kernel_size});
  const double bound = std::sqrt(6.0 / static_cast<double>(fan_in));
  for (int64_t i = 0; i < weight_.value.numel(); ++i) weight_.value[i] = static_cast<float>(rng.uniform(-bound, bound));
  if (o.bias) bias_ = Param("bias", {o.out_channels});
}

ConvGeometry Conv2d::geometry(const Shape& in) const {
  ConvGeometry g;
  g.channels = in[1];
  g.height = in[2];
  g.width = in[3];
  g.kernel_size = options_.kernel_size;
  g.stride = options_.stride;
  g.padding = options_.padding;
  g.dilation = options_.dilation;
  g.padding_mode = options_.padding_mode;
  return g;
}

Shape Conv2d::output_shape(const Shape& in) const {
  if (in.rank() != 4 || in[1] != options_.in_channels)
    throw ShapeError(who("Conv2d") + ": expected input (N," + std::to_string(options_.in_channels) + ",H,W), got " +
                     in.str());
  const int64_t H = in[2], W = in[3];
  if (options_.padding_mode == PaddingMode::kReflect && (options_.padding >= H || options_.padding >= W))
    throw ShapeError(who("Conv2d") + ": reflect padding " + std::to_string(options_.padding) +
                     " needs an image larger than the padding, got " + in.str());
  const ConvGeometry g = geometry(in);
  if (g.out_height() < 1 || g.out_width() < 1)
    throw ShapeError(who("Conv2d") + ": input " + in.str() + " is smaller than the kernel (size " +
                     std::to_string(options_.kernel_size) + ", dilation " + std::to_string(options_.dilation) +
                     ", padding " + std::to_string(options_.padding) + ")");
  return Shape{in[0], options_.out_channels, g.out_height(), g.out_width()};
}

// x: (N, C, H, W), W: (OC, C, K, K) viewed as (OC, R) with R = C*K*K, b: (OC) -> y: (N, OC, OH, OW)
// per image n:  col = im2col(x[n])                 (R, P), P = OH*OW
//               y[n] = W col + b 1^T              (OC, P) = (OC, R)(R, P)
// A 1x1 kernel with stride 1 and no padding has col = x[n] viewed as (C, H*W), so no copy is made.
Tensor Conv2d::forward(const Tensor& x) {
  const Shape out_shape = output_shape(x.shape());
  const ConvGeometry g = geometry(x.shape());
  const int64_t N = x.dim(0), OC = options_.out_channels, R = g.col_rows(), P = g.col_cols();
  const int64_t image_size = g.channels * g.height * g.width;
  const bool direct = g.is_identity();
  x_ = x;
  if (!direct && col_.shape() != Shape{R, P}) col_ = Tensor::empty({R, P});
  Tensor y = Tensor::empty(out_shape);
  for (int64_t n = 0; n < N; ++n) {
    const float* xn = x.data() + n * image_size;
    float* yn = y.data() + n * OC * P;  // y[n][oc][p] = yn[oc*P + p]
    if (options_.bias)
      for (int64_t oc = 0; oc < OC; ++oc) std::fill(yn + oc * P, yn + (oc + 1) * P, bias_.value[oc]);
    const float* col = xn;
    if (!direct) {
      im2col(xn, g, col_.data());
      col = col_.data();
    }
    gemm(Trans::kNo, Trans::kNo, OC, P, R, 1.0f, weight_.value.data(), R, col, P, options_.bias ? 1.0f : 0.0f, yn, P);
  }
  col_holds_last_image_ = !direct && N > 0;
  return y;
}

// dy: (N, OC, OH, OW) -> dx: (N, C, H, W)
// per image n:  db   += sum_p dy[n][:, p]
//               dW   += dy[n] col^T               (OC, R) = (OC, P)(P, R)     skipped when frozen
//               dcol  = W^T dy[n]                 (R, P)  = (R, OC)(OC, P)
//               dx[n] = col2im(dcol)              (the adjoint of im2col; padding terms drop or fold back)
// Images run last to first so the first one can reuse the col forward left behind.
Tensor Conv2d::backward(const Tensor& dy) {
  expect_forward_ran(x_.defined(), "Conv2d");
  const Shape out_shape = output_shape(x_.shape());
  expect_same_shape(dy.shape(), out_shape, who("Conv2d") + " backward");
  const ConvGeometry g = geometry(x_.shape());
  const int64_t N = x_.dim(0), OC = options_.out_channels, R = g.col_rows(), P = g.col_cols();
  const int64_t image_size = g.channels * g.height * g.width;
  const bool direct = g.is_identity();
  const bool want_dw = weight_.trainable;

  if (options_.bias && bias_.trainable) {
    for (int64_t oc = 0; oc < OC; ++oc) {
      double sum = 0.0;  // P can be ~1e6 pixels: accumulate in double
      for (int64_t n = 0; n < N; ++n) {
        const float* d = dy.data() + (n * OC + oc) * P;
        for (int64_t p = 0; p < P; ++p) sum += d[p];
      }
      bias_.grad[oc] += static_cast<float>(sum);
    }
  }

  // col2im adds into dx, so it starts at zero; the direct path overwrites it.
  Tensor dx = direct ? Tensor::empty(x_.shape()) : Tensor::zeros(x_.shape());
  if (!direct && col_.shape() != Shape{R, P}) {
    col_ = Tensor::empty({R, P});
    col_holds_last_image_ = false;
  }
  const float* w = weight_.value.data();
  float* dw = weight_.grad.data();
  for (int64_t n = N - 1; n >= 0; --n) {
    const float* xn = x_.data() + n * image_size;
    const float* dyn = dy.data() + n * OC * P;
    float* dxn = dx.data() + n * image_size;
    if (direct) {
      if (want_dw) gemm(Trans::kNo, Trans::kYes, OC, R, P, 1.0f, dyn, P, xn, P, 1.0f, dw, R);
      gemm(Trans::kYes, Trans::kNo, R, P, OC, 1.0f, w, R, dyn, P, 0.0f, dxn, P);
      continue;
    }
    float* col = col_.data();
    if (want_dw) {
      if (!(n == N - 1 && col_holds_last_image_)) im2col(xn, g, col);
      gemm(Trans::kNo, Trans::kYes, OC, R, P, 1.0f, dyn, P, col, P, 1.0f, dw, R);
    }
    gemm(Trans::kYes, Trans::kNo, R, P, OC, 1.0f, w, R, dyn, P, 0.0f, col, P);  // col now holds dcol
    col2im(col, g, dxn);
  }
  col_holds_last_image_ = false;
  return dx;
}

std::vector<Param*> Conv2d::params() {
  if (options_.bias) return {&weight_, &bias_};
  return {&weight_};
}

LayerSpec Conv2d::spec() const {
  LayerSpec s{"Conv2d", name_, {}, {}};
  s.set("in_channels", static_cast<double>(options_.in_channels));
  s.set("out_channels", static_cast<double>(options_.out_channels));
  s.set("kernel_size", static_cast<double>(options_.kernel_size));
  s.set("stride", static_cast<double>(options_.stride));
  s.set("padding", static_cast<double>(options_.padding));
  s.set("dilation", static_cast<double>(options_.dilation));
  s.set("padding_mode", std::string(padding_mode_name(options_.padding_mode)));
  s.set("bias", options_.bias ? 1.0 : 0.0);
  return s;
}

// A multiply-add per weight and output pixel, plus the bias add.
int64_t Conv2d::flops(const Shape& in) const {
  const Shape out = output_shape(in);
  const int64_t R = options_.in_channels * options_.kernel_size * options_.kernel_size;
  return 2 * out.numel() * R + (options_.bias ? out.numel() : 0);
}

}  // namespace neuroshop
