// The harmonization network and the model file around it. The network is the try-on's small
// U-Net (common/unet.h) with 4 inputs (composite RGB − 0.5 and the mask) and 3 outputs: the colour
// residual added to the composite inside the mask. It works on squares whose side is a multiple
// of 64; pictures of other sizes are resized to the model's input size and the residual resized back.
// Not here: data (harmonize/data.h), training (harmonize/train.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "apps/common/unet.h"

namespace neuroshop::harmonize {

constexpr int64_t kHarmonizeSizeMultiple = apps::kUNetSizeMultiple;

std::unique_ptr<Sequential> build_harmonize_network(int64_t width, Rng& rng);

class HarmonizeModel {
 public:
  // `input_size`: the square side the network works at (a multiple of 64).
  HarmonizeModel(std::unique_ptr<Layer> net, int64_t input_size);
  // Loads and validates (ModelError naming the file when it is not a harmonize model).
  static HarmonizeModel load(const std::string& path);
  // Writes the model with `metadata` (atomically).
  void save(const std::string& path, const std::map<std::string, std::string>& metadata = {});

  Layer& net() { return *net_; }
  int64_t input_size() const { return input_size_; }

  // composite: BGR CV_32FC3 in [0, 1]; mask: CV_32F in [0, 1], same size. The picture is resized to
  // input_size², the predicted residual resized back (bilinear) and added where the mask is:
  //   out = composite + mask · residual, clamped to [0, 1].
  cv::Mat harmonize(const cv::Mat& composite, const cv::Mat& mask);

 private:
  std::unique_ptr<Layer> net_;
  int64_t input_size_;
};

}  // namespace neuroshop::harmonize
