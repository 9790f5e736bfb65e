// Conv2d: 2-D convolution (cross-correlation, like torch) with a square kernel, stride, zero or
// reflect padding, dilation and an optional bias. Forward and backward are im2col + gemm per block
// of output rows; a 1x1 kernel with stride 1 and no padding skips im2col and multiplies the image
// directly; 3x3 stride-1 convolutions with enough channels use Winograd F(4x4, 3x3) for the forward
// pass and for dx (kernels/winograd.h), dW staying im2col + gemm.
// Not here: groups / depthwise, transposed convolution, non-square kernels.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/kernels/im2col.h"
#include "core/kernels/winograd.h"
#include "core/layer.h"
#include "core/rng.h"

namespace neuroshop {

struct Conv2dOptions {
  int64_t in_channels = 1;
  int64_t out_channels = 1;
  int64_t kernel_size = 3;
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
  // kReflect mirrors without repeating the border (torch's 'reflect'); needs padding < H and < W.
  PaddingMode padding_mode = PaddingMode::kZeros;
  bool bias = true;
};

class Conv2d : public Layer {
 public:
  // Weight "weight" (OC, C, K, K) drawn He-uniform, U(-sqrt(6/fan_in), sqrt(6/fan_in)) with
  // fan_in = C*K*K (He et al. 2015); bias "bias" (OC) starts at zero. Throws ArgumentError on
  // non-positive sizes, negative padding or an unknown combination.
  Conv2d(const Conv2dOptions& options, Rng& rng, std::string name = "");

  // (N, C, H, W) -> (N, OC, OH, OW), OH = floor((H + 2p - d(K-1) - 1) / s) + 1.
  Shape output_shape(const Shape& in) const override;
  Tensor forward(const Tensor& x) override;
  // forward() followed by ReLU in one pass: y = max(0, conv(x) + b). The next backward() then takes
  // the gradient of that ReLU's output (it masks dy by y > 0 itself), so a container may run
  // Conv2d + Relu as this one call (Sequential does).
  Tensor forward_relu(const Tensor& x);
  // dy: the gradient of forward()'s output, or of forward_relu()'s when that ran last.
  Tensor backward(const Tensor& dy) override;
  // dW and db only: the input gradient (as costly as the forward pass) is not computed.
  void backward_params(const Tensor& dy) override;
  std::vector<Param*> params() override;
  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override;

  const Conv2dOptions& options() const { return options_; }
  Param& weight() { return weight_; }
  Param& bias() { return bias_; }  // undefined tensors when options().bias is false

 private:
  ConvGeometry geometry(const Shape& in) const;
  Tensor run_forward(const Tensor& x, Epilogue epilogue);
  Tensor run_backward(const Tensor& dy, bool want_dx);  // dx undefined when !want_dx

  Conv2dOptions options_;
  Param weight_, bias_;
  Tensor x_;       // (N, C, H, W), cached by forward
  Tensor relu_y_;  // forward_relu's output (its mask); undefined after a plain forward
  // Winograd's transformed filters and the weights they were made from: reused while the weights
  // are bit for bit the same (inference), remade after every change (training).
  const WinogradFilters& winograd_filters();
  std::shared_ptr<const WinogradFilters> winograd_;
  std::vector<float> winograd_weights_;
};

}  // namespace neuroshop
