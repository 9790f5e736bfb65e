// Bilinear resize, nearest upsampling and the Upsample layer; see upsample.h. Every kernel runs in
// parallel over the N*C planes, which are independent in both directions.
#include "core/layers/upsample.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "core/layer_type.h"

namespace neuroshop {
namespace {

// One output coordinate's two source taps and their weights along one axis.
struct Taps {
  int64_t i0, i1;
  float l0, l1;
};

// torch's area_pixel_compute_source_index + guard_index_and_lambda, in float like torch's CPU kernel:
//   src = max(0, (dst + 0.5) * in/out - 0.5);  i0 = floor(src);  i1 = i0 + (i0 < in-1);  l1 = src - i0
std::vector<Taps> linear_taps(int64_t in, int64_t out) {
  std::vector<Taps> taps(static_cast<size_t>(out));
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  for (int64_t d = 0; d < out; ++d) {
    float src = scale * (static_cast<float>(d) + 0.5f) - 0.5f;
    if (src < 0.0f) src = 0.0f;
    const int64_t i0 = std::min(static_cast<int64_t>(std::floor(src)), in - 1);
    const float l1 = std::clamp(src - static_cast<float>(i0), 0.0f, 1.0f);
    taps[static_cast<size_t>(d)] = {i0, i0 + (i0 < in - 1 ? 1 : 0), 1.0f - l1, l1};
  }
  return taps;
}

int64_t plane_grain(int64_t plane_size) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(1, plane_size)); }

void expect_image_batch(const Shape& s, const std::string& who) {
  if (s.rank() != 4) throw ShapeError(who + ": expected input (N,C,H,W), got " + s.str());
}

void expect_positive_size(int64_t h, int64_t w, const std::string& who) {
  if (h < 1 || w < 1)
    throw ArgumentError(who + ": target size must be at least 1x1, got " + std::to_string(h) + "x" + std::to_string(w));
}

}  // namespace

// x: (N, C, H, W) -> y: (N, C, OH, OW)
// y[q][oh][ow] = lh0 (lw0 x[q][h0][w0] + lw1 x[q][h0][w1]) + lh1 (lw0 x[q][h1][w0] + lw1 x[q][h1][w1])
Tensor resize_bilinear(const Tensor& x, int64_t out_h, int64_t out_w) {
  expect_image_batch(x.shape(), "resize_bilinear");
  expect_positive_size(out_h, out_w, "resize_bilinear");
  const int64_t planes = x.dim(0) * x.dim(1), H = x.dim(2), W = x.dim(3);
  if (H < 1 || W < 1) throw ShapeError("resize_bilinear: cannot resize an empty image " + x.shape().str());
  const std::vector<Taps> rows = linear_taps(H, out_h), cols = linear_taps(W, out_w);
  Tensor y = Tensor::empty({x.dim(0), x.dim(1), out_h, out_w});
  const float* xp = x.data();
  float* yp = y.data();
  // y = r.l0 * h[r.i0] + r.l1 * h[r.i1] with h[i][ow] = c.l0 * x[i][c.i0] + c.l1 * x[i][c.i1]: the
  // horizontal taps once per input row that is read (not once per output row that reads it, 4x
  // for a 2x upsample), then a vertical blend of whole rows; the same operations in the same order.
  parallel_for(
      planes,
      [&](int64_t q_begin, int64_t q_end) {
        std::vector<float> h(static_cast<size_t>(H * out_w));
        std::vector<char> made(static_cast<size_t>(H));
        for (int64_t q = q_begin; q < q_end; ++q) {
          const float* plane = xp + q * H * W;  // x[q][h][w] = plane[h*W + w]
          std::fill(made.begin(), made.end(), 0);
          auto row = [&](int64_t i) {  // h[i], made on first use
            float* hi = h.data() + i * out_w;
            if (!made[static_cast<size_t>(i)]) {
              const float* in = plane + i * W;
              for (int64_t ow = 0; ow < out_w; ++ow) {
                const Taps& c = cols[static_cast<size_t>(ow)];
                hi[ow] = c.l0 * in[c.i0] + c.l1 * in[c.i1];
              }
              made[static_cast<size_t>(i)] = 1;
            }
            return hi;
          };
          for (int64_t oh = 0; oh < out_h; ++oh) {
            const Taps& r = rows[static_cast<size_t>(oh)];
            const float* top = row(r.i0);
            const float* bottom = row(r.i1);
            float* out = yp + (q * out_h + oh) * out_w;
            for (int64_t ow = 0; ow < out_w; ++ow) out[ow] = r.l0 * top[ow] + r.l1 * bottom[ow];
          }
        }
      },
      plane_grain(out_h * out_w));
  return y;
}

