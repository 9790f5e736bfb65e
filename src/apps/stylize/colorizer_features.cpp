// ColorizerFeatures and ColorizerPyramid; see colorizer_features.h.
#include "apps/stylize/colorizer_features.h"

#include <algorithm>

#include "apps/common/app_model.h"
#include "core/errors.h"
#include "core/kernels/concat.h"
#include "core/layers/activations.h"
#include "core/layers/conv2d.h"
#include "core/layers/sequential.h"
#include "core/layers/skip.h"
#include "core/layers/upsample.h"
#include "io/color.h"

namespace neuroshop::stylize {
namespace {

constexpr int64_t kColorizerInputs = 4;  // L, hint a, hint b, hint mask (colorize/network.h)

std::unique_ptr<Layer> load_colorizer(const std::string& path) {
  LoadedModel loaded = apps::load_app_model(path, "colorize", "colorize");
  return std::move(loaded.net);
}

}  // namespace

ColorizerFeatures::ColorizerFeatures(const std::string& model_path) : net_(load_colorizer(model_path)) { build_chain(); }

ColorizerFeatures::ColorizerFeatures(std::unique_ptr<Layer> colorize_net) : net_(std::move(colorize_net)) {
  if (!net_) throw ArgumentError("ColorizerFeatures: no network");
  build_chain();
}

// The encoder: the top-level layers up to the U-Net's skip, then the skip's body up to the end of its
// first residual block (or its upsampling, for a network without one).
void ColorizerFeatures::build_chain() {
  net_->set_training(false);
  net_->freeze();
  auto* top = dynamic_cast<Sequential*>(net_.get());
  if (top == nullptr) throw ModelError("colorize model: expected a sequential network");
  std::string name;
  auto add = [&](Layer& layer) {
    if (!layer.name().empty()) name = layer.name();
    chain_.push_back(&layer);
    names_.push_back(name);
    const auto* conv = dynamic_cast<const Conv2d*>(&layer);
    blur_before_.push_back(conv != nullptr && conv->options().stride > 1);
  };
  bool done = false;
  for (size_t i = 0; i < top->size() && !done; ++i) {
    Layer& layer = top->layer(i);
    auto* skip = dynamic_cast<SkipConcat*>(&layer);
    if (skip == nullptr) {
      add(layer);
      continue;
    }
    auto* body = dynamic_cast<Sequential*>(&skip->body());
    if (body == nullptr) throw ModelError("colorize model: expected a sequential body inside the skip connection");
    bool after_residual = false;
    for (size_t j = 0; j < body->size(); ++j) {
      Layer& inner = body->layer(j);
      if (dynamic_cast<Upsample*>(&inner) != nullptr) break;
      add(inner);
      if (dynamic_cast<Residual*>(&inner) != nullptr) after_residual = true;
      if (after_residual && dynamic_cast<Relu*>(&inner) != nullptr) break;
    }
    done = true;
  }
  // Taps: the first ReLU, the first ReLU at each coarser scale, the last ReLU.
  Shape s{1, kColorizerInputs, 64, 64};
  int64_t tapped_side = 0;
  size_t last_relu = chain_.size();
  for (size_t i = 0; i < chain_.size(); ++i) {
    s = chain_[i]->output_shape(s);
    if (dynamic_cast<Relu*>(chain_[i]) == nullptr) continue;
    last_relu = i;
    if (tapped_side == 0 || s[2] < tapped_side) {
      taps_.push_back(i);
      tapped_side = s[2];
    }
  }
  if (last_relu == chain_.size()) throw ModelError("colorize model: no ReLU in its encoder to take features from");
  if (taps_.back() != last_relu) taps_.push_back(last_relu);
}

std::string ColorizerFeatures::style_output_name(size_t i) const {
  if (i >= taps_.size()) throw ArgumentError("ColorizerFeatures: no style output " + std::to_string(i));
  return "colorizer." + names_[taps_[i]];
}

// x = L/50 - 1 (io/color.h's lightness, what the colorizer is given when colorizing); the hint
// channels are zero, as when colorizing without hints.
Features ColorizerFeatures::forward(const Tensor& image) {
  if (image.rank() != 4 || image.dim(1) != 3)
    throw ShapeError("ColorizerFeatures: expected images (N,3,H,W), got " + image.shape().str());
  if (image.dim(2) < min_side() || image.dim(3) < min_side())
    throw ShapeError("ColorizerFeatures: images must be at least " + std::to_string(min_side()) + " px on each side, got " +
                     image.shape().str());
  const int64_t n = image.dim(0), hw = image.dim(2) * image.dim(3);
  const Tensor lightness_l = lightness(image);
  dlightness_ = lightness_gradient(image);
  Tensor x(Shape{n, kColorizerInputs, image.dim(2), image.dim(3)});
  for (int64_t b = 0; b < n; ++b) {
    const float* l = lightness_l.data() + b * hw;
    float* out = x.data() + b * kColorizerInputs * hw;
    for (int64_t p = 0; p < hw; ++p) out[p] = l[p] / 50.0f - 1.0f;
  }
  Features f;
  f.style.resize(taps_.size());
  size_t next = 0;
  for (size_t i = 0; i < chain_.size(); ++i) {
    if (blur_before_[i]) x = binomial_blur(x);
    x = chain_[i]->forward(x);
    if (next < taps_.size() && taps_[next] == i) f.style[next++] = x;
  }
  forward_ran_ = true;
  return f;
}

Tensor ColorizerFeatures::backward(const std::vector<Tensor>& dstyle, const Tensor& dcontent) {
  (void)dcontent;  // no content output
  if (!forward_ran_) throw Error("ColorizerFeatures: backward called before forward");
  if (dstyle.size() != taps_.size())
    throw ShapeError("ColorizerFeatures backward: expected " + std::to_string(taps_.size()) + " style gradients, got " +
                     std::to_string(dstyle.size()));
  Tensor d;
  size_t next = taps_.size();
  for (size_t i = chain_.size(); i-- > 0;) {
    if (next > 0 && taps_[next - 1] == i) {
      const Tensor& g = dstyle[--next];
      if (g.defined()) d = d.defined() ? add(d, g, "ColorizerFeatures backward") : g;
    }
    if (!d.defined()) continue;
    d = chain_[i]->backward(d);
    if (blur_before_[i]) d = binomial_blur_backward(d);
  }
  Tensor dimage(dlightness_.shape());
  if (!d.defined()) return dimage;  // every gradient undefined: zero
  const int64_t n = dimage.dim(0), hw = dimage.dim(2) * dimage.dim(3);
  for (int64_t b = 0; b < n; ++b) {
    const float* dx = d.data() + b * kColorizerInputs * hw;  // channel 0, the lightness
    const float* dl = dlightness_.data() + b * 3 * hw;
    float* out = dimage.data() + b * 3 * hw;
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t p = 0; p < hw; ++p) out[c * hw + p] = dx[p] * dl[c * hw + p] / 50.0f;
  }
  return dimage;
}

