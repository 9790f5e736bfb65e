// `eval stylize`; see eval.h.
#include "apps/stylize/eval.h"

#include <chrono>
#include <opencv2/imgproc.hpp>

#include "apps/stylize/fast.h"
#include "apps/stylize/images.h"
#include "apps/stylize/texture_stats.h"
#include "core/errors.h"
#include "io/color.h"

namespace neuroshop::stylize {

EvalPair parse_eval_pair(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size() || text.find('=', eq + 1) != std::string::npos)
    throw ArgumentError("--pairs '" + text + "': expected CONTENT=STYLE (two image paths joined by '=')");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

cv::Mat edge_map(const cv::Mat& bgr) {
  cv::Mat L = lightness(bgr);
  L *= 0.01;
  cv::Mat gx, gy, mag;
  cv::Sobel(L, gx, CV_32F, 1, 0, 3, 1.0, 0.0, cv::BORDER_REFLECT_101);
  cv::Sobel(L, gy, CV_32F, 0, 1, 3, 1.0, 0.0, cv::BORDER_REFLECT_101);
  cv::magnitude(gx, gy, mag);
  return mag;
}

// SSIM = mean over windows of ((2 mu_a mu_b + C1)(2 s_ab + C2)) / ((mu_a^2 + mu_b^2 + C1)(s_a^2 + s_b^2 + C2)),
// C1 = (0.01 range)^2, C2 = (0.03 range)^2, Gaussian windows (Wang et al. 2004).
double ssim(const cv::Mat& a, const cv::Mat& b, double range) {
  if (a.size() != b.size() || a.type() != CV_32F || b.type() != CV_32F)
    throw ShapeError("ssim: expected two CV_32F images of one size");
  const double C1 = (0.01 * range) * (0.01 * range), C2 = (0.03 * range) * (0.03 * range);
  cv::Mat A, B;
  a.convertTo(A, CV_64F);
  b.convertTo(B, CV_64F);
  auto blur = [](const cv::Mat& m) {
    cv::Mat out;
    cv::GaussianBlur(m, out, cv::Size(11, 11), 1.5, 1.5, cv::BORDER_REFLECT_101);
    return out;
  };
  const cv::Mat mu_a = blur(A), mu_b = blur(B);
  const cv::Mat mu_aa = mu_a.mul(mu_a), mu_bb = mu_b.mul(mu_b), mu_ab = mu_a.mul(mu_b);
  const cv::Mat s_aa = blur(A.mul(A)) - mu_aa, s_bb = blur(B.mul(B)) - mu_bb, s_ab = blur(A.mul(B)) - mu_ab;
  cv::Mat num = (2 * mu_ab + C1).mul(2 * s_ab + C2);
  cv::Mat den = (mu_aa + mu_bb + C1).mul(s_aa + s_bb + C2);
  cv::Mat map;
  cv::divide(num, den, map);
  return cv::mean(map)[0];
}

StyleScores score_stylization(const cv::Mat& content, const cv::Mat& style, const cv::Mat& result, uint64_t eval_seed,
                              double style_scale) {
  if (content.size() != result.size()) throw ShapeError("score_stylization: content and result differ in size");
  FeatureNet net(FeatureNetOptions{eval_seed});
  const int64_t long_side = std::max(result.cols, result.rows);
  cv::Size style_size = with_long_side(style.size(), std::max<int64_t>(1, std::lround(long_side * style_scale)));
  if (std::min(style_size.width, style_size.height) < net.min_side())
    style_size = with_long_side(style.size(), std::max(style_size.width, style_size.height) * net.min_side() /
                                                  std::min(style_size.width, style_size.height) + 2);
  const StyleTarget target = make_style_target(net, bgr_to_tensor(resize_to(style, style_size)));
  StyleScores s;
  s.before = style_distance(net, target, bgr_to_tensor(content));
  cv::Mat clamped;
  cv::min(cv::max(result, 0.0), 1.0, clamped);  // measure what gets written to the file
  s.after = style_distance(net, target, bgr_to_tensor(clamped));
  // Sobel magnitudes of [0, 1] lightness lie in [0, 4 sqrt 2]; photos' edges rarely pass 1, the range used.
  s.edge_ssim = ssim(edge_map(content), edge_map(clamped), 1.0);
  // The painting as the style loss sees it (long side result * style_scale), measured at the
  // result's scale.
  const cv::Mat painting = resize_to(style, style_size);
  const TextureStats painting_stats = texture_stats(painting, static_cast<int>(long_side));
  s.stroke_level = stroke_level(painting_stats);
  s.texture_before = texture_distance(texture_stats(content), painting_stats);
  s.texture_after = texture_distance(texture_stats(clamped), painting_stats);
  s.patch_before = patch_distance(content, painting, s.stroke_level);
  s.patch_after = patch_distance(clamped, painting, s.stroke_level);
  s.spread_before = patch_distribution_distance(content, painting);
  s.spread_after = patch_distribution_distance(clamped, painting);
  s.speckle_painting = fine_chroma_rms(painting, static_cast<int>(long_side));
  s.speckle_after = fine_chroma_rms(clamped);
  {
    const bool wide = painting.cols >= painting.rows;
    const cv::Rect first = wide ? cv::Rect(0, 0, painting.cols / 2, painting.rows) : cv::Rect(0, 0, painting.cols, painting.rows / 2);
    const cv::Rect second = wide ? cv::Rect(painting.cols - first.width, 0, first.width, painting.rows)
                                 : cv::Rect(0, painting.rows - first.height, painting.cols, first.height);
    const cv::Mat a = painting(first).clone(), b = painting(second).clone();
    const int reference = static_cast<int>(long_side);
    s.texture_own = texture_distance(texture_stats(a, reference), texture_stats(b, reference));
    s.spread_own = patch_distribution_distance(a, b, reference);
  }
  s.artefact_content = grid_artefact_db(content);
  s.artefact_after = grid_artefact_db(clamped);
  return s;
}

EvalResult evaluate(const EvalOptions& o, const ProgressFn& progress) {
  if (o.pairs.empty()) throw ArgumentError("eval stylize: no content/style pairs");
  if (o.model.empty() && o.eval_seed == o.stylize.seed)
    throw ArgumentError("eval stylize: the measuring seed (" + std::to_string(o.eval_seed) +
                        ") must differ from the stylization seed");
  validate(o.stylize);
  std::unique_ptr<StyleModel> model;
  if (!o.model.empty()) {
    model = std::make_unique<StyleModel>(StyleModel::load(o.model));
    const auto fs = model->metadata().find("feature_seed");
    if (fs != model->metadata().end() && fs->second == std::to_string(o.eval_seed))
      throw ArgumentError("eval stylize: the measuring seed must differ from the model's training seed " + fs->second);
  }
  EvalResult r;
  for (size_t i = 0; i < o.pairs.size(); ++i) {
    const EvalPair& p = o.pairs[i];
    cv::Mat content = to_bgr_float(read_image(p.content).pixels);
    const cv::Mat style = to_bgr_float(read_image(p.style).pixels);
    if (o.stylize.size > 0) content = resize_to(content, with_long_side(content.size(), o.stylize.size));
    const auto start = std::chrono::steady_clock::now();
    cv::Mat result;
    if (model) {
      result = model->apply(content);
    } else {
      StylizeOptions so = o.stylize;
      so.size = 0;  // content already at the evaluation size
      result = transfer_style(content, style, so).bgr;
    }
    PairScores ps;
    ps.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const StyleScores s = score_stylization(content, style, result, o.eval_seed, model ? 1.0 : o.stylize.style_scale);
    ps.content = p.content;
    ps.style = p.style;
    ps.style_before = s.before;
    ps.style_after = s.after;
    ps.edge_ssim = s.edge_ssim;
    ps.texture_before = s.texture_before;
    ps.texture_after = s.texture_after;
    ps.patch_before = s.patch_before;
    ps.patch_after = s.patch_after;
    ps.spread_before = s.spread_before;
    ps.spread_after = s.spread_after;
    ps.speckle_painting = s.speckle_painting;
    ps.speckle_after = s.speckle_after;
    ps.texture_own = s.texture_own;
    ps.spread_own = s.spread_own;
    ps.artefact_content = s.artefact_content;
    ps.artefact_after = s.artefact_after;
    ps.stroke_level = s.stroke_level;
    r.mean_texture_ratio += s.texture_after / std::max(s.texture_before, 1e-12);
    r.mean_patch_ratio += s.patch_after / std::max(s.patch_before, 1e-12);
    r.mean_spread_ratio += s.spread_after / std::max(s.spread_before, 1e-12);
    r.mean_speckle_ratio += s.speckle_after / std::max(s.speckle_painting, 1e-12);
    r.mean_texture_own_ratio += s.texture_own / std::max(s.texture_before, 1e-12);
    r.mean_spread_own_ratio += s.spread_own / std::max(s.spread_before, 1e-12);
    r.mean_artefact_content += s.artefact_content;
    r.mean_artefact_after += s.artefact_after;
    const StyleScores base = score_stylization(content, style, match_palette(content, style), o.eval_seed,
                                               model ? 1.0 : o.stylize.style_scale);
    ps.palette_after = base.after;
    ps.palette_edge_ssim = base.edge_ssim;
    ps.palette_texture = base.texture_after;
    ps.palette_patch = base.patch_after;
    ps.palette_spread = base.spread_after;
    r.mean_palette_after += base.after;
    r.mean_palette_edge_ssim += base.edge_ssim;
    r.pairs.push_back(ps);
    r.mean_before += s.before;
    r.mean_after += s.after;
    r.mean_edge_ssim += s.edge_ssim;
    report(progress, {static_cast<int64_t>(i + 1), static_cast<int64_t>(o.pairs.size()), "eval stylize",
                      {{"before", s.before}, {"after", s.after}, {"edge ssim", s.edge_ssim}}});
  }
  const double n = static_cast<double>(r.pairs.size());
  r.mean_before /= n;
  r.mean_after /= n;
  r.mean_edge_ssim /= n;
  r.mean_palette_after /= n;
  r.mean_palette_edge_ssim /= n;
  r.mean_texture_ratio /= n;
  r.mean_patch_ratio /= n;
  r.mean_spread_ratio /= n;
  r.mean_speckle_ratio /= n;
  r.mean_texture_own_ratio /= n;
  r.mean_spread_own_ratio /= n;
  r.mean_artefact_content /= n;
  r.mean_artefact_after /= n;
  return r;
}

}  // namespace neuroshop::stylize
