// Classical cut-outs; see matte/cutout.h.
#include "apps/matte/cutout.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "apps/matte/model.h"
#include "core/errors.h"
#include "io/pixels.h"

namespace neuroshop::matte {
namespace {

constexpr uint64_t kGrabCutSeed = 0x6a09e667f3bcc909ull;

void expect_bgr32(const cv::Mat& bgr, const char* who) {
  if (bgr.empty() || bgr.type() != CV_32FC3)
    throw ArgumentError(std::string(who) + ": expected a BGR CV_32FC3 image in [0, 1]");
}

}  // namespace

cv::Vec3f border_colour(const cv::Mat& bgr) {
  expect_bgr32(bgr, "border_colour");
  const int band = std::max(1, static_cast<int>(0.03 * std::min(bgr.rows, bgr.cols)));
  std::vector<float> ch[3];
  for (int y = 0; y < bgr.rows; ++y) {
    const cv::Vec3f* row = bgr.ptr<cv::Vec3f>(y);
    const bool edge_row = y < band || y >= bgr.rows - band;
    for (int x = 0; x < bgr.cols; ++x) {
      // Inside rows contribute only their left and right bands.
      if (!edge_row && x == band && bgr.cols - band > band) x = bgr.cols - band;
      for (int c = 0; c < 3; ++c) ch[c].push_back(row[x][c]);
    }
  }
  cv::Vec3f out;
  for (int c = 0; c < 3; ++c) {
    auto mid = ch[c].begin() + static_cast<std::ptrdiff_t>(ch[c].size() / 2);
    std::nth_element(ch[c].begin(), mid, ch[c].end());
    out[c] = *mid;
  }
  return out;
}

cv::Mat threshold_alpha(const cv::Mat& bgr, float threshold) {
  expect_bgr32(bgr, "threshold_alpha");
  const cv::Vec3f bg = border_colour(bgr);
  cv::Mat mask(bgr.size(), CV_8U);
  for (int y = 0; y < bgr.rows; ++y) {
    const cv::Vec3f* row = bgr.ptr<cv::Vec3f>(y);
    uint8_t* m = mask.ptr<uint8_t>(y);
    for (int x = 0; x < bgr.cols; ++x) {
      const float d = std::max({std::abs(row[x][0] - bg[0]), std::abs(row[x][1] - bg[1]), std::abs(row[x][2] - bg[2])});
      m[x] = d > threshold ? 255 : 0;
    }
  }
  const int k = std::max(3, (std::min(bgr.rows, bgr.cols) / 150) | 1);
  const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(k, k));
  cv::morphologyEx(mask, mask, cv::MORPH_OPEN, kernel);
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, kernel);
  cv::Mat alpha;
  alpha = to_unit_float(mask, 8);
  return alpha;
}

namespace {

// threshold_alpha without the shadows: a pixel with the background's chromaticity, darkened to
// 40–97% of its brightness, is a shadow on the backdrop, not object.
cv::Mat shadowless_seed(const cv::Mat& bgr) {
  cv::Mat seed = threshold_alpha(bgr);
  const cv::Vec3f bg = border_colour(bgr);
  const float bg_sum = bg[0] + bg[1] + bg[2] + 1e-4f;
  for (int y = 0; y < bgr.rows; ++y) {
    const cv::Vec3f* row = bgr.ptr<cv::Vec3f>(y);
    float* s = seed.ptr<float>(y);
    for (int x = 0; x < bgr.cols; ++x) {
      if (s[x] == 0.0f) continue;
      const float sum = row[x][0] + row[x][1] + row[x][2] + 1e-4f;
      const float ratio = sum / bg_sum;
      float chroma = 0.0f;
      for (int c = 0; c < 3; ++c) chroma = std::max(chroma, std::abs(row[x][c] / sum - bg[c] / bg_sum));
      if (ratio > 0.4f && ratio < 0.97f && chroma < 0.02f) s[x] = 0.0f;
    }
  }
  cv::Mat seed8;
  seed.convertTo(seed8, CV_8U, 255.0);
  const int k = std::max(3, (std::min(bgr.rows, bgr.cols) / 150) | 1);
  cv::morphologyEx(seed8, seed8, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(k, k)));
  return seed8;
}

}  // namespace

