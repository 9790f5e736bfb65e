// make_layer: builds a layer (and its children) from a LayerSpec, the inverse of Layer::spec().
// One plain if/else chain over every layer type of the core; no registration. Learned weights are
// placeholders (drawn from a fixed Rng) that a loader overwrites (model_file.h).
// Not here: reading files; weights.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/layer.h"

namespace neuroshop {

// Throws ModelError naming the layer on an unknown type, a missing, malformed or unknown attribute,
// or the wrong number of children; constructors may throw ArgumentError on out-of-range values.
std::unique_ptr<Layer> make_layer(const LayerSpec& spec);

// Every type make_layer knows, for messages and tests.
const std::vector<std::string>& known_layer_types();

}  // namespace neuroshop
