// make_layer: builds a layer (and its children) from a LayerSpec, the inverse of Layer::spec().
// Each layer type describes itself in its own .cpp (layer_type(), core/layer_type.h); the one
// table of them is layer_types(), in layer_factory.cpp. Learned weights are placeholders that a
// loader overwrites (model_file.h); parameter_count says how many there will be beforehand.
// Not here: reading files; weights.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/layer.h"
#include "core/layer_type.h"

namespace neuroshop {

// Throws ModelError naming the layer on an unknown type, an unknown attribute, a missing or
// malformed one, or the wrong number of children; constructors may throw ArgumentError on
// out-of-range values.
std::unique_ptr<Layer> make_layer(const LayerSpec& spec);

// How many floats the params and buffers of make_layer(spec) hold, worked out from the attributes
// alone, without building (or allocating) anything; INT64_MAX when the count does not fit. A
// tensor with a dimension below 1 counts as 0 (make_layer then names the bad attribute). Loaders
// compare this with the weights a file holds before building what a damaged file may declare.
int64_t parameter_count(const LayerSpec& spec);

// Every layer type a model file may name, one entry each.
const std::vector<LayerType>& layer_types();

// Their names, for messages and tests.
const std::vector<std::string>& known_layer_types();

}  // namespace neuroshop
