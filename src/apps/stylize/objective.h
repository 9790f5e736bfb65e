// The style-transfer objective both the optimizer (stylize.h) and the feed-forward trainer (train.h)
// minimize, measured through a FeatureNet:
//   L = style_weight * S + content_weight * C + tv_weight * TV
//   S  = (1/K) sum_k ||G_k(x) - T_k||^2 / ||T_k||^2     K style outputs, Gram matrices G (core/losses/style.h)
//   C  = mean((F(x) - F(c))^2) / mean(F(c)^2)           F the deep content features, c the content image
//   TV = total_variation_loss(x)
//   + patch_weight * P when the style target holds patches: P = patch_loss (patch_loss.h) of one
//     style output against the painting's patches of that output
// Each Gram loss is divided by its target's own size (He, Wang & Hopcroft 2016: per-layer
// normalization, without which the layer with the largest activations drowns the others), so S is
// the mean relative Gram error, 1 for an image with no features at all; C is relative likewise.
// The same S, measured with an independently seeded FeatureNet, is `eval stylize`'s style distance.
// Not here: the optimization loop, images or files.
#pragma once

#include <vector>

#include "apps/stylize/features.h"
#include "apps/stylize/patch_loss.h"
#include "core/tensor.h"

namespace neuroshop::stylize {

// Gram targets of a style image, with each layer's normalization.
struct StyleTarget {
  std::vector<Tensor> grams;    // (1,C_k,C_k) per style output of the FeatureNet
  std::vector<double> weights;  // 1 / mean(T_k^2) per style output (mean, as gram_loss averages)
  PatchTarget patch;            // the painting's patches of style output patch_output (when defined)
  size_t patch_output = 0;
};

// Content targets: the content images' deep features and their normalization.
struct ContentTarget {
  Tensor features;     // (N, C, H/2, W/2)
  double weight = 1.0; // 1 / mean(features^2)
};

struct LossWeights {
  double style = 1.0;
  double content = 1.0;
  double tv = 0.0;
  double patch = 0.0;
};

struct LossTerms {
  double style = 0.0;    // S (unweighted)
  double content = 0.0;  // C (unweighted)
  double tv = 0.0;       // TV (unweighted)
  double patch = 0.0;    // P (unweighted)
  double total = 0.0;    // the weighted sum L
};

// style_image (1,3,H,W) in [0, 1]. patch_output >= 0 also keeps the painting's patches of that
// style output (at most max_patches) for the patch loss.
StyleTarget make_style_target(StyleNet& net, const Tensor& style_image, int patch_output = -1,
                              int64_t max_patches = 2048);
// content (N,3,H,W) in [0, 1].
ContentTarget make_content_target(StyleNet& net, const Tensor& content);

// image (N,3,H,W); the content target (when content weight > 0) must come from images of that
// shape. When dimage is non-null it receives dL/dimage (fresh).
LossTerms style_transfer_loss(StyleNet& net, const StyleTarget& style, const ContentTarget& content,
                              const Tensor& image, const LossWeights& weights, Tensor* dimage);

// S alone for image (N,3,H,W): the mean relative Gram error against `style` (no gradient).
double style_distance(StyleNet& net, const StyleTarget& style, const Tensor& image);

}  // namespace neuroshop::stylize
