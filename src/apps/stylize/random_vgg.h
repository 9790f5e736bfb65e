// RandomVgg: a VGG-19-shaped feature network with random, fixed weights (He, Wang & Hopcroft 2016:
// an untrained VGG architecture with per-layer Gram normalization transfers style competitively),
// built narrow so a 512 px optimization stays within seconds:
//  - five blocks of 3x3 convolutions + ReLU (conv1_1 .. conv5_1), `width` channels in block 1,
//    doubling per block up to 8 x width (quarter-width VGG at width 16), reflect padding;
//  - between blocks the image is blurred by the binomial [1 2 1]^2/16 and subsampled
//    (binomial_down, features.h) in place of max-pooling: blur-before-subsample leaves no stride
//    grid in the optimized image's gradient;
//  - conv1_1's filters are zero-mean (they see structure, not colour); colour is a style output of
//    its own, as in FeatureNet: the normalized image and a constant 1, whose Gram holds the colour
//    means and covariance;
//  - style outputs: colour, relu1_1, relu2_1, relu3_1, relu4_1, relu5_1; content: relu4_2 (Gatys et
//    al. 2016's layers). The objective normalizes each Gram loss by its target (objective.h).
// Every param is frozen; backward returns the gradient with respect to the image.
// Not here: losses, targets, optimization.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "apps/stylize/features.h"
#include "core/layers/activations.h"
#include "core/layers/conv2d.h"

namespace neuroshop::stylize {

struct RandomVggOptions {
  uint64_t seed = 1;
  int64_t width = 16;  // channels of block 1 (VGG: 64)
  // 3x3 convolutions per block; conv5_1 is the last needed, so block 5 has one.
  std::vector<int64_t> convs_per_block{2, 2, 2, 2, 1};
};

class RandomVgg : public StyleNet {
 public:
  // Throws ArgumentError on width < 1 or a block layout that lacks conv4_2 or conv5_1.
  explicit RandomVgg(const RandomVggOptions& options = {});

  Features forward(const Tensor& image) override;
  Tensor backward(const std::vector<Tensor>& dstyle, const Tensor& dcontent) override;
  // Four subsamplings, each needing sides >= 2, and the 3x3 reflection padding at the last block.
  int64_t min_side() const override { return 32; }
  size_t num_style_outputs() const override { return 1 + options_.convs_per_block.size(); }
  // "colour", "relu1_1", ..., "relu5_1"
  std::string style_output_name(size_t i) const override;
  // Floating-point operations of one forward pass for images `in`.
  int64_t flops(const Shape& in) const;

 private:
  // One step of the chain: a subsampling (conv null) or a conv + ReLU.
  struct Step {
    std::unique_ptr<Conv2d> conv;
    std::unique_ptr<Relu> relu;
    Shape in_shape;       // cached by forward (the subsampling's input)
    int style_index = -1; // which style output the ReLU's output is, or -1
    bool content = false; // the ReLU's output is the content output
  };

  RandomVggOptions options_;
  std::vector<Step> steps_;
  bool forward_ran_ = false;
};

}  // namespace neuroshop::stylize
