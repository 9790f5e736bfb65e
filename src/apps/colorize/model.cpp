// ColorizeModel; see model.h.
#include "apps/colorize/model.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>

#include "apps/colorize/dataset.h"
#include "apps/colorize/network.h"
#include "apps/common/app_model.h"
#include "core/errors.h"
#include "core/model/model_file.h"

namespace neuroshop::colorize {

ColorizeModel::ColorizeModel(std::unique_ptr<Layer> net, AbBins bins, Tensor lookup)
    : net_(std::move(net)), bins_(std::move(bins)), lookup_(std::move(lookup)) {
  if (lookup_.numel() != 101 * 2)
    throw ModelError("colorize model: the lookup table should be (101,2), got " + lookup_.shape().str());
}

Tensor mean_ab_by_lightness(const std::vector<cv::Mat>& lab_photos) {
  std::vector<double> sum_a(101, 0.0), sum_b(101, 0.0), count(101, 0.0);
  for (const cv::Mat& packed_or_float : lab_photos) {
    const cv::Mat lab = unpack_lab(packed_or_float);
    for (int y = 0; y < lab.rows; ++y) {
      const cv::Vec3f* row = lab.ptr<cv::Vec3f>(y);
      for (int x = 0; x < lab.cols; ++x) {
        const int level = std::clamp(static_cast<int>(std::lround(row[x][0])), 0, 100);
        sum_a[level] += row[x][1];
        sum_b[level] += row[x][2];
        count[level] += 1.0;
      }
    }
  }
  Tensor table(Shape{101, 2});
  for (int level = 0; level <= 100; ++level)
    if (count[level] > 0) {
      table[level * 2] = static_cast<float>(sum_a[level] / count[level]);
      table[level * 2 + 1] = static_cast<float>(sum_b[level] / count[level]);
    }
  return table;
}

ColorizeModel ColorizeModel::load(const std::string& path) {
  LoadedModel loaded = apps::load_app_model(path, "colorize", "colorize");
  const auto centres = loaded.extra_tensors.find("ab_centres");
  const auto weights = loaded.extra_tensors.find("ab_weights");
  if (centres == loaded.extra_tensors.end() || weights == loaded.extra_tensors.end())
    throw ModelError("colorize model '" + path + "' has no ab bin table");
  AbBins bins = AbBins::from_tensors(centres->second, weights->second);
  const auto lookup = loaded.extra_tensors.find("ab_by_lightness");
  if (lookup == loaded.extra_tensors.end()) throw ModelError("colorize model '" + path + "' has no lookup table");
  const Shape out = loaded.net->output_shape(Shape{1, kInputChannels, 64, 64});
  if (out.rank() != 4 || out[1] != bins.size() || out[2] != 64 / kOutputStride)
    throw ModelError("colorize model '" + path + "': the network's output " + out.str() + " does not match its " +
                     std::to_string(bins.size()) + " ab bins");
  loaded.net->set_training(false);
  return ColorizeModel(std::move(loaded.net), std::move(bins), lookup->second);
}

void ColorizeModel::save(const std::string& path, const std::map<std::string, std::string>& metadata) {
  std::map<std::string, std::string> meta = metadata;
  meta["app"] = "colorize";
  save_model(path, *net_, meta, {{"ab_centres", bins_.centres_tensor()}, {"ab_weights", bins_.weights_tensor()},
                                  {"ab_by_lightness", lookup_}});
}

cv::Mat ColorizeModel::predict_ab(const cv::Mat& L, const cv::Mat& hint_ab, const cv::Mat& hint_mask,
                                  float temperature, float prior_correction, bool mirror) {
  const int H = L.rows, W = L.cols;
  const int pad_h = static_cast<int>((kSizeMultiple - H % kSizeMultiple) % kSizeMultiple);
  const int pad_w = static_cast<int>((kSizeMultiple - W % kSizeMultiple) % kSizeMultiple);
  cv::Mat Lp, abp, maskp;
  cv::copyMakeBorder(L, Lp, 0, pad_h, 0, pad_w, cv::BORDER_REFLECT_101);
  if (!hint_ab.empty()) {
    // Hints are not mirrored into the padding: a hint belongs to one place.
    cv::copyMakeBorder(hint_ab, abp, 0, pad_h, 0, pad_w, cv::BORDER_CONSTANT, cv::Scalar(0, 0));
    cv::copyMakeBorder(hint_mask, maskp, 0, pad_h, 0, pad_w, cv::BORDER_CONSTANT, cv::Scalar(0));
  }
  net_->set_training(false);
  Tensor logits = net_->forward(make_input(Lp, abp, maskp));
  if (mirror) {
    // Mirror the padded input (the padding moves to the left), run it, and mirror its logits back.
    cv::Mat Lm, abm, maskm;
    cv::flip(Lp, Lm, 1);
    if (!abp.empty()) {
      cv::flip(abp, abm, 1);
      cv::flip(maskp, maskm, 1);
    }
    const Tensor mirrored = net_->forward(make_input(Lm, abm, maskm));
    const int64_t planes = logits.dim(0) * logits.dim(1), h = logits.dim(2), w = logits.dim(3);
    for (int64_t p = 0; p < planes; ++p)
      for (int64_t y = 0; y < h; ++y) {
        float* row = logits.data() + (p * h + y) * w;
        const float* mrow = mirrored.data() + (p * h + y) * w;
        for (int64_t x = 0; x < w; ++x) row[x] = 0.5f * (row[x] + mrow[w - 1 - x]);
      }
  }
  const Tensor ab = bins_.annealed_mean(logits, temperature, prior_correction);
  const int OH = static_cast<int>(ab.dim(2)), OW = static_cast<int>(ab.dim(3));
  cv::Mat out(OH, OW, CV_32FC2);
  for (int y = 0; y < OH; ++y) {
    cv::Vec2f* row = out.ptr<cv::Vec2f>(y);
    for (int x = 0; x < OW; ++x) row[x] = cv::Vec2f(ab[y * OW + x], ab[OH * OW + y * OW + x]);
  }
  // Crop away the rows and columns that only cover padding.
  const int keep_h = (H + static_cast<int>(kOutputStride) - 1) / static_cast<int>(kOutputStride);
  const int keep_w = (W + static_cast<int>(kOutputStride) - 1) / static_cast<int>(kOutputStride);
  return out(cv::Rect(0, 0, keep_w, keep_h)).clone();
}

}  // namespace neuroshop::colorize
