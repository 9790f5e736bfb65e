// ColorizeModel: the trained colorization network together with its ab bin table, as stored in
// a .nsm file, and the one call that turns an L image (plus hints) into ab.
// Not here: image files, full-resolution recombination (colorize.h) or training (train.h).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "apps/colorize/ab_bins.h"
#include "core/layer.h"

namespace neuroshop::colorize {

class ColorizeModel {
 public:
  // `lookup` (101, 2): the mean ab of the training photos per integer L level, the simple baseline
  // `eval colorize` compares against (kept with the model so evaluation needs no training data).
  ColorizeModel(std::unique_ptr<Layer> net, AbBins bins, Tensor lookup);
  // Loads and validates a colorize model file (ModelError naming the file when it is not one).
  static ColorizeModel load(const std::string& path);
  // Writes the model with the bin tables and `metadata` (atomically).
  void save(const std::string& path, const std::map<std::string, std::string>& metadata = {});

  Layer& net() { return *net_; }
  const AbBins& bins() const { return bins_; }
  const Tensor& lookup() const { return lookup_; }

  // ab (CV_32FC2, a quarter of the input's size rounded up) predicted for L (CV_32F, L in [0,100])
  // with optional hints (CV_32FC2 ab and CV_32F mask, same size as L). L of any size is padded by
  // reflection to a multiple of 8 for the network and the result cropped back. With `mirror`, the
  // network also sees the left-right mirror image and the two predictions' logits are averaged.
  cv::Mat predict_ab(const cv::Mat& L, const cv::Mat& hint_ab, const cv::Mat& hint_mask, float temperature,
                     float prior_correction = 0.0f, bool mirror = false);

 private:
  std::unique_ptr<Layer> net_;
  AbBins bins_;
  Tensor lookup_;
};

// The lookup baseline's table from photos: mean ab per integer L level (101, 2); levels never seen get 0.
Tensor mean_ab_by_lightness(const std::vector<cv::Mat>& lab_photos);

}  // namespace neuroshop::colorize
