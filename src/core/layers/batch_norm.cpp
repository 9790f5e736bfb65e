// BatchNorm2d and the shared normalization-group kernel; see batch_norm.h.
// Reference: Ioffe & Szegedy, "Batch Normalization: Accelerating Deep Network Training by Reducing
// Internal Covariate Shift", ICML 2015 (forward: Alg. 1; backward: section 3); torch.nn.BatchNorm2d.
#include "core/layers/batch_norm.h"

#include <cmath>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "core/layer_type.h"

namespace neuroshop {

namespace {

// Sums in kLanes independent double accumulators, combined in a fixed order at the end: the same
// result on every run and thread count, and the adds no longer wait on each other (one chain of
// dependent double adds ran at a quarter of an element per cycle; lanes vectorize).
constexpr int kLanes = 8;

double lanes_total(const double (&lanes)[kLanes]) {
  double total = 0.0;
  for (double v : lanes) total += v;
  return total;
}

}  // namespace

NormStats norm_group_stats(const float* x, const NormGroup& g) {
  double lanes[kLanes] = {};
  for (int64_t s = 0; s < g.segments; ++s) {
    const float* xs = x + s * g.stride;
    int64_t i = 0;
    for (; i + kLanes <= g.length; i += kLanes)
      for (int l = 0; l < kLanes; ++l) lanes[l] += xs[i + l];
    for (; i < g.length; ++i) lanes[i % kLanes] += xs[i];
  }
  const double mean = lanes_total(lanes) / static_cast<double>(g.count());
  // Second pass around the mean: no cancellation of E[x^2] - E[x]^2 when |mean| >> std.
  double sq[kLanes] = {};
  for (int64_t s = 0; s < g.segments; ++s) {
    const float* xs = x + s * g.stride;
    int64_t i = 0;
    for (; i + kLanes <= g.length; i += kLanes)
      for (int l = 0; l < kLanes; ++l) {
        const double d = xs[i + l] - mean;
        sq[l] += d * d;
      }
    for (; i < g.length; ++i) {
      const double d = xs[i] - mean;
      sq[i % kLanes] += d * d;
    }
  }
  return {mean, lanes_total(sq) / static_cast<double>(g.count())};
}

// y = (x - mean) * (invstd * scale) + shift
void norm_group_forward(const float* x, float* y, const NormGroup& g, double mean, double invstd, double scale,
                        double shift, bool relu) {
  const float m = static_cast<float>(mean);
  const float a = static_cast<float>(invstd * scale);
  const float b = static_cast<float>(shift);
  for (int64_t s = 0; s < g.segments; ++s) {
    const float* xs = x + s * g.stride;
    float* ys = y + s * g.stride;
    if (relu) {
      for (int64_t i = 0; i < g.length; ++i) {
        const float v = (xs[i] - m) * a + b;
        ys[i] = v > 0.0f ? v : 0.0f;
      }
    } else {
      for (int64_t i = 0; i < g.length; ++i) ys[i] = (xs[i] - m) * a + b;
    }
  }
}

// forward was:  xhat = (x - mean) * invstd,  y = xhat * scale + shift,
//               with mean = (1/M) sum x and invstd = (var + eps)^-1/2, var = (1/M) sum (x - mean)^2
// d/dscale = sum dy xhat,  d/dshift = sum dy;
// through mean and var (Ioffe & Szegedy, section 3), with dxhat = dy * scale:
//   dx = (invstd / M) (M dxhat - sum dxhat - xhat sum(dxhat xhat))
//      = scale invstd (dy - mean(dy) - xhat mean(dy xhat))
void norm_group_backward(const float* x, const float* dy, float* dx, const NormGroup& g, double mean, double invstd,
                         double scale, bool batch_statistics, double* dscale, double* dshift) {
  const float m = static_cast<float>(mean);
  const float inv = static_cast<float>(invstd);
  double sum_dy = 0.0, sum_dy_xhat = 0.0;
  if (batch_statistics || dscale || dshift) {
    double dy_lanes[kLanes] = {}, dy_xhat_lanes[kLanes] = {};
    for (int64_t s = 0; s < g.segments; ++s) {
      const float* xs = x + s * g.stride;
      const float* dys = dy + s * g.stride;
      int64_t i = 0;
      for (; i + kLanes <= g.length; i += kLanes)
        for (int l = 0; l < kLanes; ++l) {
          dy_lanes[l] += dys[i + l];
          dy_xhat_lanes[l] += static_cast<double>(dys[i + l]) * ((xs[i + l] - m) * inv);
        }
      for (; i < g.length; ++i) {
        dy_lanes[i % kLanes] += dys[i];
        dy_xhat_lanes[i % kLanes] += static_cast<double>(dys[i]) * ((xs[i] - m) * inv);
      }
    }
    sum_dy = lanes_total(dy_lanes);
    sum_dy_xhat = lanes_total(dy_xhat_lanes);
  }
  if (dscale) *dscale += sum_dy_xhat;
  if (dshift) *dshift += sum_dy;

  const float a = static_cast<float>(scale * invstd);
  const double M = static_cast<double>(g.count());
  const float mean_dy = batch_statistics ? static_cast<float>(sum_dy / M) : 0.0f;
  const float mean_dy_xhat = batch_statistics ? static_cast<float>(sum_dy_xhat / M) : 0.0f;
  for (int64_t s = 0; s < g.segments; ++s) {
    const float* xs = x + s * g.stride;
    const float* dys = dy + s * g.stride;
    float* dxs = dx + s * g.stride;
    for (int64_t i = 0; i < g.length; ++i) {
      const float xhat = (xs[i] - m) * inv;
      dxs[i] = a * (dys[i] - mean_dy - xhat * mean_dy_xhat);
    }
  }
}

namespace {
Param make_buffer(const std::string& name, int64_t channels, float value) {
  Param p;
  p.name = name;
  p.value = Tensor::full({channels}, value);
  p.trainable = false;
  return p;
}
}  // namespace

BatchNorm2d::BatchNorm2d(int64_t channels, double eps, double momentum, bool affine, std::string name)
    : Layer(std::move(name)), channels_(channels), eps_(eps), momentum_(momentum), affine_(affine) {
  if (channels < 1) throw ArgumentError(who("BatchNorm2d") + ": channels must be >= 1, got " + std::to_string(channels));
  if (!(eps > 0.0)) throw ArgumentError(who("BatchNorm2d") + ": eps must be > 0, got " + std::to_string(eps));
  if (!(momentum >= 0.0 && momentum <= 1.0))
    throw ArgumentError(who("BatchNorm2d") + ": momentum must be in [0, 1], got " + std::to_string(momentum));
  if (affine) {
    weight_ = Param("weight", {channels});
    weight_.value.fill(1.0f);
    bias_ = Param("bias", {channels});
  }
  running_mean_ = make_buffer("running_mean", channels, 0.0f);
  running_var_ = make_buffer("running_var", channels, 1.0f);
}

std::vector<Param*> BatchNorm2d::params() {
  if (!affine_) return {};
  return {&weight_, &bias_};
}

Shape BatchNorm2d::output_shape(const Shape& in) const {
  if (in.rank() != 4 || in[1] != channels_)
    throw ShapeError(who("BatchNorm2d") + ": expected input (N," + std::to_string(channels_) + ",H,W), got " +
                     in.str());
  return in;
}

// Shapes: x, y (N,C,H,W); weight, bias, running stats (C).
// Training:   mean[c], var[c] over (n, h, w) (biased);  y = (x - mean) / sqrt(var + eps) * weight + bias;
//             running_mean = (1 - momentum) running_mean + momentum mean,
//             running_var  = (1 - momentum) running_var  + momentum var * M / (M - 1),  M = N*H*W.
// Evaluation: the same y with running_mean, running_var in place of mean, var.
Tensor BatchNorm2d::forward(const Tensor& x) {
  output_shape(x.shape());
  const int64_t N = x.dim(0), C = channels_, HW = x.dim(2) * x.dim(3);
  const int64_t M = N * HW;
  if (training_ && M <= 1)
    throw ShapeError(who("BatchNorm2d") + ": training needs more than one value per channel, got input " +
                     x.shape().str());
  // Channel c is N runs of H*W floats: x[n][c][h][w] = x[(n*C + c)*HW + h*W + w].
  const NormGroup group{N, C * HW, HW};
  Tensor y = Tensor::empty(x.shape());
  mean_.assign(static_cast<size_t>(C), 0.0);
  invstd_.assign(static_cast<size_t>(C), 0.0);
  forward_training_ = training_;
  const float* xp = x.data();
  float* yp = y.data();
  parallel_for(C, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      double mean, var;
      if (forward_training_) {
        const NormStats st = norm_group_stats(xp + c * HW, group);
        mean = st.mean;
        var = st.var;
        const double unbiased = st.var * static_cast<double>(M) / static_cast<double>(M - 1);
        running_mean_.value[c] = static_cast<float>((1.0 - momentum_) * running_mean_.value[c] + momentum_ * mean);
        running_var_.value[c] = static_cast<float>((1.0 - momentum_) * running_var_.value[c] + momentum_ * unbiased);
      } else {
        mean = running_mean_.value[c];
        var = running_var_.value[c];
      }
      mean_[c] = mean;
      invstd_[c] = 1.0 / std::sqrt(var + eps_);
      const double scale = affine_ ? weight_.value[c] : 1.0;
      const double shift = affine_ ? bias_.value[c] : 0.0;
      norm_group_forward(xp + c * HW, yp + c * HW, group, mean, invstd_[c], scale, shift);
    }
  });
  x_ = x;
  return y;
}

