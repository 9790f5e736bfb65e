// The style-transfer objective; the formulas are in objective.h.
#include "apps/stylize/objective.h"

#include <cmath>

#include "core/errors.h"
#include "core/kernels/concat.h"
#include "core/losses/regression.h"
#include "core/losses/style.h"

namespace neuroshop::stylize {
namespace {

double mean_square(const Tensor& t) {
  double s = 0.0;
  const float* p = t.data();
  for (int64_t i = 0, n = t.numel(); i < n; ++i) s += static_cast<double>(p[i]) * p[i];
  return s / static_cast<double>(t.numel());
}

// A target with (almost) no energy would make its normalization explode; such a layer (a flat
// style image seen by ReLU features that never fire) is measured absolutely instead.
double normalization(double mean_sq) { return 1.0 / std::max(mean_sq, 1e-8); }

void scale_inplace(Tensor& t, double factor) {
  float* p = t.data();
  const float f = static_cast<float>(factor);
  for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] *= f;
}

}  // namespace

StyleTarget make_style_target(StyleNet& net, const Tensor& style_image, int patch_output, int64_t max_patches) {
  if (style_image.rank() != 4 || style_image.dim(0) != 1)
    throw ShapeError("style target: expected one style image (1,3,H,W), got " + style_image.shape().str());
  const Features f = net.forward(style_image);
  StyleTarget t;
  for (const Tensor& s : f.style) {
    t.grams.push_back(gram_matrix(s));
    t.weights.push_back(normalization(mean_square(t.grams.back())));
  }
  if (patch_output >= 0) {
    if (static_cast<size_t>(patch_output) >= f.style.size())
      throw ArgumentError("style target: patch output " + std::to_string(patch_output) + " of " +
                          std::to_string(f.style.size()) + " style outputs");
    t.patch_output = static_cast<size_t>(patch_output);
    t.patch = make_patch_target(f.style[t.patch_output], max_patches);
  }
  return t;
}

ContentTarget make_content_target(StyleNet& net, const Tensor& content) {
  ContentTarget t;
  t.features = net.forward(content).content.clone();
  t.weight = normalization(mean_square(t.features));
  return t;
}

// L = ws * (1/K) sum_k w_k gram_loss_k + wc * 2 * w_c * mse_loss + wtv * TV
// (the core's mse_loss is half the mean squared error, hence the 2)
LossTerms style_transfer_loss(StyleNet& net, const StyleTarget& style, const ContentTarget& content,
                              const Tensor& image, const LossWeights& weights, Tensor* dimage) {
  if (style.grams.size() != net.num_style_outputs())
    throw ShapeError("style loss: the style target has " + std::to_string(style.grams.size()) +
                     " Gram matrices, the feature network " + std::to_string(net.num_style_outputs()) + " outputs");
  const bool want_grad = dimage != nullptr;
  const Features f = net.forward(image);
  LossTerms terms;
  const double per_layer = 1.0 / static_cast<double>(style.grams.size());
  std::vector<Tensor> dstyle(f.style.size());
  for (size_t k = 0; k < f.style.size(); ++k) {
    Tensor d;
    const double loss = gram_loss(f.style[k], style.grams[k], want_grad ? &d : nullptr);
    terms.style += per_layer * style.weights[k] * loss;
    if (want_grad) {
      scale_inplace(d, weights.style * per_layer * style.weights[k]);
      dstyle[k] = d;
    }
  }
  if (weights.patch != 0.0 && style.patch.patches.defined()) {
    Tensor d;
    terms.patch = patch_loss(f.style[style.patch_output], style.patch, want_grad ? &d : nullptr);
    if (want_grad) {
      scale_inplace(d, weights.patch);
      Tensor& ds = dstyle[style.patch_output];
      ds = ds.defined() ? add(ds, d, "patch loss") : d;
    }
  }
  Tensor dcontent;
  if (weights.content != 0.0) {
    if (!content.features.defined() || content.features.shape() != f.content.shape())
      throw ShapeError("content loss: the content target " +
                       (content.features.defined() ? content.features.shape().str() : std::string("(none)")) +
                       " does not match the image's features " + f.content.shape().str());
    const double loss = mse_loss(f.content, content.features, want_grad ? &dcontent : nullptr);
    terms.content = 2.0 * content.weight * loss;
    if (want_grad) scale_inplace(dcontent, weights.content * 2.0 * content.weight);
  }
  Tensor dtv;
  if (weights.tv != 0.0) {
    terms.tv = total_variation_loss(image, want_grad ? &dtv : nullptr);
    if (want_grad) scale_inplace(dtv, weights.tv);
  }
  terms.total = weights.style * terms.style + weights.content * terms.content + weights.tv * terms.tv +
                weights.patch * terms.patch;
  if (want_grad) {
    Tensor d = net.backward(dstyle, dcontent);
    if (dtv.defined()) {
      float* dp = d.data();
      const float* tp = dtv.data();
      for (int64_t i = 0, n = d.numel(); i < n; ++i) dp[i] += tp[i];
    }
    *dimage = d;
  }
  return terms;
}

double style_distance(StyleNet& net, const StyleTarget& style, const Tensor& image) {
  return style_transfer_loss(net, style, ContentTarget{}, image, LossWeights{1.0, 0.0, 0.0}, nullptr).style;
}

}  // namespace neuroshop::stylize
