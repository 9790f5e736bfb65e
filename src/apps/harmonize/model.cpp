// The harmonization network and model file; see harmonize/model.h.
#include "apps/harmonize/model.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "apps/common/app_model.h"
#include "apps/harmonize/data.h"
#include "core/errors.h"
#include "core/model/model_file.h"

namespace neuroshop::harmonize {
std::unique_ptr<Sequential> build_harmonize_network(int64_t width, Rng& rng) {
  return apps::build_unet({4, 3, width, "harmonize"}, rng);
}

HarmonizeModel::HarmonizeModel(std::unique_ptr<Layer> net, int64_t input_size)
    : net_(std::move(net)), input_size_(input_size) {
  if (input_size_ < kHarmonizeSizeMultiple || input_size_ % kHarmonizeSizeMultiple != 0)
    throw ModelError("harmonize model: the input size must be a positive multiple of 64, got " + std::to_string(input_size_));
}

HarmonizeModel HarmonizeModel::load(const std::string& path) {
  LoadedModel loaded = apps::load_app_model(path, "harmonize", "harmonize");
  const int64_t size = apps::metadata_int(loaded, "input_size", 64, "harmonize", path);
  const Shape out = loaded.net->output_shape(Shape{1, 4, size, size});
  if (out != Shape{1, 3, size, size})
    throw ModelError("harmonize model '" + path + "': expected an output (1,3," + std::to_string(size) + "," +
                     std::to_string(size) + "), the network gives " + out.str());
  loaded.net->set_training(false);
  return HarmonizeModel(std::move(loaded.net), size);
}

void HarmonizeModel::save(const std::string& path, const std::map<std::string, std::string>& metadata) {
  std::map<std::string, std::string> meta = metadata;
  meta["app"] = "harmonize";
  meta["input_size"] = std::to_string(input_size_);
  save_model(path, *net_, meta);
}

cv::Mat HarmonizeModel::harmonize(const cv::Mat& composite, const cv::Mat& mask) {
  if (composite.type() != CV_32FC3 || mask.type() != CV_32F || composite.size() != mask.size() || composite.empty())
    throw ArgumentError("harmonize: expected a BGR CV_32FC3 composite and a CV_32F mask of the same size");
  const cv::Size work(static_cast<int>(input_size_), static_cast<int>(input_size_));
  cv::Mat small, small_mask;
  const bool shrinking = composite.cols >= work.width && composite.rows >= work.height;
  cv::resize(composite, small, work, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::resize(mask, small_mask, work, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  net_->set_training(false);
  const Tensor residual = net_->forward(harmonize_input({small}, {small_mask}));
  // (1,3,S,S) RGB -> BGR CV_32FC3
  const int S = work.height;
  cv::Mat res(work, CV_32FC3);
  for (int y = 0; y < S; ++y) {
    cv::Vec3f* row = res.ptr<cv::Vec3f>(y);
    for (int x = 0; x < S; ++x)
      for (int c = 0; c < 3; ++c) row[x][2 - c] = residual[(static_cast<int64_t>(c) * S + y) * S + x];
  }
  cv::Mat full;
  cv::resize(res, full, composite.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat m3;
  cv::merge(std::vector<cv::Mat>{mask, mask, mask}, m3);
  cv::Mat out = composite + full.mul(m3);
  cv::min(cv::max(out, 0.0f), 1.0f, out);
  return out;
}

}  // namespace neuroshop::harmonize