// Training: the full batch-norm backward through the batch statistics (norm_group_backward);
// evaluation: the statistics are constants, so dx = dy * weight / sqrt(running_var + eps).
// dweight[c] += sum dy * xhat,  dbias[c] += sum dy  (over n, h, w), unless frozen.
Tensor BatchNorm2d::backward(const Tensor& dy) {
  expect_forward_ran(x_.defined(), "BatchNorm2d");
  expect_same_shape(dy.shape(), x_.shape(), who("BatchNorm2d") + " backward");
  const int64_t N = x_.dim(0), C = channels_, HW = x_.dim(2) * x_.dim(3);
  const NormGroup group{N, C * HW, HW};
  Tensor dx = Tensor::empty(x_.shape());
  const bool grads = affine_ && weight_.trainable;
  const bool bias_grads = affine_ && bias_.trainable;
  const float* xp = x_.data();
  const float* dyp = dy.data();
  float* dxp = dx.data();
  parallel_for(C, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      double dweight = 0.0, dbias = 0.0;
      const double scale = affine_ ? weight_.value[c] : 1.0;
      norm_group_backward(xp + c * HW, dyp + c * HW, dxp + c * HW, group, mean_[c], invstd_[c], scale,
                          forward_training_, grads ? &dweight : nullptr, bias_grads ? &dbias : nullptr);
      if (grads) weight_.grad[c] += static_cast<float>(dweight);
      if (bias_grads) bias_.grad[c] += static_cast<float>(dbias);
    }
  });
  return dx;
}

