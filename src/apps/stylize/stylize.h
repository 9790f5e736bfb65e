// Arbitrary style from a painting: by patch synthesis (patch_synthesis.h, the default), or by
// optimization (Gatys, Ecker & Bethge 2016, with the options of jcjohnson's neural-style): the
// output image itself is optimized, starting from the content photo, to minimize
// the objective of objective.h through a fixed random FeatureNet, by L-BFGS (or Adam).
//  - Coarse to fine: the image is first optimized with its long side halved as often as it stays
//    >= min_stage_size (512 -> 128), then each stage doubles it up to `size`; a stage starts from
//    its content photo plus the upsampled change the previous stage made, so full-resolution detail
//    is never blurred and the expensive large stages only refine.
//  - preserve_colors (Gatys et al. 2017, luminance-only transfer): content and style become their
//    CIE L* lightness, the style's matched to the content's mean and deviation; the style is
//    transferred on lightness alone and the result's L* is joined with the content's a*b*, so the
//    output has exactly the content's chroma.
//  - the content is first recoloured into the style's palette (Reinhard et al. 2001) unless colours
//    are preserved, so optimization starts with the painting's colours and only adds texture;
//  - style_scale resizes the style image relative to the output (larger: larger strokes);
//    strength blends the result with the content (0: the content, 1: the full result).
// Not here: the feed-forward networks (fast.h), files and argument parsing (the CLI).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "apps/stylize/images.h"
#include "apps/stylize/objective.h"
#include "apps/stylize/patch_synthesis.h"
#include "core/progress.h"
#include "io/image_file.h"

namespace neuroshop::stylize {

enum class OptimizerKind { kLbfgs, kAdam };
// "lbfgs" / "adam", and back (ArgumentError on anything else).
const char* optimizer_name(OptimizerKind kind);
OptimizerKind parse_optimizer(const std::string& name);

// The feature network the objective is measured through: the shallow multi-scale pyramid
// (FeatureNet, features.h), the narrow random VGG (RandomVgg, random_vgg.h), or the pyramid with the
// colorization network's encoder as extra style layers (ColorizerPyramid, colorizer_features.h).
enum class NetworkKind { kPyramid, kVgg, kColorizer };
// "pyramid" / "vgg" / "colorizer", and back (ArgumentError on anything else).
const char* network_name(NetworkKind kind);
NetworkKind parse_network(const std::string& name);
// A network of that kind drawn from `seed`; kColorizer loads `colorizer_model` (a colorize model file).
std::unique_ptr<StyleNet> make_style_net(NetworkKind kind, uint64_t seed, const std::string& colorizer_model = {});

// How the result is made: by patch synthesis from the painting's own patches ("patches",
// patch_synthesis.h; the default: on the contact sheet it shows the painting's marks where the
// optimization fills skies with rainbow meshes), or by optimizing the image through the feature
// network from the content ("optimize", Gatys et al.). Synthesis followed by optimization was tried
// and brought the meshes back.
enum class StylizeMethod { kPatches, kOptimize };
const char* method_name(StylizeMethod method);
StylizeMethod parse_method(const std::string& name);

struct StylizeOptions {
  StylizeMethod method = StylizeMethod::kPatches;
  PatchSynthesisOptions synthesis;  // for kPatches (its seed is replaced by `seed` below)
  int64_t size = 512;             // the output's long side; 0 keeps the content's own size
  int64_t iterations = 200;       // over all stages, most of them at the small (cheap) sizes
  double style_weight = 1.0;
  double content_weight = 0.4;
  double tv_weight = 2.0;
  double style_scale = 1.0;       // the style image's long side relative to the output's
  bool preserve_colors = false;
  // Without preserve_colors: recolour the content into the style's palette first (match_palette,
  // images.h), which becomes the start and the content target. The Gram losses alone leave hue free
  // where the content loss (structure, not colour) does not pin it, and rainbow bands appear.
  bool match_palette = true;
  double strength = 1.0;          // in [0, 1]
  uint64_t seed = 1;              // the feature network's seed, or the synthesis start's noise
  NetworkKind network = NetworkKind::kPyramid;
  std::string colorizer_model = "models/colorize.nsm";  // the encoder NetworkKind::kColorizer uses
  // The patch loss (patch_loss.h) on style output patch_output (-1: the network's default, relu3_1
  // of RandomVgg, level0.deep of FeatureNet), against at most patch_count painting patches.
  double patch_weight = 0.0;
  int patch_output = -1;
  int64_t patch_count = 2048;
  OptimizerKind optimizer = OptimizerKind::kLbfgs;
  double adam_lr = 0.02;          // step size of Adam in pixel units (images in [0, 1])
  int64_t min_stage_size = 128;   // the coarsest stage's long side
};

// Throws ArgumentError naming the option when a value is out of range.
void validate(const StylizeOptions& options);

struct StylizeResult {
  cv::Mat bgr;             // CV_32FC3, BGR, not clamped to [0, 1] (so colour tests see exact values)
  LossTerms first, last;   // the objective at the start and the end of the last stage
  int64_t evaluations = 0; // objective evaluations over all stages
  double seconds = 0.0;
};

// content, style: BGR (CV_8U, CV_16U or CV_32F in [0, 1]). The result has the content's aspect ratio
// and long side options.size (the content's own size when 0).
StylizeResult transfer_style(const cv::Mat& content_bgr, const cv::Mat& style_bgr, const StylizeOptions& options,
                      const ProgressFn& progress = {});

// The same on images as read from files: gray inputs are taken as colour, the output has the
// content's bit depth, and its alpha (if any) resized to the output.
Image stylize_image(const Image& content, const Image& style, const StylizeOptions& options,
                    const ProgressFn& progress = {});

}  // namespace neuroshop::stylize
