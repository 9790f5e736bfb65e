// FeatureNet; see features.h.
#include "apps/stylize/features.h"

#include <utility>

#include "core/errors.h"
#include "core/kernels/concat.h"
#include "core/rng.h"

namespace neuroshop::stylize {
namespace {

// The image enters centred and scaled to roughly unit variance (photos have a pixel standard
// deviation near 0.25), so the He-initialized filters see inputs of the scale they were drawn for:
//   x' = (x - kInputMean) * kInputScale
constexpr float kInputMean = 0.45f;
constexpr float kInputScale = 4.0f;

// The fixed pyramid step: each colour channel blurred by the binomial kernel [1 2 1]^T [1 2 1] / 16
// and subsampled by 2, as a frozen 3->3 convolution with no cross-channel weights.
std::unique_ptr<Conv2d> make_blur_down(const std::string& name) {
  Conv2dOptions c;
  c.in_channels = 3;
  c.out_channels = 3;
  c.kernel_size = 3;
  c.stride = 2;
  c.padding = 1;
  c.padding_mode = PaddingMode::kReflect;
  c.bias = false;
  Rng unused(0);
  auto conv = std::make_unique<Conv2d>(c, unused, name);
  static const float kBinomial[3] = {0.25f, 0.5f, 0.25f};
  // weight[oc][ic][kh][kw] = weight[((oc*3 + ic)*3 + kh)*3 + kw]
  float* w = conv->weight().value.data();
  for (int oc = 0; oc < 3; ++oc)
    for (int ic = 0; ic < 3; ++ic)
      for (int kh = 0; kh < 3; ++kh)
        for (int kw = 0; kw < 3; ++kw) w[((oc * 3 + ic) * 3 + kh) * 3 + kw] = oc == ic ? kBinomial[kh] * kBinomial[kw] : 0.0f;
  conv->freeze();
  return conv;
}

}  // namespace

FeatureNet::FeatureNet(const FeatureNetOptions& options) : options_(options) {
  if (options_.levels < 1 || options_.levels > 6)
    throw ArgumentError("FeatureNet: levels must be in [1, 6], got " + std::to_string(options_.levels));
  if (options_.banks.empty()) throw ArgumentError("FeatureNet: needs at least one filter bank");
  if (options_.deep_channels < 1)
    throw ArgumentError("FeatureNet: deep_channels must be positive, got " + std::to_string(options_.deep_channels));
  for (const FilterBank& b : options_.banks) {
    if (b.kernel_size < 1 || b.kernel_size % 2 == 0 || b.channels < 1)
      throw ArgumentError("FeatureNet: a filter bank needs an odd kernel size and positive channels, got kernel " +
                          std::to_string(b.kernel_size) + ", " + std::to_string(b.channels) + " channels");
    bank_channels_ += b.channels;
  }
  Rng rng(options_.seed);
  for (int64_t l = 0; l < options_.levels; ++l) {
    const std::string prefix = "level" + std::to_string(l);
    Level level;
    if (l > 0) level.down = make_blur_down(prefix + ".down");
    for (size_t b = 0; b < options_.banks.size(); ++b) {
      Conv2dOptions c;
      c.in_channels = 3;
      c.out_channels = options_.banks[b].channels;
      c.kernel_size = options_.banks[b].kernel_size;
      c.padding = c.kernel_size / 2;
      c.padding_mode = PaddingMode::kReflect;
      c.bias = false;
      const std::string name = prefix + ".k" + std::to_string(c.kernel_size);
      level.bank_convs.push_back(std::make_unique<Conv2d>(c, rng, name));
      level.bank_convs.back()->freeze();
      level.bank_relus.push_back(std::make_unique<Relu>(ReluFn{}, name + ".relu"));
    }
    Conv2dOptions d;
    d.in_channels = bank_channels_;
    d.out_channels = options_.deep_channels;
    d.kernel_size = 3;
    d.stride = 2;
    d.padding = 1;
    d.padding_mode = PaddingMode::kReflect;
    d.bias = false;
    level.deep_conv = std::make_unique<Conv2d>(d, rng, prefix + ".deep");
    level.deep_conv->freeze();
    level.deep_relu = std::make_unique<Relu>(ReluFn{}, prefix + ".deep.relu");
    levels_.push_back(std::move(level));
  }
}

int64_t FeatureNet::min_side() const {
  // Every level must be larger than the largest bank's reflection padding (pad < side) and at least
  // 2 pixels for the 3x3 reflection padding of the blur and the deep layer. Level l has side
  // ceil(H / 2^l) >= H / 2^l, so H >= max(pad + 1, 2) * 2^(levels-1) suffices.
  int64_t pad = 0;
  for (const FilterBank& b : options_.banks) pad = std::max(pad, b.kernel_size / 2);
  return std::max<int64_t>(pad + 1, 2) << (options_.levels - 1);
}

std::string FeatureNet::style_output_name(size_t i) const {
  return "level" + std::to_string(i / 2) + (i % 2 == 0 ? ".banks" : ".deep");
}

int64_t FeatureNet::flops(const Shape& in) const {
  int64_t total = 2 * in.numel();  // the input normalization
  Shape s = in;
  for (const Level& level : levels_) {
    if (level.down) {
      total += level.down->flops(s);
      s = level.down->output_shape(s);
    }
    Shape banks = s;
    banks[1] = bank_channels_;
    for (size_t b = 0; b < level.bank_convs.size(); ++b)
      total += level.bank_convs[b]->flops(s) + s[0] * options_.banks[b].channels * s[2] * s[3];
    total += level.deep_conv->flops(banks) + level.deep_conv->output_shape(banks).numel();
  }
  return total;
}

// Per level l with image x_l (x_0 the normalized input, x_l = blur_subsample(x_{l-1})):
//   banks_l = concat_b relu(conv_{l,b}(x_l))
//   deep_l  = relu(conv3x3_stride2_l(banks_l))
Features FeatureNet::forward(const Tensor& image) {
  if (image.rank() != 4 || image.dim(1) != 3)
    throw ShapeError("FeatureNet: expected images (N,3,H,W), got " + image.shape().str());
  if (image.dim(2) < min_side() || image.dim(3) < min_side())
    throw ShapeError("FeatureNet: images must be at least " + std::to_string(min_side()) + " pixels on each side, got " +
                     image.shape().str());
  Tensor x = Tensor::empty(image.shape());
  const float* ip = image.data();
  float* xp = x.data();
  for (int64_t i = 0, n = image.numel(); i < n; ++i) xp[i] = (ip[i] - kInputMean) * kInputScale;

  Features out;
  for (Level& level : levels_) {
    if (level.down) x = level.down->forward(x);
    Tensor banks;
    for (size_t b = 0; b < level.bank_convs.size(); ++b) {
      Tensor y = level.bank_relus[b]->forward(level.bank_convs[b]->forward(x));
      banks = banks.defined() ? concat_channels(banks, y, "FeatureNet banks") : y;
    }
    Tensor deep = level.deep_relu->forward(level.deep_conv->forward(banks));
    out.style.push_back(banks);
    out.style.push_back(deep);
  }
  out.content = out.style[1];
  forward_ran_ = true;
  return out;
}

// Backward runs the levels from coarse to fine, so each level's image gradient can be pushed
// through its blur-subsample into the finer level's before that level adds its own:
//   dbanks_l = dstyle[2l] + conv3x3_stride2_backward(relu_backward(dstyle[2l+1] (+ dcontent at l=0)))
//   dx_l     = sum_b conv_{l,b}_backward(relu_backward(split_b(dbanks_l))) + down_{l+1}_backward(dx_{l+1})
//   dimage   = dx_0 * kInputScale
Tensor FeatureNet::backward(const std::vector<Tensor>& dstyle, const Tensor& dcontent) {
  if (!forward_ran_) throw Error("FeatureNet: backward called before forward");
  if (dstyle.size() != num_style_outputs())
    throw ShapeError("FeatureNet backward: expected " + std::to_string(num_style_outputs()) + " style gradients, got " +
                     std::to_string(dstyle.size()));
  Tensor dx_coarser;  // gradient with respect to the next-coarser level's image
  for (int64_t l = options_.levels - 1; l >= 0; --l) {
    Level& level = levels_[static_cast<size_t>(l)];
    const size_t il = static_cast<size_t>(l);
    Tensor ddeep = dstyle[2 * il + 1];
    if (l == 0 && dcontent.defined()) ddeep = ddeep.defined() ? add(ddeep, dcontent, "FeatureNet content") : dcontent;
    Tensor dbanks = dstyle[2 * il];
    if (ddeep.defined()) {
      Tensor d = level.deep_conv->backward(level.deep_relu->backward(ddeep));
      dbanks = dbanks.defined() ? add(dbanks, d, "FeatureNet banks") : d;
    }
    Tensor dx = dx_coarser.defined() ? levels_[il + 1].down->backward(dx_coarser) : Tensor();
    if (dbanks.defined()) {
      // Peel the banks off the end of the concatenation, last bank first.
      Tensor rest = dbanks;
      for (size_t b = level.bank_convs.size(); b-- > 0;) {
        Tensor db;
        if (b > 0) {
          auto parts = split_channels(rest, rest.dim(1) - options_.banks[b].channels, "FeatureNet banks");
          rest = parts.first;
          db = parts.second;
        } else {
          db = rest;
        }
        Tensor d = level.bank_convs[b]->backward(level.bank_relus[b]->backward(db));
        dx = dx.defined() ? add(dx, d, "FeatureNet image") : d;
      }
    }
    dx_coarser = dx;
  }
  if (!dx_coarser.defined()) throw Error("FeatureNet backward: every gradient is undefined");
  float* dp = dx_coarser.data();
  for (int64_t i = 0, n = dx_coarser.numel(); i < n; ++i) dp[i] *= kInputScale;
  return dx_coarser;
}

}  // namespace neuroshop::stylize
