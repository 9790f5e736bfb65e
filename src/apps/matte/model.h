// The cut-out (matting) network: a product photo on a plain background in, alpha out. The try-on's
// U-Net (common/unet.h) with 3 inputs (RGB − 0.5) and 2 outputs (background/foreground logits; alpha is
// the softmax's foreground share), run on the photo shrunk to the model's square input size (the
// rest padded by repeating the border), then upsampled and refined at full resolution with a
// guided filter (He, Sun & Tang 2010) so edges follow the photo's own edges.
// Not here: training data and the loop (matte/train.h), classical cut-outs (matte/cutout.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "apps/common/unet.h"

namespace neuroshop::matte {

std::unique_ptr<Sequential> build_matte_network(int64_t width, Rng& rng);

class MatteModel {
 public:
  MatteModel(std::unique_ptr<Layer> net, int64_t input_size);
  // Loads and validates (ModelError naming the file when it is not a matte model). input_size > 0
  // runs the network at that size instead of the file's (the U-Net is fully convolutional; for
  // fine-tuning a model at a larger working size).
  static MatteModel load(const std::string& path, int64_t input_size = 0);
  void save(const std::string& path, const std::map<std::string, std::string>& metadata = {});

  Layer& net() { return *net_; }
  int64_t input_size() const { return input_size_; }

  // bgr: CV_32FC3 in [0, 1] of any size -> alpha CV_32F in [0, 1], same size.
  cv::Mat alpha(const cv::Mat& bgr);
  // The network's alpha at its working size for a square picture of side input_size (no refinement).
  cv::Mat alpha_at_input_size(const cv::Mat& square_bgr);

 private:
  std::unique_ptr<Layer> net_;
  int64_t input_size_;
};

// The product cut-out: the network's alpha refined by GrabCut (matte/cutout.h, grabcut_refine), which
// snaps the network's soft, low-resolution edges to the photo's colours.
cv::Mat network_cutout(MatteModel& model, const cv::Mat& bgr);

// Guided filter of `p` (CV_32F) with guide `I` (CV_32F, same size): radius r box windows, eps the
// regularizer (He et al. 2010, algorithm 1).
cv::Mat guided_filter(const cv::Mat& I, const cv::Mat& p, int r, double eps);

}  // namespace neuroshop::matte
