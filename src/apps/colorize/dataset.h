// Training data for the colorizer: colour photos decoded once into Lab at a reduced size, and
// batches sampled from them with random crops, flips, scale jitter and user-style colour hints
// (Zhang et al. 2017: a geometric number of small patches revealing the true mean ab).
// Not here: ab quantization (ab_bins.h), the network or the loop (network.h, train.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "apps/colorize/ab_bins.h"
#include "core/progress.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace neuroshop::colorize {

// A photo in CIE Lab: CV_32FC3 (L in [0,100], a, b roughly [-110, 110]), or packed into 8 bits per
// channel, CV_8UC3 (L·255/100, a + 128, b + 128), which is how load_photos keeps training photos so
// that ~16k of them fit in a few GB (the packing error, 0.2 in L and 0.5 in a and b, is far below the
// 10-unit ab bins). Every function taking LabPhotos accepts both.
using LabPhoto = cv::Mat;

cv::Mat pack_lab(const cv::Mat& lab);    // CV_32FC3 -> CV_8UC3 (saturating)
cv::Mat unpack_lab(const cv::Mat& lab);  // either -> CV_32FC3 (a float photo is returned as is)

struct PhotoLoadOptions {
  int64_t short_side = 176;        // photos are resized so their short side is this
  double min_mean_chroma = 6.0;    // photos whose mean sqrt(a²+b²) is below this count as gray and are skipped
};

struct LoadedPhotos {
  std::vector<LabPhoto> photos;
  std::vector<std::string> paths;
  int64_t skipped_gray = 0;
  int64_t skipped_unreadable = 0;
};

LoadedPhotos load_photos(const std::vector<std::string>& paths, const PhotoLoadOptions& options,
                         const ProgressFn& progress = {});

// Mean chroma of a Lab photo: mean of sqrt(a² + b²).
double mean_chroma(const LabPhoto& lab);

struct HintOptions {
  double no_hint_probability = 0.5;   // share of samples trained without any hint
  double geometric_p = 1.0 / 8.0;     // number of hints ~ Geometric(p) otherwise (Zhang 2017)
  int64_t max_hints = 16;
  int64_t max_patch = 5;              // hint patches are 1..max_patch pixels square
};

struct Batch {
  Tensor input;    // (N, 4, S, S): L/50 − 1, hint a/110, hint b/110, hint mask
  Tensor ab;       // (N, 2, S/4, S/4): the true ab at the output resolution
  Tensor target;   // (N, Q, S/4, S/4): soft-encoded ab
};

// Random crops of side `crop` (a multiple of 8) from random photos. Scale jitter: each crop is a
// square of side in [crop, min(short side, max_zoom * crop)], drawn log-uniformly, resized to `crop`.
Batch sample_batch(const std::vector<LabPhoto>& photos, int64_t batch_size, int64_t crop, const AbBins& bins,
                   const HintOptions& hints, Rng& rng, double max_zoom = 1.5);

// Deterministic validation batch: the centre crop of each photo, no hints.
Batch centre_batch(const std::vector<LabPhoto>& photos, int64_t begin, int64_t end, int64_t crop, const AbBins& bins);

// Network input from an L image (CV_32F, L in [0,100]) and optional hints (CV_32FC2 ab and CV_32F mask,
// same size; empty for none). Sides must be multiples of 8.
Tensor make_input(const cv::Mat& L, const cv::Mat& hint_ab = {}, const cv::Mat& hint_mask = {});

// Counts of the ab grid cells over photos (for the bin set) at a coarse pixel stride.
std::vector<double> ab_histogram(const std::vector<LabPhoto>& photos, const AbBinOptions& grid, int64_t stride = 2);
// Counts of the kept bins (for rebalancing).
std::vector<double> bin_counts(const std::vector<LabPhoto>& photos, const AbBins& bins, int64_t stride = 2);

}  // namespace neuroshop::colorize
