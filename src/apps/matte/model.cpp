// The matting network and model file; see matte/model.h.
#include "apps/matte/model.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "apps/common/app_model.h"
#include "apps/matte/cutout.h"
#include "core/errors.h"
#include "core/model/model_file.h"

namespace neuroshop::matte {

std::unique_ptr<Sequential> build_matte_network(int64_t width, Rng& rng) { return apps::build_unet({3, 2, width, "matte"}, rng); }

MatteModel::MatteModel(std::unique_ptr<Layer> net, int64_t input_size) : net_(std::move(net)), input_size_(input_size) {
  if (input_size_ < apps::kUNetSizeMultiple || input_size_ % apps::kUNetSizeMultiple != 0)
    throw ModelError("matte model: the input size must be a positive multiple of 64, got " + std::to_string(input_size_));
}

MatteModel MatteModel::load(const std::string& path, int64_t input_size) {
  LoadedModel loaded = apps::load_app_model(path, "matte", "matte");
  const int64_t size = input_size > 0 ? input_size : apps::metadata_int(loaded, "input_size", 128, "matte", path);
  if (size < apps::kUNetSizeMultiple || size % apps::kUNetSizeMultiple != 0)  // before the shape check blames the file
    throw ModelError("matte model '" + path + "': the input size must be a positive multiple of 64, got " + std::to_string(size));
  const Shape out = loaded.net->output_shape(Shape{1, 3, size, size});
  if (out != Shape{1, 2, size, size})
    throw ModelError("matte model '" + path + "': expected an output (1,2," + std::to_string(size) + "," +
                     std::to_string(size) + "), the network gives " + out.str());
  loaded.net->set_training(false);
  return MatteModel(std::move(loaded.net), size);
}

void MatteModel::save(const std::string& path, const std::map<std::string, std::string>& metadata) {
  std::map<std::string, std::string> meta = metadata;
  meta["app"] = "matte";
  meta["input_size"] = std::to_string(input_size_);
  save_model(path, *net_, meta);
}

cv::Mat MatteModel::alpha_at_input_size(const cv::Mat& square) {
  const int S = static_cast<int>(input_size_);
  if (square.type() != CV_32FC3 || square.rows != S || square.cols != S)
    throw ArgumentError("matte: expected a BGR CV_32FC3 square of side " + std::to_string(S));
  // x[0][c][h][w], RGB − 0.5; channel c reads BGR channel 2 − c.
  Tensor x = Tensor::empty({1, 3, S, S});
  for (int y = 0; y < S; ++y) {
    const cv::Vec3f* row = square.ptr<cv::Vec3f>(y);
    for (int xx = 0; xx < S; ++xx)
      for (int c = 0; c < 3; ++c) x[(static_cast<int64_t>(c) * S + y) * S + xx] = row[xx][2 - c] - 0.5f;
  }
  net_->set_training(false);
  const Tensor logits = net_->forward(x);
  // alpha = softmax(z)[1] = 1 / (1 + exp(z0 − z1))
  cv::Mat alpha(S, S, CV_32F);
  for (int y = 0; y < S; ++y) {
    float* a = alpha.ptr<float>(y);
    for (int xx = 0; xx < S; ++xx) {
      const float z0 = logits[static_cast<int64_t>(y) * S + xx], z1 = logits[(static_cast<int64_t>(S) + y) * S + xx];
      a[xx] = 1.0f / (1.0f + std::exp(std::clamp(z0 - z1, -60.0f, 60.0f)));
    }
  }
  return alpha;
}

cv::Mat MatteModel::alpha(const cv::Mat& bgr) {
  if (bgr.type() != CV_32FC3 || bgr.empty()) throw ArgumentError("matte: expected a BGR CV_32FC3 image in [0, 1]");
  const int S = static_cast<int>(input_size_);
  const double scale = static_cast<double>(S) / std::max(bgr.cols, bgr.rows);
  const cv::Size inner(std::max(1, static_cast<int>(std::lround(bgr.cols * scale))),
                       std::max(1, static_cast<int>(std::lround(bgr.rows * scale))));
  cv::Mat small;
  cv::resize(bgr, small, inner, 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  const int left = (S - inner.width) / 2, top = (S - inner.height) / 2;
  cv::Mat square;
  cv::copyMakeBorder(small, square, top, S - inner.height - top, left, S - inner.width - left, cv::BORDER_REPLICATE);
  const cv::Mat a_small = alpha_at_input_size(square)(cv::Rect(left, top, inner.width, inner.height));
  cv::Mat a;
  cv::resize(a_small, a, bgr.size(), 0, 0, cv::INTER_LINEAR);
  if (scale < 0.9) {
    // Edges at full resolution: the guided filter aligns the upsampled alpha with the photo's edges.
    cv::Mat gray;
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
    const int r = std::max(2, static_cast<int>(std::lround(0.75 / scale)));
    a = guided_filter(gray, a, r, 1e-4);
  }
  cv::min(cv::max(a, 0.0f), 1.0f, a);
  a.setTo(0.0f, a < 0.02f);
  a.setTo(1.0f, a > 0.98f);
  return a;
}

cv::Mat network_cutout(MatteModel& model, const cv::Mat& bgr) { return grabcut_refine(bgr, model.alpha(bgr)); }

cv::Mat guided_filter(const cv::Mat& I, const cv::Mat& p, int r, double eps) {
  const cv::Size k(2 * r + 1, 2 * r + 1);
  auto box = [&](const cv::Mat& m) {
    cv::Mat out;
    cv::boxFilter(m, out, CV_32F, k, cv::Point(-1, -1), true, cv::BORDER_REFLECT);
    return out;
  };
  const cv::Mat mean_I = box(I), mean_p = box(p);
  const cv::Mat cov_Ip = box(I.mul(p)) - mean_I.mul(mean_p);
  const cv::Mat var_I = box(I.mul(I)) - mean_I.mul(mean_I);
  cv::Mat a;
  cv::divide(cov_Ip, var_I + eps, a);
  const cv::Mat b = mean_p - a.mul(mean_I);
  return box(a).mul(I) + box(b);
}

}  // namespace neuroshop::matte
