// spec() of the element-wise activations; the math is in activations.h.
#include "core/layers/activations.h"

namespace neuroshop {

template <>
LayerSpec Sigmoid::spec() const { return LayerSpec{"Sigmoid", name_, {}, {}}; }
template <>
LayerSpec Tanh::spec() const { return LayerSpec{"Tanh", name_, {}, {}}; }
template <>
LayerSpec Relu::spec() const { return LayerSpec{"Relu", name_, {}, {}}; }
template <>
LayerSpec LeakyRelu::spec() const {
  LayerSpec s{"LeakyRelu", name_, {}, {}};
  s.set("slope", fn_.slope);
  return s;
}
template <>
LayerSpec Elu::spec() const {
  LayerSpec s{"Elu", name_, {}, {}};
  s.set("alpha", fn_.alpha);
  return s;
}

}  // namespace neuroshop
