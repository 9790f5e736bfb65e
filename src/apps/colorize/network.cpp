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

// conv KxK (stride, dilation) with "same"-style padding, followed by ReLU.
void conv_relu(Sequential& net, int64_t in, int64_t out, Rng& rng, const std::string& name, int64_t stride = 1,
               int64_t dilation = 1) {
  Conv2dOptions o;
  o.in_channels = in;
  o.out_channels = out;
  o.kernel_size = 3;
  o.stride = stride;
  o.dilation = dilation;
  o.padding = dilation;
  net.emplace<Conv2d>(o, rng, name);
  net.emplace<Relu>();
}

}  // namespace

std::unique_ptr<Sequential> build_network(const NetworkOptions& options, Rng& rng) {
  const int64_t w = options.width;
  if (w < 4 || w > 256) throw ArgumentError("colorize network: width must be in [4, 256], got " + std::to_string(w));
  if (options.num_bins < 2) throw ArgumentError("colorize network: needs at least 2 ab bins");

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

  conv_relu(*net, 4 * w, 2 * w, rng, "dec1");
  conv_relu(*net, 2 * w, 2 * w, rng, "dec2");
  Conv2dOptions head;
  head.in_channels = 2 * w;
  head.out_channels = options.num_bins;
  head.kernel_size = 1;
  net->emplace<Conv2d>(head, rng, "head");
  return net;
}

}  // namespace neuroshop::colorize
