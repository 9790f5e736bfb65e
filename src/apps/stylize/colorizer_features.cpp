// ColorizerFeatures and ColorizerPyramid; see colorizer_features.h.
#include "apps/stylize/colorizer_features.h"

#include <algorithm>
#include <cmath>

#include "apps/common/app_model.h"
#include "core/errors.h"
#include "core/kernels/concat.h"
#include "core/kernels/parallel.h"
#include "core/layers/activations.h"
#include "core/layers/conv2d.h"
#include "core/layers/sequential.h"
#include "core/layers/skip.h"
#include "core/layers/upsample.h"

namespace neuroshop::stylize {
namespace {

constexpr int64_t kColorizerInputs = 4;  // L, hint a, hint b, hint mask (colorize/network.h)

std::unique_ptr<Layer> load_colorizer(const std::string& path) {
  LoadedModel loaded = apps::load_app_model(path, "colorize", "colorize");
  return std::move(loaded.net);
}

// sRGB in [0, 1] -> linear, and its derivative (the IEC 61966-2-1 curve; below 0.04045 linear, so
// values an optimizer pushes below 0 stay finite).
inline void srgb_to_linear(float c, float* lin, float* dlin) {
  if (c <= 0.04045f) {
    *lin = c / 12.92f;
    *dlin = 1.0f / 12.92f;
    return;
  }
  const float base = (c + 0.055f) / 1.055f;
  const float p = std::pow(base, 1.4f);
  *lin = p * base;
  *dlin = 2.4f / 1.055f * p;
}

constexpr float kBinomial[3] = {0.25f, 0.5f, 0.25f};
int64_t reflect(int64_t i, int64_t n) { return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i; }

// y[i][j] = sum_{a,b in {-1,0,1}} k[a] k[b] x[r(i+a)][r(j+b)], k = [1 2 1]/4, reflection at the
// borders (r(-1) = 1, r(H) = H-2); with `adjoint`, the transpose: x[r(i+a)][r(j+b)] += k[a] k[b] y[i][j].
// Sides >= 2.
Tensor binomial_blur(const Tensor& in, bool adjoint) {
  const int64_t planes = in.dim(0) * in.dim(1), H = in.dim(2), W = in.dim(3);
  if (H < 2 || W < 2) throw ShapeError("binomial blur: sides must be at least 2, got " + in.shape().str());
  Tensor out(in.shape());
  parallel_for(planes, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const float* src = in.data() + p * H * W;
      float* dst = out.data() + p * H * W;
      for (int64_t i = 0; i < H; ++i)
        for (int64_t j = 0; j < W; ++j)
          for (int a = -1; a <= 1; ++a) {
            const int64_t row = reflect(i + a, H) * W;
            for (int b = -1; b <= 1; ++b) {
              const float k = kBinomial[a + 1] * kBinomial[b + 1];
              if (adjoint)
                dst[row + reflect(j + b, W)] += k * src[i * W + j];
              else
                dst[i * W + j] += k * src[row + reflect(j + b, W)];
            }
          }
    }
  });
  return out;
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

// x = L/50 - 1 with L = 116 f(Y) - 16, Y = 0.2126 R' + 0.7152 G' + 0.0722 B' (R' linear), f the CIE
// cube root (linear below (6/29)^3); the hint channels are zero, as when colorizing without hints.
Features ColorizerFeatures::forward(const Tensor& image) {
  if (image.rank() != 4 || image.dim(1) != 3)
    throw ShapeError("ColorizerFeatures: expected images (N,3,H,W), got " + image.shape().str());
  if (image.dim(2) < min_side() || image.dim(3) < min_side())
    throw ShapeError("ColorizerFeatures: images must be at least " + std::to_string(min_side()) + " px on each side, got " +
                     image.shape().str());
  const int64_t n = image.dim(0), hw = image.dim(2) * image.dim(3);
  Tensor x(Shape{n, kColorizerInputs, image.dim(2), image.dim(3)});
  dlightness_ = Tensor(image.shape());
  constexpr float kWeights[3] = {0.2126f, 0.7152f, 0.0722f};
  constexpr float kEpsilon = 216.0f / 24389.0f, kKappa = 24389.0f / 27.0f;
  for (int64_t b = 0; b < n; ++b) {
    const float* rgb = image.data() + b * 3 * hw;
    float* d = dlightness_.data() + b * 3 * hw;
    float* out = x.data() + b * kColorizerInputs * hw;
    for (int64_t p = 0; p < hw; ++p) {
      float y = 0.0f, dlin[3];
      for (int c = 0; c < 3; ++c) {
        float lin;
        srgb_to_linear(rgb[c * hw + p], &lin, &dlin[c]);
        y += kWeights[c] * lin;
      }
      float lightness, dl_dy;
      if (y > kEpsilon) {
        const float cube_root = std::cbrt(y);
        lightness = 116.0f * cube_root - 16.0f;
        dl_dy = 116.0f / (3.0f * cube_root * cube_root);
      } else {
        lightness = kKappa * y;
        dl_dy = kKappa;
      }
      out[p] = lightness / 50.0f - 1.0f;
      for (int c = 0; c < 3; ++c) d[c * hw + p] = dl_dy / 50.0f * kWeights[c] * dlin[c];
    }
  }
  Features f;
  f.style.resize(taps_.size());
  size_t next = 0;
  for (size_t i = 0; i < chain_.size(); ++i) {
    if (blur_before_[i]) x = binomial_blur(x, false);
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
    if (blur_before_[i]) d = binomial_blur(d, true);
  }
  Tensor dimage(dlightness_.shape());
  if (!d.defined()) return dimage;  // every gradient undefined: zero
  const int64_t n = dimage.dim(0), hw = dimage.dim(2) * dimage.dim(3);
  for (int64_t b = 0; b < n; ++b) {
    const float* dx = d.data() + b * kColorizerInputs * hw;  // channel 0, the lightness
    const float* dl = dlightness_.data() + b * 3 * hw;
    float* out = dimage.data() + b * 3 * hw;
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t p = 0; p < hw; ++p) out[c * hw + p] = dx[p] * dl[c * hw + p];
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
