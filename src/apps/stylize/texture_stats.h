// Texture measurements of `eval stylize` that do not come from any network the stylizer optimizes:
// a fixed bank of oriented Gabor filters, a nearest-patch distance on gradient fields, and a
// spectral test for the grid artefacts strided loss networks leave. All work on the lightness
// (CIE L*/100) of BGR CV_32FC3 images in [0, 1], resampled so their long side is
// kTextureLongSide pixels, so that scales are fractions of the image and not of its pixel count.
//  - Texture statistics (Portilla & Simoncelli 2000 in small): a complex Gabor bank, 4 orientations
//    x 4 scales with wavelengths 1/64, 1/32, 1/16 and 1/8 of the long side (where brush marks live),
//    the same 1-octave kernel applied to a binomial pyramid. Per scale: log mean and log standard
//    deviation of each orientation's energy, the correlations between orientations, and between each
//    orientation's energy and the next coarser scale's. texture_distance is the RMS difference of the
//    log terms combined with the RMS difference of the correlations.
//  - Patch distance (the idea of CNNMRF, Li & Wand 2016, as a measure): at the painting's stroke
//    scale (the pyramid level where its Gabor energy is highest; a 1/f photo has about equal energy
//    at every level, so the peak is where the painting has more marks than a photo), the mean over
//    16x16 patches of the result's Sobel gradient field of the RMS distance to the nearest patch of
//    the painting's. Patches are taken on a regular grid (no randomness).
//    Calibration (at 512 px, five paintings of ../shared/data split into halves): this nearest-patch
//    figure ranks a flat gray image closest to the painting and the painting's own other half
//    further than a photo — in 512 dimensions the nearest patch of different content is about as far
//    as the patch's own energy, so it rewards smoothness, not brushwork; it stays printed for the
//    record, and the next figure is the one to judge by.
//  - Patch distribution distance (sliced Wasserstein, as Heitz et al. 2021 use it for textures): at
//    each stroke-scale level 0..2 (wavelengths 1/64..1/16), the 16x16 Sobel gradient patches of the
//    result and of the painting projected on 64 fixed random unit directions; per direction the RMS
//    difference of the two sorted projections at 256 quantiles; the mean over directions and
//    levels. Equal distributions score 0, whatever the patches' positions; a flat image scores the
//    spread of the painting's marks; on the calibration above the painting's other half scores
//    below the photo on every painting (a test keeps that property on the samples).
//  - Colour speckle: the RMS of the fine-scale chroma (a* and b* minus their Gaussian blur of sigma
//    1.5 px) at long side kTextureLongSide (the painting at its size relative to the result). Paintings
//    at 512 px lie about 0.9-2.5; the "psychedelic skies" of Gram-matrix optimization are rainbow
//    meshes of 2-5 times the painting's value, which the lightness-only measures above cannot see.
//  - Grid artefact: Welch-averaged power spectrum (Hann-windowed 128x128 tiles, half overlapping);
//    at every frequency a stride-2, -4, -8 or -16 network can imprint (multiples of 1/16 cycles per
//    pixel in x and y, not both 0) the power in that bin over the median of the surrounding ring of bins
//    (both plus the power of an invisible 0.1 % ripple), in dB; the score is the largest. Measured at the image's own resolution (strides are pixels).
// Not here: the feature network's style distance (objective.h), SSIM (eval.h), printing.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace neuroshop::stylize {

constexpr int kTextureLongSide = 512;
constexpr int kTextureScales = 4;
constexpr int kTextureOrientations = 4;

// Gabor statistics of one image (see above). Vectors are ordered scale-major.
struct TextureStats {
  std::vector<double> log_mean;           // scales x orientations: log(mean energy + eps)
  std::vector<double> log_sd;             // scales x orientations: log(sd of energy + eps)
  std::vector<double> orientation_corr;   // scales x 6 pairs
  std::vector<double> scale_corr;         // (scales - 1) x orientations
  std::vector<double> level_energy;       // per scale: mean energy over orientations
};

// The lightness L*/100 (CV_32FC1) of a BGR image, resized by kTextureLongSide / reference_long_side
// (0: the image's own long side, so it comes out with long side kTextureLongSide). A painting is
// measured with the result's long side as reference, so it keeps its size relative to the result.
cv::Mat texture_lightness(const cv::Mat& bgr, int reference_long_side = 0);

TextureStats texture_stats(const cv::Mat& bgr, int reference_long_side = 0);
// sqrt(RMS(log terms)^2 + RMS(correlation terms)^2); 0 for equal statistics.
double texture_distance(const TextureStats& a, const TextureStats& b);

// The painting's stroke scale: the pyramid level (0 .. kTextureScales-1) of its largest Gabor energy.
int stroke_level(const TextureStats& painting);

// Mean over the result's 16x16 gradient patches (at pyramid level `level` of texture_lightness) of
// the RMS distance to the nearest patch of the painting's.
double patch_distance(const cv::Mat& result_bgr, const cv::Mat& painting_bgr, int level);

// The sliced Wasserstein distance between the result's and the painting's 16x16 gradient patches
// at levels 0..kPatchDistributionLevels-1 (see above; at most kPatchDistributionCap patches per level).
constexpr int kPatchDistributionLevels = 3;
constexpr int kPatchDistributionCap = 20000;
// Both are measured at the scale texture_lightness gives them with reference_long_side (0: the
// result's long side), so two pieces of one painting can be compared at the painting's eval scale.
double patch_distribution_distance(const cv::Mat& result_bgr, const cv::Mat& painting_bgr, int reference_long_side = 0);

// The fine-scale chroma RMS (see above). reference_long_side as for texture_lightness.
double fine_chroma_rms(const cv::Mat& bgr, int reference_long_side = 0);

// The largest stride-frequency spectral peak of the image's lightness, in dB over its surroundings
// (about 1-3 dB for photos; a faint pixel grid gives tens). Images smaller than 128 px per side are
// measured with one tile of their size rounded down to a multiple of 16.
double grid_artefact_db(const cv::Mat& bgr);

}  // namespace neuroshop::stylize