cv::Mat grabcut_alpha(const cv::Mat& bgr) {
  expect_bgr32(bgr, "grabcut_alpha");
  const double scale = std::min(1.0, 512.0 / std::max(bgr.rows, bgr.cols));
  cv::Mat small;
  cv::resize(bgr, small, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::Mat small8;
  small.convertTo(small8, CV_8UC3, 255.0);
  const cv::Mat seed8 = shadowless_seed(small);
  if (cv::countNonZero(seed8) == 0) return cv::Mat::zeros(bgr.size(), CV_32F);

  // Labels: far from the seed -> sure background; seed interior -> probable foreground; the ring
  // around the seed -> probable background (lets GrabCut claim pale parts the threshold missed).
  const int ring = std::max(3, std::max(small.rows, small.cols) / 40);
  cv::Mat dilated, eroded;
  cv::dilate(seed8, dilated, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * ring + 1, 2 * ring + 1)));
  cv::erode(seed8, eroded, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));
  cv::Mat labels(small.size(), CV_8U, cv::Scalar(cv::GC_BGD));
  labels.setTo(cv::GC_PR_BGD, dilated);
  labels.setTo(cv::GC_PR_FGD, seed8);
  labels.setTo(cv::GC_PR_FGD, eroded);
  cv::Mat bgd_model, fgd_model;
  cv::theRNG().state = kGrabCutSeed;  // GrabCut's k-means draws from OpenCV's RNG: same input, same cut
  cv::grabCut(small8, labels, cv::Rect(), bgd_model, fgd_model, 5, cv::GC_INIT_WITH_MASK);
  cv::Mat fg = (labels == cv::GC_FGD) | (labels == cv::GC_PR_FGD);
  cv::Mat alpha_small;
  alpha_small = to_unit_float(fg, 8);
  cv::Mat alpha;
  cv::resize(alpha_small, alpha, bgr.size(), 0, 0, cv::INTER_LINEAR);
  cv::GaussianBlur(alpha, alpha, cv::Size(0, 0), 0.7);
  return alpha;
}

cv::Mat grabcut_refine(const cv::Mat& bgr, const cv::Mat& coarse_alpha) {
  expect_bgr32(bgr, "grabcut_refine");
  if (coarse_alpha.type() != CV_32F || coarse_alpha.size() != bgr.size())
    throw ArgumentError("grabcut_refine: expected a CV_32F alpha of the image's size");
  const double scale = std::min(1.0, 512.0 / std::max(bgr.rows, bgr.cols));
  cv::Mat small, coarse;
  cv::resize(bgr, small, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::resize(coarse_alpha, coarse, small.size(), 0, 0, cv::INTER_AREA);
  cv::Mat small8;
  small.convertTo(small8, CV_8UC3, 255.0);
  const int r = std::max(1, std::max(small.rows, small.cols) / 200);
  const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * r + 1, 2 * r + 1));
  cv::Mat sure_fg = coarse > 0.95f, sure_bg = coarse < 0.05f;
  cv::erode(sure_fg, sure_fg, kernel);
  cv::erode(sure_bg, sure_bg, kernel);
  // Sure object only where the network is confident AND the pixel is not the backdrop's colour
  // (nor its shadow): the network's soft low-resolution alpha also covers the holes of an object
  // (the cross of a chair's back), which must stay open to GrabCut. Pale parts on a pale backdrop
  // stay "probable object" by the network and are left to GrabCut's colour models.
  sure_fg &= shadowless_seed(small);
  cv::Mat labels(small.size(), CV_8U, cv::Scalar(cv::GC_PR_BGD));
  labels.setTo(cv::GC_PR_FGD, coarse >= 0.5f);
  labels.setTo(cv::GC_FGD, sure_fg);
  labels.setTo(cv::GC_BGD, sure_bg);
  if (cv::countNonZero(coarse >= 0.5f) == 0) return cv::Mat::zeros(bgr.size(), CV_32F);
  cv::Mat bgd_model, fgd_model;
  cv::theRNG().state = kGrabCutSeed;
  cv::grabCut(small8, labels, cv::Rect(), bgd_model, fgd_model, 3, cv::GC_INIT_WITH_MASK);
  cv::Mat fg = (labels == cv::GC_FGD) | (labels == cv::GC_PR_FGD);
  // GrabCut's colour models fill a hole whose backdrop looks like the pale object around it (the X
  // of a cream chair on white, a glass pane): where the network sees the backdrop (alpha < 0.5), it
  // stays background.
  fg &= coarse >= 0.5f;
  cv::Mat alpha_small;
  alpha_small = to_unit_float(fg, 8);
  cv::Mat alpha;
  cv::resize(alpha_small, alpha, bgr.size(), 0, 0, cv::INTER_LINEAR);
  cv::GaussianBlur(alpha, alpha, cv::Size(0, 0), 0.7);
  return alpha;
}

