// Maxout forward and backward; see maxout.h.
// Reference: Goodfellow, Warde-Farley, Mirza, Courville, Bengio, "Maxout Networks", ICML 2013.
#include "core/layers/maxout.h"

#include <limits>

#include "core/errors.h"
#include "core/layer_type.h"

namespace neuroshop {

Maxout::Maxout(int64_t pieces, std::string name) : Layer(std::move(name)), pieces_(pieces) {
  if (pieces < 1 || pieces > std::numeric_limits<int32_t>::max())
    throw ArgumentError(who("Maxout") + ": pieces must be >= 1, got " + std::to_string(pieces));
}

Shape Maxout::output_shape(const Shape& in) const {
  if ((in.rank() != 2 && in.rank() != 4) || in[1] % pieces_ != 0 || in[1] == 0)
    throw ShapeError(who("Maxout") + ": expected input (N,C*" + std::to_string(pieces_) + ") or (N,C*" +
                     std::to_string(pieces_) + ",H,W) with channels a positive multiple of " +
                     std::to_string(pieces_) + " pieces, got " + in.str());
  Shape out = in;
  out[1] = in[1] / pieces_;
  return out;
}

// Shapes: x (N, C*k, inner), y (N, C, inner), inner = H*W (1 for rank 2).
// y[n][c][i] = max_j x[n][c*k + j][i];  argmax[n][c][i] = the first j attaining it
Tensor Maxout::forward(const Tensor& x) {
  const Shape out_shape = output_shape(x.shape());
  const int64_t N = x.dim(0), C = out_shape[1], K = pieces_;
  const int64_t inner = out_shape.numel() / (N * C == 0 ? 1 : N * C);
  Tensor y = Tensor::empty(out_shape);
  argmax_.assign(static_cast<size_t>(y.numel()), 0);
  const float* xp = x.data();
  float* yp = y.data();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      // x[n][c*k + j][i] = xp[((n*C + c)*K + j)*inner + i];  y[n][c][i] = yp[(n*C + c)*inner + i]
      const float* xg = xp + (n * C + c) * K * inner;
      float* yg = yp + (n * C + c) * inner;
      int32_t* ag = argmax_.data() + (n * C + c) * inner;
      for (int64_t i = 0; i < inner; ++i) yg[i] = xg[i];
      for (int64_t j = 1; j < K; ++j) {
        const float* xj = xg + j * inner;
        for (int64_t i = 0; i < inner; ++i)
          if (xj[i] > yg[i]) {  // strict: on a tie the earlier piece keeps the win
            yg[i] = xj[i];
            ag[i] = static_cast<int32_t>(j);
          }
      }
    }
  x_shape_ = x.shape();
  return y;
}

// forward was:  y[n][c][i] = x[n][c*k + argmax][i]
// so:           dx[n][c*k + argmax][i] += dy[n][c][i], and every other piece gets 0
Tensor Maxout::backward(const Tensor& dy) {
  expect_forward_ran(x_shape_.rank() > 0, "Maxout");
  expect_same_shape(dy.shape(), output_shape(x_shape_), who("Maxout") + " backward");
  const int64_t N = dy.dim(0), C = dy.dim(1), K = pieces_;
  const int64_t inner = dy.numel() / (N * C == 0 ? 1 : N * C);
  Tensor dx(x_shape_);
  const float* dyp = dy.data();
  float* dxp = dx.data();
  for (int64_t nc = 0; nc < N * C; ++nc) {
    const int32_t* ag = argmax_.data() + nc * inner;
    for (int64_t i = 0; i < inner; ++i) dxp[(nc * K + ag[i]) * inner + i] += dyp[nc * inner + i];
  }
  return dx;
}

LayerSpec Maxout::spec() const {
  LayerSpec s{"Maxout", name_, {}, {}};
  s.set("pieces", std::to_string(pieces_));
  return s;
}

LayerType Maxout::layer_type() {
  return {"Maxout", {"pieces"}, 0, 0, [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
            return std::make_unique<Maxout>(s.get_int("pieces"), s.name);
          }};
}

// k - 1 comparisons per output element.
int64_t Maxout::flops(const Shape& in) const { return (pieces_ - 1) * output_shape(in).numel(); }

}  // namespace neuroshop
