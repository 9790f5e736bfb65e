// Loading the try-on's networks; see networks.h.
#include "apps/tryon/networks.h"

#include <filesystem>
#include <utility>

#include "apps/harmonize/model.h"
#include "apps/matte/model.h"

namespace neuroshop::tryon {
namespace {
bool is_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}
}  // namespace

TryOnNetworks::TryOnNetworks(std::string harmonize_model, std::string matte_model)
    : harmonize_path_(std::move(harmonize_model)), matte_path_(std::move(matte_model)) {}

HarmonizeFn TryOnNetworks::harmonizer(bool wanted) {
  if (!wanted || !is_file(harmonize_path_)) return {};
  if (!harmonize_) harmonize_ = std::make_shared<harmonize::HarmonizeModel>(harmonize::HarmonizeModel::load(harmonize_path_));
  return [model = harmonize_](const cv::Mat& composite, const cv::Mat& mask) { return model->harmonize(composite, mask); };
}

NetworkCutout TryOnNetworks::cutout(CutoutMode mode) {
  if (mode == CutoutMode::kAlpha || mode == CutoutMode::kGrabcut) return {};
  if (mode == CutoutMode::kAuto && !is_file(matte_path_)) return {};
  if (!matte_) matte_ = std::make_shared<matte::MatteModel>(matte::MatteModel::load(matte_path_));
  return [model = matte_](const cv::Mat& bgr) { return matte::network_cutout(*model, bgr); };
}

}  // namespace neuroshop::tryon