namespace {

// Gaussian-weighted mean of `bgr` over the pixels of `weight` (CV_32F), and the weight's own blur
// (how much of the neighbourhood the mean rests on).
void masked_mean(const cv::Mat& bgr, const cv::Mat& weight, double sigma, cv::Mat* mean, cv::Mat* support) {
  cv::Mat w3, weighted;
  cv::merge(std::vector<cv::Mat>{weight, weight, weight}, w3);
  cv::multiply(bgr, w3, weighted);
  cv::GaussianBlur(weighted, weighted, cv::Size(0, 0), sigma, sigma, cv::BORDER_REPLICATE);
  cv::GaussianBlur(weight, *support, cv::Size(0, 0), sigma, sigma, cv::BORDER_REPLICATE);
  cv::Mat s3, safe = cv::max(*support, 1e-6f);
  cv::merge(std::vector<cv::Mat>{safe, safe, safe}, s3);
  cv::divide(weighted, s3, *mean);
}

}  // namespace

cv::Mat decontaminate(const cv::Mat& bgr, const cv::Mat& alpha) {
  expect_bgr32(bgr, "decontaminate");
  if (alpha.type() != CV_32F || alpha.size() != bgr.size())
    throw ArgumentError("decontaminate: expected a CV_32F alpha of the image's size");
  const cv::Mat edge = (alpha > 0.02f) & (alpha < 0.98f);
  if (cv::countNonZero(edge) == 0) return bgr.clone();
  const double sigma = std::max(2.0, std::max(bgr.rows, bgr.cols) / 128.0);
  cv::Mat background, bg_support, object, fg_support;
  masked_mean(bgr, to_unit_float(alpha <= 0.02f, 8), sigma, &background, &bg_support);
  masked_mean(bgr, to_unit_float(alpha >= 0.98f, 8), sigma, &object, &fg_support);
  const cv::Vec3f border = border_colour(bgr);
  cv::Mat out = bgr.clone();
  for (int y = 0; y < bgr.rows; ++y) {
    const uchar* e = edge.ptr<uchar>(y);
    const float* a = alpha.ptr<float>(y);
    const float* bs = bg_support.ptr<float>(y);
    const float* fs = fg_support.ptr<float>(y);
    const cv::Vec3f* I = bgr.ptr<cv::Vec3f>(y);
    const cv::Vec3f* B = background.ptr<cv::Vec3f>(y);
    const cv::Vec3f* O = object.ptr<cv::Vec3f>(y);
    cv::Vec3f* F = out.ptr<cv::Vec3f>(y);
    for (int x = 0; x < bgr.cols; ++x) {
      if (!e[x]) continue;
      // The background colour: the local estimate where enough background is near, else the border's.
      const float bw = std::min(1.0f, bs[x] / 0.05f);
      const cv::Vec3f b = B[x] * bw + border * (1.0f - bw);
      cv::Vec3f solved;
      for (int c = 0; c < 3; ++c) solved[c] = std::clamp(b[c] + (I[x][c] - b[c]) / a[x], 0.0f, 1.0f);
      // Small alpha: the division amplifies noise; lean on the nearby opaque colour (if any).
      const float trust = std::clamp((a[x] - 0.1f) / 0.4f, 0.0f, 1.0f);
      const float ow = fs[x] > 1e-3f ? 1.0f - trust : 0.0f;
      F[x] = solved * (1.0f - ow) + O[x] * ow;
    }
  }
  return out;
}

