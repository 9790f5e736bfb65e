// spec() and layer_type() of the element-wise activations; the math is in activations.h.
#include "core/layers/activations.h"

#include "core/layer_type.h"

namespace neuroshop {

template <>
LayerSpec Sigmoid::spec() const { return LayerSpec{"Sigmoid", name_, {}, {}}; }
template <>
LayerType Sigmoid::layer_type() {
  return {"Sigmoid", {}, 0, 0, [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
            return std::make_unique<Sigmoid>(SigmoidFn{}, s.name);
          }};
}

template <>
LayerSpec Tanh::spec() const { return LayerSpec{"Tanh", name_, {}, {}}; }
template <>
LayerType Tanh::layer_type() {
  return {"Tanh", {}, 0, 0, [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
            return std::make_unique<Tanh>(TanhFn{}, s.name);
          }};
}

template <>
LayerSpec Relu::spec() const { return LayerSpec{"Relu", name_, {}, {}}; }
template <>
LayerType Relu::layer_type() {
  return {"Relu", {}, 0, 0, [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
            return std::make_unique<Relu>(ReluFn{}, s.name);
          }};
}

template <>
LayerSpec LeakyRelu::spec() const {
  LayerSpec s{"LeakyRelu", name_, {}, {}};
  s.set("slope", fn_.slope);
  return s;
}
template <>
LayerType LeakyRelu::layer_type() {
  return {"LeakyRelu", {"slope"}, 0, 0, [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
            return std::make_unique<LeakyRelu>(LeakyReluFn{static_cast<float>(s.get_float("slope", 0.1))}, s.name);
          }};
}

template <>
LayerSpec Elu::spec() const {
  LayerSpec s{"Elu", name_, {}, {}};
  s.set("alpha", fn_.alpha);
  return s;
}
template <>
LayerType Elu::layer_type() {
  return {"Elu", {"alpha"}, 0, 0, [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
            return std::make_unique<Elu>(EluFn{static_cast<float>(s.get_float("alpha", 1.0))}, s.name);
          }};
}

}  // namespace neuroshop
