// Container, the base of layers made of other layers, and Sequential, the chain y = fn(...f1(x)).
// A container owns its children, forwards params()/buffers()/set_training()/freeze() to them and
// lists them in spec(), so a model file can rebuild and name everything (model/named_params.h).
// Sequential caches nothing itself but which layers it fused (Conv2d or InstanceNorm2d + Relu run
// as one call, see sequential.cpp): each child caches what its own backward needs.
// Not here: graphs with several inputs; skip connections are single-input containers (skip.h).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/layer.h"

namespace neuroshop {

class Container : public Layer {
 public:
  using Layer::Layer;

  virtual size_t num_children() const = 0;
  virtual Layer& child(size_t i) = 0;
  virtual const Layer& child(size_t i) const = 0;
  // The input shape child i receives when the container receives `in` (validates on the way).
  virtual Shape child_input_shape(size_t i, const Shape& in) const = 0;

  // The children's params/buffers in child order.
  std::vector<Param*> params() override;
  std::vector<Param*> buffers() override;
  void set_training(bool training) override;
};

class Sequential : public Container {
 public:
  explicit Sequential(std::string name = "") : Container(std::move(name)) {}

  // Appends a layer; returns *this so calls chain.
  Sequential& add(std::unique_ptr<Layer> layer);
  // Constructs an L in place at the end and returns it.
  template <class L, class... A>
  L& emplace(A&&... args) {
    auto layer = std::make_unique<L>(std::forward<A>(args)...);
    L& ref = *layer;
    add(std::move(layer));
    return ref;
  }

  size_t size() const { return layers_.size(); }
  Layer& layer(size_t i);
  const Layer& layer(size_t i) const;

  size_t num_children() const override { return layers_.size(); }
  Layer& child(size_t i) override { return layer(i); }
  const Layer& child(size_t i) const override { return layer(i); }
  Shape child_input_shape(size_t i, const Shape& in) const override;

  Shape output_shape(const Shape& in) const override;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  // backward() whose first layer only adds its parameter gradients (backward_params), and whose
  // leading layers without parameters are not run backward at all.
  void backward_params(const Tensor& dy) override;
  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override;

 private:
  std::vector<std::unique_ptr<Layer>> layers_;
  bool forward_ran_ = false;
  std::vector<bool> fused_;  // fused_[k]: layer k is a Relu the last forward ran inside layer k-1
};

}  // namespace neuroshop