Image cutout_image(const Image& photo, CutoutMethod method, MatteModel* model, bool crop) {
  cv::Mat pixels = photo.pixels;
  if (pixels.channels() == 1) cv::cvtColor(pixels, pixels, cv::COLOR_GRAY2BGR);
  const cv::Mat bgr = to_unit_float(pixels, photo.bit_depth);
  if (method == CutoutMethod::kNetwork && model == nullptr) throw ArgumentError("cutout: the network method needs a model");
  const cv::Mat alpha = method == CutoutMethod::kNetwork    ? network_cutout(*model, bgr)
                        : method == CutoutMethod::kThreshold ? threshold_alpha(bgr)
                                                             : grabcut_alpha(bgr);
  const cv::Mat alpha_out = from_unit_float(alpha, photo.bit_depth);
  pixels = from_unit_float(decontaminate(bgr, alpha), photo.bit_depth);
  cv::Rect keep(0, 0, pixels.cols, pixels.rows);
  if (crop) {
    const cv::Mat opaque = alpha > 0.02f;
    if (cv::countNonZero(opaque) > 0) keep = cv::boundingRect(opaque);
  }
  Image out;
  out.pixels = pixels(keep);
  out.alpha = alpha_out(keep);
  out.bit_depth = photo.bit_depth;
  return out;
}

apps::BatchReport cutout_files(const std::string& method, const std::string& model_path, bool crop,
                               apps::BatchOptions batch, const ProgressFn& progress) {
  if (method != "auto" && method != "network" && method != "grabcut" && method != "threshold")
    throw ArgumentError("cutout: unknown method '" + method + "' (auto, network, grabcut or threshold)");
  const std::vector<std::string> inputs = apps::batch_inputs(batch);
  if (!batch.output.empty() && has_image_extension(batch.output)) {
    std::string ext = std::filesystem::path(batch.output).extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext != ".png" && ext != ".webp" && ext != ".tif" && ext != ".tiff")
      throw ArgumentError("-o '" + batch.output + "': a cut-out has transparency; write .png, .webp or .tif");
  }
  if (batch.suffix.empty()) batch.suffix = "cutout";
  batch.output_extensions = {".png", ".webp", ".tif", ".tiff"};
  const bool network = method == "network" || (method == "auto" && std::filesystem::exists(model_path));
  const CutoutMethod used = network ? CutoutMethod::kNetwork
                            : method == "threshold" ? CutoutMethod::kThreshold
                                                    : CutoutMethod::kGrabCut;
  return apps::run_batch(
      inputs, batch,
      [&](int, int) -> apps::ImageFn {
        std::shared_ptr<MatteModel> model;
        if (used == CutoutMethod::kNetwork) model = std::make_shared<MatteModel>(MatteModel::load(model_path));
        return [model, used, crop](const Image& photo, size_t) { return cutout_image(photo, used, model.get(), crop); };
      },
      progress, "cutout");
}

}  // namespace neuroshop::matte