// forward was:  y[q][oh][ow] = sum_{a,b in {0,1}} lh_a lw_b x[q][h_a][w_b]
// so:           dx[q][h_a][w_b] += lh_a lw_b dy[q][oh][ow]   (taps coincide at the clamped border)
// The transpose of the forward's two passes: first the vertical one, v[h][ow] = sum over the output
// rows oh that read input row h of lh dy[q][oh][ow] (whole rows, vectorized), then the horizontal
// one, dx[q][h][w] = sum over ow of lw v[h][ow]. Scattering all four products of every output value
// instead cost 3x as long (a 2x upsample's backward was 5 % of a colorizer's training step).
Tensor resize_bilinear_backward(const Tensor& dy, int64_t in_h, int64_t in_w) {
  expect_image_batch(dy.shape(), "resize_bilinear_backward");
  expect_positive_size(in_h, in_w, "resize_bilinear_backward");
  const int64_t planes = dy.dim(0) * dy.dim(1), OH = dy.dim(2), OW = dy.dim(3);
  const std::vector<Taps> rows = linear_taps(in_h, OH), cols = linear_taps(in_w, OW);
  Tensor dx = Tensor::zeros({dy.dim(0), dy.dim(1), in_h, in_w});
  const float* dyp = dy.data();
  float* dxp = dx.data();
  parallel_for(
      planes,
      [&](int64_t q_begin, int64_t q_end) {
        std::vector<float> v(static_cast<size_t>(in_h * OW));
        for (int64_t q = q_begin; q < q_end; ++q) {
          std::fill(v.begin(), v.end(), 0.0f);
          for (int64_t oh = 0; oh < OH; ++oh) {
            const Taps& r = rows[static_cast<size_t>(oh)];
            float* top = v.data() + r.i0 * OW;
            float* bottom = v.data() + r.i1 * OW;
            const float* g = dyp + (q * OH + oh) * OW;
            for (int64_t ow = 0; ow < OW; ++ow) top[ow] += r.l0 * g[ow];
            for (int64_t ow = 0; ow < OW; ++ow) bottom[ow] += r.l1 * g[ow];
          }
          float* plane = dxp + q * in_h * in_w;
          for (int64_t h = 0; h < in_h; ++h) {
            const float* vh = v.data() + h * OW;
            float* out = plane + h * in_w;
            for (int64_t ow = 0; ow < OW; ++ow) {
              const Taps& c = cols[static_cast<size_t>(ow)];
              out[c.i0] += c.l0 * vh[ow];
              out[c.i1] += c.l1 * vh[ow];
            }
          }
        }
      },
      plane_grain(OH * OW));
  return dx;
}

// y[q][oh][ow] = x[q][oh / s][ow / s]
Tensor upsample_nearest(const Tensor& x, int64_t scale) {
  expect_image_batch(x.shape(), "upsample_nearest");
  if (scale < 1) throw ArgumentError("upsample_nearest: scale must be >= 1, got " + std::to_string(scale));
  const int64_t planes = x.dim(0) * x.dim(1), H = x.dim(2), W = x.dim(3), OH = H * scale, OW = W * scale;
  Tensor y = Tensor::empty({x.dim(0), x.dim(1), OH, OW});
  const float* xp = x.data();
  float* yp = y.data();
  parallel_for(
      planes,
      [&](int64_t q_begin, int64_t q_end) {
        // One output row per input row, copied to the scale - 1 rows below it (no division per pixel).
        for (int64_t q = q_begin; q < q_end; ++q)
          for (int64_t h = 0; h < H; ++h) {
            const float* in = xp + (q * H + h) * W;
            float* out = yp + (q * OH + h * scale) * OW;
            for (int64_t w = 0; w < W; ++w)
              for (int64_t k = 0; k < scale; ++k) out[w * scale + k] = in[w];
            for (int64_t k = 1; k < scale; ++k) std::copy(out, out + OW, out + k * OW);
          }
      },
      plane_grain(OH * OW));
  return y;
}

