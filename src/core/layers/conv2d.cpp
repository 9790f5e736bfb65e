// Conv2d forward and backward; see conv2d.h.
// Work is cut into blocks of output rows of one image. A block's columns (C*K*K rows of the
// lowered image, about kBlockFloats in all) are made by im2col into a per-thread buffer and read by
// gemm while still in cache; the whole lowered image, 9x the input and far larger than any cache,
// is never built. Forward runs the blocks of all images on all threads (a single photo too);
// backward gives each thread whole images, because neighbouring blocks of one image add into the
// same rows of dx. Where winograd_applies() the forward pass and dx go to the Winograd kernel
// instead, which threads over blocks of tiles itself.
#include "core/layers/conv2d.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

#include "core/errors.h"
#include "core/kernels/gemm.h"
#include "core/kernels/parallel.h"
#include "core/kernels/winograd.h"
#include "core/kernels/workspace.h"
#include "core/layer_type.h"

namespace neuroshop {
namespace {

constexpr int64_t kBlockFloats = 128 * 1024;  // 512 KB of columns per block

thread_local Workspace t_columns;

// Rows [begin, end) of the output, as blocks of whole rows with about kBlockFloats columns each.
// A 1x1 convolution reads the image as its own columns, so its block is the whole image.
struct RowBlocks {
  int64_t rows, count;
  RowBlocks(const ConvGeometry& g) {
    const int64_t OH = g.out_height();
    rows = g.is_identity() ? OH : std::clamp<int64_t>(kBlockFloats / (g.col_rows() * g.out_width()), 1, OH);
    count = (OH + rows - 1) / rows;
  }
  int64_t begin(int64_t b) const { return b * rows; }
  int64_t end(int64_t b, const ConvGeometry& g) const { return std::min(g.out_height(), (b + 1) * rows); }
};

}  // namespace

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
// per image n and block of output rows [oh0, oh1), pixels j = oh0*OW .. oh1*OW:
//               col = im2col(x[n], rows oh0..oh1)   (R, Pb), Pb = (oh1 - oh0)*OW
//               y[n][:, j] = W col + b 1^T          (OC, Pb) = (OC, R)(R, Pb)
// A 1x1 kernel with stride 1 and no padding has col = x[n] viewed as (C, H*W), so no copy is made.
Tensor Conv2d::forward(const Tensor& x) { return run_forward(x, Epilogue::kNone); }

// forward_relu:  y = max(0, conv(x) + b), the max taken on each block of y right after its GEMM
// (im2col path) or in the output transform (Winograd), instead of in a separate pass over y.
Tensor Conv2d::forward_relu(const Tensor& x) { return run_forward(x, Epilogue::kRelu); }

Tensor Conv2d::run_forward(const Tensor& x, Epilogue epilogue) {
  const Shape out_shape = output_shape(x.shape());
  const ConvGeometry g = geometry(x.shape());
  const int64_t N = x.dim(0), OC = options_.out_channels, R = g.col_rows(), P = g.col_cols(), OW = g.out_width();
  const int64_t image_size = g.channels * g.height * g.width;
  const bool direct = g.is_identity();
  const RowBlocks blocks(g);
  x_ = x;
  Tensor y = Tensor::empty(out_shape);
  relu_y_ = epilogue == Epilogue::kRelu ? y : Tensor();
  if (winograd_applies(g, OC)) {
    winograd_conv3x3(x.data(), N, g, winograd_filters(), options_.bias ? bias_.value.data() : nullptr, epilogue,
                     y.data());
    return y;
  }
  // The weights are packed for the micro-kernel once here, not once per block (which cost ~8 % of
  // a stride-2 convolution); each block's product then runs serially on its thread.
  const GemmPackedA packed_w(Trans::kNo, OC, R, weight_.value.data(), R);
  const int64_t nr = gemm_panel_width();
  const float* bias = options_.bias ? bias_.value.data() : nullptr;
  parallel_for(N * blocks.count, [&](int64_t begin, int64_t end) {
    for (int64_t unit = begin; unit < end; ++unit) {
      const int64_t n = unit / blocks.count, oh0 = blocks.begin(unit % blocks.count);
      const int64_t Pb = (blocks.end(unit % blocks.count, g) - oh0) * OW;
      const float* xn = x.data() + n * image_size;
      float* yb = y.data() + n * OC * P + oh0 * OW;  // y[n][oc][oh0*OW + j] = yb[oc*P + j]
      if (direct) {
        gemm_packed(packed_w, Pb, xn + oh0 * OW, P, yb, P);
      } else {
        // the columns go straight into the micro-kernel's panels: the GEMM packs nothing
        float* panels = t_columns.get((Pb + nr - 1) / nr * nr * R);
        im2col_panels(xn, g, oh0, oh0 + Pb / OW, nr, panels);
        gemm_packed_panels(packed_w, Pb, panels, yb, P);
      }
      // + bias, then the ReLU, on the block while it is in cache
      for (int64_t oc = 0; oc < OC; ++oc) {
        float* v = yb + oc * P;
        const float b = bias != nullptr ? bias[oc] : 0.0f;
        if (epilogue == Epilogue::kRelu) {
          for (int64_t j = 0; j < Pb; ++j) {
            const float z = v[j] + b;
            v[j] = z > 0.0f ? z : 0.0f;
          }
        } else if (bias != nullptr) {
          for (int64_t j = 0; j < Pb; ++j) v[j] += b;
        }
      }
    }
  });
  return y;
}

const WinogradFilters& Conv2d::winograd_filters() {
  const float* w = weight_.value.data();
  const size_t count = static_cast<size_t>(weight_.value.numel());
  if (!winograd_ || winograd_weights_.size() != count ||
      std::memcmp(winograd_weights_.data(), w, count * sizeof(float)) != 0) {
    winograd_ = std::make_shared<const WinogradFilters>(w, options_.out_channels, options_.in_channels);
    winograd_weights_.assign(w, w + count);
  }
  return *winograd_;
}

// dy: (N, OC, OH, OW) -> dx: (N, C, H, W)
// per image n:  db   += sum_p dy[n][:, p]
// and block:    dW   += dy[n][:, j] col^T          (OC, R) = (OC, Pb)(Pb, R)     skipped when frozen
//               dcol  = W^T dy[n][:, j]            (R, Pb) = (R, OC)(OC, Pb)
//               dx[n] += col2im(dcol)              (the adjoint of im2col; padding terms drop or fold back)
// Thread t takes images [t*N/T, (t+1)*N/T) and sums its dW apart (thread 0 into the gradient
// itself); the sums are added in order at the end, so the result does not depend on timing.
// Where winograd_applies(), dW and (zero padding) dx are Winograd's instead; see below.
Tensor Conv2d::backward(const Tensor& dy) { return run_backward(dy, true); }

void Conv2d::backward_params(const Tensor& dy) { run_backward(dy, false); }

Tensor Conv2d::run_backward(const Tensor& dy_in, bool want_dx) {
  expect_forward_ran(x_.defined(), "Conv2d");
  const Shape out_shape = output_shape(x_.shape());
  expect_same_shape(dy_in.shape(), out_shape, who("Conv2d") + " backward");
  // After forward_relu, dy_in is the gradient of the ReLU's output:
  // forward was:  y = max(0, z),  z = conv(x) + b
  // so:           dz = dy_in * (y > 0)
  // The mask is applied in the same pass as the bias gradient's sum (below).
  const bool masked = relu_y_.defined();
  Tensor dy = masked ? Tensor::empty(out_shape) : dy_in;
  const ConvGeometry g = geometry(x_.shape());
  const int64_t N = x_.dim(0), OC = options_.out_channels, R = g.col_rows(), P = g.col_cols(), OW = g.out_width();
  const int64_t image_size = g.channels * g.height * g.width;
  const bool direct = g.is_identity();
  const bool want_dw = weight_.trainable;
  const RowBlocks blocks(g);

  // One pass per output channel: dz = mask(dy_in) and db += sum dz. P can be ~1e6 pixels: 8
  // float lanes over runs of at most kRun pixels, each run's total added in double. One output
  // channel per task, so the order of the sums is fixed.
  const bool want_db = options_.bias && bias_.trainable;
  if (masked || want_db) {
    constexpr int64_t kRun = 1024;
    const float* y = masked ? relu_y_.data() : nullptr;
    const float* d_in = dy_in.data();
    float* dz = masked ? dy.data() : nullptr;  // written only when it is this call's own buffer
    parallel_for(OC, [&](int64_t oc_begin, int64_t oc_end) {
      for (int64_t oc = oc_begin; oc < oc_end; ++oc) {
        double sum = 0.0;
        for (int64_t n = 0; n < N; ++n) {
          const int64_t row = (n * OC + oc) * P;
          const float* d = d_in + row;
          if (masked) {
            const float* yr = y + row;
            float* zr = dz + row;
            // d[p] loaded whatever the sign: a select, which vectorizes, instead of a branch
            for (int64_t p = 0; p < P; ++p) {
              const float dp = d[p];
              zr[p] = yr[p] > 0.0f ? dp : 0.0f;
            }
            d = zr;
          }
          if (!want_db) continue;
          for (int64_t p0 = 0; p0 < P; p0 += kRun) {
            const int64_t p1 = std::min(P, p0 + kRun);
            float lanes[8] = {};
            int64_t p = p0;
            for (; p + 8 <= p1; p += 8)
              for (int l = 0; l < 8; ++l) lanes[l] += d[p + l];
            double run = 0.0;
            for (float lane : lanes) run += lane;
            for (; p < p1; ++p) run += d[p];
            sum += run;
          }
        }
        if (want_db) bias_.grad[oc] += static_cast<float>(sum);
      }
    });
  }

  // dx of a 3x3 stride-1 convolution with zero padding p and dilation d is again one: dy convolved
  // with the flipped, transposed filter wt[c][oc][kh][kw] = w[oc][c][2-kh][2-kw] and padding 2d - p
  // (which gives back H x W), so it takes the Winograd kernel too. Reflect padding folds border
  // gradients back inside, which no plain convolution does: it stays with col2im.
  ConvGeometry gt = g;
  gt.channels = OC;
  gt.height = g.out_height();
  gt.width = g.out_width();
  gt.padding = 2 * g.dilation - g.padding;
  const bool winograd_dx = want_dx && g.kernel_size == 3 && g.stride == 1 && g.padding_mode == PaddingMode::kZeros &&
                           gt.padding >= 0 && winograd_applies(gt, g.channels);
  Tensor dx;
  if (winograd_dx) {
    const int64_t C = g.channels;
    Tensor wt = Tensor::empty({C, OC, 3, 3});
    const float* w = weight_.value.data();
    for (int64_t oc = 0; oc < OC; ++oc)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t k = 0; k < 9; ++k) wt[(c * OC + oc) * 9 + (8 - k)] = w[(oc * C + c) * 9 + k];
    dx = Tensor::empty(x_.shape());
    winograd_conv3x3(dy.data(), N, gt, wt.data(), C, nullptr, Epilogue::kNone, dx.data());
  } else if (want_dx) {
    // col2im adds into dx, so it starts at zero; the direct path overwrites it.
    dx = direct ? Tensor::empty(x_.shape()) : Tensor::zeros(x_.shape());
  }
  // dW of a 3x3 stride-1 convolution takes Winograd's transforms too (any padding mode: the
  // input tiles are gathered with it), 4x fewer multiply-adds than im2col + gemm, unless either
  // side has fewer than 16 channels (winograd_dw_applies).
  const bool winograd_dw = want_dw && winograd_dw_applies(g, OC);
  if (winograd_dw) winograd_conv3x3_dw(x_.data(), N, g, dy.data(), OC, weight_.grad.data());
  const bool loop_dw = want_dw && !winograd_dw;
  const bool loop_dx = want_dx && !winograd_dx;
  if (!loop_dx && !loop_dw) return dx;
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(num_threads(), N));
  std::vector<Tensor> dw_parts;
  if (loop_dw)
    for (int64_t t = 1; t < parts; ++t) dw_parts.push_back(Tensor::zeros(weight_.grad.shape()));
  // W^T packed for the micro-kernel once, not once per block
  std::optional<GemmPackedA> packed_wt;
  if (loop_dx) packed_wt.emplace(Trans::kYes, R, OC, weight_.value.data(), R);
  parallel_for(parts, [&](int64_t part_begin, int64_t part_end) {
    for (int64_t part = part_begin; part < part_end; ++part) {
      float* dw = part == 0 ? weight_.grad.data() : (loop_dw ? dw_parts[static_cast<size_t>(part - 1)].data() : nullptr);
      for (int64_t n = part * N / parts; n < (part + 1) * N / parts; ++n) {
        const float* xn = x_.data() + n * image_size;
        float* dxn = loop_dx ? dx.data() + n * image_size : nullptr;
        for (int64_t b = 0; b < blocks.count; ++b) {
          const int64_t oh0 = blocks.begin(b), oh1 = blocks.end(b, g), Pb = (oh1 - oh0) * OW;
          const float* dyb = dy.data() + n * OC * P + oh0 * OW;  // (OC, Pb) with row stride P
          if (direct) {
            if (loop_dw) gemm(Trans::kNo, Trans::kYes, OC, R, Pb, 1.0f, dyb, P, xn + oh0 * OW, P, 1.0f, dw, R);
            if (loop_dx) gemm_packed(*packed_wt, Pb, dyb, P, dxn + oh0 * OW, P);
            continue;
          }
          float* col = t_columns.get(R * Pb);
          if (loop_dw) {
            im2col(xn, g, oh0, oh1, col);
            gemm(Trans::kNo, Trans::kYes, OC, R, Pb, 1.0f, dyb, P, col, Pb, 1.0f, dw, R);
          }
          if (!loop_dx) continue;
          gemm_packed(*packed_wt, Pb, dyb, P, col, Pb);  // col now holds dcol = W^T dy
          col2im(col, g, oh0, oh1, dxn);
        }
      }
    }
  });
  float* dw = weight_.grad.data();
  for (const Tensor& part : dw_parts)
    for (int64_t i = 0; i < part.numel(); ++i) dw[i] += part[i];
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

