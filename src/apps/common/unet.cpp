// The try-on's small U-Net; see common/unet.h for the diagram.
#include "apps/common/unet.h"

#include "core/errors.h"
#include "core/layers/activations.h"
#include "core/layers/conv2d.h"
#include "core/layers/pooling.h"
#include "core/layers/skip.h"
#include "core/layers/upsample.h"

namespace neuroshop::apps {
namespace {

// conv KxK with "same" padding (stride 2 halves the size), then ReLU unless `relu` is false.
void conv(Sequential& net, int64_t in, int64_t out, Rng& rng, const std::string& name, int64_t kernel = 3,
          int64_t stride = 1, int64_t dilation = 1, bool relu = true) {
  Conv2dOptions o;
  o.in_channels = in;
  o.out_channels = out;
  o.kernel_size = kernel;
  o.stride = stride;
  o.dilation = dilation;
  o.padding = kernel == 1 ? 0 : dilation;
  net.emplace<Conv2d>(o, rng, name);
  if (relu) net.emplace<Relu>();
}

}  // namespace

std::unique_ptr<Sequential> build_unet(const UNetOptions& options, Rng& rng) {
  const int64_t w = options.width;
  if (w < 4 || w > 128) throw ArgumentError(options.name + " network: width must be in [4, 128], got " + std::to_string(w));
  if (options.in_channels < 1 || options.out_channels < 1)
    throw ArgumentError(options.name + " network: needs at least one input and one output channel");
  // S/8: the bottleneck with a global-context branch.
  auto global = std::make_unique<Sequential>("global");
  global->emplace<AvgPool2d>(8, 8, "pool");
  conv(*global, 4 * w, 4 * w, rng, "global_fc", 1);
  global->emplace<Upsample>(8, UpsampleMode::kNearest, "broadcast");
  auto l3 = std::make_unique<Sequential>("level3");
  conv(*l3, 4 * w, 4 * w, rng, "enc3_down", 3, 2);
  conv(*l3, 4 * w, 4 * w, rng, "mid_d2", 3, 1, 2);
  l3->emplace<SkipConcat>(std::move(global), "global_skip");
  conv(*l3, 8 * w, 4 * w, rng, "mid_fuse");
  l3->emplace<Upsample>(2, UpsampleMode::kBilinear, "up3");
  // S/4
  auto l2 = std::make_unique<Sequential>("level2");
  conv(*l2, 2 * w, 4 * w, rng, "enc2_down", 3, 2);
  l2->emplace<SkipConcat>(std::move(l3), "skip3");
  conv(*l2, 8 * w, 4 * w, rng, "dec3");
  conv(*l2, 4 * w, 2 * w, rng, "dec3b");
  l2->emplace<Upsample>(2, UpsampleMode::kBilinear, "up2");
  // S/2
  auto l1 = std::make_unique<Sequential>("level1");
  conv(*l1, w, 2 * w, rng, "enc1_down", 3, 2);
  conv(*l1, 2 * w, 2 * w, rng, "enc1");
  l1->emplace<SkipConcat>(std::move(l2), "skip2");
  conv(*l1, 4 * w, 2 * w, rng, "dec2");
  conv(*l1, 2 * w, w, rng, "dec2b");
  l1->emplace<Upsample>(2, UpsampleMode::kBilinear, "up1");
  // S
  auto net = std::make_unique<Sequential>(options.name);
  conv(*net, options.in_channels, w, rng, "enc0");
  net->emplace<SkipConcat>(std::move(l1), "skip1");
  conv(*net, 2 * w, w, rng, "dec1", 1);
  conv(*net, w, options.out_channels, rng, "head", 1, 1, 1, false);
  return net;
}

}  // namespace neuroshop::apps
