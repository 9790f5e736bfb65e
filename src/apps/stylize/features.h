// FeatureNet: the fixed random-weight feature extractor style transfer measures images with, since no
// pretrained VGG exists here. Its design follows the evidence that random networks give good style
// statistics when built for it:
//  - several filter sizes side by side in one wide layer (Ustyuzhaninov et al. 2016: one random
//    multi-scale conv layer rivals VGG for textures), here 3x3, 5x5 and 7x7, ReLU;
//  - applied over an image pyramid (full, 1/2, 1/4 size), so a 7x7 filter at 1/4 sees 28 pixels
//    without paying for a 28x28 kernel. Each level is the finer one blurred by the binomial
//    [1 2 1]^2/16 and subsampled (a fixed stride-2 convolution): overlapping windows, so the image
//    gradient coming back from coarse levels is smooth, where 2x2 average pooling leaves block edges;
//  - a second, deeper layer per level (3x3 conv with stride 2, ReLU) on all bank outputs, whose
//    level-0 output is the content representation (deeper features keep layout, not pixels);
//  - per-layer normalization of the Gram losses is the objective's job (objective.h; He et al. 2016).
// Weights are drawn from one seed: the same seed builds the same network, a different seed an
// independent one (what `eval stylize` measures with). Every param is frozen; backward still returns
// the gradient with respect to the image.
// FeatureNet is not a Layer: it has several outputs. Not here: losses, targets, optimization.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/layers/activations.h"
#include "core/layers/conv2d.h"
#include "core/tensor.h"

namespace neuroshop::stylize {

struct FilterBank {
  int64_t kernel_size = 3;  // odd
  int64_t channels = 16;
};

struct FeatureNetOptions {
  uint64_t seed = 1;
  int64_t levels = 3;  // pyramid levels: full size, 1/2, 1/4, ...
  std::vector<FilterBank> banks{{3, 16}, {5, 16}, {7, 16}};
  int64_t deep_channels = 32;
};

// One forward pass's outputs, for images (N,3,H,W).
struct Features {
  // Per level l (0 = full size): style[2l] the banks' ReLU outputs side by side (N, sum of bank
  // channels, H_l, W_l) and style[2l+1] the deep layer's (N, deep_channels, ceil(H_l/2), ceil(W_l/2)),
  // where H_{l+1} = ceil(H_l / 2).
  std::vector<Tensor> style;
  // The content representation: the deep layer of level 0 (the same tensor as style[1]).
  Tensor content;
};

class FeatureNet {
 public:
  // Throws ArgumentError on levels < 1, no banks, even or non-positive kernel sizes or channels.
  explicit FeatureNet(const FeatureNetOptions& options = {});

  // image (N,3,H,W), RGB in [0, 1], H and W >= min_side(). Caches what backward needs.
  Features forward(const Tensor& image);
  // The gradient with respect to the last forward's image, given one gradient per style output
  // (an undefined tensor counts as zero) and one for the content output (undefined: zero).
  // Returns dimage (N,3,H,W).
  Tensor backward(const std::vector<Tensor>& dstyle, const Tensor& dcontent);

  // The smallest side the pyramid and the reflection padding accept.
  int64_t min_side() const;
  size_t num_style_outputs() const { return static_cast<size_t>(2 * options_.levels); }
  // "level0.banks", "level0.deep", "level1.banks", ...
  std::string style_output_name(size_t i) const;
  // Floating-point operations of one forward pass for images `in` (convolutions and ReLUs).
  int64_t flops(const Shape& in) const;
  const FeatureNetOptions& options() const { return options_; }

 private:
  struct Level {
    std::unique_ptr<Conv2d> down;  // blur + subsample from the previous level's image; null at level 0
    std::vector<std::unique_ptr<Conv2d>> bank_convs;
    std::vector<std::unique_ptr<Relu>> bank_relus;
    std::unique_ptr<Conv2d> deep_conv;  // stride 2
    std::unique_ptr<Relu> deep_relu;
  };

  FeatureNetOptions options_;
  std::vector<Level> levels_;
  int64_t bank_channels_ = 0;
  bool forward_ran_ = false;
};

}  // namespace neuroshop::stylize
