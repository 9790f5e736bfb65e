// Model summary for a network and an input shape: per-layer and total parameter counts, FLOPs per
// forward pass (and per output pixel), and memory for inference vs training -- the lecture's
// "why training needs extra memory": inference keeps only the activations currently in use,
// training keeps every activation for backward plus a gradient per weight and the optimizer's
// state (Adam: two more tensors per weight).
// Everything is float32 (4 bytes per element). Activation memory is an estimate at tensor level:
// each layer's output counts once; layer-internal scratch (im2col buffers, pooling indices,
// dropout masks, batch-norm's normalized input) is not counted.
// Not here: printing (the CLI formats ModelInfo), timing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/layer.h"

namespace neuroshop {

struct LayerInfo {
  std::string path;  // named_params.h path steps joined by '.'; "" for the root
  int depth = 0;     // 0 for the root
  std::string type, name;
  bool container = false;
  Shape input, output;
  int64_t params = 0;            // elements, this layer and everything inside it
  int64_t trainable_params = 0;  // of those, trainable
  int64_t buffer_elements = 0;   // non-learned state (batch-norm running stats)
  int64_t flops = 0;             // one forward pass, this layer and everything inside it
  // Elements of the output tensor this layer allocates (0 for Sequential, which passes its last
  // child's output through).
  int64_t activation_elements = 0;
};

struct ModelInfo {
  Shape input, output;
  std::vector<LayerInfo> layers;  // pre-order: root first, a container before its children

  int64_t params = 0, trainable_params = 0, buffer_elements = 0;
  int64_t flops = 0;
  // flops / (N*OH*OW) for an (N,C,OH,OW) output, flops / N otherwise.
  double flops_per_output_pixel = 0.0;

  int optimizer_slots = 0;  // state tensors per trainable weight (SGD 0, momentum 1, Adam 2)

  // Inference: weights + the largest set of activations alive at once (a layer's input and output;
  // a skip connection's saved input while its body runs).
  int64_t weight_bytes = 0;                // params + buffers
  int64_t peak_activation_bytes = 0;
  int64_t inference_bytes = 0;             // weight_bytes + peak_activation_bytes

  // Training: weights + a gradient per param + optimizer state + every activation cached for
  // backward (the input and each layer's output) + the dy/dx pair alive during backward.
  int64_t gradient_bytes = 0;
  int64_t optimizer_bytes = 0;
  int64_t cached_activation_bytes = 0;
  int64_t backward_peak_bytes = 0;
  int64_t training_bytes = 0;
};

// Validates `input` through the network (throws ShapeError like forward would). `optimizer_slots`
// is 2 for Adam. Runs no forward pass.
ModelInfo model_info(Layer& net, const Shape& input, int optimizer_slots = 2);

// A plain-text table of ModelInfo (one line per layer, then the totals), for CLIs and logs.
std::string format_model_info(const ModelInfo& info);

}  // namespace neuroshop
