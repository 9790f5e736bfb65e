// Style by optimization; see stylize.h.
#include "apps/stylize/stylize.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "apps/stylize/colorizer_features.h"
#include "apps/stylize/random_vgg.h"
#include "core/errors.h"
#include "core/layers/upsample.h"
#include "core/optim/adam.h"
#include "core/optim/lbfgs.h"

namespace neuroshop::stylize {

const char* optimizer_name(OptimizerKind kind) { return kind == OptimizerKind::kAdam ? "adam" : "lbfgs"; }

OptimizerKind parse_optimizer(const std::string& name) {
  if (name == "lbfgs") return OptimizerKind::kLbfgs;
  if (name == "adam") return OptimizerKind::kAdam;
  throw ArgumentError("--optimizer must be lbfgs or adam, got '" + name + "'");
}

const char* method_name(StylizeMethod method) { return method == StylizeMethod::kPatches ? "patches" : "optimize"; }

StylizeMethod parse_method(const std::string& name) {
  if (name == "patches") return StylizeMethod::kPatches;
  if (name == "optimize") return StylizeMethod::kOptimize;
  throw ArgumentError("--method must be patches or optimize, got '" + name + "'");
}

const char* network_name(NetworkKind kind) {
  return kind == NetworkKind::kVgg ? "vgg" : kind == NetworkKind::kColorizer ? "colorizer" : "pyramid";
}

NetworkKind parse_network(const std::string& name) {
  if (name == "pyramid") return NetworkKind::kPyramid;
  if (name == "vgg") return NetworkKind::kVgg;
  if (name == "colorizer") return NetworkKind::kColorizer;
  throw ArgumentError("--network must be pyramid, vgg or colorizer, got '" + name + "'");
}

std::unique_ptr<StyleNet> make_style_net(NetworkKind kind, uint64_t seed, const std::string& colorizer_model) {
  if (kind == NetworkKind::kColorizer)
    return std::make_unique<ColorizerPyramid>(FeatureNetOptions{seed}, colorizer_model);
  if (kind == NetworkKind::kVgg) {
    RandomVggOptions o;
    o.seed = seed;
    return std::make_unique<RandomVgg>(o);
  }
  return std::make_unique<FeatureNet>(FeatureNetOptions{seed});
}

void validate(const StylizeOptions& o) {
  auto finite_in = [](double v, double lo, double hi, const char* name) {
    if (!std::isfinite(v) || v < lo || v > hi)
      throw ArgumentError(std::string(name) + " must be a finite number in [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "], got " + std::to_string(v));
  };
  if (o.size != 0 && (o.size < 32 || o.size > 8192))
    throw ArgumentError("--size must be 0 (the content's size) or in [32, 8192], got " + std::to_string(o.size));
  if (o.iterations < 1 || o.iterations > 100000)
    throw ArgumentError("--iterations must be in [1, 100000], got " + std::to_string(o.iterations));
  finite_in(o.style_weight, 0.0, 1e9, "--style-weight");
  finite_in(o.content_weight, 0.0, 1e9, "--content-weight");
  finite_in(o.tv_weight, 0.0, 1e9, "--tv-weight");
  finite_in(o.patch_weight, 0.0, 1e9, "--patch-weight");
  if (o.patch_count < 1) throw ArgumentError("patch_count must be positive");
  finite_in(o.style_scale, 0.05, 20.0, "--style-scale");
  finite_in(o.strength, 0.0, 1.0, "--strength");
  finite_in(o.adam_lr, 1e-6, 10.0, "adam learning rate");
  if (o.min_stage_size < 32) throw ArgumentError("min_stage_size must be at least 32");
  if (o.method == StylizeMethod::kPatches) validate(o.synthesis);
}

namespace {

// The stage sizes, coarse to fine: the output size halved while the long side stays >= min_stage.
std::vector<cv::Size> stage_sizes(cv::Size out, int64_t min_stage) {
  std::vector<cv::Size> sizes{out};
  int64_t side = std::max(out.width, out.height);
  while (side / 2 >= min_stage) {
    side /= 2;
    sizes.insert(sizes.begin(), with_long_side(out, side));
  }
  return sizes;
}

// Iterations per stage in proportion 2^(n-1-i): the coarsest stage gets the most, since an
// iteration there costs a quarter of one a stage finer.
std::vector<int64_t> stage_iterations(int64_t total, size_t stages) {
  std::vector<double> share(stages);
  double sum = 0.0;
  for (size_t i = 0; i < stages; ++i) sum += share[i] = std::ldexp(1.0, static_cast<int>(stages - 1 - i));
  std::vector<int64_t> its(stages);
  int64_t given = 0;
  for (size_t i = 0; i < stages; ++i) given += its[i] = std::max<int64_t>(1, static_cast<int64_t>(total * share[i] / sum));
  its[0] += std::max<int64_t>(0, total - given);
  return its;
}

// The style image's size at a stage: long side `long_side`, enlarged if its short side would fall
// below what the FeatureNet accepts.
cv::Size style_stage_size(cv::Size style, double long_side, int64_t min_side) {
  cv::Size size = with_long_side(style, std::max<int64_t>(1, std::lround(long_side)));
  const int64_t short_side = std::min(size.width, size.height);
  if (short_side < min_side) size = with_long_side(style, std::max(size.width, size.height) * min_side / short_side + 2);
  return size;
}

// x + y, element by element (same shapes).
Tensor plus(const Tensor& x, const Tensor& y) {
  Tensor out = Tensor::empty(x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = x[i] + y[i];
  return out;
}
Tensor minus(const Tensor& x, const Tensor& y) {
  Tensor out = Tensor::empty(x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = x[i] - y[i];
  return out;
}

}  // namespace

StylizeResult transfer_style(const cv::Mat& content_bgr, const cv::Mat& style_bgr, const StylizeOptions& o,
                      const ProgressFn& progress) {
  using Clock = std::chrono::steady_clock;
  validate(o);
  const Clock::time_point start_time = Clock::now();
  const std::unique_ptr<StyleNet> net_owner = make_style_net(o.network, o.seed, o.colorizer_model);
  StyleNet& net = *net_owner;

  cv::Mat content = to_bgr_float(content_bgr);
  const cv::Size out_size = o.size > 0 ? with_long_side(content.size(), o.size) : content.size();
  if (std::min(out_size.width, out_size.height) < net.min_side())
    throw ArgumentError("stylize: the output would be " + std::to_string(out_size.width) + "x" +
                        std::to_string(out_size.height) + "; each side must be at least " +
                        std::to_string(net.min_side()) + " pixels");
  content = resize_to(content, out_size);
  cv::Mat style = to_bgr_float(style_bgr);
  const cv::Mat content_colour = content;
  if (o.preserve_colors) {
    content = luminance_as_bgr(content);
    style = match_mean_std(luminance_as_bgr(style), content);
  }
  // What strength blends with: the content itself (its lightness when colours are preserved), not
  // the recoloured start.
  const cv::Mat blend_base = content;
  if (!o.preserve_colors && o.match_palette) content = match_palette(content, style);

  StylizeResult result;
  // Blend with the content (strength), then put the colour back when only lightness was styled.
  auto finish = [&](cv::Mat out) {
    if (o.strength < 1.0) cv::addWeighted(out, o.strength, blend_base, 1.0 - o.strength, 0.0, out);
    if (o.preserve_colors) out = combine_luminance_chroma(out, content_colour);
    result.bgr = out;
    result.seconds = std::chrono::duration<double>(Clock::now() - start_time).count();
    return result;
  };
  if (o.method == StylizeMethod::kPatches) {
    // The painting at the size its marks should have relative to the output.
    const cv::Mat painting = resize_to(style, with_long_side(style.size(), std::max<int64_t>(
        1, std::lround(std::max(out_size.width, out_size.height) * o.style_scale))));
    cv::Mat start;
    cv::min(cv::max(content, 0.0), 1.0, start);
    PatchSynthesisOptions synthesis = o.synthesis;
    synthesis.seed = o.seed;
    return finish(synthesize_from_patches(start, painting, synthesis, progress));
  }

  const std::vector<cv::Size> sizes = stage_sizes(out_size, std::max<int64_t>(o.min_stage_size, net.min_side()));
  const std::vector<int64_t> iterations = stage_iterations(o.iterations, sizes.size());
  const LossWeights weights{o.style_weight, o.content_weight, o.tv_weight, o.patch_weight};
  const int patch_output = o.patch_weight == 0.0 ? -1
                           : o.patch_output >= 0  ? o.patch_output
                           : o.network == NetworkKind::kVgg ? 3
                                                            : static_cast<int>(FeatureNetOptions{}.banks.size() + 1);

  Tensor x, content_prev;
  int64_t done = 0;
  for (size_t s = 0; s < sizes.size(); ++s) {
    const cv::Size size = sizes[s];
    const Tensor content_t = bgr_to_tensor(resize_to(content, size));
    const cv::Size style_size = style_stage_size(style.size(), std::max(size.width, size.height) * o.style_scale, net.min_side());
    const StyleTarget style_target =
        make_style_target(net, bgr_to_tensor(resize_to(style, style_size)), patch_output, o.patch_count);
    const ContentTarget content_target = make_content_target(net, content_t);
    // Start from the content plus the change the coarser stage made, upsampled.
    x = s == 0 ? content_t.clone()
               : plus(content_t, resize_bilinear(minus(x, content_prev), content_t.dim(2), content_t.dim(3)));
    content_prev = content_t;

    const std::string stage = "stylize " + std::to_string(std::max(size.width, size.height)) + "px";
    LossTerms last;
    int64_t stage_done = 0;
    auto objective = [&](const Tensor& image, Tensor* grad) {
      last = style_transfer_loss(net, style_target, content_target, image, weights, grad);
      ++result.evaluations;
      return last.total;
    };
    auto on_iteration = [&](int64_t) {
      ++stage_done;
      report(progress, {done + stage_done, o.iterations, stage,
                        {{"loss", last.total}, {"style", last.style}, {"content", last.content}}});
    };
    if (s + 1 == sizes.size()) result.first = style_transfer_loss(net, style_target, content_target, x, weights, nullptr);
    if (o.optimizer == OptimizerKind::kLbfgs) {
      LbfgsOptions lo;
      lo.max_iterations = static_cast<int>(iterations[s]);
      lo.history = 20;
      lo.tolerance_change = 1e-12;
      Lbfgs(lo).minimize(objective, x, [&](int, double) { on_iteration(0); });
    } else {
      Param image("image", x.shape());
      image.value.copy_from(x);
      Adam adam({&image}, AdamOptions{o.adam_lr});
      for (int64_t i = 0; i < iterations[s]; ++i) {
        adam.zero_grad();
        Tensor grad;
        objective(image.value, &grad);
        image.grad.copy_from(grad);
        adam.step();
        on_iteration(0);
      }
      x = image.value;
    }
    done += iterations[s];
    if (s + 1 == sizes.size()) result.last = style_transfer_loss(net, style_target, content_target, x, weights, nullptr);
  }

  return finish(tensor_to_bgr(x));
}

Image stylize_image(const Image& content, const Image& style, const StylizeOptions& options, const ProgressFn& progress) {
  const StylizeResult r = transfer_style(content.pixels, style.pixels, options, progress);
  return to_image(r.bgr, content.bit_depth, content.alpha);
}

}  // namespace neuroshop::stylize
