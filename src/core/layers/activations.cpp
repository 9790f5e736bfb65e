// spec() and layer_type() of the element-wise activations; the math is in activations.h.
#include "core/layers/activations.h"

#include "core/layer_type.h"

namespace neuroshop {

Tensor relu_grad_from_output(const Tensor& dy, const Tensor& y) {
  expect_same_shape(dy.shape(), y.shape(), "relu_grad_from_output (dy vs y)");
  Tensor dx = Tensor::empty(dy.shape());
  const float* yv = y.data();
  const float* d = dy.data();
  float* out = dx.data();
  parallel_for(
      dy.numel(),
      [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          const float di = d[i];  // loaded whatever the sign: a select, which vectorizes
          out[i] = yv[i] > 0.0f ? di : 0.0f;
        }
      },
      kElementwiseGrain);
  return dx;
}

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
