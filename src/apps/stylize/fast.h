// Fast (feed-forward) styles: a transform network in the manner of Johnson, Alahi & Fei-Fei 2016,
// trained once per style (train.h) and then applied in one forward pass.
// The network, small enough to train on two cores in minutes and to render a megapixel in about a
// second, works at half resolution inside a global residual:
//   output = input + upsample_bilinear_x2( body( avgpool_2x2(input) ) )
//   body:  conv KxK 3->B, IN, ReLU                       reflection padding everywhere
//          conv 3x3 stride 2 B->2B, IN, ReLU
//          conv 3x3 stride 2 2B->4B, IN, ReLU
//          R x residual( conv 3x3, IN, ReLU, conv 3x3, IN )
//          upsample x2 (nearest), conv 3x3 4B->2B, IN, ReLU  (upsample + conv instead of a transposed
//          upsample x2 (nearest), conv 3x3 2B->B, IN, ReLU    conv: no checkerboard; Odena et al. 2016)
//          conv 3x3 B->3
// The photo's full-resolution detail passes through the residual untouched while the body paints
// the change at half resolution: full-resolution im2col buffers are what made a full-size body
// slow (and memory-hungry) on this core. The last conv starts near zero, so the untrained network
// is the identity and the short training spends its steps on style, not on reproducing the photo.
// Instance normalization (Ulyanov et al. 2016) is what makes such small networks stylize well.
// The photo is first recoloured into the painting's palette (images.h match_palette, whose six
// numbers the model file keeps as the extra tensor "palette"), as stylization by optimization does,
// so the network only has to add texture, not learn a global colour change.
// Inputs of any size: padded by reflection to a multiple of 4 and cropped back, so the output has
// exactly the input's size.
// Not here: training (train.h), optimization-based stylization (stylize.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "core/layer.h"
#include "apps/stylize/images.h"
#include "core/rng.h"
#include "io/image_file.h"

namespace neuroshop::stylize {

struct TransformNetOptions {
  int64_t base_channels = 16;   // B
  int64_t residual_blocks = 3;  // R
  int64_t outer_kernel = 7;     // K, odd
};

// Sides are padded to a multiple of this (the half-size pool and two stride-2 convolutions).
inline constexpr int64_t kTransformMultiple = 8;

// Throws ArgumentError on non-positive sizes or an even kernel.
std::unique_ptr<Layer> build_transform_net(const TransformNetOptions& options, Rng& rng);

class StyleModel {
 public:
  StyleModel(std::unique_ptr<Layer> net, const Palette& palette, std::map<std::string, std::string> metadata = {});
  // Loads and validates a style model file (ModelError naming the file when it is not one).
  static StyleModel load(const std::string& path);
  // Writes the network and metadata (app=stylize added) atomically.
  void save(const std::string& path, const std::map<std::string, std::string>& metadata = {});

  Layer& net() { return *net_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  const Palette& palette() const { return palette_; }

  // BGR CV_32FC3 in [0, 1], any size with sides >= 1 -> the stylized image, same size, not clamped:
  // the network applied to the image recoloured into the palette.
  cv::Mat apply(const cv::Mat& bgr);
  // The network alone, on an image already in the palette.
  cv::Mat apply_network(const cv::Mat& bgr);

 private:
  std::unique_ptr<Layer> net_;
  Palette palette_;
  std::map<std::string, std::string> metadata_;
};

struct FastOptions {
  double strength = 1.0;         // blend with the content, in [0, 1]
  bool preserve_colors = false;  // keep the content's chroma (the style's lightness only)
  int64_t size = 0;              // > 0: run the network with the long side at this size and
                                 // return that size; 0: the input's own size
};

// The image stylized by the model (the output has the input's size unless options.size is set),
// with the content's bit depth and alpha. Throws ArgumentError on out-of-range options.
Image stylize_fast(StyleModel& model, const Image& content, const FastOptions& options);

// Where `--style NAME` finds a shipped style: models/style-NAME.nsm.
std::string style_model_file_name(const std::string& name);

}  // namespace neuroshop::stylize
