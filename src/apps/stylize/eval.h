// `eval stylize`: does stylization move an image's style toward the painting while keeping the
// photo's structure? For each content/style pair:
//  - style distance before (the content itself) and after (the result): the mean relative Gram
//    error of objective.h, measured with a FeatureNet of an INDEPENDENT seed — not the network the
//    optimization (or training) minimized, so the figure is not the optimizer grading itself;
//  - structure kept: SSIM (Wang et al. 2004, 11x11 Gaussian window, sigma 1.5) between the Sobel
//    gradient magnitudes of the content's and the result's lightness — 1 when every edge stays
//    where it was, near 0 when the layout is lost;
//  - from a fixed Gabor filter bank no stylizer optimizes (texture_stats.h): the texture distance to
//    the painting at stroke scale (wavelengths 1/64 .. 1/8 of the long side) and the nearest-patch
//    distance of 16x16 gradient patches at the painting's stroke scale, each for the content and
//    the result (their ratio: how much of the photo's distance to the painting is left), the
//    distance between the distributions of those patches (sliced Wasserstein, levels 0..2; the
//    figure that ranks the painting's own marks closest, see texture_stats.h), the colour speckle
//    (fine-scale chroma RMS) of the painting and the result, for reference the texture and
//    distribution distances of the painting's one half to its other half (split across the long
//    side, at the same scale), and the
//    grid-artefact score (largest stride-frequency spectral peak, dB) of the content and the result;
//  - the same figures for a baseline that only recolours the content into the painting's palette
//    (match_palette, images.h), so the table shows how much of the drop is texture, not colour.
// Not here: argument parsing or printing (the CLI).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "apps/stylize/stylize.h"
#include "core/progress.h"

namespace neuroshop::stylize {

struct EvalPair {
  std::string content;
  std::string style;
};

// "CONTENT=STYLE" -> pair (ArgumentError with the expected form otherwise).
EvalPair parse_eval_pair(const std::string& text);

struct EvalOptions {
  std::vector<EvalPair> pairs;
  std::string model;            // a fast-style model: results come from it instead of optimization
  StylizeOptions stylize;       // optimization settings (size: the evaluation size for both)
  uint64_t eval_seed = 977;     // the measuring FeatureNet's seed; must differ from stylize.seed
};

struct PairScores {
  std::string content, style;
  double style_before = 0.0;  // style distance of the content
  double style_after = 0.0;   // style distance of the result
  double edge_ssim = 0.0;     // structure kept
  double texture_before = 0.0, texture_after = 0.0;  // Gabor texture distance: content, result
  double patch_before = 0.0, patch_after = 0.0;      // nearest-patch distance: content, result
  double spread_before = 0.0, spread_after = 0.0;    // patch distribution distance: content, result
  double speckle_painting = 0.0, speckle_after = 0.0;  // fine chroma RMS: painting, result
  double texture_own = 0.0, spread_own = 0.0;  // the painting's one half against its other half
  double artefact_content = 0.0, artefact_after = 0.0;  // grid artefact (dB): content, result
  int stroke_level = 0;       // the painting's stroke scale: wavelength 2^(3+level)/512 of the long side
  double palette_after = 0.0;      // style distance of the palette-only baseline
  double palette_texture = 0.0, palette_patch = 0.0, palette_spread = 0.0;  // its texture and patch distances
  double palette_edge_ssim = 0.0;  // its structure kept
  double seconds = 0.0;       // time to stylize
};

struct EvalResult {
  std::vector<PairScores> pairs;
  double mean_before = 0.0, mean_after = 0.0, mean_edge_ssim = 0.0;
  double mean_palette_after = 0.0, mean_palette_edge_ssim = 0.0;
  // Means of the per-pair ratios result/content (texture, patch) and of the artefact scores.
  double mean_texture_ratio = 0.0, mean_patch_ratio = 0.0, mean_spread_ratio = 0.0;
  double mean_speckle_ratio = 0.0;  // result's fine chroma RMS over the painting's
  // The painting's own other half as a ratio to the photo: how low a genuine piece of the painting
  // takes the texture and distribution ratios (the floor a stylization can hope for).
  double mean_texture_own_ratio = 0.0, mean_spread_own_ratio = 0.0;
  double mean_artefact_content = 0.0, mean_artefact_after = 0.0;
};

EvalResult evaluate(const EvalOptions& options, const ProgressFn& progress = {});

// The measurements on images already in memory (BGR CV_32FC3; result and content the same size).
// The style image is measured at long side result_long_side * style_scale, as stylize uses it.
struct StyleScores {
  double before = 0.0, after = 0.0, edge_ssim = 0.0;
  double texture_before = 0.0, texture_after = 0.0, patch_before = 0.0, patch_after = 0.0;
  double spread_before = 0.0, spread_after = 0.0;
  double speckle_painting = 0.0, speckle_after = 0.0;
  double texture_own = 0.0, spread_own = 0.0;
  double artefact_content = 0.0, artefact_after = 0.0;
  int stroke_level = 0;
};
StyleScores score_stylization(const cv::Mat& content, const cv::Mat& style, const cv::Mat& result, uint64_t eval_seed,
                              double style_scale = 1.0);

// Sobel gradient magnitude of the L*/100 lightness (CV_32F).
cv::Mat edge_map(const cv::Mat& bgr);
// Mean SSIM of two single-channel CV_32F images of the same size, with dynamic range `range`.
double ssim(const cv::Mat& a, const cv::Mat& b, double range);

}  // namespace neuroshop::stylize
