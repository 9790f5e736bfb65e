// The softmax kernels and the Softmax layer; see softmax.h.
//
// Work is split into (n, block of inner positions) tasks. Within a task every pass runs over one
// channel's contiguous block, so the loops stream memory and vectorize for both (N,C) and (N,C,H,W).
// Reference: Goodfellow, Bengio, Courville, Deep Learning (2016), section 6.2.2.3 (softmax units).
#include "core/layers/softmax.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "core/layer_type.h"

namespace neuroshop {
namespace {

constexpr int64_t kBlock = 256;  // inner positions per task; keeps the per-position scratch on the stack

// Calls fn(n, p0, p1) for every (n, block of inner positions), possibly in parallel.
template <class Fn>
void for_each_block(int64_t N, int64_t C, int64_t inner, Fn fn) {
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, C * std::min(inner, kBlock)));
  parallel_for(
      N * blocks,
      [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
          const int64_t n = t / blocks;
          const int64_t p0 = (t % blocks) * kBlock;
          fn(n, p0, std::min(inner, p0 + kBlock));
        }
      },
      grain);
}

// m[i] = max_c x[n][c][p0 + i]
inline void channel_max(const float* xn, int64_t C, int64_t inner, int64_t p0, int64_t len, float* m) {
  // x[n][c][p] = xn[c*inner + p]
  std::copy(xn + p0, xn + p0 + len, m);
  for (int64_t c = 1; c < C; ++c) {
    const float* xc = xn + c * inner + p0;
    for (int64_t i = 0; i < len; ++i) m[i] = m[i] < xc[i] ? xc[i] : m[i];  // std::max by value: it vectorizes
  }
}

}  // namespace

void softmax_channels(const float* x, float* y, int64_t N, int64_t C, int64_t inner) {
  for_each_block(N, C, inner, [&](int64_t n, int64_t p0, int64_t p1) {
    const int64_t len = p1 - p0;
    const float* xn = x + n * C * inner;
    float* yn = y + n * C * inner;
    float m[kBlock], sum[kBlock];
    // Subtract the max so exp cannot overflow; the largest term is exp(0) = 1, so sum >= 1.
    channel_max(xn, C, inner, p0, len, m);
    std::fill(sum, sum + len, 0.0f);
    for (int64_t c = 0; c < C; ++c) {
      const float* xc = xn + c * inner + p0;
      float* yc = yn + c * inner + p0;
      for (int64_t i = 0; i < len; ++i) {
        const float e = std::exp(xc[i] - m[i]);
        yc[i] = e;
        sum[i] += e;
      }
    }
    for (int64_t i = 0; i < len; ++i) sum[i] = 1.0f / sum[i];
    for (int64_t c = 0; c < C; ++c) {
      float* yc = yn + c * inner + p0;
      for (int64_t i = 0; i < len; ++i) yc[i] *= sum[i];
    }
  });
}

void log_softmax_channels(const float* x, float* y, int64_t N, int64_t C, int64_t inner) {
  for_each_block(N, C, inner, [&](int64_t n, int64_t p0, int64_t p1) {
    const int64_t len = p1 - p0;
    const float* xn = x + n * C * inner;
    float* yn = y + n * C * inner;
    float m[kBlock], sum[kBlock];
    channel_max(xn, C, inner, p0, len, m);
    std::fill(sum, sum + len, 0.0f);
    for (int64_t c = 0; c < C; ++c) {
      const float* xc = xn + c * inner + p0;
      for (int64_t i = 0; i < len; ++i) sum[i] += std::exp(xc[i] - m[i]);
    }
    // sum is in [1, C]: never log(0), never inf. y = (x - m) - log(sum) rather than x - (m + log(sum)),
    // so large logits (x, m ~ 1000) do not round log(sum) to float's coarse grid near m.
    for (int64_t i = 0; i < len; ++i) sum[i] = std::log(sum[i]);
    for (int64_t c = 0; c < C; ++c) {
      const float* xc = xn + c * inner + p0;
      float* yc = yn + c * inner + p0;
      for (int64_t i = 0; i < len; ++i) yc[i] = (xc[i] - m[i]) - sum[i];
    }
  });
}

// forward was:  y[c] = exp(x[c]) / sum_c' exp(x[c'])   (per n and inner position)
// Jacobian:     dy[c]/dx[k] = y[c] ([c == k] - y[k])
// so:           dx[k] = sum_c dy[c] y[c] ([c == k] - y[k]) = y[k] (dy[k] - sum_c y[c] dy[c])
void softmax_channels_backward(const float* y, const float* dy, float* dx, int64_t N, int64_t C, int64_t inner) {
  for_each_block(N, C, inner, [&](int64_t n, int64_t p0, int64_t p1) {
    const int64_t len = p1 - p0;
    const int64_t off = n * C * inner + p0;
    float dot[kBlock];
    std::fill(dot, dot + len, 0.0f);
    for (int64_t c = 0; c < C; ++c) {
      const float* yc = y + off + c * inner;
      const float* dyc = dy + off + c * inner;
      for (int64_t i = 0; i < len; ++i) dot[i] += yc[i] * dyc[i];
    }
    for (int64_t c = 0; c < C; ++c) {
      const float* yc = y + off + c * inner;
      const float* dyc = dy + off + c * inner;
      float* dxc = dx + off + c * inner;
      for (int64_t i = 0; i < len; ++i) dxc[i] = yc[i] * (dyc[i] - dot[i]);
    }
  });
}

Shape Softmax::output_shape(const Shape& in) const {
  if ((in.rank() != 2 && in.rank() != 4) || in[1] < 1)
    throw ShapeError(who("Softmax") + ": expected input (N,C) or (N,C,H,W) with C >= 1, got " + in.str());
  return in;
}

// Shapes: x, y (N,C) or (N,C,H,W); softmax over C at every (n, h, w).
Tensor Softmax::forward(const Tensor& x) {
  output_shape(x.shape());
  const int64_t N = x.dim(0), C = x.dim(1), inner = x.numel() / std::max<int64_t>(1, N * C);
  y_ = Tensor::empty(x.shape());
  softmax_channels(x.data(), y_.data(), N, C, inner);
  return y_;
}

// dx = y ⊙ (dy − Σ_c y·dy); see softmax_channels_backward.
Tensor Softmax::backward(const Tensor& dy) {
  expect_forward_ran(y_.defined(), "Softmax");
  expect_same_shape(dy.shape(), y_.shape(), who("Softmax") + " backward");
  const int64_t N = y_.dim(0), C = y_.dim(1), inner = y_.numel() / std::max<int64_t>(1, N * C);
  Tensor dx = Tensor::empty(dy.shape());
  softmax_channels_backward(y_.data(), dy.data(), dx.data(), N, C, inner);
  return dx;
}

// Per element: max, subtract, exp, add, multiply (exp counted as one).
int64_t Softmax::flops(const Shape& in) const { return 5 * output_shape(in).numel(); }

LayerType Softmax::layer_type() {
  return {"Softmax", {}, 0, 0, [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
            return std::make_unique<Softmax>(s.name);
          }};
}

}  // namespace neuroshop
