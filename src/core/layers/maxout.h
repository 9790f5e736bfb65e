// Maxout: the maximum over groups of k consecutive channels (Goodfellow et al., "Maxout Networks", 2013).
//
// Input (N, C*k, H, W) -> output (N, C, H, W), or (N, F*k) -> (N, F) for rank 2:
//   y[n][c][h][w] = max_{j<k} x[n][c*k + j][h][w]
// Group c is the k CONSECUTIVE channels c*k .. c*k+k-1 (not channels strided by C). With a Dense or
// Conv2d of C*k outputs in front, this is the lecture's max(w1^T x + b1, w2^T x + b2) for k = 2.
// Not here: the affine maps themselves (put a Dense/Conv2d before it); it has no parameters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/layer.h"

namespace neuroshop {

class Maxout : public Layer {
 public:
  // pieces = k >= 1; throws ArgumentError otherwise.
  explicit Maxout(int64_t pieces, std::string name = "");

  Shape output_shape(const Shape& in) const override;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override;

  int64_t pieces() const { return pieces_; }

 private:
  int64_t pieces_;
  Shape x_shape_;                // the input shape of the last forward
  std::vector<int32_t> argmax_;  // per output element: the winning piece j (first maximum wins)
};

}  // namespace neuroshop