LayerSpec BatchNorm2d::spec() const {
  LayerSpec s{"BatchNorm2d", name_, {}, {}};
  s.set("channels", std::to_string(channels_));
  s.set("eps", eps_);
  s.set("momentum", momentum_);
  s.set("affine", std::string(affine_ ? "1" : "0"));
  return s;
}

LayerType BatchNorm2d::layer_type() {
  LayerType t{"BatchNorm2d", {"channels", "eps", "momentum", "affine"}, 0, 0};
  t.make = [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
    return std::make_unique<BatchNorm2d>(s.get_int("channels"), s.get_float("eps", 1e-5), s.get_float("momentum", 0.1),
                                         s.get_bool("affine", true), s.name);
  };
  // running mean and variance (C each); with affine, weight and bias (C each)
  t.param_shapes = [](const LayerSpec& s) {
    const int64_t channels = s.get_int("channels", 0);
    std::vector<std::vector<int64_t>> shapes = {{channels}, {channels}};
    if (s.get_bool("affine", true)) shapes.insert(shapes.end(), {{channels}, {channels}});
    return shapes;
  };
  return t;
}

// Evaluation: a subtract and a multiply-add per element (3); training adds the two statistics
// passes (an add; a subtract and a multiply-add: 4 more).
int64_t BatchNorm2d::flops(const Shape& in) const {
  return (training_ ? 7 : 3) * output_shape(in).numel();
}

}  // namespace neuroshop
