// make_layer; see layer_factory.h. Attribute names are those each layer's spec() writes.
#include "core/model/layer_factory.h"

#include <initializer_list>
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
#include "core/rng.h"

namespace neuroshop {

namespace {

// The seed of the placeholder weights; any value works, a fixed one keeps builds reproducible.
constexpr uint64_t kPlaceholderSeed = 0x6d6f64656cull;

std::string who(const LayerSpec& s) { return "layer " + s.type + " '" + s.name + "'"; }

// Throws unless every attribute is one of `allowed` and the layer has the expected children.
void expect_shape_of_spec(const LayerSpec& s, std::initializer_list<const char*> allowed, size_t children_min,
                          size_t children_max) {
  for (const auto& kv : s.attrs) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || kv.first == a;
    if (!ok) throw ModelError(who(s) + ": unknown attribute '" + kv.first + "'");
  }
  const size_t n = s.children.size();
  if (n < children_min || n > children_max) {
    const std::string expected = children_min == children_max ? std::to_string(children_min)
                                                               : "at least " + std::to_string(children_min);
    throw ModelError(who(s) + ": expected " + expected + " child layer(s), got " + std::to_string(n));
  }
}

bool get_bool(const LayerSpec& s, const std::string& key, bool fallback) {
  if (!s.has(key)) return fallback;
  const int64_t v = s.get_int(key);
  if (v != 0 && v != 1) throw ModelError(who(s) + ": attribute '" + key + "' should be 0 or 1, got " + std::to_string(v));
  return v == 1;
}

int64_t get_int_or(const LayerSpec& s, const std::string& key, int64_t fallback) {
  return s.has(key) ? s.get_int(key) : fallback;
}

double get_float_or(const LayerSpec& s, const std::string& key, double fallback) {
  return s.has(key) ? s.get_float(key) : fallback;
}

std::unique_ptr<Layer> make_leaf(const LayerSpec& s) {
  const std::string& t = s.type;
  if (t == "Sigmoid") {
    expect_shape_of_spec(s, {}, 0, 0);
    return std::make_unique<Sigmoid>(SigmoidFn{}, s.name);
  } else if (t == "Tanh") {
    expect_shape_of_spec(s, {}, 0, 0);
    return std::make_unique<Tanh>(TanhFn{}, s.name);
  } else if (t == "Relu") {
    expect_shape_of_spec(s, {}, 0, 0);
    return std::make_unique<Relu>(ReluFn{}, s.name);
  } else if (t == "LeakyRelu") {
    expect_shape_of_spec(s, {"slope"}, 0, 0);
    return std::make_unique<LeakyRelu>(LeakyReluFn{static_cast<float>(get_float_or(s, "slope", 0.1))}, s.name);
  } else if (t == "Elu") {
    expect_shape_of_spec(s, {"alpha"}, 0, 0);
    return std::make_unique<Elu>(EluFn{static_cast<float>(get_float_or(s, "alpha", 1.0))}, s.name);
  } else if (t == "Softmax") {
    expect_shape_of_spec(s, {}, 0, 0);
    return std::make_unique<Softmax>(s.name);
  } else if (t == "Dense") {
    expect_shape_of_spec(s, {"in_features", "out_features", "bias"}, 0, 0);
    Rng rng(kPlaceholderSeed);
    return std::make_unique<Dense>(s.get_int("in_features"), s.get_int("out_features"), rng, s.name,
                                   get_bool(s, "bias", true));
  } else if (t == "Conv2d") {
    expect_shape_of_spec(
        s, {"in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "padding_mode", "bias"}, 0, 0);
    Conv2dOptions o;
    o.in_channels = s.get_int("in_channels");
    o.out_channels = s.get_int("out_channels");
    o.kernel_size = s.get_int("kernel_size");
    o.stride = get_int_or(s, "stride", o.stride);
    o.padding = get_int_or(s, "padding", o.padding);
    o.dilation = get_int_or(s, "dilation", o.dilation);
    if (s.has("padding_mode")) o.padding_mode = parse_padding_mode(s.get_string("padding_mode"), who(s));
    o.bias = get_bool(s, "bias", o.bias);
    Rng rng(kPlaceholderSeed);
    return std::make_unique<Conv2d>(o, rng, s.name);
  } else if (t == "MaxPool2d") {
    expect_shape_of_spec(s, {"kernel_size", "stride"}, 0, 0);
    return std::make_unique<MaxPool2d>(s.get_int("kernel_size"), get_int_or(s, "stride", 0), s.name);
  } else if (t == "AvgPool2d") {
    expect_shape_of_spec(s, {"kernel_size", "stride"}, 0, 0);
    return std::make_unique<AvgPool2d>(s.get_int("kernel_size"), get_int_or(s, "stride", 0), s.name);
  } else if (t == "Upsample") {
    expect_shape_of_spec(s, {"scale_factor", "mode"}, 0, 0);
    const UpsampleMode mode =
        s.has("mode") ? parse_upsample_mode(s.get_string("mode"), who(s)) : UpsampleMode::kNearest;
    return std::make_unique<Upsample>(s.get_int("scale_factor"), mode, s.name);
  } else if (t == "BatchNorm2d") {
    expect_shape_of_spec(s, {"channels", "eps", "momentum", "affine"}, 0, 0);
    return std::make_unique<BatchNorm2d>(s.get_int("channels"), get_float_or(s, "eps", 1e-5),
                                         get_float_or(s, "momentum", 0.1), get_bool(s, "affine", true), s.name);
  } else if (t == "InstanceNorm2d") {
    expect_shape_of_spec(s, {"channels", "eps", "affine"}, 0, 0);
    return std::make_unique<InstanceNorm2d>(s.get_int("channels"), get_float_or(s, "eps", 1e-5),
                                            get_bool(s, "affine", true), s.name);
  } else if (t == "Dropout") {
    expect_shape_of_spec(s, {"p", "seed"}, 0, 0);
    // spec() writes the seed as the signed value with the same 64 bits.
    return std::make_unique<Dropout>(s.get_float("p"), static_cast<uint64_t>(get_int_or(s, "seed", 0)), s.name);
  } else if (t == "Maxout") {
    expect_shape_of_spec(s, {"pieces"}, 0, 0);
    return std::make_unique<Maxout>(s.get_int("pieces"), s.name);
  }
  std::string known;
  for (const auto& k : known_layer_types()) known += (known.empty() ? "" : ", ") + k;
  throw ModelError(who(s) + ": unknown layer type '" + t + "' (known: " + known + ")");
}

// The number of elements of a tensor of shape `dims`: 0 when a dimension is below 1 (the
// constructor refuses it), INT64_MAX when it overflows.
int64_t saturating_numel(std::initializer_list<int64_t> dims) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t numel = 1;
  for (int64_t d : dims) {
    if (d < 1) return 0;
    numel = numel > kMax / d ? kMax : numel * d;
  }
  return numel;
}

}  // namespace

// The shapes each constructor gives its params and buffers (dense.cpp, conv2d.cpp, batch_norm.cpp,
// instance_norm.cpp); tests/core/test_layer_factory.cpp checks them against built layers.
int64_t parameter_count(const LayerSpec& s) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t count = 0;
  auto add = [&](int64_t n) { count = count > kMax - n ? kMax : count + n; };
  for (const LayerSpec& child : s.children) add(parameter_count(child));
  const std::string& t = s.type;
  if (t == "Dense") {
    const int64_t in = get_int_or(s, "in_features", 0), out = get_int_or(s, "out_features", 0);
    add(saturating_numel({out, in}));
    if (get_bool(s, "bias", true)) add(saturating_numel({out}));
  } else if (t == "Conv2d") {
    const int64_t in = get_int_or(s, "in_channels", 0), out = get_int_or(s, "out_channels", 0);
    const int64_t kernel = get_int_or(s, "kernel_size", 0);
    add(saturating_numel({out, in, kernel, kernel}));
    if (get_bool(s, "bias", Conv2dOptions{}.bias)) add(saturating_numel({out}));
  } else if (t == "BatchNorm2d") {
    const int64_t channels = get_int_or(s, "channels", 0);
    add(saturating_numel({channels, 2}));  // running mean and variance
    if (get_bool(s, "affine", true)) add(saturating_numel({channels, 2}));  // weight and bias
  } else if (t == "InstanceNorm2d") {
    if (get_bool(s, "affine", true)) add(saturating_numel({get_int_or(s, "channels", 0), 2}));
  }
  return count;
}

const std::vector<std::string>& known_layer_types() {
  static const std::vector<std::string> types = {
      "Sequential", "SkipConcat", "Residual",  "Dense",     "Conv2d",      "MaxPool2d",      "AvgPool2d",
      "Upsample",   "BatchNorm2d", "InstanceNorm2d", "Dropout", "Maxout", "Softmax",        "Sigmoid",
      "Tanh",       "Relu",       "LeakyRelu", "Elu"};
  return types;
}

std::unique_ptr<Layer> make_layer(const LayerSpec& spec) {
  if (spec.type == "Sequential") {
    expect_shape_of_spec(spec, {}, 0, static_cast<size_t>(-1));
    auto seq = std::make_unique<Sequential>(spec.name);
    for (const auto& c : spec.children) seq->add(make_layer(c));
    return seq;
  } else if (spec.type == "SkipConcat") {
    expect_shape_of_spec(spec, {}, 1, 1);
    return std::make_unique<SkipConcat>(make_layer(spec.children[0]), spec.name);
  } else if (spec.type == "Residual") {
    expect_shape_of_spec(spec, {}, 1, 1);
    return std::make_unique<Residual>(make_layer(spec.children[0]), spec.name);
  }
  return make_leaf(spec);
}

}  // namespace neuroshop
