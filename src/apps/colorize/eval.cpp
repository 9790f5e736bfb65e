// `eval colorize`; see eval.h.
#include "apps/colorize/eval.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <opencv2/imgproc.hpp>

#include "apps/colorize/colorize.h"
#include "apps/colorize/dataset.h"
#include "apps/common/training_files.h"
#include "core/errors.h"
#include "io/color.h"
#include "io/image_file.h"
#include "io/metrics.h"
#include "io/pixels.h"

namespace neuroshop::colorize {
namespace {

constexpr int kTileW = 192, kTileH = 128, kSheetColumns = 4;

// The photo scaled to cover a kTileW x kTileH tile, centre-cropped.
cv::Mat tile(const cv::Mat& bgr) {
  const double scale = std::max(static_cast<double>(kTileW) / bgr.cols, static_cast<double>(kTileH) / bgr.rows);
  cv::Mat resized;
  cv::resize(bgr, resized, cv::Size(std::max(kTileW, static_cast<int>(std::lround(bgr.cols * scale))),
                                    std::max(kTileH, static_cast<int>(std::lround(bgr.rows * scale)))),
             0, 0, cv::INTER_AREA);
  return resized(cv::Rect((resized.cols - kTileW) / 2, (resized.rows - kTileH) / 2, kTileW, kTileH)).clone();
}

// Rows of kSheetColumns photos, each as three tiles (gray, model, original) with a 4 px gap between photos.
void write_sheet(const std::string& path, const std::vector<std::array<cv::Mat, 3>>& photos) {
  const int gap = 4, photo_w = 3 * kTileW + gap;
  const int columns = std::min<int>(kSheetColumns, static_cast<int>(photos.size()));
  const int rows = (static_cast<int>(photos.size()) + kSheetColumns - 1) / kSheetColumns;
  cv::Mat sheet(rows * (kTileH + gap), columns * photo_w, CV_8UC3, cv::Scalar(255, 255, 255));
  for (size_t i = 0; i < photos.size(); ++i) {
    const int x0 = static_cast<int>(i % kSheetColumns) * photo_w, y0 = static_cast<int>(i / kSheetColumns) * (kTileH + gap);
    for (int k = 0; k < 3; ++k) photos[i][static_cast<size_t>(k)].copyTo(sheet(cv::Rect(x0 + k * kTileW, y0, kTileW, kTileH)));
  }
  write_image(path, sheet);
}

}  // namespace

namespace {
constexpr int kThresholds = ColourScores::kThresholds;
constexpr int kCells = ColourScores::kCells;
constexpr float kGrid = 10.0f, kRange = 110.0f;
}  // namespace

void ColourScores::add(const cv::Mat& truth_bgr8, const cv::Mat& out_bgr8) {
  const cv::Mat lab_truth = bgr_to_lab(truth_bgr8), lab_out = bgr_to_lab(out_bgr8);
  for (int y = 0; y < lab_truth.rows; ++y) {
    const cv::Vec3f* t = lab_truth.ptr<cv::Vec3f>(y);
    const cv::Vec3f* o = lab_out.ptr<cv::Vec3f>(y);
    for (int x = 0; x < lab_truth.cols; ++x) {
      const double e = std::hypot(t[x][1] - o[x][1], t[x][2] - o[x][2]);
      const int bucket = std::min(kThresholds, static_cast<int>(std::ceil(e)));
      auto cell = [](float v) { return std::clamp(static_cast<int>(std::lround((v + kRange) / kGrid)), 0, kCells - 1); };
      counts_[static_cast<size_t>((cell(t[x][1]) * kCells + cell(t[x][2])) * (kThresholds + 1) + bucket)] += 1.0;
    }
  }
  psnr_sum_ += psnr(out_bgr8, truth_bgr8);
  colorfulness_out_ += colorfulness(out_bgr8);
  colorfulness_truth_ += colorfulness(truth_bgr8);
  ++images_;
}

double ColourScores::auc(bool rebalanced) const {
  std::vector<double> curve(kThresholds, 0.0);
  double weight_total = 0.0;
  for (int c = 0; c < kCells * kCells; ++c) {
    const double* h = counts_.data() + static_cast<size_t>(c) * (kThresholds + 1);
    double n = 0.0;
    for (int b = 0; b <= kThresholds; ++b) n += h[b];
    if (n == 0.0) continue;
    const double w = rebalanced ? 1.0 / n : 1.0;
    double below = 0.0;
    for (int t = 0; t < kThresholds; ++t) {
      below += h[t];
      curve[static_cast<size_t>(t)] += w * below;
    }
    weight_total += w * n;
  }
  if (weight_total == 0.0) return 0.0;
  double sum = 0.0;
  for (double v : curve) sum += v / weight_total;
  return 100.0 * sum / kThresholds;
}

MethodScores ColourScores::summary(const std::string& name) const {
  MethodScores s;
  s.name = name;
  s.psnr = images_ > 0 ? psnr_sum_ / static_cast<double>(images_) : 0.0;
  s.auc = auc(false);
  s.auc_rebalanced = auc(true);
  s.colorfulness_ratio = colorfulness_out_ / std::max(1e-9, colorfulness_truth_);
  return s;
}

EvalResult evaluate(ColorizeModel& model, const EvalOptions& options, const ProgressFn& progress) {
  std::vector<std::string> paths = options.list.empty() ? list_images(options.data, true) : apps::read_path_list(options.list);
  if (options.working_size != 0 && (options.working_size < 32 || options.working_size > 4096))
    throw ArgumentError("--working-size must be 0 (the same as --size) or in [32, 4096], got " +
                        std::to_string(options.working_size));
  if (paths.empty()) throw IoError("eval colorize: no images to evaluate");
  if (options.max_images > 0 && static_cast<int64_t>(paths.size()) > options.max_images)
    paths.resize(static_cast<size_t>(options.max_images));

  ColourScores model_h, gray_h, lookup_h;
  EvalResult result;
  ColorizeOptions colorize_options;
  colorize_options.size = options.working_size > 0 ? options.working_size : options.size;
  colorize_options.vividness = options.vividness;
  colorize_options.prior_correction = options.prior_correction;
  colorize_options.mirror = options.mirror;
  const Tensor& lookup = model.lookup();
  if (!options.sheet.empty() && !has_image_extension(options.sheet))
    throw ArgumentError("--sheet '" + options.sheet + "': expected an image file name (.jpg, .png, ...)");
  std::vector<std::array<cv::Mat, 3>> sheet;
  for (size_t i = 0; i < paths.size(); ++i) {
    report(progress, {static_cast<int64_t>(i), static_cast<int64_t>(paths.size()), "eval colorize", {}});
    Image image = read_image(paths[i]);
    if (image.was_gray || image.pixels.channels() != 3) {
      ++result.skipped_gray;
      continue;
    }
    cv::Mat truth = to_8bit(image.pixels);
    const double scale = static_cast<double>(options.size) / std::max(truth.rows, truth.cols);
    cv::resize(truth, truth, cv::Size(), scale, scale, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    const cv::Mat lab_truth = bgr_to_lab(truth);
    if (mean_chroma(lab_truth) < PhotoLoadOptions{}.min_mean_chroma) {
      ++result.skipped_gray;
      continue;
    }
    ++result.images;

    auto score = [&](ColourScores& h, const cv::Mat& lab_out) {
      cv::Mat out8;
      lab_to_bgr_in_gamut(lab_out).convertTo(out8, CV_8U, 255.0);
      h.add(truth, out8);
    };
    cv::Mat gray_lab = lab_truth.clone();
    cv::Mat lookup_lab = lab_truth.clone();
    for (int y = 0; y < gray_lab.rows; ++y) {
      cv::Vec3f* g = gray_lab.ptr<cv::Vec3f>(y);
      cv::Vec3f* l = lookup_lab.ptr<cv::Vec3f>(y);
      for (int x = 0; x < gray_lab.cols; ++x) {
        g[x][1] = g[x][2] = 0.0f;
        const int level = std::clamp(static_cast<int>(std::lround(l[x][0])), 0, 100);
        l[x][1] = lookup[level * 2];
        l[x][2] = lookup[level * 2 + 1];
      }
    }
    score(gray_h, gray_lab);
    score(lookup_h, lookup_lab);
    Image input;
    input.pixels = truth;
    const Image colorized = colorize_image(model, input, colorize_options);
    score(model_h, bgr_to_lab(colorized.pixels));
    if (!options.sheet.empty() && static_cast<int64_t>(sheet.size()) < options.sheet_count) {
      cv::Mat gray8;
      lab_to_bgr_in_gamut(gray_lab).convertTo(gray8, CV_8U, 255.0);
      sheet.push_back({tile(gray8), tile(colorized.pixels), tile(truth)});
    }
  }
  if (!sheet.empty()) write_sheet(options.sheet, sheet);
  report(progress, {static_cast<int64_t>(paths.size()), static_cast<int64_t>(paths.size()), "eval colorize", {}});
  if (result.images == 0) throw IoError("eval colorize: none of the images is a colour photo");

  result.methods = {model_h.summary("model"), gray_h.summary("gray"), lookup_h.summary("lookup")};
  return result;
}

}  // namespace neuroshop::colorize
