// Style by patch synthesis (Elad & Milanfar 2017, "Style Transfer via Texture Synthesis", after
// Kwatra et al. 2005's texture optimization): the result is assembled from the painting's own
// pixel patches, so its marks — strokes, line work, swirls — are copied, not only their statistics
// matched (which random feature networks fill with fine meshes). Coarse to fine over an image
// pyramid; at each scale, for each patch size from large to small, a few rounds of:
//  1. match: every patch of the current estimate X on a grid of step ~0.6 n (randomly shifted each
//     round, so no seam lines up from round to round) is replaced by its nearest painting patch in
//     RGB (squared distance; the painting's patches on a grid capped at max_style_patches; the
//     search is a GEMM on the engine's kernel);
//  2. aggregate robustly (IRLS, Elad & Milanfar's r = 0.8): X = sum_i w_i R_i^T z_i / sum_i w_i R_i^T 1
//     with w_i = (|R_i X - z_i|^2 / D + eps)^((r - 2) / 2), a few reweighting steps, so a patch that
//     matched badly pulls less than one that matched well;
//  3. content fusion: X = (X + W C) / (1 + W), W = content_weight * (0.35 + 0.65 * edge map of C),
//     so the photo's edges hold where they are and flat areas take the painting's marks;
//  4. colour transfer: X moved colour_transfer of the way to its per-channel histogram match with
//     the painting (a full match forces the painting's colour proportions onto the photo and pastes
//     whole objects of the painting where the photo is flat).
// The start is the content plus Gaussian noise (the synthesis needs freedom to leave the photo).
// Patch sizes that do not fit an image at a scale are skipped there; where none fits, the content is
// passed on unchanged.
// Inputs are BGR CV_32FC3 in [0, 1]: the content already at the output size (and usually already
// recoloured into the painting's palette), the painting at the size its marks should have relative
// to the output. Deterministic for a seed (the thread count does not change the result: the GEMM
// reduction order is fixed, and the argmin scan is serial).
// Not here: palette matching (images.h), the feature-network optimization (stylize.h), files.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "core/progress.h"

namespace neuroshop::stylize {

struct PatchSynthesisOptions {
  // Defaults chosen by eye on three development pairs (none of the pairs the README's table uses):
  // 33 px patches at a quarter of the size copied whole figures and furniture into skies.
  std::vector<int> patch_sizes{21, 13, 9};  // pixels at every scale, large to small
  int scales = 2;                 // pyramid levels (each half the next), the last at full size
  int rounds = 5;                 // match + aggregate rounds per patch size per scale
  int irls_steps = 3;             // reweighting steps per aggregation
  double robust_power = 0.3;      // r of the IRLS weights (2: plain averaging; low: less ghosting)
  double content_weight = 3.0;    // W of the content fusion at the photo's strongest edges
  double noise = 0.2;             // standard deviation of the start's noise, in [0, 1] units
  double colour_transfer = 0.5;   // in [0, 1]: how far each round moves toward the painting's histogram
  int64_t max_style_patches = 12000;  // painting patches searched per patch size and scale
  uint64_t seed = 1;
};

// Throws ArgumentError naming the field when a value is out of range.
void validate(const PatchSynthesisOptions& options);

// content: the output-sized start and content target; style: the painting. Both BGR CV_32FC3.
// Returns BGR CV_32FC3 of the content's size (values clamped to [0, 1]).
cv::Mat synthesize_from_patches(const cv::Mat& content, const cv::Mat& style, const PatchSynthesisOptions& options,
                                const ProgressFn& progress = {});

// Helpers, exposed for tests.
// Each channel of `image` mapped so its value histogram equals `reference`'s (by rank: the k-th
// smallest of n values takes the reference's value at quantile k / (n - 1), interpolated).
cv::Mat match_histograms(const cv::Mat& image, const cv::Mat& reference);
// The same against a reference's values already sorted per channel (the painting's, sorted once per
// scale rather than every round).
using ChannelValues = std::array<std::vector<float>, 3>;
ChannelValues sorted_channels(const cv::Mat& reference);
cv::Mat match_histograms(const cv::Mat& image, const ChannelValues& sorted_reference);
// Grid positions along an axis of `length` for patches of `patch` pixels: `offset`, offset + step,
// ... that fit, plus 0 and length - patch, so every pixel is covered when step <= patch. Sorted, no
// repeats; empty when the patch is longer than the axis.
std::vector<int> patch_positions(int length, int patch, int step, int offset);
// For each row of `queries` (Nq x D) the index of the nearest row of `bank` (Nb x D) in squared
// Euclidean distance (lowest index on ties).
std::vector<int> nearest_rows(const std::vector<float>& queries, const std::vector<float>& bank, int64_t dim);

}  // namespace neuroshop::stylize
