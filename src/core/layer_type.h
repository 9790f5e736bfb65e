// LayerType: what a model file needs to know about one kind of layer, written in the layer's own
// .cpp beside spec() (whose inverse `make` is) and listed once in the table of
// model/layer_factory.cpp. Adding a layer: its files, its LayerType, one line in that table.
// Not here: the table, building whole networks or reading files (model/layer_factory.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/layer.h"
#include "core/rng.h"

namespace neuroshop {

// Builds a layer and everything below it from its spec (make_layer, for containers' children).
using MakeLayerFn = std::unique_ptr<Layer> (*)(const LayerSpec& spec);

constexpr size_t kAnyNumberOfChildren = std::numeric_limits<size_t>::max();

struct LayerType {
  std::string name;                     // LayerSpec::type, as spec() writes it
  std::vector<std::string> attributes;  // every attribute spec() may write; others are refused
  size_t min_children = 0;
  size_t max_children = 0;              // kAnyNumberOfChildren for a container of any length
  // Builds the layer from a spec whose attribute names and number of children are already
  // checked; a missing optional attribute takes the constructor's default. Learned weights are
  // placeholders (placeholder_rng) that a loader overwrites.
  std::unique_ptr<Layer> (*make)(const LayerSpec& spec, MakeLayerFn make_child) = nullptr;
  // The shapes of the params and buffers `make` gives the layer itself (its children not
  // included), from the attributes alone; nullptr for a layer without any. A shape may hold
  // values the constructor refuses (below 1, huge): callers count, they do not allocate.
  std::vector<std::vector<int64_t>> (*param_shapes)(const LayerSpec& spec) = nullptr;
};

// The Rng of the placeholder weights `make` draws; a fixed seed keeps builds reproducible.
inline Rng placeholder_rng() { return Rng(0x6d6f64656cull); }

}  // namespace neuroshop
