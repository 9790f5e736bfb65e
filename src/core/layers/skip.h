// Skip connections as single-input containers, so a U-Net is a plain chain:
//   Sequential(enc, SkipConcat(Sequential(down, ..., up)), dec)
// SkipConcat: y = concat_channels(x, body(x))   (body keeps N and the spatial size)
// Residual:   y = x + body(x)                    (body keeps the whole shape)
// Not here: skips spanning several containers or merging more than two tensors.
#pragma once

#include <memory>
#include <string>

#include "core/layers/sequential.h"

namespace neuroshop {

class SkipConcat : public Container {
 public:
  explicit SkipConcat(std::unique_ptr<Layer> body, std::string name = "");

  Layer& body() { return *body_; }
  size_t num_children() const override { return 1; }
  Layer& child(size_t i) override;
  const Layer& child(size_t i) const override;
  Shape child_input_shape(size_t i, const Shape& in) const override;

  Shape output_shape(const Shape& in) const override;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override { return body_->flops(in); }

 private:
  std::unique_ptr<Layer> body_;
  int64_t x_channels_ = -1;  // C of the last input; -1 before forward
  Shape y_shape_;
};

class Residual : public Container {
 public:
  explicit Residual(std::unique_ptr<Layer> body, std::string name = "");

  Layer& body() { return *body_; }
  size_t num_children() const override { return 1; }
  Layer& child(size_t i) override;
  const Layer& child(size_t i) const override;
  Shape child_input_shape(size_t i, const Shape& in) const override;

  Shape output_shape(const Shape& in) const override;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  // The body's FLOPs plus one add per element.
  int64_t flops(const Shape& in) const override { return body_->flops(in) + in.numel(); }

 private:
  std::unique_ptr<Layer> body_;
  bool forward_ran_ = false;
  Shape y_shape_;
};

}  // namespace neuroshop