LayerType Conv2d::layer_type() {
  LayerType t{"Conv2d", {"in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "padding_mode", "bias"},
              0, 0};
  t.make = [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
    Conv2dOptions o;
    o.in_channels = s.get_int("in_channels");
    o.out_channels = s.get_int("out_channels");
    o.kernel_size = s.get_int("kernel_size");
    o.stride = s.get_int("stride", o.stride);
    o.padding = s.get_int("padding", o.padding);
    o.dilation = s.get_int("dilation", o.dilation);
    if (s.has("padding_mode"))
      o.padding_mode = parse_padding_mode(s.get_string("padding_mode"), "layer Conv2d '" + s.name + "'");
    o.bias = s.get_bool("bias", o.bias);
    Rng rng = placeholder_rng();
    return std::make_unique<Conv2d>(o, rng, s.name);
  };
  // weight (OC, C, KH, KW), bias (OC)
  t.param_shapes = [](const LayerSpec& s) {
    const int64_t in = s.get_int("in_channels", 0), out = s.get_int("out_channels", 0);
    const int64_t kernel = s.get_int("kernel_size", 0);
    std::vector<std::vector<int64_t>> shapes = {{out, in, kernel, kernel}};
    if (s.get_bool("bias", Conv2dOptions{}.bias)) shapes.push_back({out});
    return shapes;
  };
  return t;
}

// A multiply-add per weight and output pixel, plus the bias add.
int64_t Conv2d::flops(const Shape& in) const {
  const Shape out = output_shape(in);
  const int64_t R = options_.in_channels * options_.kernel_size * options_.kernel_size;
  return 2 * out.numel() * R + (options_.bias ? out.numel() : 0);
}

}  // namespace neuroshop
