// The colorization network; see network.h for the diagram.
#include "apps/colorize/network.h"

#include "core/errors.h"
#include "core/layers/activations.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/skip.h"
#include "core/layers/upsample.h"

namespace neuroshop::colorize {
namespace {

// conv KxK (stride, dilation) with "same"-style padding.
void conv(Sequential& net, int64_t in, int64_t out, Rng& rng, const std::string& name, int64_t stride = 1,
          int64_t dilation = 1, int64_t kernel = 3) {
  Conv2dOptions o;
  o.in_channels = in;
  o.out_channels = out;
  o.kernel_size = kernel;
  o.stride = stride;
  o.dilation = dilation;
  o.padding = dilation * (kernel / 2);
  net.emplace<Conv2d>(o, rng, name);
}

void conv_relu(Sequential& net, int64_t in, int64_t out, Rng& rng, const std::string& name, int64_t stride = 1,
               int64_t dilation = 1) {
  conv(net, in, out, rng, name, stride, dilation);
  net.emplace<Relu>();
}

// A residual block at constant width c: y = relu(x + BN(conv_d(relu(conv_d(x))))).
void residual_block(Sequential& net, int64_t c, int64_t dilation, Rng& rng, const std::string& name) {
  auto body = std::make_unique<Sequential>(name + "_body");
  conv_relu(*body, c, c, rng, name + "_a", 1, dilation);
  conv(*body, c, c, rng, name + "_b", 1, dilation);
  body->emplace<BatchNorm2d>(c, 1e-5, 0.1, true, name + "_bn");
  net.emplace<Residual>(std::move(body), name);
  net.emplace<Relu>();
}

// Both versions end alike at 1/4: after the skip's concat (4w channels), two convolutions and the
// 1x1 head to the bin logits.
void decoder_and_head(Sequential& net, int64_t w, int64_t num_bins, Rng& rng) {
  conv_relu(net, 4 * w, 2 * w, rng, "dec1");
  conv_relu(net, 2 * w, 2 * w, rng, "dec2");
  conv(net, 2 * w, num_bins, rng, "head", 1, 1, 1);
}

std::unique_ptr<Sequential> build_network_v2(const NetworkOptions& options, Rng& rng) {
  const int64_t w = options.width;
  auto net = std::make_unique<Sequential>("colorize");
  conv_relu(*net, kInputChannels, w / 2, rng, "enc1");
  conv_relu(*net, w / 2, w, rng, "enc1_down", 2);
  conv_relu(*net, w, w, rng, "enc2");
  conv_relu(*net, w, 2 * w, rng, "enc2_down", 2);
  net->emplace<BatchNorm2d>(2 * w, 1e-5, 0.1, true, "enc2_bn");
  conv_relu(*net, 2 * w, 2 * w, rng, "enc3");
  net->emplace<BatchNorm2d>(2 * w, 1e-5, 0.1, true, "enc3_bn");

  auto inner = std::make_unique<Sequential>("inner");
  conv_relu(*inner, 2 * w, 4 * w, rng, "enc4_down", 2);
  conv_relu(*inner, 4 * w, 4 * w, rng, "enc4");
  inner->emplace<BatchNorm2d>(4 * w, 1e-5, 0.1, true, "enc4_bn");
  residual_block(*inner, 4 * w, 2, rng, "mid1");
  residual_block(*inner, 4 * w, 4, rng, "mid2");
  residual_block(*inner, 4 * w, 2, rng, "mid3");
  conv_relu(*inner, 4 * w, 2 * w, rng, "dec_up");
  inner->emplace<Upsample>(2, UpsampleMode::kBilinear, "up");
  net->emplace<SkipConcat>(std::move(inner), "skip");
  decoder_and_head(*net, w, options.num_bins, rng);
  return net;
}

}  // namespace

std::unique_ptr<Sequential> build_network(const NetworkOptions& options, Rng& rng) {
  const int64_t w = options.width;
  if (w < 4 || w > 256) throw ArgumentError("colorize network: width must be in [4, 256], got " + std::to_string(w));
  if (options.num_bins < 2) throw ArgumentError("colorize network: needs at least 2 ab bins");
  if (options.arch != 1 && options.arch != 2)
    throw ArgumentError("colorize network: arch must be 1 or 2, got " + std::to_string(options.arch));
  if (options.arch == 2) return build_network_v2(options, rng);

  auto net = std::make_unique<Sequential>("colorize");
  conv_relu(*net, kInputChannels, w, rng, "enc1");
  conv_relu(*net, w, w, rng, "enc1_down", 2);
  conv_relu(*net, w, 2 * w, rng, "enc2");
  conv_relu(*net, 2 * w, 2 * w, rng, "enc2_down", 2);
  net->emplace<BatchNorm2d>(2 * w, 1e-5, 0.1, true, "enc2_bn");

  auto inner = std::make_unique<Sequential>("inner");
  conv_relu(*inner, 2 * w, 4 * w, rng, "enc3_down", 2);
  conv_relu(*inner, 4 * w, 4 * w, rng, "enc3");
  inner->emplace<BatchNorm2d>(4 * w, 1e-5, 0.1, true, "enc3_bn");
  conv_relu(*inner, 4 * w, 4 * w, rng, "mid_d2", 1, 2);
  conv_relu(*inner, 4 * w, 4 * w, rng, "mid_d4", 1, 4);
  inner->emplace<BatchNorm2d>(4 * w, 1e-5, 0.1, true, "mid_bn");
  conv_relu(*inner, 4 * w, 4 * w, rng, "mid_d2b", 1, 2);
  inner->emplace<Upsample>(2, UpsampleMode::kBilinear, "up");
  conv_relu(*inner, 4 * w, 2 * w, rng, "dec_up");
  net->emplace<SkipConcat>(std::move(inner), "skip");
  decoder_and_head(*net, w, options.num_bins, rng);
  return net;
}

}  // namespace neuroshop::colorize
