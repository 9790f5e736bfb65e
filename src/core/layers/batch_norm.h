// BatchNorm2d (Ioffe & Szegedy, 2015), matching torch.nn.BatchNorm2d, and the per-group
// normalization kernel it shares with InstanceNorm2d.
//
// Training: statistics over (N, H, W) per channel, y = (x - mean) / sqrt(var + eps) * weight + bias
// with the biased variance; running_mean/running_var are updated with momentum (the running variance
// uses the unbiased estimate, exactly like torch). Evaluation: the running statistics instead.
// Not here: 1-d/3-d variants, synchronized statistics, cumulative averaging (momentum = None in torch).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/layer.h"

namespace neuroshop {

// A normalization group: `segments` runs of `length` contiguous floats, `stride` apart
// (one channel of BatchNorm2d: N runs of H*W, stride C*H*W; one (n, c) of InstanceNorm2d: one run).
struct NormGroup {
  int64_t segments;
  int64_t stride;
  int64_t length;
  int64_t count() const { return segments * length; }
};

struct NormStats {
  double mean;
  double var;  // biased: sum (x - mean)^2 / count
};

// Mean and biased variance of a group (two passes, accumulated in double).
NormStats norm_group_stats(const float* x, const NormGroup& g);

// y = (x - mean) * invstd * scale + shift over the group (x and y share the layout); with relu,
// y = max(0, that) in the same pass.
void norm_group_forward(const float* x, float* y, const NormGroup& g, double mean, double invstd, double scale,
                        double shift, bool relu = false);

// Backward of norm_group_forward. With xhat = (x - mean) * invstd:
//   dscale += sum dy * xhat,  dshift += sum dy   (skipped when dscale/dshift are null)
//   batch statistics (mean, invstd depend on x):
//     dx = scale * invstd * (dy - mean(dy) - xhat * mean(dy * xhat))
//        = (1/M) invstd (M dxhat - sum dxhat - xhat sum(dxhat xhat)),  dxhat = dy * scale
//   fixed statistics (running or given):  dx = scale * invstd * dy
void norm_group_backward(const float* x, const float* dy, float* dx, const NormGroup& g, double mean, double invstd,
                         double scale, bool batch_statistics, double* dscale, double* dshift);

class BatchNorm2d : public Layer {
 public:
  // channels >= 1, eps > 0, momentum in [0, 1]; throws ArgumentError otherwise.
  explicit BatchNorm2d(int64_t channels, double eps = 1e-5, double momentum = 0.1, bool affine = true,
                       std::string name = "");

  Shape output_shape(const Shape& in) const override;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  // weight (C) initialized to 1, bias (C) to 0; empty when affine is false.
  std::vector<Param*> params() override;
  // running_mean (C, starts at 0) and running_var (C, starts at 1); trainable = false, grad undefined.
  std::vector<Param*> buffers() override { return {&running_mean_, &running_var_}; }
  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override;

  int64_t channels() const { return channels_; }
  double eps() const { return eps_; }
  double momentum() const { return momentum_; }
  bool affine() const { return affine_; }
  Param& weight() { return weight_; }
  Param& bias() { return bias_; }
  Param& running_mean() { return running_mean_; }
  Param& running_var() { return running_var_; }

 private:
  int64_t channels_;
  double eps_, momentum_;
  bool affine_;
  Param weight_, bias_;
  Param running_mean_, running_var_;
  // Cached by forward for backward.
  Tensor x_;
  bool forward_training_ = true;
  std::vector<double> mean_, invstd_;  // per channel, the statistics forward normalized with
};

}  // namespace neuroshop