// forward was:  y[q][oh][ow] = x[q][oh / s][ow / s]
// so:           dx[q][h][w] = sum of dy over the s x s block it was copied to
Tensor upsample_nearest_backward(const Tensor& dy, int64_t scale) {
  expect_image_batch(dy.shape(), "upsample_nearest_backward");
  if (scale < 1 || dy.dim(2) % scale != 0 || dy.dim(3) % scale != 0)
    throw ShapeError("upsample_nearest_backward: gradient " + dy.shape().str() + " is not a multiple of scale " +
                     std::to_string(scale));
  const int64_t planes = dy.dim(0) * dy.dim(1), OH = dy.dim(2), OW = dy.dim(3), H = OH / scale, W = OW / scale;
  Tensor dx = Tensor::zeros({dy.dim(0), dy.dim(1), H, W});
  const float* dyp = dy.data();
  float* dxp = dx.data();
  parallel_for(
      planes,
      [&](int64_t q_begin, int64_t q_end) {
        for (int64_t q = q_begin; q < q_end; ++q)
          for (int64_t oh = 0; oh < OH; ++oh) {
            float* out = dxp + (q * H + oh / scale) * W;
            const float* g = dyp + (q * OH + oh) * OW;
            for (int64_t w = 0; w < W; ++w) {
              float sum = 0.0f;
              for (int64_t k = 0; k < scale; ++k) sum += g[w * scale + k];
              out[w] += sum;
            }
          }
      },
      plane_grain(OH * OW));
  return dx;
}

const char* upsample_mode_name(UpsampleMode mode) { return mode == UpsampleMode::kBilinear ? "bilinear" : "nearest"; }

UpsampleMode parse_upsample_mode(const std::string& name, const std::string& who) {
  if (name == "nearest") return UpsampleMode::kNearest;
  if (name == "bilinear") return UpsampleMode::kBilinear;
  throw ArgumentError(who + ": upsample mode must be 'nearest' or 'bilinear', got '" + name + "'");
}

// ---------------------------------------------------------------------------------------------
Upsample::Upsample(int64_t scale_factor, UpsampleMode mode, std::string name)
    : Layer(std::move(name)), scale_factor_(scale_factor), mode_(mode) {
  if (scale_factor < 1)
    throw ArgumentError(who("Upsample") + ": scale_factor must be >= 1, got " + std::to_string(scale_factor));
}

Shape Upsample::output_shape(const Shape& in) const {
  if (in.rank() != 4 || in[2] < 1 || in[3] < 1)
    throw ShapeError(who("Upsample") + ": expected input (N,C,H,W) with H, W >= 1, got " + in.str());
  return Shape{in[0], in[1], in[2] * scale_factor_, in[3] * scale_factor_};
}

// x: (N, C, H, W) -> y: (N, C, H*s, W*s); for integer s, in/out = 1/s, so resize_bilinear gives
// exactly torch's scale_factor path.
Tensor Upsample::forward(const Tensor& x) {
  const Shape out = output_shape(x.shape());
  x_shape_ = x.shape();
  ran_ = true;
  if (mode_ == UpsampleMode::kBilinear) return resize_bilinear(x, out[2], out[3]);
  return upsample_nearest(x, scale_factor_);
}

// dy: (N, C, H*s, W*s) -> dx: (N, C, H, W), the adjoint of forward.
Tensor Upsample::backward(const Tensor& dy) {
  expect_forward_ran(ran_, "Upsample");
  expect_same_shape(dy.shape(), output_shape(x_shape_), who("Upsample") + " backward");
  if (mode_ == UpsampleMode::kBilinear) return resize_bilinear_backward(dy, x_shape_[2], x_shape_[3]);
  return upsample_nearest_backward(dy, scale_factor_);
}

LayerSpec Upsample::spec() const {
  LayerSpec s{"Upsample", name_, {}, {}};
  s.set("scale_factor", static_cast<double>(scale_factor_));
  s.set("mode", std::string(upsample_mode_name(mode_)));
  return s;
}

LayerType Upsample::layer_type() {
  return {"Upsample", {"scale_factor", "mode"}, 0, 0, [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
            const UpsampleMode mode = s.has("mode") ? parse_upsample_mode(s.get_string("mode"), "layer Upsample '" + s.name + "'")
                                                    : UpsampleMode::kNearest;
            return std::make_unique<Upsample>(s.get_int("scale_factor"), mode, s.name);
          }};
}

// Bilinear: 6 multiplies and 3 adds per output value; nearest only copies.
int64_t Upsample::flops(const Shape& in) const {
  const int64_t out = output_shape(in).numel();
  return mode_ == UpsampleMode::kBilinear ? 9 * out : 0;
}

}  // namespace neuroshop
