// Unique, stable names for every parameter and buffer of a network, for model files and optimizers'
// state. A name is the path from the root through containers (layers/sequential.h) to the param:
// each step is the child's name when that is unique among its siblings, has no '.', and is not all
// digits, otherwise the child's index; the last step is Param::name. E.g. "enc1.weight",
// "2.0.bias" (SkipConcat 2, its body, child 0), or "weight" for a lone Dense.
// Not here: saving or loading (model_file.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/layer.h"

namespace neuroshop {

// In params() order. Throws ModelError when two params end up with the same name.
std::vector<std::pair<std::string, Param*>> named_params(Layer& net);
// In buffers() order; same naming.
std::vector<std::pair<std::string, Param*>> named_buffers(Layer& net);

// The path steps of each child of a container (as described above); for other layers, empty.
std::vector<std::string> child_path_steps(Layer& layer);

}  // namespace neuroshop
