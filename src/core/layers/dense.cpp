// Dense forward and backward; see dense.h. All three products go through gemm.
#include "core/layers/dense.h"

#include <cmath>

#include "core/errors.h"
#include "core/kernels/gemm.h"
#include "core/layer_type.h"

namespace neuroshop {

Dense::Dense(int64_t in_features, int64_t out_features, Rng& rng, std::string name, bool bias)
    : Layer(std::move(name)), in_features_(in_features), out_features_(out_features), has_bias_(bias) {
  if (in_features < 1 || out_features < 1)
    throw ArgumentError(who("Dense") + ": features must be positive, got in=" + std::to_string(in_features) +
                        " out=" + std::to_string(out_features));
  weight_ = Param("weight", {out_features, in_features});
  const double bound = std::sqrt(6.0 / static_cast<double>(in_features));
  for (int64_t i = 0; i < weight_.value.numel(); ++i) weight_.value[i] = static_cast<float>(rng.uniform(-bound, bound));
  if (has_bias_) bias_ = Param("bias", {out_features});
}

Shape Dense::output_shape(const Shape& in) const {
  if (in.rank() != 2 || in[1] != in_features_)
    throw ShapeError(who("Dense") + ": expected input (N," + std::to_string(in_features_) + "), got " + in.str());
  return Shape{in[0], out_features_};
}

// x: (N, in), W: (out, in), b: (out) -> y: (N, out)
// y[n][o] = b[o] + sum_i x[n][i] W[o][i]        i.e. y = x W^T + b
Tensor Dense::forward(const Tensor& x) {
  const Shape out_shape = output_shape(x.shape());
  const int64_t N = x.dim(0), I = in_features_, O = out_features_;
  x_ = x;
  Tensor y = Tensor::empty(out_shape);
  if (has_bias_) {
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < O; ++o) y[n * O + o] = bias_.value[o];
  }
  gemm(Trans::kNo, Trans::kYes, N, O, I, 1.0f, x.data(), I, weight_.value.data(), I, has_bias_ ? 1.0f : 0.0f,
       y.data(), O);
  return y;
}

// dy: (N, out) -> dx: (N, in)
// dW += dy^T x        (out, in) = (out, N)(N, in)
// db += sum_n dy[n]
// dx  = dy W          (N, in) = (N, out)(out, in)
Tensor Dense::backward(const Tensor& dy) {
  expect_forward_ran(x_.defined(), "Dense");
  const int64_t N = x_.dim(0), I = in_features_, O = out_features_;
  expect_same_shape(dy.shape(), Shape{N, O}, who("Dense") + " backward");
  if (weight_.trainable)
    gemm(Trans::kYes, Trans::kNo, O, I, N, 1.0f, dy.data(), O, x_.data(), I, 1.0f, weight_.grad.data(), I);
  if (has_bias_ && bias_.trainable) {
    float* db = bias_.grad.data();
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < O; ++o) db[o] += dy[n * O + o];
  }
  Tensor dx = Tensor::empty(x_.shape());
  gemm(Trans::kNo, Trans::kNo, N, I, O, 1.0f, dy.data(), O, weight_.value.data(), I, 0.0f, dx.data(), I);
  return dx;
}

std::vector<Param*> Dense::params() {
  if (has_bias_) return {&weight_, &bias_};
  return {&weight_};
}

LayerSpec Dense::spec() const {
  LayerSpec s{"Dense", name_, {}, {}};
  s.set("in_features", static_cast<double>(in_features_));
  s.set("out_features", static_cast<double>(out_features_));
  s.set("bias", has_bias_ ? 1.0 : 0.0);
  return s;
}

LayerType Dense::layer_type() {
  LayerType t{"Dense", {"in_features", "out_features", "bias"}, 0, 0};
  t.make = [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
    Rng rng = placeholder_rng();
    return std::make_unique<Dense>(s.get_int("in_features"), s.get_int("out_features"), rng, s.name,
                                   s.get_bool("bias", true));
  };
  // weight (out, in), bias (out)
  t.param_shapes = [](const LayerSpec& s) {
    const int64_t in = s.get_int("in_features", 0), out = s.get_int("out_features", 0);
    std::vector<std::vector<int64_t>> shapes = {{out, in}};
    if (s.get_bool("bias", true)) shapes.push_back({out});
    return shapes;
  };
  return t;
}

// A multiply-add per weight and sample, plus the bias add.
int64_t Dense::flops(const Shape& in) const {
  const Shape out = output_shape(in);
  return 2 * in[0] * in_features_ * out_features_ + (has_bias_ ? out.numel() : 0);
}

}  // namespace neuroshop
