// Colorizing one photo; see colorize.h.
#include "apps/colorize/colorize.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <opencv2/imgproc.hpp>

#include "core/errors.h"
#include "io/color.h"
#include "io/pixels.h"

namespace neuroshop::colorize {

Hint parse_hint(const std::string& text) {
  Hint h;
  double x = 0, y = 0;
  unsigned r = 0, g = 0, b = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%lf,%lf,#%2x%2x%2x%c", &x, &y, &r, &g, &b, &tail) != 5 || !std::isfinite(x) ||
      !std::isfinite(y) || text.size() < 10 || text[text.size() - 7] != '#')
    throw ArgumentError("--hint '" + text + "': expected X,Y,#RRGGBB (pixel position and a hex colour)");
  h.x = x;
  h.y = y;
  h.r = static_cast<unsigned char>(r);
  h.g = static_cast<unsigned char>(g);
  h.b = static_cast<unsigned char>(b);
  return h;
}

Image colorize_image(ColorizeModel& model, const Image& input, const ColorizeOptions& options) {
  if (!(options.vividness > 0.0f && options.vividness <= 10.0f))
    throw ArgumentError("--vividness must be in (0, 10], got " + std::to_string(options.vividness));
  if (!(options.prior_correction >= 0.0f && options.prior_correction <= 1.0f))
    throw ArgumentError("--prior-correction must be in [0, 1], got " + std::to_string(options.prior_correction));
  if (options.size < 32 || options.size > 4096)
    throw ArgumentError("--size must be in [32, 4096], got " + std::to_string(options.size));
  const int H = input.pixels.rows, W = input.pixels.cols;
  for (const Hint& h : options.hints)
    if (h.x < 0 || h.y < 0 || h.x >= W || h.y >= H)
      throw ArgumentError("--hint at (" + std::to_string(h.x) + "," + std::to_string(h.y) + ") is outside the " +
                          std::to_string(W) + "x" + std::to_string(H) + " image");

  const cv::Mat L_full = lightness(input.pixels);
  const double scale = static_cast<double>(options.size) / std::max(H, W);
  const int wh = std::max(1, static_cast<int>(std::lround(H * scale)));
  const int ww = std::max(1, static_cast<int>(std::lround(W * scale)));
  cv::Mat L_work;
  cv::resize(L_full, L_work, cv::Size(ww, wh), 0, 0, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);

  cv::Mat hint_ab, hint_mask;
  if (!options.hints.empty()) {
    hint_ab = cv::Mat::zeros(L_work.size(), CV_32FC2);
    hint_mask = cv::Mat::zeros(L_work.size(), CV_32F);
    for (const Hint& h : options.hints) {
      const auto lab = srgb_to_lab({h.r / 255.0, h.g / 255.0, h.b / 255.0});
      const int cx = static_cast<int>(h.x * ww / W), cy = static_cast<int>(h.y * wh / H);
      const int r = static_cast<int>(options.hint_radius);
      const cv::Rect patch = cv::Rect(cx - r, cy - r, 2 * r + 1, 2 * r + 1) & cv::Rect(0, 0, ww, wh);
      hint_ab(patch).setTo(cv::Scalar(lab[1], lab[2]));
      hint_mask(patch).setTo(1.0);
    }
  }

  const cv::Mat ab_small = model.predict_ab(L_work, hint_ab, hint_mask, options.vividness, options.prior_correction,
                                            options.mirror);
  // ab_small pixel i covers working pixels [4i, 4i + 4); map every full-resolution pixel centre to
  // its position in ab_small exactly: u = (x + 0.5) * (ww / W) / 4 - 0.5.
  const double sx = static_cast<double>(ww) / W / 4.0, sy = static_cast<double>(wh) / H / 4.0;
  const cv::Matx23d to_small(sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5);
  cv::Mat ab_full;
  cv::warpAffine(ab_small, ab_full, to_small, cv::Size(W, H), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                 cv::BORDER_REPLICATE);

  cv::Mat lab;
  std::vector<cv::Mat> ab_channels;
  cv::split(ab_full, ab_channels);
  cv::merge(std::vector<cv::Mat>{L_full, ab_channels[0], ab_channels[1]}, lab);
  const cv::Mat bgr = lab_to_bgr_in_gamut(lab);  // the given lightness is kept even for vivid colours

  Image out;
  out.bit_depth = input.bit_depth;
  out.pixels = from_unit_float(bgr, input.bit_depth);
  out.alpha = input.alpha;
  out.was_gray = false;
  return out;
}

apps::BatchReport colorize_files(const std::string& model_path, const ColorizeOptions& options,
                                 apps::BatchOptions batch, const ProgressFn& progress) {
  const std::vector<std::string> inputs = apps::batch_inputs(batch);
  if (!options.hints.empty() && inputs.size() > 1)
    throw ArgumentError("--hint applies to one image; give a single input with hints");
  if (batch.suffix.empty()) batch.suffix = "colorized";
  return apps::run_batch(
      inputs, batch,
      [&](int, int) -> apps::ImageFn {
        auto model = std::make_shared<ColorizeModel>(ColorizeModel::load(model_path));
        return [model, options](const Image& input, size_t) { return colorize_image(*model, input, options); };
      },
      progress, "colorize");
}

}  // namespace neuroshop::colorize
