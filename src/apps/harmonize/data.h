// Self-supervised training data for image harmonization, the iHarmony4 recipe (Cong et al. 2020):
// take a real photo, pick an object-shaped region, change its colour and light (Reinhard transfer
// towards another photo, exposure, gamma, white balance) and ask for the original back, given the
// composite and the mask. Every sample is a pure function of the photo, the other photo and an Rng,
// so validation and `eval harmonize` composites are reproducible from a seed.
// Images are BGR CV_32FC3 in [0, 1]; masks CV_32F in [0, 1].
// Not here: the network (harmonize/model.h), the loop (harmonize/train.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/progress.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace neuroshop::harmonize {

struct HarmonizeSample {
  cv::Mat composite;  // the photo with the region's colours changed
  cv::Mat target;     // the photo
  cv::Mat mask;       // the region, soft-edged
};

// An object-shaped soft mask of `size`: a piece of furniture (a body on legs, sometimes with a
// back), a cluster of blobs (a plant, a cushion pile) or a polygon, covering about 4–40% of it.
cv::Mat random_object_mask(cv::Size size, Rng& rng);

// A mask from one of `alphas` (furniture cut-outs' alpha, CV_32F), scaled and placed at random;
// a procedural one when `alphas` is empty.
cv::Mat random_mask(cv::Size size, const std::vector<cv::Mat>& alphas, Rng& rng);

// The photo with colours changed inside `mask`: a random mix of a Reinhard transfer towards
// `other`'s statistics, an exposure change, a gamma and white-balance gains, redrawn until the
// region visibly changed (mean absolute change >= 0.02).
cv::Mat perturb_region(const cv::Mat& photo, const cv::Mat& mask, const cv::Mat& other, Rng& rng);

HarmonizeSample make_sample(const cv::Mat& photo, const cv::Mat& other, const std::vector<cv::Mat>& alphas, Rng& rng);

// The classical baseline: Reinhard transfer (full strength) of the region's Lab statistics to
// those of the rest of the image, composited back with the mask.
cv::Mat reinhard_harmonize(const cv::Mat& composite, const cv::Mat& mask);

// Photos decoded once and shrunk so their short side is `short_side` (gray and unreadable ones
// skipped and counted).
struct LoadedImages {
  std::vector<cv::Mat> images;
  std::vector<std::string> paths;
  int64_t skipped = 0;
};
LoadedImages load_colour_photos(const std::vector<std::string>& paths, int64_t short_side, const ProgressFn& progress = {});

// Alpha channels of the PNG cut-outs in a folder (CV_32F, cropped to the silhouette, long side at
// most `long_side`); files without alpha are skipped.
std::vector<cv::Mat> load_alpha_masks(const std::string& folder, int64_t long_side);

// A random square crop of side `size` (flipped left-right half of the time) and the centre crop.
cv::Mat random_crop(const cv::Mat& image, int64_t size, Rng& rng);
cv::Mat centre_crop(const cv::Mat& image, int64_t size);

// Network tensors: input (N, 4, S, S) = composite RGB − 0.5 and the mask; the residual target
// (N, 3, S, S) = target − composite in RGB; the mask (N, 1, S, S).
Tensor harmonize_input(const std::vector<cv::Mat>& composites, const std::vector<cv::Mat>& masks);
Tensor harmonize_residual(const std::vector<HarmonizeSample>& samples);
Tensor mask_tensor(const std::vector<cv::Mat>& masks);

}  // namespace neuroshop::harmonize
