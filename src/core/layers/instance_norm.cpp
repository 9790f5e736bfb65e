// InstanceNorm2d forward and backward; see instance_norm.h.
// Reference: Ulyanov, Vedaldi, Lempitsky, "Instance Normalization: The Missing Ingredient for Fast
// Stylization", arXiv:1607.08022, 2016; torch.nn.InstanceNorm2d. The backward is batch norm's
// (Ioffe & Szegedy 2015, section 3) applied to each (n, c) group on its own.
#include "core/layers/instance_norm.h"

#include <cmath>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "core/layer_type.h"
#include "core/layers/activations.h"
#include "core/layers/batch_norm.h"

namespace neuroshop {

InstanceNorm2d::InstanceNorm2d(int64_t channels, double eps, bool affine, std::string name)
    : Layer(std::move(name)), channels_(channels), eps_(eps), affine_(affine) {
  if (channels < 1)
    throw ArgumentError(who("InstanceNorm2d") + ": channels must be >= 1, got " + std::to_string(channels));
  if (!(eps > 0.0)) throw ArgumentError(who("InstanceNorm2d") + ": eps must be > 0, got " + std::to_string(eps));
  if (affine) {
    weight_ = Param("weight", {channels});
    weight_.value.fill(1.0f);
    bias_ = Param("bias", {channels});
  }
}

std::vector<Param*> InstanceNorm2d::params() {
  if (!affine_) return {};
  return {&weight_, &bias_};
}

Shape InstanceNorm2d::output_shape(const Shape& in) const {
  if (in.rank() != 4 || in[1] != channels_)
    throw ShapeError(who("InstanceNorm2d") + ": expected input (N," + std::to_string(channels_) + ",H,W), got " +
                     in.str());
  // One value per instance and channel normalizes to 0 whatever it is (torch refuses it too).
  if (in[2] * in[3] <= 1)
    throw ShapeError(who("InstanceNorm2d") + ": expected more than one spatial element (H*W > 1), got " + in.str());
  return in;
}

// Shapes: x, y (N,C,H,W); weight, bias (C).
// mean[n][c], var[n][c] over (h, w) (biased);  y[n][c] = (x[n][c] - mean) / sqrt(var + eps) * weight[c] + bias[c]
Tensor InstanceNorm2d::forward(const Tensor& x) { return run_forward(x, false); }

Tensor InstanceNorm2d::forward_relu(const Tensor& x) { return run_forward(x, true); }

Tensor InstanceNorm2d::run_forward(const Tensor& x, bool relu) {
  output_shape(x.shape());
  const int64_t N = x.dim(0), C = channels_, HW = x.dim(2) * x.dim(3);
  // Group (n, c) is one run of H*W floats at x[(n*C + c)*HW].
  const NormGroup group{1, HW, HW};
  Tensor y = Tensor::empty(x.shape());
  mean_.assign(static_cast<size_t>(N * C), 0.0);
  invstd_.assign(static_cast<size_t>(N * C), 0.0);
  const float* xp = x.data();
  float* yp = y.data();
  parallel_for(N * C, [&](int64_t g0, int64_t g1) {
    for (int64_t nc = g0; nc < g1; ++nc) {
      const int64_t c = nc % C;
      const NormStats st = norm_group_stats(xp + nc * HW, group);
      mean_[nc] = st.mean;
      invstd_[nc] = 1.0 / std::sqrt(st.var + eps_);
      const double scale = affine_ ? weight_.value[c] : 1.0;
      const double shift = affine_ ? bias_.value[c] : 0.0;
      norm_group_forward(xp + nc * HW, yp + nc * HW, group, mean_[nc], invstd_[nc], scale, shift, relu);
    }
  });
  x_ = x;
  relu_y_ = relu ? y : Tensor();
  return y;
}

// Per (n, c): dx = weight[c] invstd (dy - mean(dy) - xhat mean(dy xhat))   (norm_group_backward)
// dweight[c] += sum_{n,h,w} dy * xhat,  dbias[c] += sum_{n,h,w} dy, unless frozen.
// Parallel over channels (n inside) so each thread owns its dweight[c], dbias[c].
Tensor InstanceNorm2d::backward(const Tensor& dy) {
  expect_forward_ran(x_.defined(), "InstanceNorm2d");
  expect_same_shape(dy.shape(), x_.shape(), who("InstanceNorm2d") + " backward");
  const int64_t N = x_.dim(0), C = channels_, HW = x_.dim(2) * x_.dim(3);
  // After forward_relu, dy is the gradient of the ReLU's output: the norm's is dy * (y > 0).
  const Tensor masked = relu_y_.defined() ? relu_grad_from_output(dy, relu_y_) : Tensor();
  const NormGroup group{1, HW, HW};
  Tensor dx = Tensor::empty(x_.shape());
  const bool grads = affine_ && weight_.trainable;
  const bool bias_grads = affine_ && bias_.trainable;
  const float* xp = x_.data();
  const float* dyp = relu_y_.defined() ? masked.data() : dy.data();
  float* dxp = dx.data();
  parallel_for(C, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      double dweight = 0.0, dbias = 0.0;
      const double scale = affine_ ? weight_.value[c] : 1.0;
      for (int64_t n = 0; n < N; ++n) {
        const int64_t nc = n * C + c;
        norm_group_backward(xp + nc * HW, dyp + nc * HW, dxp + nc * HW, group, mean_[nc], invstd_[nc], scale,
                            /*batch_statistics=*/true, grads ? &dweight : nullptr, bias_grads ? &dbias : nullptr);
      }
      if (grads) weight_.grad[c] += static_cast<float>(dweight);
      if (bias_grads) bias_.grad[c] += static_cast<float>(dbias);
    }
  });
  return dx;
}

LayerSpec InstanceNorm2d::spec() const {
  LayerSpec s{"InstanceNorm2d", name_, {}, {}};
  s.set("channels", std::to_string(channels_));
  s.set("eps", eps_);
  s.set("affine", std::string(affine_ ? "1" : "0"));
  return s;
}

LayerType InstanceNorm2d::layer_type() {
  LayerType t{"InstanceNorm2d", {"channels", "eps", "affine"}, 0, 0};
  t.make = [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
    return std::make_unique<InstanceNorm2d>(s.get_int("channels"), s.get_float("eps", 1e-5), s.get_bool("affine", true),
                                            s.name);
  };
  // with affine, weight and bias (C each); no running statistics
  t.param_shapes = [](const LayerSpec& s) {
    const int64_t channels = s.get_int("channels", 0);
    return s.get_bool("affine", true) ? std::vector<std::vector<int64_t>>{{channels}, {channels}}
                                      : std::vector<std::vector<int64_t>>{};
  };
  return t;
}

}  // namespace neuroshop
