// Container and Sequential; see sequential.h.
#include "core/layers/sequential.h"

#include "core/errors.h"
#include "core/layer_type.h"
#include "core/layers/activations.h"
#include "core/layers/conv2d.h"
#include "core/layers/instance_norm.h"

namespace neuroshop {

std::vector<Param*> Container::params() {
  std::vector<Param*> all;
  for (size_t i = 0; i < num_children(); ++i)
    for (Param* p : child(i).params()) all.push_back(p);
  return all;
}

std::vector<Param*> Container::buffers() {
  std::vector<Param*> all;
  for (size_t i = 0; i < num_children(); ++i)
    for (Param* p : child(i).buffers()) all.push_back(p);
  return all;
}

void Container::set_training(bool training) {
  training_ = training;
  for (size_t i = 0; i < num_children(); ++i) child(i).set_training(training);
}

Sequential& Sequential::add(std::unique_ptr<Layer> layer) {
  if (!layer) throw ArgumentError(who("Sequential") + ": cannot add a null layer");
  layer->set_training(training_);
  layers_.push_back(std::move(layer));
  return *this;
}

Layer& Sequential::layer(size_t i) {
  if (i >= layers_.size())
    throw ArgumentError(who("Sequential") + ": no layer " + std::to_string(i) + " (it has " +
                        std::to_string(layers_.size()) + ")");
  return *layers_[i];
}

const Layer& Sequential::layer(size_t i) const { return const_cast<Sequential*>(this)->layer(i); }

Shape Sequential::child_input_shape(size_t i, const Shape& in) const {
  layer(i);  // validates i
  Shape s = in;
  for (size_t k = 0; k < i; ++k) s = layers_[k]->output_shape(s);
  return s;
}

Shape Sequential::output_shape(const Shape& in) const {
  Shape s = in;
  for (const auto& l : layers_) s = l->output_shape(s);
  return s;
}

// h0 = x, h[k+1] = layer_k(h[k]), y = h[L]
// A Conv2d or InstanceNorm2d followed by a Relu runs as one call (forward_relu: the ReLU applied
// while each block of the output is in cache); the Relu layer is then skipped in both directions,
// and the fused layer's backward masks the gradient itself.
Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  fused_.assign(layers_.size(), false);
  for (size_t k = 0; k < layers_.size(); ++k) {
    const bool relu_next = k + 1 < layers_.size() && dynamic_cast<Relu*>(layers_[k + 1].get()) != nullptr;
    if (auto* conv = dynamic_cast<Conv2d*>(layers_[k].get()); conv && relu_next) {
      h = conv->forward_relu(h);
      fused_[++k] = true;
      continue;
    }
    if (auto* norm = dynamic_cast<InstanceNorm2d*>(layers_[k].get()); norm && relu_next) {
      h = norm->forward_relu(h);
      fused_[++k] = true;
      continue;
    }
    h = layers_[k]->forward(h);
  }
  forward_ran_ = true;
  // An empty chain is the identity; return a handle that is still x (nobody writes into it).
  return h;
}

// dh[L] = dy, dh[k] = layer_k.backward(dh[k+1]), dx = dh[0]
Tensor Sequential::backward(const Tensor& dy) {
  expect_forward_ran(forward_ran_, "Sequential");
  if (layers_.empty()) return dy.clone();
  Tensor d = dy;
  for (size_t k = layers_.size(); k-- > 0;)
    if (k >= fused_.size() || !fused_[k]) d = layers_[k]->backward(d);
  return d;
}

void Sequential::backward_params(const Tensor& dy) {
  expect_forward_ran(forward_ran_, "Sequential");
  // first: the first layer that has parameters; the layers before it need no gradient at all
  size_t first = 0;
  while (first < layers_.size() && layers_[first]->params().empty()) ++first;
  if (first == layers_.size()) return;
  Tensor d = dy;
  for (size_t k = layers_.size(); k-- > first + 1;)
    if (k >= fused_.size() || !fused_[k]) d = layers_[k]->backward(d);
  layers_[first]->backward_params(d);
}

LayerSpec Sequential::spec() const {
  LayerSpec s{"Sequential", name_, {}, {}};
  for (const auto& l : layers_) s.children.push_back(l->spec());
  return s;
}

LayerType Sequential::layer_type() {
  return {"Sequential", {}, 0, kAnyNumberOfChildren, [](const LayerSpec& s, MakeLayerFn make_child) -> std::unique_ptr<Layer> {
            auto seq = std::make_unique<Sequential>(s.name);
            for (const LayerSpec& child : s.children) seq->add(make_child(child));
            return seq;
          }};
}

int64_t Sequential::flops(const Shape& in) const {
  int64_t total = 0;
  Shape s = in;
  for (const auto& l : layers_) {
    total += l->flops(s);
    s = l->output_shape(s);
  }
  return total;
}

}  // namespace neuroshop
