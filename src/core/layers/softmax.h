// Softmax over the channel dimension (dim 1): the layer, and the one softmax kernel of the project.
//
// The free functions below are the only softmax / log-softmax code in the engine; losses (cross-entropy
// with logits) call them instead of keeping a copy. They work on a (N, C, inner) view of a contiguous
// tensor: rank 2 (N,C) is inner = 1, rank 4 (N,C,H,W) is inner = H*W.
// Not here: the cross-entropy loss (losses/), softmax over other dimensions, temperature.
#pragma once

#include <cstdint>
#include <string>

#include "core/layer.h"

namespace neuroshop {

// y[n][c][i] = exp(x[n][c][i] - m) / sum_c' exp(x[n][c'][i] - m),  m = max_c' x[n][c'][i]
// (x and y are (N, C, inner) row-major; they may be the same buffer.)
void softmax_channels(const float* x, float* y, int64_t N, int64_t C, int64_t inner);

// y[n][c][i] = x[n][c][i] - m - log(sum_c' exp(x[n][c'][i] - m)); finite for any finite logits.
void log_softmax_channels(const float* x, float* y, int64_t N, int64_t C, int64_t inner);

// Backward of softmax_channels, written in terms of its output y:
//   dx[n][c][i] = y[n][c][i] * (dy[n][c][i] - sum_c' y[n][c'][i] * dy[n][c'][i])
void softmax_channels_backward(const float* y, const float* dy, float* dx, int64_t N, int64_t C, int64_t inner);

// Softmax over dim 1 of a rank-2 (N,C) or rank-4 (N,C,H,W) tensor. No parameters.
class Softmax : public Layer {
 public:
  explicit Softmax(std::string name = "") : Layer(std::move(name)) {}

  Shape output_shape(const Shape& in) const override;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  LayerSpec spec() const override { return LayerSpec{"Softmax", name_, {}, {}}; }
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override;

 private:
  Tensor y_;  // the output, which backward needs
};

}  // namespace neuroshop
