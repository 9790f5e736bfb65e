// Learned features for style transfer: the encoder of our own colorization network (colorize.nsm),
// trained on ~14k photos to predict colour from lightness. Colorization is a self-supervised
// pre-training task whose features transfer (Zhang, Isola & Efros 2016, section 4), and these are the
// only learned image features this project owns (there is no pretrained VGG here).
//  - ColorizerFeatures: the image's CIE L (io/color.h's lightness and its gradient) enters the
//    colorizer as it does when colorizing (L/50 - 1, hint channels zero); the chain runs through the
//    encoder (every layer before the U-Net's skip, then the skip's body up to its upsampling) with the
//    file's weights frozen and batch norms in inference mode. Each strided convolution's input is
//    first blurred by the binomial [1 2 1]^2/16 (anti-aliased subsampling, Zhang 2019, "Making
//    Convolutional Networks Shift-Invariant Again"): a stride-2 convolution's image gradient is
//    zero-interleaved and would print its grid into an optimized image; the blur's adjoint removes
//    that frequency, as the pyramid's blur-before-subsample does. Style outputs: the first ReLU, the first
//    ReLU at each coarser scale (1/2, 1/4, 1/8) and the last ReLU of the chain (1/8, the dilated
//    middle's context). No content output of its own.
//  - ColorizerPyramid: FeatureNet (features.h) with the colorizer's outputs appended as extra style
//    layers ("an extra perceptual layer"): the pyramid keeps colour, fine texture and the content
//    representation; the colorizer adds what it learned photos are made of.
// Not here: losses, targets, optimization (objective.h), the network's definition (colorize/network.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "apps/stylize/features.h"
#include "core/layer.h"

namespace neuroshop::stylize {

class ColorizerFeatures : public StyleNet {
 public:
  // Loads a colorize model file (ModelError if it is not one, IoError if unreadable).
  explicit ColorizerFeatures(const std::string& model_path);
  // Takes a colorize network (as colorize::build_network makes it) whose encoder to use.
  explicit ColorizerFeatures(std::unique_ptr<Layer> colorize_net);

  Features forward(const Tensor& image) override;
  Tensor backward(const std::vector<Tensor>& dstyle, const Tensor& dcontent) override;
  int64_t min_side() const override { return 32; }
  size_t num_style_outputs() const override { return taps_.size(); }
  // "colorizer.NAME", NAME the convolution (or block) before the tapped ReLU, e.g. "colorizer.enc1_down"
  std::string style_output_name(size_t i) const override;

 private:
  void build_chain();

  std::unique_ptr<Layer> net_;
  std::vector<Layer*> chain_;        // the encoder's layers in order
  std::vector<std::string> names_;   // per chain layer: the name of the last named layer up to it
  std::vector<bool> blur_before_;    // per chain layer: a strided convolution, its input blurred first
  std::vector<size_t> taps_;         // chain indices whose outputs are style outputs
  Tensor dlightness_;                // (N,3,H,W): dL/dR, dL/dG, dL/dB of the last image (lightness_gradient)
  bool forward_ran_ = false;
};

class ColorizerPyramid : public StyleNet {
 public:
  ColorizerPyramid(const FeatureNetOptions& pyramid, const std::string& colorizer_model);
  ColorizerPyramid(const FeatureNetOptions& pyramid, std::unique_ptr<Layer> colorize_net);

  Features forward(const Tensor& image) override;
  Tensor backward(const std::vector<Tensor>& dstyle, const Tensor& dcontent) override;
  int64_t min_side() const override;
  size_t num_style_outputs() const override { return pyramid_.num_style_outputs() + colorizer_.num_style_outputs(); }
  std::string style_output_name(size_t i) const override;

 private:
  FeatureNet pyramid_;
  ColorizerFeatures colorizer_;
};

}  // namespace neuroshop::stylize