ColorizerPyramid::ColorizerPyramid(const FeatureNetOptions& pyramid, const std::string& colorizer_model)
    : pyramid_(pyramid), colorizer_(colorizer_model) {}

ColorizerPyramid::ColorizerPyramid(const FeatureNetOptions& pyramid, std::unique_ptr<Layer> colorize_net)
    : pyramid_(pyramid), colorizer_(std::move(colorize_net)) {}

int64_t ColorizerPyramid::min_side() const { return std::max(pyramid_.min_side(), colorizer_.min_side()); }

std::string ColorizerPyramid::style_output_name(size_t i) const {
  const size_t p = pyramid_.num_style_outputs();
  return i < p ? pyramid_.style_output_name(i) : colorizer_.style_output_name(i - p);
}

Features ColorizerPyramid::forward(const Tensor& image) {
  Features f = pyramid_.forward(image);
  Features g = colorizer_.forward(image);
  for (Tensor& t : g.style) f.style.push_back(std::move(t));
  return f;
}

Tensor ColorizerPyramid::backward(const std::vector<Tensor>& dstyle, const Tensor& dcontent) {
  if (dstyle.size() != num_style_outputs())
    throw ShapeError("ColorizerPyramid backward: expected " + std::to_string(num_style_outputs()) +
                     " style gradients, got " + std::to_string(dstyle.size()));
  const auto split = dstyle.begin() + static_cast<std::ptrdiff_t>(pyramid_.num_style_outputs());
  const std::vector<Tensor> dpyramid(dstyle.begin(), split), dcolorizer(split, dstyle.end());
  auto any = [](const std::vector<Tensor>& grads) {
    return std::any_of(grads.begin(), grads.end(), [](const Tensor& g) { return g.defined(); });
  };
  if (!any(dpyramid) && !dcontent.defined()) return colorizer_.backward(dcolorizer, Tensor());
  Tensor d = pyramid_.backward(dpyramid, dcontent);
  if (any(dcolorizer)) d = add(d, colorizer_.backward(dcolorizer, Tensor()), "ColorizerPyramid backward");
  return d;
}

}  // namespace neuroshop::stylize
