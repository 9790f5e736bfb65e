// Param, LayerSpec and the Layer contract every layer of the engine follows.
//
// The contract (tested for every layer in tests/core/layer_checks.h):
//  - forward(x) computes y and caches what backward needs; in training mode it may be stochastic
//    (dropout) or update running statistics (batch norm).
//  - backward(dy) returns dx, a fresh tensor, and ADDS each parameter's gradient into param.grad
//    (`+=`; the optimizer's zero_grad() clears them). Frozen params (trainable == false) get no
//    gradient, but dx is still computed, so an image can be optimized through a fixed network.
//  - backward_params(dy) adds the same parameter gradients as backward(dy) without returning dx
//    (a trainer calls it on the whole network: its input needs no gradient).
//  - backward before forward throws Error. A layer knows nothing about its neighbours.
//  - spec() describes the layer (type, attributes, children) so a model file can rebuild it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace neuroshop {

struct LayerType;  // core/layer_type.h: how a model file rebuilds each kind of layer

// A learnable tensor with its gradient beside it.
struct Param {
  std::string name;
  Tensor value;
  Tensor grad;  // same shape as value
  bool trainable = true;

  Param() = default;
  Param(std::string n, const Shape& shape) : name(std::move(n)), value(shape), grad(shape) {}
};

// How to rebuild a layer: its type, its name, ordered attributes and nested layers.
struct LayerSpec {
  std::string type;
  std::string name;
  std::vector<std::pair<std::string, std::string>> attrs;
  std::vector<LayerSpec> children;

  LayerSpec& set(const std::string& key, const std::string& value);
  LayerSpec& set(const std::string& key, double value);
  bool has(const std::string& key) const;
  // Each getter throws ModelError naming the layer and key when missing or malformed; those with a
  // fallback return it when the key is missing. A bool is written 0 or 1.
  std::string get_string(const std::string& key) const;
  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;
  int64_t get_int(const std::string& key, int64_t fallback) const { return has(key) ? get_int(key) : fallback; }
  double get_float(const std::string& key, double fallback) const { return has(key) ? get_float(key) : fallback; }
  bool get_bool(const std::string& key, bool fallback) const;
};

class Layer {
 public:
  explicit Layer(std::string name = "") : name_(std::move(name)) {}
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  // Validates the input shape (throws ShapeError naming the layer) and returns the output shape.
  virtual Shape output_shape(const Shape& in) const = 0;
  virtual Tensor forward(const Tensor& x) = 0;
  virtual Tensor backward(const Tensor& dy) = 0;
  // backward(dy) for a caller that will not use dx (the network's input is data, not a variable):
  // the same parameter gradients are added, and a layer may skip computing dx. Returns nothing.
  virtual void backward_params(const Tensor& dy) { backward(dy); }
  virtual std::vector<Param*> params() { return {}; }
  // Non-learned state saved with the model (batch norm's running statistics).
  virtual std::vector<Param*> buffers() { return {}; }
  virtual void set_training(bool training) { training_ = training; }
  virtual LayerSpec spec() const = 0;
  // Floating-point operations of one forward pass for input shape `in` (a multiply-add is 2).
  virtual int64_t flops(const Shape& in) const { (void)in; return 0; }

  bool training() const { return training_; }
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  // Marks every parameter (not) trainable; containers pass it on through params().
  void freeze(bool frozen = true) {
    for (Param* p : params()) p->trainable = !frozen;
  }

 protected:
  // "Conv2d 'enc1'" or "Conv2d" when unnamed: the prefix of every error message.
  std::string who(const std::string& type) const { return name_.empty() ? type : type + " '" + name_ + "'"; }
  // Throws Error unless forward has run since construction.
  void expect_forward_ran(bool ran, const std::string& type) const;

  bool training_ = true;
  std::string name_;
};

}  // namespace neuroshop
