// InstanceNorm2d (Ulyanov, Vedaldi, Lempitsky, 2016), matching torch.nn.InstanceNorm2d with its
// default track_running_stats = False: statistics per (n, c) over (H, W), in training AND evaluation.
//   y[n][c] = (x[n][c] - mean[n][c]) / sqrt(var[n][c] + eps) * weight[c] + bias[c]   (biased var)
// Note torch's default is affine = False; this layer defaults to affine = true (as style networks use
// it) — pass affine = false for torch's default.
// Not here: running statistics (track_running_stats = True), which no network here uses.
// The arithmetic is the shared normalization-group kernel of batch_norm.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/layer.h"

namespace neuroshop {

class InstanceNorm2d : public Layer {
 public:
  // channels >= 1, eps > 0; throws ArgumentError otherwise.
  explicit InstanceNorm2d(int64_t channels, double eps = 1e-5, bool affine = true, std::string name = "");

  Shape output_shape(const Shape& in) const override;
  Tensor forward(const Tensor& x) override;
  // forward() followed by ReLU in the same pass: y = max(0, norm(x)). The next backward() then
  // takes the gradient of that ReLU's output and masks it itself, so a container may run
  // InstanceNorm2d + Relu as this one call (Sequential does, as for Conv2d + Relu).
  Tensor forward_relu(const Tensor& x);
  // dy: the gradient of forward()'s output, or of forward_relu()'s when that ran last.
  Tensor backward(const Tensor& dy) override;
  // weight (C) initialized to 1, bias (C) to 0; empty when affine is false.
  std::vector<Param*> params() override;
  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override { return 7 * output_shape(in).numel(); }

  int64_t channels() const { return channels_; }
  double eps() const { return eps_; }
  bool affine() const { return affine_; }
  Param& weight() { return weight_; }
  Param& bias() { return bias_; }

 private:
  int64_t channels_;
  double eps_;
  bool affine_;
  Param weight_, bias_;
  // Cached by forward for backward.
  Tensor run_forward(const Tensor& x, bool relu);
  Tensor x_;
  Tensor relu_y_;                      // forward_relu's output (its mask); undefined after forward
  std::vector<double> mean_, invstd_;  // per (n, c): index n*C + c
};

}  // namespace neuroshop
