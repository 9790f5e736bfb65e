// make_layer, parameter_count and the table of layer types; see layer_factory.h.
#include "core/model/layer_factory.h"

#include <limits>

#include "core/errors.h"
#include "core/layers/activations.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/dense.h"
#include "core/layers/dropout.h"
#include "core/layers/instance_norm.h"
#include "core/layers/maxout.h"
#include "core/layers/pooling.h"
#include "core/layers/sequential.h"
#include "core/layers/skip.h"
#include "core/layers/softmax.h"
#include "core/layers/upsample.h"

namespace neuroshop {

// Adding a layer type: its files, its layer_type(), and one line here.
const std::vector<LayerType>& layer_types() {
  static const std::vector<LayerType> types = {
      Sequential::layer_type(),  SkipConcat::layer_type(), Residual::layer_type(),  Dense::layer_type(),
      Conv2d::layer_type(),      MaxPool2d::layer_type(),  AvgPool2d::layer_type(), Upsample::layer_type(),
      BatchNorm2d::layer_type(), InstanceNorm2d::layer_type(), Dropout::layer_type(), Maxout::layer_type(),
      Softmax::layer_type(),     Sigmoid::layer_type(),    Tanh::layer_type(),      Relu::layer_type(),
      LeakyRelu::layer_type(),   Elu::layer_type(),
  };
  return types;
}

const std::vector<std::string>& known_layer_types() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const LayerType& t : layer_types()) v.push_back(t.name);
    return v;
  }();
  return names;
}

namespace {

std::string who(const LayerSpec& s) { return "layer " + s.type + " '" + s.name + "'"; }

const LayerType* find_type(const std::string& name) {
  for (const LayerType& t : layer_types())
    if (t.name == name) return &t;
  return nullptr;
}

// Throws unless every attribute is one the type knows and the layer has as many children as it takes.
void expect_shape_of_spec(const LayerSpec& s, const LayerType& type) {
  for (const auto& kv : s.attrs) {
    bool ok = false;
    for (const std::string& a : type.attributes) ok = ok || kv.first == a;
    if (!ok) throw ModelError(who(s) + ": unknown attribute '" + kv.first + "'");
  }
  const size_t n = s.children.size();
  if (n < type.min_children || n > type.max_children) {
    const std::string expected = type.min_children == type.max_children
                                     ? std::to_string(type.min_children)
                                     : "at least " + std::to_string(type.min_children);
    throw ModelError(who(s) + ": expected " + expected + " child layer(s), got " + std::to_string(n));
  }
}

// The number of elements of a tensor of shape `dims`: 0 when a dimension is below 1 (the
// constructor refuses it), INT64_MAX when it overflows.
int64_t saturating_numel(const std::vector<int64_t>& dims) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t numel = 1;
  for (int64_t d : dims) {
    if (d < 1) return 0;
    numel = numel > kMax / d ? kMax : numel * d;
  }
  return numel;
}

}  // namespace

std::unique_ptr<Layer> make_layer(const LayerSpec& spec) {
  const LayerType* type = find_type(spec.type);
  if (!type) {
    std::string known;
    for (const auto& k : known_layer_types()) known += (known.empty() ? "" : ", ") + k;
    throw ModelError(who(spec) + ": unknown layer type '" + spec.type + "' (known: " + known + ")");
  }
  expect_shape_of_spec(spec, *type);
  return type->make(spec, make_layer);
}

// tests/core/test_layer_factory.cpp checks each type's param_shapes against the layers it builds.
int64_t parameter_count(const LayerSpec& spec) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t count = 0;
  auto add = [&](int64_t n) { count = count > kMax - n ? kMax : count + n; };
  for (const LayerSpec& child : spec.children) add(parameter_count(child));
  const LayerType* type = find_type(spec.type);
  if (type && type->param_shapes)
    for (const std::vector<int64_t>& shape : type->param_shapes(spec)) add(saturating_numel(shape));
  return count;
}

}  // namespace neuroshop
