// Colorizing one photo: its luminance goes through the network at a working resolution, the
// predicted ab is upsampled bilinearly to full size and joined with the ORIGINAL full-resolution
// L, so no detail is lost at any size. Gray and colour inputs alike (colour ones are re-colorized
// from their luminance); 8- and 16-bit kept; alpha passed through.
// Many files at once go through the shared batch runner (apps/common/batch.h).
// Not here: argument parsing (the CLI).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apps/colorize/model.h"
#include "apps/common/batch.h"
#include "core/progress.h"
#include "io/image_file.h"

namespace neuroshop::colorize {

// A user colour hint: the region around (x, y) in input pixels should have this colour's chroma.
struct Hint {
  double x = 0.0, y = 0.0;
  unsigned char r = 0, g = 0, b = 0;
};

// Decoding defaults. Zhang 2016 decode the rebalanced distribution (prior correction 0) at T = 0.38;
// for our model that puts confident colour on grayish walls and floors (PSNR 2.1 dB below gray on
// the validation photos). Undoing a quarter of the rebalancing and taking the mean (T = 1) keeps
// PSNR within 0.5 dB of gray there with most of the rare colours (models/colorize.md).
inline constexpr float kDefaultVividness = 1.0f;
inline constexpr float kDefaultPriorCorrection = 0.25f;

struct ColorizeOptions {
  float vividness = kDefaultVividness;  // annealed-mean temperature T: lower is more vivid, 1 is the plain mean
  float prior_correction = kDefaultPriorCorrection;  // 0: the rebalanced distribution, 1: the plain posterior (ab_bins.h)
  int64_t size = 384;        // working resolution: the long side of the image the network sees
  std::vector<Hint> hints;
  int64_t hint_radius = 1;   // hints fill a (2r+1)^2 patch at the working resolution
  bool mirror = false;       // also predict from the mirror image and average (twice the network time)
};

// Parses "X,Y,#RRGGBB" (throws ArgumentError with the expected form).
Hint parse_hint(const std::string& text);

// Validates options against the image (ArgumentError for hints outside it, bad vividness or size).
Image colorize_image(ColorizeModel& model, const Image& input, const ColorizeOptions& options);

// Colorizes the batch's image files, each worker with its own copy of the model at `model_path`
// (ArgumentError for hints with more than one input). Outputs default to NAME-colorized.EXT.
apps::BatchReport colorize_files(const std::string& model_path, const ColorizeOptions& options,
                                 apps::BatchOptions batch, const ProgressFn& progress = {});

}  // namespace neuroshop::colorize
