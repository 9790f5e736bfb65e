// Fast styles: the transform network and the model around it; see fast.h.
#include "apps/stylize/fast.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "apps/common/app_model.h"
#include "apps/stylize/images.h"
#include "core/errors.h"
#include "core/layers/activations.h"
#include "core/layers/conv2d.h"
#include "core/layers/instance_norm.h"
#include "core/layers/pooling.h"
#include "core/layers/sequential.h"
#include "core/layers/skip.h"
#include "core/layers/upsample.h"
#include "core/model/model_file.h"

namespace neuroshop::stylize {
namespace {

// The last convolution's weights start at this fraction of their He-uniform draw, so the
// untrained network is close to the identity (output = input + small).
constexpr float kLastLayerInitScale = 0.01f;
constexpr int kMinPaddedSide = 16;

Conv2d& add_conv(Sequential& seq, int64_t in, int64_t out, int64_t kernel, int64_t stride, Rng& rng,
                 const std::string& name) {
  Conv2dOptions c;
  c.in_channels = in;
  c.out_channels = out;
  c.kernel_size = kernel;
  c.stride = stride;
  c.padding = kernel / 2;
  c.padding_mode = PaddingMode::kReflect;
  return seq.emplace<Conv2d>(c, rng, name);
}

// conv, instance norm, ReLU
void add_conv_block(Sequential& seq, int64_t in, int64_t out, int64_t kernel, int64_t stride, Rng& rng,
                    const std::string& name) {
  add_conv(seq, in, out, kernel, stride, rng, name);
  seq.emplace<InstanceNorm2d>(out, 1e-5, true, name + "_norm");
  seq.emplace<Relu>(ReluFn{}, name + "_relu");
}

}  // namespace

std::unique_ptr<Layer> build_transform_net(const TransformNetOptions& o, Rng& rng) {
  if (o.base_channels < 1 || o.residual_blocks < 0 || o.outer_kernel < 1 || o.outer_kernel % 2 == 0)
    throw ArgumentError("transform network: need base_channels >= 1, residual_blocks >= 0 and an odd outer_kernel");
  const int64_t B = o.base_channels;
  auto body = std::make_unique<Sequential>("body");
  body->emplace<AvgPool2d>(2, 0, "half");
  add_conv_block(*body, 3, B, o.outer_kernel, 1, rng, "in");
  add_conv_block(*body, B, 2 * B, 3, 2, rng, "down1");
  add_conv_block(*body, 2 * B, 4 * B, 3, 2, rng, "down2");
  for (int64_t r = 0; r < o.residual_blocks; ++r) {
    const std::string name = "res" + std::to_string(r + 1);
    auto block = std::make_unique<Sequential>(name + "_body");
    add_conv_block(*block, 4 * B, 4 * B, 3, 1, rng, name + "a");
    add_conv(*block, 4 * B, 4 * B, 3, 1, rng, name + "b");
    block->emplace<InstanceNorm2d>(4 * B, 1e-5, true, name + "b_norm");
    body->emplace<Residual>(std::move(block), name);
  }
  body->emplace<Upsample>(2, UpsampleMode::kNearest, "up1_scale");
  add_conv_block(*body, 4 * B, 2 * B, 3, 1, rng, "up1");
  body->emplace<Upsample>(2, UpsampleMode::kNearest, "up2_scale");
  add_conv_block(*body, 2 * B, B, 3, 1, rng, "up2");
  Conv2d& out = add_conv(*body, B, 3, 3, 1, rng, "out");
  float* w = out.weight().value.data();
  for (int64_t i = 0; i < out.weight().value.numel(); ++i) w[i] *= kLastLayerInitScale;
  body->emplace<Upsample>(2, UpsampleMode::kBilinear, "full");
  return std::make_unique<Residual>(std::move(body), "transform");
}

StyleModel::StyleModel(std::unique_ptr<Layer> net, const Palette& palette, std::map<std::string, std::string> metadata)
    : net_(std::move(net)), palette_(palette), metadata_(std::move(metadata)) {
  if (!net_) throw ModelError("style model: no network");
}

StyleModel StyleModel::load(const std::string& path) {
  LoadedModel loaded = apps::load_app_model(path, "stylize", "style");
  Shape out;
  try {
    out = loaded.net->output_shape(Shape{1, 3, 32, 32});
  } catch (const Error& e) {
    throw ModelError("style model '" + path + "': the network does not take (1,3,H,W) images: " + e.what());
  }
  if (out != Shape{1, 3, 32, 32})
    throw ModelError("style model '" + path + "': the network turns (1,3,32,32) into " + out.str() +
                     ", not an image of the same size");
  const auto palette = loaded.extra_tensors.find("palette");
  if (palette == loaded.extra_tensors.end() || palette->second.shape() != Shape{2, 3})
    throw ModelError("style model '" + path + "' has no (2,3) palette tensor");
  Palette p;
  for (int c = 0; c < 3; ++c) {
    p.mean[c] = palette->second[c];
    p.sd[c] = palette->second[3 + c];
  }
  loaded.net->set_training(false);
  return StyleModel(std::move(loaded.net), p, std::move(loaded.metadata));
}

void StyleModel::save(const std::string& path, const std::map<std::string, std::string>& metadata) {
  std::map<std::string, std::string> meta = metadata_;
  for (const auto& [k, v] : metadata) meta[k] = v;
  meta["app"] = "stylize";
  meta["pad_multiple"] = std::to_string(kTransformMultiple);
  Tensor palette({2, 3});  // row 0: mean of L*, a*, b*; row 1: standard deviations
  for (int c = 0; c < 3; ++c) {
    palette[c] = static_cast<float>(palette_.mean[c]);
    palette[3 + c] = static_cast<float>(palette_.sd[c]);
  }
  save_model(path, *net_, meta, {{"palette", palette}});
  metadata_ = meta;
}

cv::Mat StyleModel::apply(const cv::Mat& bgr) {
  if (bgr.empty() || bgr.type() != CV_32FC3) throw ArgumentError("style model: expected a BGR CV_32FC3 image");
  return apply_network(match_palette(bgr, palette_));
}

cv::Mat StyleModel::apply_network(const cv::Mat& bgr) {
  if (bgr.empty() || bgr.type() != CV_32FC3) throw ArgumentError("style model: expected a BGR CV_32FC3 image");
  const int H = bgr.rows, W = bgr.cols;
  // Padded to a multiple of kTransformMultiple and at least kMinPaddedSide (the body's coarsest
  // level needs 2 pixels for its reflection padding), by reflection where the image is larger than
  // the padding and by repeating the border of tiny images (a 1-pixel image has nothing to mirror).
  auto padded_side = [](int side) {
    const int m = static_cast<int>(kTransformMultiple);
    return std::max(kMinPaddedSide, (side + m - 1) / m * m);
  };
  const int pad_h = padded_side(H) - H, pad_w = padded_side(W) - W;
  cv::Mat padded;
  cv::copyMakeBorder(bgr, padded, 0, pad_h, 0, pad_w, H > pad_h && W > pad_w ? cv::BORDER_REFLECT_101 : cv::BORDER_REPLICATE);
  net_->set_training(false);
  const cv::Mat out = tensor_to_bgr(net_->forward(bgr_to_tensor(padded)));
  return out(cv::Rect(0, 0, W, H)).clone();
}

Image stylize_fast(StyleModel& model, const Image& content, const FastOptions& o) {
  if (!std::isfinite(o.strength) || o.strength < 0.0 || o.strength > 1.0)
    throw ArgumentError("--strength must be in [0, 1], got " + std::to_string(o.strength));
  if (o.size != 0 && (o.size < 16 || o.size > 8192))
    throw ArgumentError("--size must be 0 (the input's size) or in [16, 8192], got " + std::to_string(o.size));
  cv::Mat x = to_bgr_float(content.pixels);
  if (o.size > 0) x = resize_to(x, with_long_side(x.size(), o.size));
  cv::Mat y = model.apply(x);
  if (o.strength < 1.0) cv::addWeighted(y, o.strength, x, 1.0 - o.strength, 0.0, y);
  if (o.preserve_colors) y = combine_luminance_chroma(luminance_as_bgr(y), x);
  return to_image(y, content.bit_depth, content.alpha);
}

std::string style_model_file_name(const std::string& name) { return "style-" + name + ".nsm"; }

}  // namespace neuroshop::stylize
