// FeatureNet: the fixed random-weight feature extractor style transfer measures images with, since no
// pretrained VGG exists here. Its design follows the evidence that random networks give good style
// statistics when built for it:
//  - several filter sizes side by side in one wide layer (Ustyuzhaninov et al. 2016: one random
//    multi-scale conv layer rivals VGG for textures), here 3x3, 5x5 and 7x7 filters made zero-mean
//    (they see structure, not the local average colour), plus a 1x1 bank that sees colour; ReLU;
//  - applied over an image pyramid (full, 1/2, 1/4 size), so a 7x7 filter at 1/4 sees 28 pixels
//    without paying for a 28x28 kernel. Each level is the finer one blurred by the binomial
//    [1 2 1]^2/16 and subsampled: overlapping windows, so the gradient coming back from coarse
//    levels is smooth, where 2x2 average pooling or stride-2 convolutions leave block and stripe
//    patterns in an optimized image;
//  - a second, deeper layer per level (the same blur-subsample, 3x3 conv, ReLU) on all banks'
//    outputs, whose level-0 output is the content representation (layout, edges and the colour of
//    regions: stylization first recolours the content into the style's palette, see stylize.h);
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
  std::vector<FilterBank> banks{{1, 8}, {3, 16}, {5, 16}, {7, 16}};
  int64_t deep_channels = 32;
};

// The pyramid step, per channel: blur by the binomial kernel k = [1 2 1]/4 in both directions and
// keep every second pixel, with reflection at the borders (r(-1) = 1, r(H) = H-2):
//   y[n][c][i][j] = sum_{a,b in {-1,0,1}} k[a] k[b] x[n][c][r(2i+a)][r(2j+b)]
// x (N,C,H,W) with H, W >= 2 -> y (N,C,ceil(H/2),ceil(W/2)). The windows overlap, so the gradient
// sent back is smooth, where 2x2 average pooling or a plain stride-2 convolution leave block or
// stripe patterns in an optimized image.
Tensor binomial_down(const Tensor& x);
// Its adjoint: dx[r(2i+a)][r(2j+b)] += k[a] k[b] dy[i][j]; dy (N,C,ceil(H/2),ceil(W/2)) -> dx x_shape.
Tensor binomial_down_backward(const Tensor& dy, const Shape& x_shape);
// The same filter without the subsampling, y[i][j] = sum k[a] k[b] x[r(i+a)][r(j+b)] (the blur
// before a strided convolution: ColorizerFeatures), and its adjoint. Sides >= 2.
Tensor binomial_blur(const Tensor& x);
Tensor binomial_blur_backward(const Tensor& dy);

// One forward pass's outputs, for images (N,3,H,W).
// The feature networks' input: images (N,3,H,W) in [0,1], at least min_side on each side (ShapeError
// naming `who` otherwise), mapped to (x - kFeatureInputMean) * kFeatureInputScale.
inline constexpr float kFeatureInputMean = 0.45f;
inline constexpr float kFeatureInputScale = 4.0f;
Tensor normalize_feature_input(const Tensor& image, int64_t min_side, const std::string& who);

struct Features {
  // Per level l (0 = full size), with B banks, B + 2 outputs from index l(B+2):
  //   the colour output (N, 4, H_l, W_l): the normalized image and a constant 1, whose Gram matrix
  //   holds the colour means and covariance exactly (a few random 1x1 ReLU features leave the
  //   palette loose: rainbow hues appear);
  //   bank b's ReLU output (N, channels_b, H_l, W_l) for b = 0..B-1;
  //   the deep layer's (N, deep_channels, ceil(H_l/2), ceil(W_l/2)),
  // where H_{l+1} = ceil(H_l / 2). Each is one Gram matrix with its own normalization in the
  // objective, so no output drowns the others.
  std::vector<Tensor> style;
  // The content representation: the deep layer of level 0 (the same tensor as style[B + 1]).
  Tensor content;
};

// What the objective (objective.h) needs of a fixed feature network: style outputs (one Gram matrix
// each) and a content output, and the image gradient given theirs. FeatureNet (below) and RandomVgg
// (random_vgg.h) are the two.
class StyleNet {
 public:
  virtual ~StyleNet() = default;
  // image (N,3,H,W), RGB in [0, 1], H and W >= min_side(). Caches what backward needs.
  virtual Features forward(const Tensor& image) = 0;
  // The gradient with respect to the last forward's image, given one gradient per style output
  // (an undefined tensor counts as zero) and one for the content output (undefined: zero).
  // Returns dimage (N,3,H,W).
  virtual Tensor backward(const std::vector<Tensor>& dstyle, const Tensor& dcontent) = 0;
  // The smallest side the network accepts.
  virtual int64_t min_side() const = 0;
  virtual size_t num_style_outputs() const = 0;
  virtual std::string style_output_name(size_t i) const = 0;
};

class FeatureNet : public StyleNet {
 public:
  // Throws ArgumentError on levels < 1, no banks, even or non-positive kernel sizes or channels.
  explicit FeatureNet(const FeatureNetOptions& options = {});

  Features forward(const Tensor& image) override;
  Tensor backward(const std::vector<Tensor>& dstyle, const Tensor& dcontent) override;

  // The smallest side the pyramid and the reflection padding accept.
  int64_t min_side() const override;
  size_t num_style_outputs() const override { return (options_.banks.size() + 2) * static_cast<size_t>(options_.levels); }
  // "level0.colour", "level0.k1", "level0.k3", ..., "level0.deep", "level1.colour", ...
  std::string style_output_name(size_t i) const override;
  // Floating-point operations of one forward pass for images `in` (convolutions and ReLUs).
  int64_t flops(const Shape& in) const;
  const FeatureNetOptions& options() const { return options_; }

 private:
  struct Level {
    Shape image_shape;  // the finer level's image this level was subsampled from (levels > 0)
    Shape banks_shape;  // the banks' output, subsampled for the deep layer
    std::vector<std::unique_ptr<Conv2d>> bank_convs;
    std::vector<std::unique_ptr<Relu>> bank_relus;
    std::unique_ptr<Conv2d> deep_conv;
    std::unique_ptr<Relu> deep_relu;
  };

  FeatureNetOptions options_;
  std::vector<Level> levels_;
  int64_t bank_channels_ = 0;  // all banks' channels (the deep layer's input)
  bool forward_ran_ = false;
};

}  // namespace neuroshop::stylize
