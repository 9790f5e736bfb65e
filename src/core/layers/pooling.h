// MaxPool2d and AvgPool2d: square windows without padding. Output sizes follow torch
// (floor((H - K) / S) + 1, trailing rows and columns that do not fill a window are dropped).
// Max pooling stores the arg-max (first maximum wins) and scatters dx[argmax] += dy.
// Not here: padding, ceil_mode, global or adaptive pooling.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/layer.h"

namespace neuroshop {

class MaxPool2d : public Layer {
 public:
  // stride 0 means stride = kernel_size (torch's default). Throws ArgumentError on kernel < 1, stride < 0.
  explicit MaxPool2d(int64_t kernel_size, int64_t stride = 0, std::string name = "");

  // (N, C, H, W) -> (N, C, (H-K)/S + 1, (W-K)/S + 1); throws ShapeError when H or W < K.
  Shape output_shape(const Shape& in) const override;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override;

  int64_t kernel_size() const { return kernel_size_; }
  int64_t stride() const { return stride_; }

 private:
  int64_t kernel_size_, stride_;
  Shape x_shape_;
  bool ran_ = false;
  std::vector<int64_t> argmax_;  // per output element, the flat index into x of its maximum
};

class AvgPool2d : public Layer {
 public:
  // stride 0 means stride = kernel_size (torch's default). Throws ArgumentError on kernel < 1, stride < 0.
  explicit AvgPool2d(int64_t kernel_size, int64_t stride = 0, std::string name = "");

  // (N, C, H, W) -> (N, C, (H-K)/S + 1, (W-K)/S + 1); throws ShapeError when H or W < K.
  Shape output_shape(const Shape& in) const override;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override;

  int64_t kernel_size() const { return kernel_size_; }
  int64_t stride() const { return stride_; }

 private:
  int64_t kernel_size_, stride_;
  Shape x_shape_;
  bool ran_ = false;
};

}  // namespace neuroshop
